"""How the language's keywords are written, once: the canonical (accented) spelling of each keyword
that the AST stores in its folded, accent-free form. The printer writes them; messages quote them."""

from __future__ import annotations

from dsl.kinds import CLAUSES

SECTIONS = {"prerequis": "prérequis", "socle": "socle", "options": "options"}
KINDS = {kind.name: kind.keyword for kind in CLAUSES}  # described in `dsl.kinds`
TYPES = {"booleen": "booléen"}
ATTRIBUTES = {
    "condition": "condition", "points_fixes": "points fixes", "points_variables": "points variables",
    "montant": "montant", "axe": "axe", "reference": "référence", "assiette": "assiette", "taux": "taux",
    "prorata": "prorata",
}
# The parts of the lines a majoration's `assiette` may take, folded → as printed.
ASSIETTES = {"points_variables": "points variables", "points_fixes": "points fixes", "points": "points",
             "total": "total"}
HEADERS = {"version": "version", "en_vigueur": "en vigueur", "base": "base", "pour": "pour", "statut": "statut"}
# The values of `statut :`, folded → as printed.
STATUTS = {"signe": "signé", "proposition": "proposition"}
FILES = {"convention": "convention", "avenant": "avenant", "scenario": "scénario"}
