eval convention.conv convention-av-tarifs.conv declaration-union-faute.yaml
