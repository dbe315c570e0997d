eval convention.conv absent.yaml
