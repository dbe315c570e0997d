simulate --format json convention.conv population.csv
