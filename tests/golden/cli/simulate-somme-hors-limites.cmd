simulate montants-extremes.conv montants-extremes.csv
