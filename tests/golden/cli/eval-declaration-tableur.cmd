eval convention.conv declaration-tableur.csv
