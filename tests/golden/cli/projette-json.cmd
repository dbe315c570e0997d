projette convention-juin.conv --population population.csv --de 2026 --a 2027 --format json
