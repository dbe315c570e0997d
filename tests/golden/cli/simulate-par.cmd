simulate convention.conv population.csv --par zone --par patientele=3500
