"""Execution and comparison of conventions: compilation, evaluation, diff, reports, CLI."""
