sql defauts.conv --dialecte duckdb --colonne-absente horaires
