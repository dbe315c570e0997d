eval convention.conv nombres.toml
