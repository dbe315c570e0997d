eval convention.conv doublon.json
