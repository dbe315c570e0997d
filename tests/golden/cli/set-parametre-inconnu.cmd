eval convention.conv msp.yaml --set valeur_pont=8€
