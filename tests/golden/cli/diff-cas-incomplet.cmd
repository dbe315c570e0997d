diff convention.conv convention-av-tarifs.conv --cas msp_type
