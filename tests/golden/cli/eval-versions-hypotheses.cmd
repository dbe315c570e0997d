eval convention.conv convention-av-tarifs.conv declaration-union.yaml --set valeur_point=8€ --format markdown
