simulate convention.conv population-cellule-egaree.xlsx
