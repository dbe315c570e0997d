eval --format json convention.conv erreurs.yaml
