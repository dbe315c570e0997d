balaye convention.conv --population population.csv --parametre valeur_point --de 8 --a 7 --pas 1
