diff petite-v2.conv petite-avenant.conv --exit-code
