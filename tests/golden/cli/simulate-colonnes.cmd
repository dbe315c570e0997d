simulate convention.conv population-colonnes.csv
