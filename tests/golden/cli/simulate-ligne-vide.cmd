simulate convention.conv population-ligne-vide.csv
