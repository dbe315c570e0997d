diff petite-v1.conv petite-v2.conv -o /dev/null
