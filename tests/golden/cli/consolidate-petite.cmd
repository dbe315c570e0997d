consolidate petite-avenant.conv
