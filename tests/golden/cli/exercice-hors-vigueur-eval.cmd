eval exercices-av.conv exercices-structure.yaml --exercice 2022
