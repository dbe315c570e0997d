diff convention.conv convention-av.conv --cas msp_type
