check projet-invalide/avertie.conv
