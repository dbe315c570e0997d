fmt --check mal-forme.conv petite-v1.conv
