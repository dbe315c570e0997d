eval exercices.conv exercices-structure.yaml --exercice 2022
