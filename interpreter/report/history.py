"""The history report (`convcheck historique`): for each clause, each version that wrote it and what
changed, in the diff's field-level words, and the status its comments give its figures (« confirmé (guide
Cnam 2022, p. N) », « hypothèse », « choix ») — as a `Document` (text, Markdown) and as JSON."""

from __future__ import annotations

from dsl.comments import clause_comments, comments_of, figure_statuses
from dsl.kinds import CLAUSES
from dsl.records import frozen
from dsl.source import SourceFile
from interpreter.compare.diff import RULE_TITLES
from interpreter.compare.history import ClauseHistory, ClauseTimeline, History, Step
from interpreter.report.diff import CHANGE_WORDS, place_text
from interpreter.report.document import Bullets, Document, Heading, Paragraph, Table
from interpreter.report.provenance import Provenance
from interpreter.report.status import status_words

ELEMENT_TITLES = {kind.name: kind.title for kind in CLAUSES}  # in the order of the report


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


Statuses = dict[tuple[str, str, str], list[str]]  # (element, id, version path) → statuses


def step_statuses(history: History, sources: dict[str, SourceFile] | None) -> Statuses:
    """For each step, the statuses that the comments of the clause, in the file of that version, give its
    figures (`dsl.comments.figure_statuses`); empty without the sources."""
    found: Statuses = {}
    if not sources:
        return found
    for version in history.versions:
        kept = clause_comments(version.model.file, sources)
        for clause in history.clauses:
            element = (getattr(version.model, clause.element + "s", None) or {}).get(clause.id)
            if element is None:
                continue
            comments = [c for c in comments_of(element.node, kept) if element.node.span.file == version.path]
            statuses = [s for c in comments for s in figure_statuses(c.text)]
            if statuses:
                found[(clause.element, clause.id, version.path)] = list(dict.fromkeys(statuses))
    return found


def history_document(history: History, sources: dict[str, SourceFile] | None = None) -> Document:
    statuses = step_statuses(history, sources)
    latest = history.versions[-1].model
    document = Document(f"{latest.label or latest.id} : historique des clauses jusqu'à « {latest.version} »")
    document.add(
        Paragraph(
            "Chaque clause, avec chaque version qui l'a écrite le long de la chaîne des bases, sa "
            "date d'entrée en vigueur et ce qui a changé, champ par champ."
        )
    )
    document.add(Heading("Versions"), _versions_table(history))
    for element, title in {**ELEMENT_TITLES, **RULE_TITLES}.items():  # the clauses, then the version's rules
        clauses = [c for c in history.clauses if c.element == element]
        if clauses:
            document.add(Heading(title))
            for clause in clauses:
                _clause(document, clause, statuses)
    others = [c for c in history.clauses if c.element not in ELEMENT_TITLES and c.element not in RULE_TITLES]
    if others:
        document.add(Heading("Autres éléments"))
        for clause in others:
            _clause(document, clause, statuses)
    return document


def _clause(document: Document, clause: ClauseHistory, statuses: Statuses) -> None:
    removed = " — supprimé" if clause.removed else ""
    document.add(Heading(f"{clause.label or clause.id} ({clause.id}){removed}", level=3))
    document.add(
        Bullets(
            tuple(
                step_line(step, statuses.get((clause.element, clause.id, step.version.path), []))
                for step in clause.steps
            )
        )
    )


def step_line(step: Step, statuses: list[str] | None = None) -> str:
    """`« avenant 1 », en vigueur le 2022-01-01 : modifié — points fixes : 700 → 1_000 — statut : confirmé (guide
    Cnam 2022, p. 20–22)`."""
    date = f", en vigueur le {step.version.en_vigueur.isoformat()}" if step.version.en_vigueur else ""
    details = field_words(step)
    status = f" — statut : {', '.join(statuses)}" if statuses else ""
    return f"« {step.version.name} »{date} : {step_words(step)}" + ("" if details == "—" else f" — {details}") + status


def history_json(history: History, sources: dict[str, SourceFile] | None = None) -> dict:
    statuses = step_statuses(history, sources)
    return {
        "versions": [
            {
                "version": v.name,
                "fichier": v.path,
                "en_vigueur": v.en_vigueur and v.en_vigueur.isoformat(),
                "statut": v.model.statut,
            }
            for v in history.versions
        ],
        "statut": history.versions[-1].model.statut,
        "clauses": [
            {
                "element": c.element,
                "id": c.id,
                "libelle": c.label,
                "supprime": c.removed,
                "versions": [
                    {
                        "version": s.version.name,
                        "fichier": s.version.path,
                        "en_vigueur": s.version.en_vigueur and s.version.en_vigueur.isoformat(),
                        "changement": s.kind,
                        "changement_texte": CHANGE_WORDS[s.kind],
                        "ancien_id": s.ancien_id,
                        "section_avant": s.section_avant,
                        "section_apres": s.section_apres,
                        "champs": [{"champ": f.champ, "avant": f.avant, "apres": f.apres} for f in s.champs],
                        "statuts": statuses.get((c.element, c.id, s.version.path), []),
                    }
                    for s in c.steps
                ],
            }
            for c in history.clauses
        ],
    }


# ---- one clause (`historique --clause ID`) ------------------------------------------------------------------


def _versions_table(history: History) -> Table:
    return Table(
        ("Version", "En vigueur", "Statut", "Fichier"),
        tuple(
            (v.name, v.en_vigueur.isoformat() if v.en_vigueur else "—", status_words(v.model) or "—", v.path)
            for v in history.versions
        ),
    )


def timeline_line(owner: ClauseHistory, step: Step, clause: ClauseHistory, statuses: Statuses) -> str:
    """A step of the clause, or « paramètre « valeur_point » : … » for a step of a paramètre it uses."""
    line = step_line(step, statuses.get((owner.element, owner.id, step.version.path), []))
    if owner is clause:
        return line
    head, _, rest = line.partition(" : ")
    return f"{head} : paramètre « {owner.id} » {rest}"


def timeline_document(
    history: History, timelines: list[ClauseTimeline], sources: dict[str, SourceFile] | None = None
) -> Document:
    """The history of one clause, with the changes of the paramètres it uses, in the order of the versions."""
    statuses = step_statuses(history, sources)
    latest = history.versions[-1].model
    first = timelines[0].clause
    document = Document(
        f"{latest.label or latest.id} : historique de « {first.label or first.id} » ({first.id}) "
        f"jusqu'à « {latest.version} »"
    )
    document.add(
        Paragraph(
            "Chaque version qui a écrit la clause le long de la chaîne des bases, et chaque version qui "
            "a changé un paramètre qu'elle utilise (dans ses expressions, par un autre paramètre, ou "
            "par les règles de paiement : valeur du point, patientèle de référence)."
        )
    )
    document.add(Heading("Versions"), _versions_table(history))
    for timeline in timelines:
        clause = timeline.clause
        removed = " — supprimé" if clause.removed else ""
        document.add(
            Heading(
                f"{ELEMENT_TITLES.get(clause.element, clause.element)} : {clause.label or clause.id} "
                f"({clause.id}){removed}"
            )
        )
        document.add(Bullets(tuple(timeline_line(owner, step, clause, statuses) for owner, step in timeline.steps())))
        if timeline.parametres:
            document.add(
                Paragraph("Paramètres qu'elle utilise : " + ", ".join(f"« {p.id} »" for p in timeline.parametres) + ".")
            )
        else:
            document.add(Paragraph("Elle n'utilise aucun paramètre."))
    return document


def timeline_json(
    history: History, timelines: list[ClauseTimeline], sources: dict[str, SourceFile] | None = None
) -> dict:
    everything = history_json(history, sources)
    entries = {(c["element"], c["id"]): c for c in everything["clauses"]}
    return {
        "versions": everything["versions"],
        "statut": everything["statut"],
        "clauses": [
            {
                **entries[(t.clause.element, t.clause.id)],
                "parametres_utilises": [entries[("parametre", p.id)] for p in t.parametres],
                "chronologie": [
                    {
                        "version": step.version.name,
                        "element": owner.element,
                        "id": owner.id,
                        "changement": step.kind,
                        "champs": [{"champ": f.champ, "avant": f.avant, "apres": f.apres} for f in step.champs],
                    }
                    for owner, step in t.steps()
                ],
            }
            for t in timelines
        ],
    }


@frozen
class HistoryReport:
    """`convcheck historique`: each clause along a chain of versions (or one, with `--clause`)."""

    history: History
    sources: dict[str, SourceFile] | None = None  # the texts read, for the statuses their comments give
    provenance: Provenance | None = None
    timelines: tuple[ClauseTimeline, ...] = ()  # `--clause ID`: that clause, with the paramètres it uses

    def document(self, charts: str | None) -> Document:
        if self.timelines:
            return timeline_document(self.history, list(self.timelines), self.sources)
        return history_document(self.history, self.sources)

    def data(self) -> dict:
        if self.timelines:
            return timeline_json(self.history, list(self.timelines), self.sources)
        return history_json(self.history, self.sources)
