simulate convention.conv population-nombres.csv
