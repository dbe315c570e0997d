diff convention.conv convention-av.conv --set valeur_poin=8€
