"""How the language's keywords are written, once: the canonical (accented) spelling of each keyword
that the AST stores in its folded, accent-free form. The printer writes them; messages quote them.
Also what an identifier is, and the words that cannot be one (the parser refuses them, the editor's
rename too)."""

from __future__ import annotations

import re
import unicodedata

from dsl.kinds import CLAUSES

IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*\Z")
# Words that cannot name anything: they mean something in expressions.
RESERVED = frozenset({"si", "alors", "sinon", "et", "ou", "non", "dans", "vrai", "faux"})
# Words that cannot name a donnée or a paramètre either: after an expression they start an
# attribute, or they have a meaning in `attendu` blocks.
VALUE_RESERVED = RESERVED | {
    "condition",
    "points",
    "montant",
    "axe",
    "reference",
    "critere",
    "eligible",
    "total",
    "total_points",
    "avance",
}
# Accent-free spellings accepted for the names that `attendu` blocks may use.
FOLDED_NAMES = {"éligible": "eligible"}

SECTIONS = {"prerequis": "prérequis", "socle": "socle", "options": "options"}
KINDS = {kind.name: kind.keyword for kind in CLAUSES}  # described in `dsl.kinds`
TYPES = {"booleen": "booléen"}
ATTRIBUTES = {
    "condition": "condition",
    "points_fixes": "points fixes",
    "points_variables": "points variables",
    "montant": "montant",
    "axe": "axe",
    "reference": "référence",
    "assiette": "assiette",
    "taux": "taux",
    "prorata": "prorata",
}
# The parts of the lines a majoration's `assiette` may take, folded → as printed.
ASSIETTES = {
    "points_variables": "points variables",
    "points_fixes": "points fixes",
    "points": "points",
    "total": "total",
}
HEADERS = {"version": "version", "en_vigueur": "en vigueur", "base": "base", "pour": "pour", "statut": "statut"}
# The values of `statut :`, folded → as printed.
STATUTS = {"signe": "signé", "proposition": "proposition"}
FILES = {"convention": "convention", "avenant": "avenant", "scenario": "scénario"}


def fold_accents(word: str) -> str:
    """`critère` → `critere`."""
    decomposed = unicodedata.normalize("NFD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c))
