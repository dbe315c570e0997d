eval convention.conv erreurs.json
