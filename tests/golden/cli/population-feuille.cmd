simulate convention.conv population.xlsx --feuille Structures
