simulate convention.conv population-encodage.csv
