eval convention.conv msp.json
