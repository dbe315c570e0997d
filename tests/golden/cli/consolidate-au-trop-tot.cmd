consolidate --au 2000-01-01 petite-avenant.conv
