simulate convention.conv population-illisible.csv
