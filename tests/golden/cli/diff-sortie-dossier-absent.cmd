diff petite-v1.conv petite-v2.conv -o absent/rapport.md
