eval convention.conv erreurs.yaml
