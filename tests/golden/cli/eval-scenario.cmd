eval convention.conv msp.yaml --scenario scenario-france-sante.conv
