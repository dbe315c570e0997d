simulate convention.conv population.csv --par regoin
