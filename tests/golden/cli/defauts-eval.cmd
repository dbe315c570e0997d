eval defauts.conv defauts-structure.yaml
