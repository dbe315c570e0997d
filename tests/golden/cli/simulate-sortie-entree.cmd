simulate convention.conv population.csv -o population.csv
