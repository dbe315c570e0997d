eval convention.conv msp.yaml --set 'valeur_point=1_000_000_000_000_000 €'
