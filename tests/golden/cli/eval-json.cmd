eval --format json convention.conv msp.yaml
