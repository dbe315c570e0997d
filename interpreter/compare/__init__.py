"""Comparing versions: the semantic diff, the money impact on a population, the reference structures."""
