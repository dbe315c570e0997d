simulate convention.conv population-erreurs.xlsx
