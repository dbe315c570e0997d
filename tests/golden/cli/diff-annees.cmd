diff convention.conv convention-juin.conv --population population.csv --de 2026 --a 2028 --scenario scenario-croissance.conv
