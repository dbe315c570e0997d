consolidate --au 2025-06-30 petite-avenant.conv
