projette convention-juin.conv --population population.csv --de 2010 --a 2012
