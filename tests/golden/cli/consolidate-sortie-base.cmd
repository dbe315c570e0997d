consolidate petite-avenant.conv -o petite-v1.conv
