"""The status of a version (`statut : signé | proposition`), as every report says it.

A proposal under negotiation is not the law: each command that shows a version's figures says
« proposition non signée » beside them (text), and gives `statut` in its JSON.
"""

from __future__ import annotations

from dsl.model import Model
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
    """A paragraph saying whether the version is signed or a proposal, when its header says so."""
    line = status_line(model)
    return [Paragraph(f"{line}.")] if line else []
