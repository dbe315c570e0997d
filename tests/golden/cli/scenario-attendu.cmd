eval convention.conv msp.yaml --scenario convention.conv
