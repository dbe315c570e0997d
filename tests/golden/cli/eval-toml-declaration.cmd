eval convention.conv msp.toml
