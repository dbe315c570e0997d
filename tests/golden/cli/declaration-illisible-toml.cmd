eval convention.conv illisible.toml
