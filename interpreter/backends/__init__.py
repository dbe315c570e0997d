"""The engines: the scalar backend (one structure, exact, with explanations), the vector one (a population at
once), SQL (one query per dialect) and DuckDB, registered by name in `engines`."""
