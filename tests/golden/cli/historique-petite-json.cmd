historique petite-avenant.conv --format json
