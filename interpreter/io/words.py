"""The words the readers share: how a booléen may be written, what each type expects, and the French of
the JSON and TOML readers' messages. A leaf of `interpreter.io`: the declarations, the population tables and the
DuckDB engine's certified reading all read these words from here.
"""

from __future__ import annotations

import re

TRUE_WORDS = {"vrai", "true", "oui", "yes"}
FALSE_WORDS = {"faux", "false", "non", "no"}
TYPE_WORDS = {
    "booleen": "un booléen (vrai ou faux)",
    "entier": "un nombre entier",
    "nombre": "un nombre",
    "montant": 'un montant en euros (par exemple 7000 ou "7 000 €")',
    "pourcentage": 'un pourcentage (75 ou "75 %" pour 75 %)',
    "date": "une date AAAA-MM-JJ",
}
JSON_PROBLEMS = {
    "Expecting value": "valeur attendue",
    "Expecting ',' delimiter": "« , » attendue entre deux éléments",
    "Expecting ':' delimiter": "« : » attendu après la clé",
    "Expecting property name": "nom de clé entre guillemets attendu",
    "Unterminated string": "chaîne jamais fermée",
    "Extra data": "texte en trop après la fin de l'objet",
    "Invalid control character": "caractère de contrôle dans une chaîne",
    "too deeply nested": "listes ou tables trop imbriquées",
    "not an object": "ce n'est pas un objet « { … } »",
}


TOML_PROBLEMS = {
    "Invalid value": "valeur invalide",
    "Expected '=' after a key": "« = » attendu après la clé",
    "Cannot overwrite a value": "clé déclarée deux fois",
    "Unclosed array": "crochet « [ » jamais fermé",
    "Unterminated string": "chaîne jamais fermée",
}


def french_problem(problem: str, table: dict[str, str]) -> str:
    """What a reader says in English (`problem`), in French from `table`; « syntaxe incorrecte » else."""
    return next((french for english, french in table.items() if english in problem), "syntaxe incorrecte")


def french_json(problem: str) -> str:
    """What `json` says of a text it cannot read, in French."""
    return f"JSON illisible : {french_problem(problem, JSON_PROBLEMS)}"


def toml_problem(problem: str) -> tuple[str, int | None, int]:
    """What `tomllib` says of a text it cannot read, in French, with the line (None if unsaid) and the column."""
    where = re.search(r"line (\d+), column (\d+)", problem)
    line, column = (int(where.group(1)), int(where.group(2))) if where else (None, 1)
    return f"TOML illisible : {french_problem(problem, TOML_PROBLEMS)}", line, column
