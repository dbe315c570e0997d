sql convention.conv --dialecte duckdb --table "ma table"
