eval convention.conv msp.yaml
