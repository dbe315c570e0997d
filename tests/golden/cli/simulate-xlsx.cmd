simulate convention.conv population.xlsx
