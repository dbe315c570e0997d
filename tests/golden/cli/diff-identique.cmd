diff petite-v1.conv petite-v1.conv
