"""The history report (`convcheck historique`): for each clause, each version that wrote it and what
changed, in the diff's field-level words — as a `Document` (text, Markdown) and as JSON."""

from __future__ import annotations

from interpreter.compare.history import ClauseHistory, History, Step
from interpreter.report.diff import KIND_WORDS, place_text
from interpreter.report.document import Bullets, Document, Heading, Paragraph, Table
from interpreter.report.status import status_words

ELEMENT_TITLES = {"critere": "Critères", "brique": "Briques", "majoration": "Majorations", "minimum": "Minimums",
                  "donnee": "Données", "parametre": "Paramètres", "prorata": "Prorata de la version",
                  "exercice": "Règles propres à un exercice"}


def step_words(step: Step) -> str:
    """What a version did to the clause, in a few words."""
    match step.kind:
        case "ajout":
            return f"ajouté ({place_text(step.section_apres)})" if step.section_apres else "ajouté"
        case "suppression":
            return "supprimé"
        case "deplacement":
            return f"déplacé de {place_text(step.section_avant)} vers {place_text(step.section_apres)}"
        case "renommage":
            return f"renommé (ancien identifiant : {step.ancien_id})"
    return "modifié"


def field_words(step: Step) -> str:
    """The fields a version changed: `champ : avant → après`, one per line (only `après` for an addition)."""
    if step.kind == "ajout":
        return "; ".join(f"{f.champ} : {f.apres}" for f in step.champs)
    if step.kind == "suppression":
        return "—"
    return "; ".join(f"{f.champ} : {f.avant or '—'} → {f.apres or '—'}" for f in step.champs) or "—"


def history_document(history: History) -> Document:
    latest = history.versions[-1].model
    document = Document(f"{latest.label or latest.id} : historique des clauses jusqu'à « {latest.version} »")
    document.add(Paragraph("Chaque clause, avec chaque version qui l'a écrite le long de la chaîne des bases, sa "
                           "date d'entrée en vigueur et ce qui a changé, champ par champ."))
    document.add(Heading("Versions"), Table(
        ("Version", "En vigueur", "Statut", "Fichier"),
        tuple((v.name, v.en_vigueur.isoformat() if v.en_vigueur else "—", status_words(v.model) or "—", v.path)
              for v in history.versions)))
    for element, title in ELEMENT_TITLES.items():
        clauses = [c for c in history.clauses if c.element == element]
        if clauses:
            document.add(Heading(title))
            for clause in clauses:
                _clause(document, clause)
    others = [c for c in history.clauses if c.element not in ELEMENT_TITLES]
    if others:
        document.add(Heading("Autres éléments"))
        for clause in others:
            _clause(document, clause)
    return document


def _clause(document: Document, clause: ClauseHistory) -> None:
    removed = " — supprimé" if clause.removed else ""
    document.add(Heading(f"{clause.label or clause.id} ({clause.id}){removed}", level=3))
    document.add(Bullets(tuple(step_line(step) for step in clause.steps)))


def step_line(step: Step) -> str:
    """`« avenant 1 », en vigueur le 2022-01-01 : modifié — points fixes : 700 → 1_000`."""
    date = f", en vigueur le {step.version.en_vigueur.isoformat()}" if step.version.en_vigueur else ""
    details = field_words(step)
    return f"« {step.version.name} »{date} : {step_words(step)}" + ("" if details == "—" else f" — {details}")


def history_json(history: History) -> dict:
    return {
        "versions": [{"version": v.name, "fichier": v.path, "en_vigueur": v.en_vigueur and v.en_vigueur.isoformat(),
                      "statut": v.model.statut} for v in history.versions],
        "statut": history.versions[-1].model.statut,
        "clauses": [
            {"element": c.element, "id": c.id, "libelle": c.label, "supprime": c.removed,
             "versions": [{"version": s.version.name, "fichier": s.version.path,
                           "en_vigueur": s.version.en_vigueur and s.version.en_vigueur.isoformat(),
                           "changement": s.kind, "changement_texte": KIND_WORDS[s.kind], "ancien_id": s.ancien_id,
                           "section_avant": s.section_avant, "section_apres": s.section_apres,
                           "champs": [{"champ": f.champ, "avant": f.avant, "apres": f.apres} for f in s.champs]}
                          for s in c.steps]}
            for c in history.clauses
        ],
    }
