balaye convention.conv --population population.csv --parametre valeur_point --valeurs 7,7.5,8 --format json
