diff convention.conv convention-av.conv --population population-sans-engagement.csv --scenario scenario-france-sante.conv --tirages 200
