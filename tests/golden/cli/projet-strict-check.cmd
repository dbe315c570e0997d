check projet-strict/avertie.conv
