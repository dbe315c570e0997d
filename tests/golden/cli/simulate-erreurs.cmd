simulate convention.conv population-erreurs.csv
