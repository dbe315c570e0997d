"""The status of a version (`statut : signé | proposition`), and the exercise whose rules it computes, as every
report says them.

A proposal under negotiation is not the law: each command that shows a version's figures says
« proposition non signée » beside them (text), and gives `statut` in its JSON. Figures computed with the
rules of one exercise (`--exercice`) say which, and what those rules change (`exercice` in JSON).
"""

from __future__ import annotations

from dsl import nodes as n
from dsl.model import Model
from dsl.printer import one_line
from interpreter.report.document import Paragraph

WORDS = {"signe": "texte signé", "proposition": "proposition non signée"}


def status_words(model: Model) -> str | None:
    """« texte signé », « proposition non signée », or None when the version does not say."""
    return WORDS.get(model.statut) if model.statut else None


def status_line(model: Model) -> str | None:
    """`Statut : proposition non signée` — one line for the head of a text report."""
    words = status_words(model)
    return None if words is None else f"Statut : {words}"


def status_blocks(model: Model) -> list:
    """A paragraph saying whether the version is signed or a proposal, when its header says so; one saying which
    exercise's rules its figures use, if one."""
    line = status_line(model)
    return ([Paragraph(f"{line}.")] if line else []) + exercise_blocks(model)


def exercise_blocks(*models: Model) -> list:
    """A paragraph per exercise line of the versions given (each line once): which exercise's rules the figures
    use."""
    return [Paragraph(line) for line in dict.fromkeys(line for model in models for line in exercise_lines(model))]


def exercise_rules(model: Model) -> list[str]:
    """The changes an exercise's rules make, each on one line (`déplace critère plan_crise vers options`); the
    cas of the blocks are not rules."""
    return [one_line(item) for block in model.exercice_rules for item in block.items if not isinstance(item, n.Cas)]


def exercise_lines(model: Model) -> list[str]:
    """« Exercice 2022 : règles propres à l'exercice — déplace critère plan_crise vers options. » (nothing for the
    version's general rules)."""
    if model.exercice is None:
        return []
    rules = exercise_rules(model)
    if not rules:
        return [
            f"Exercice {model.exercice} : la version n'a pas de règle propre à cet exercice (ses règles générales "
            "s'appliquent)."
        ]
    return [f"Exercice {model.exercice} : règles propres à l'exercice — {' ; '.join(rules)}."]


def exercise_json(model: Model) -> dict | None:
    """`{"annee": 2022, "regles": […]}`, or None for the version's general rules."""
    return None if model.exercice is None else {"annee": model.exercice, "regles": exercise_rules(model)}
