eval division.conv division.yaml
