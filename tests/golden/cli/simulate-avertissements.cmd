simulate avertie.conv population-avertie.csv
