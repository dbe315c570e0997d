eval prorata.conv prorata-structure.yaml
