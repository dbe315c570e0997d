historique petite-proposition.conv --clause protocoles --format json
