simulate sql-grand.conv population-grand.csv --moteur duckdb
