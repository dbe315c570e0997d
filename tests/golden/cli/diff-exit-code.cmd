diff --exit-code petite-v1.conv petite-v2.conv --format json
