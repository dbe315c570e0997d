historique petite-proposition.conv --clause protocoles
