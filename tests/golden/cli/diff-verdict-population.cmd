diff convention.conv convention-av.conv --population population.csv --par zone
