"""The diff report: what a negotiator pastes into a note — clause by clause, in euros.

`diff_document` builds the French report (labels first, ids second) as a `Document`,
rendered as text, Markdown or HTML by `interpreter.report.document`; `diff_json` gives the
same content as JSON (keys `old`, `new`, `changes`, then `argent`).
"""

from __future__ import annotations

import re
from decimal import Decimal

from dsl import keywords
from dsl.model import SECTION_TITLES
from interpreter.compare.diff import Change, Diff, MoneyLine
from interpreter.report.document import Bullets, Document, Heading, Paragraph, Table
from interpreter.report.status import status_words
from interpreter.values import conv_text, euros, reader_text, signed_euros

KIND_WORDS = {"ajout": "ajout", "suppression": "suppression", "deplacement": "déplacement",
              "modification": "modification", "renommage": "renommage"}
KIND_PLURALS = {"ajout": "ajouts", "suppression": "suppressions", "deplacement": "déplacements",
                "modification": "modifications", "renommage": "renommages"}
PLACE_WORDS = {**SECTION_TITLES, "briques": "Briques", "majorations": "Majorations et minimums"}
FEMININE = ("brique", "donnee", "majoration")


def place_text(place: str | None) -> str:
    if place is None:
        return "—"
    if place.startswith("brique:"):
        return f"brique {place.split(':', 1)[1]}"
    return PLACE_WORDS.get(place, place)


def version_text(model) -> str:
    date = f", en vigueur le {model.en_vigueur.isoformat()}" if model.en_vigueur else ""
    status = f" ({status_words(model)})" if status_words(model) else ""
    return f"« {model.version} »{date}{status}"


# ---- the document ------------------------------------------------------------------------------------


def diff_document(diff: Diff) -> Document:
    old, new = diff.old, diff.new
    document = Document(f"{new.label or new.id} : ce qui change de « {old.version} » à « {new.version} »")
    document.add(Paragraph(f"Versions comparées : {version_text(old)} → {version_text(new)}."))
    document.add(Paragraph(summary(diff.changes)))
    _money_section(document, diff)
    elements = [c for c in diff.changes if c.element in ("critere", "brique", "majoration", "minimum")]
    if elements:
        document.add(Heading("Critères et briques, clause par clause"))
        for change in elements:
            _element_change(document, diff, change)
    for element, title in (("donnee", "Données déclarées par les structures"), ("parametre", "Paramètres")):
        changes = [c for c in diff.changes if c.element == element]
        if changes:
            document.add(Heading(title), _value_table(changes))
    return document


def summary(changes: tuple[Change, ...]) -> str:
    if not changes:
        return "Aucune différence de fond entre les deux versions (la mise en forme et les commentaires ne comptent pas)."
    counts = [(kind, sum(c.kind == kind for c in changes)) for kind in KIND_WORDS]
    parts = [f"{count} {KIND_PLURALS[kind] if count > 1 else KIND_WORDS[kind]}" for kind, count in counts if count]
    total = len(changes)
    return f"{total} changement{'s' if total > 1 else ''} : " + ", ".join(parts) + "."


def _money_section(document: Document, diff: Diff) -> None:
    money = diff.money
    document.add(Heading("Ce que vaut chaque clause pour la structure de référence"))
    document.add(Paragraph(
        "Chaque critère et chaque brique est valorisé comme s'il était atteint, pour la structure de référence "
        "de sa version : patientèle de référence, tous les engagements remplis, chaque effectif au plafond que "
        "fixe un « min(…) ». Les points sont convertis en euros à la valeur du point de leur version ; les "
        "lignes sont classées par écart, le plus grand d'abord.", emphasis=True))
    document.add(Table(
        ("Clause", "Identifiant", "Section", "Avant", "Après", "Écart"),
        tuple(_money_row(line) for line in money.lines),
        numeric=(3, 4, 5),
        classes=tuple(_money_class(line) for line in money.lines),
    ))
    rows = [(PLACE_WORDS.get(s, s), euros(a), euros(b), signed_euros(b - a)) for s, a, b in money.sections]
    rows.append(("Total", euros(money.total_avant), euros(money.total_apres),
                 signed_euros(money.total_apres - money.total_avant)))
    document.add(Heading("Totaux par section", level=3),
                 Table(("Section", "Avant", "Après", "Écart"), tuple(rows), numeric=(1, 2, 3)))
    document.add(Heading("Structures de référence", level=3), Bullets((
        f"{diff.old.version} : {_structure_text(diff.old, money.reference_avant)}",
        f"{diff.new.version} : {_structure_text(diff.new, money.reference_apres)}",
    )))


def _money_row(line: MoneyLine) -> tuple[str, ...]:
    moved = line.section_avant != line.section_apres and line.section_avant and line.section_apres
    section = f"{place_text(line.section_avant)} → {place_text(line.section_apres)}" if moved else \
        place_text(line.section_apres or line.section_avant)
    identifier = f"{line.ancien_id} → {line.id}" if line.ancien_id else line.id
    return (line.libelle or line.id, identifier, section,
            "—" if line.avant is None else euros(line.avant),
            "—" if line.apres is None else euros(line.apres), signed_euros(line.delta))


def _money_class(line: MoneyLine) -> str:
    if line.avant is None:
        return "ajout"
    if line.apres is None:
        return "suppression"
    return ""


def _structure_text(model, values: dict) -> str:
    return ", ".join(f"{id} = {conv_text(value, model.donnees[id].type)}" for id, value in values.items())


def _with_values(text: str | None, model, values: dict) -> str:
    """A field's text, followed by the values of the paramètres it names (for readers of the report)."""
    if text is None:
        return "—"
    named = [w for w in dict.fromkeys(re.findall(r"[a-z_][a-z0-9_]*", text)) if w in values]
    if not named:
        return text
    shown = ", ".join(f"{w} = {reader_text(values[w], model.parametres[w].type)}" for w in named)
    return f"{text}   [{shown}]"


def _element_change(document: Document, diff: Diff, change: Change) -> None:
    label = change.libelle_apres or change.libelle_avant or change.id
    document.add(Heading(f"{label} ({change.id}) — {_change_phrase(change)}", level=3))
    expressions = ("condition", "points fixes", "points variables", "montant", "taux", "prorata")
    rows = [(f.champ, _with_values(f.avant, diff.old, diff.parametres_avant) if f.champ in expressions else f.avant or "—",
             _with_values(f.apres, diff.new, diff.parametres_apres) if f.champ in expressions else f.apres or "—")
            for f in change.champs]
    if change.kind == "renommage":
        rows.insert(0, ("identifiant", change.ancien_id, change.id))
    if change.section_avant != change.section_apres and change.kind in ("deplacement", "renommage"):
        rows.insert(0, ("section", place_text(change.section_avant), place_text(change.section_apres)))
    if rows:
        document.add(Table(("Champ", "Avant", "Après"), tuple(rows), code=(1, 2), classes=(change.kind,) * len(rows)))


def _change_phrase(change: Change) -> str:
    element = keywords.KINDS[change.element]
    match change.kind:
        case "ajout":
            return f"{element} ajouté{'e' if change.element in FEMININE else ''} ({place_text(change.section_apres)})"
        case "suppression":
            return f"{element} supprimé{'e' if change.element in FEMININE else ''} (était en {place_text(change.section_avant)})"
        case "deplacement":
            return f"déplacé de {place_text(change.section_avant)} vers {place_text(change.section_apres)}"
        case "renommage":
            return f"renommé (ancien identifiant : {change.ancien_id})"
    return f"modifié{'e' if change.element in FEMININE else ''} ({place_text(change.section_apres)})"


def _value_table(changes: list[Change]) -> Table:
    rows = []
    for change in changes:
        label = change.libelle_apres or change.libelle_avant or change.id
        before = "; ".join(f"{f.champ} : {f.avant}" for f in change.champs if f.avant is not None) or "—"
        after = "; ".join(f"{f.champ} : {f.apres}" for f in change.champs if f.apres is not None) or "—"
        identifier = f"{change.ancien_id} → {change.id}" if change.ancien_id else change.id
        rows.append((label, identifier, KIND_WORDS[change.kind], before, after))
    return Table(("Élément", "Identifiant", "Changement", "Avant", "Après"), tuple(rows), code=(3, 4),
                 classes=tuple(c.kind for c in changes))


# ---- JSON -----------------------------------------------------------------------------------------------


def _money(amount: Decimal | None) -> str | None:
    return None if amount is None else f"{amount:.2f}"


def diff_json(diff: Diff) -> dict:
    money = diff.money
    return {
        "old": {"id": diff.old.id, "version": diff.old.version, "statut": diff.old.statut},
        "new": {"id": diff.new.id, "version": diff.new.version, "statut": diff.new.statut},
        "changes": [
            {"kind": c.kind, "element": c.element, "id": c.id, "ancien_id": c.ancien_id,
             "libelle_avant": c.libelle_avant, "libelle_apres": c.libelle_apres,
             "section_avant": c.section_avant, "section_apres": c.section_apres,
             "champs": [{"champ": f.champ, "avant": f.avant, "apres": f.apres} for f in c.champs]}
            for c in diff.changes
        ],
        "argent": {
            "lignes": [
                {"id": line.id, "ancien_id": line.ancien_id, "libelle": line.libelle, "element": line.element,
                 "section_avant": line.section_avant, "section_apres": line.section_apres,
                 "avant": _money(line.avant), "apres": _money(line.apres), "ecart": _money(line.delta)}
                for line in money.lines
            ],
            "sections": [{"section": s, "avant": _money(a), "apres": _money(b), "ecart": _money(b - a)}
                         for s, a, b in money.sections],
            "total": {"avant": _money(money.total_avant), "apres": _money(money.total_apres),
                      "ecart": _money(money.total_apres - money.total_avant)},
            "structure_reference": {
                "avant": {id: conv_text(v, diff.old.donnees[id].type) for id, v in money.reference_avant.items()},
                "apres": {id: conv_text(v, diff.new.donnees[id].type) for id, v in money.reference_apres.items()},
            },
        },
    }

