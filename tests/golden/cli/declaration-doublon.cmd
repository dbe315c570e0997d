eval convention.conv doublon.yaml
