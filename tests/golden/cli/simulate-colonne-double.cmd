simulate convention.conv population-colonne-double.csv
