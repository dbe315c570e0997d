historique petite-proposition.conv --clause protocole
