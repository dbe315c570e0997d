simulate convention.conv population-colonne-en-plus.csv
