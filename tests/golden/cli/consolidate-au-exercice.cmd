consolidate exercices-av.conv --au 2022-06-01
