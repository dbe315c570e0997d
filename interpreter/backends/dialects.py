"""The SQL dialects `convcheck sql` writes (`--dialecte`), named once: each with the most digits its DECIMAL
holds, which bounds the exact arithmetic of `interpreter.backends.sqlarith`. A leaf: the command line reads the
names without loading sqlglot."""

from __future__ import annotations

DECIMAL_DIGITS = {"duckdb": 38, "postgres": 1000, "spark": 38}  # PostgreSQL's NUMERIC keeps every digit
DIALECTS = tuple(DECIMAL_DIGITS)
