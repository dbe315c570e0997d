simulate convention.conv population-fr.csv
