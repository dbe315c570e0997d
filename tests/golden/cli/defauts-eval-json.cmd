eval defauts.conv defauts-structure.yaml --format json
