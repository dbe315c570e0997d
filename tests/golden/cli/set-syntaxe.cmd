eval convention.conv msp.yaml --set 'valeur_point=8 € +'
