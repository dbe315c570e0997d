eval convention.conv convention-av.conv convention-av-tarifs.conv declaration-union.yaml
