simulate defauts.conv defauts-population.csv
