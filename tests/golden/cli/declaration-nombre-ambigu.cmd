eval convention.conv nombre-ambigu.yaml
