sql convention.conv --dialecte duckdb
