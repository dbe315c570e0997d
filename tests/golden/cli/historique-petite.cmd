historique petite-avenant.conv
