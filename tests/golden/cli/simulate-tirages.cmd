simulate convention.conv population-sans-engagement.csv --scenario scenario-france-sante.conv --tirages 200 --graine 7
