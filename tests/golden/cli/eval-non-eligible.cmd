eval convention.conv msp-non-eligible.yaml
