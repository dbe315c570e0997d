sql convention.conv --scenario scenario-france-sante.conv --dialecte postgres
