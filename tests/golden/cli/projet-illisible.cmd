check projet-illisible/avertie.conv
