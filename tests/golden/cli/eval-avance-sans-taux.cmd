eval --avance convention.conv msp.yaml
