simulate convention.conv population-erreurs.csv --ignorer-invalides -o resultats-partiels.csv
