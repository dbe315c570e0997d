simulate convention.conv population-sans-engagement.csv
