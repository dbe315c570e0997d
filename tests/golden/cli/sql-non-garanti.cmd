sql sql-grand.conv --dialecte duckdb
