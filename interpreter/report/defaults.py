"""The données a population did not give, taken at their default (`par défaut`): how many structures took each.

A default is never silent: `simulate`, `diff --population` and their reports (text, Markdown, HTML,
JSON) say, for each donnée whose default some structures took (no column, or an empty cell), its
default and how many structures took it.
"""

from __future__ import annotations

from dsl.model import Donnee, Model
from interpreter.io.xlsx import Sheet
from interpreter.numbers import conv_text
from interpreter.report.document import Bullets, Heading, Paragraph


def default_text(donnee: Donnee) -> str:
    """A donnée's default as the `.conv` file writes it: `12`, `10 %`, `faux`."""
    assert donnee.default is not None  # asked only of a donnée with a default
    return conv_text(donnee.default.value, donnee.type)


def _count(number: int) -> str:
    return f"{number:,}".replace(",", "\u202f")


def defaults_lines(model: Model, defaults: dict[str, int], size: int) -> list[str]:
    """« mois_adhesion = 12 (Mois couverts par le contrat) : 151 structures sur 1 200 », for each default taken."""
    lines = []
    for id, count in defaults.items():
        donnee = model.donnees[id]
        label = f" ({donnee.label})" if donnee.label else ""
        structures = "structure" if count == 1 else "structures"
        lines.append(f"{id} = {default_text(donnee)}{label} : {_count(count)} {structures} sur {_count(size)}")
    return lines


def defaults_blocks(model: Model, defaults: dict[str, int], size: int, version: str | None = None) -> list:
    """A heading and the list of the defaults taken (nothing when none was)."""
    if not defaults:
        return []
    title = "Valeurs par défaut" + (f" ({version})" if version else "")
    return [
        Heading(title, level=3),
        Paragraph(
            "Données que la population ne donne pas (colonne absente ou cellule vide), prises à la valeur "
            "par défaut de la version :"
        ),
        Bullets(tuple(defaults_lines(model, defaults, size))),
    ]


def defaults_json(model: Model, defaults: dict[str, int]) -> list[dict]:
    return [
        {"id": id, "libelle": model.donnees[id].label, "valeur": default_text(model.donnees[id]), "structures": count}
        for id, count in defaults.items()
    ]


def defaults_sheet(versions) -> Sheet | None:
    """The « Valeurs par défaut » sheet of a workbook: for each version (its name, model and counts), each default
    taken and by how many structures; None when none was taken."""
    rows = tuple(
        (name, id, model.donnees[id].label or "", default_text(model.donnees[id]), count)
        for name, model, defaults in versions
        for id, count in defaults.items()
    )
    if not rows:
        return None
    return Sheet("Valeurs par défaut", ("Version", "Donnée", "Libellé", "Valeur par défaut", "Structures"), rows)
