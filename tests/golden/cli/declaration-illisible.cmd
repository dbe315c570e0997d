eval convention.conv illisible.yaml
