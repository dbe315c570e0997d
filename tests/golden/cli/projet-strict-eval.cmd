eval projet-strict/avertie.conv projet-strict/msp.yaml
