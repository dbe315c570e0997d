calibre convention.conv --population population.csv --parametre valeur_point --budget "80 000 €"
