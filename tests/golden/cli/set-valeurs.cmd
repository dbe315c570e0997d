eval convention.conv msp.yaml --set valeur_point=7.5€ --set patientele_reference=3_000
