simulate convention.conv population-sans-engagement.csv --tirages 10
