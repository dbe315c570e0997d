simulate convention.conv population.csv -o resultats.csv
