"""The history of a convention, clause by clause, along the chain of bases of a version.

Each version of the chain (the root convention, then each avenant) is consolidated and checked;
consecutive versions are compared with the diff's own matching and field-level comparison
(`interpreter.compare.diff.diff_elements`), for every kind of element the diff knows
(`ELEMENT_ORDER`: critères, briques, données, paramètres, and any kind added there later; then the version's
rules, `RULE_ORDER`: its prorata and the rules of each exercise). A clause
renamed by an avenant keeps its history under its new id. `version_at` picks, along the chain, the
version in force at a date. The versions of a chain are checked by `interpreter.api.chain_versions`.
"""

from __future__ import annotations

import datetime
from typing import Any

from dsl.diagnostics import Diagnostic
from dsl.ir import parametres_read
from dsl.kinds import KINDS
from dsl.model import Model, expressions
from dsl.payment import CAP
from dsl.records import evolve, fields, frozen
from interpreter.compare.diff import ELEMENT_ORDER, RULE_ORDER, Change, FieldChange, diff_elements


@frozen
class Version:
    """One version of the chain: its file, its words, its date in force and status."""

    path: str
    model: Model

    @property
    def name(self) -> str:
        return self.model.version or self.path

    @property
    def en_vigueur(self) -> datetime.date | None:
        return self.model.en_vigueur


@frozen
class Step:
    """What one version did to one clause: added, modified, moved, renamed or removed it."""

    version: Version
    kind: str  # ajout | modification | deplacement | renommage | suppression
    ancien_id: str | None
    section_avant: str | None
    section_apres: str | None
    champs: tuple[FieldChange, ...]


@frozen
class ClauseHistory:
    """A clause (critère, brique, donnée, paramètre…) and each version that wrote it, oldest first."""

    element: str
    id: str
    label: str | None
    steps: tuple[Step, ...]

    @property
    def removed(self) -> bool:
        return bool(self.steps) and self.steps[-1].kind == "suppression"


@frozen
class History:
    """Every clause of a chain of versions, with the versions that wrote it."""

    versions: tuple[Version, ...]
    clauses: tuple[ClauseHistory, ...]

    def clause(self, element: str, id: str) -> ClauseHistory | None:
        return next((c for c in self.clauses if c.element == element and c.id == id), None)


def empty_like(model: Model) -> Model:
    """The same version with no element at all: what the root convention is compared with."""
    cleared: dict[str, Any] = {f.name: {} for f in fields(Model) if isinstance(getattr(model, f.name), dict)}
    return evolve(model, prorata=None, **cleared)


def build_history(versions: tuple[Version, ...]) -> History:
    """Compare each version of the chain with the one before it (the root with nothing)."""
    clauses: dict[tuple[str, str], dict] = {}
    order: list[tuple[str, str]] = []
    previous: Model | None = None
    for version in versions:
        before = previous if previous is not None else empty_like(version.model)
        for element in (*ELEMENT_ORDER, *RULE_ORDER):
            changes, _ = diff_elements(before, version.model, element)
            for change in changes:
                _record(clauses, order, version, change)
        previous = version.model
    result = tuple(ClauseHistory(key[0], key[1], clauses[key]["label"], tuple(clauses[key]["steps"])) for key in order)
    return History(versions, result)


def _record(clauses: dict, order: list, version: Version, change: Change) -> None:
    key = (change.element, change.id)
    if change.kind == "renommage" and (change.element, change.ancien_id) in clauses:
        clauses[key] = clauses.pop((change.element, change.ancien_id))
        order[order.index((change.element, change.ancien_id))] = key
    if key not in clauses:
        clauses[key] = {"steps": [], "label": None}
        order.append(key)
    clauses[key]["label"] = change.libelle_apres or change.libelle_avant or clauses[key]["label"]
    clauses[key]["steps"].append(
        Step(version, change.kind, change.ancien_id, change.section_avant, change.section_apres, change.champs)
    )


# ---- one clause, with the paramètres it uses ------------------------------------------------------------


@frozen
class ClauseTimeline:
    """One clause's history (`historique --clause ID`) and the histories of the paramètres it reads — in its own
    expressions, through other paramètres, or through the payment rules (`valeur_point` for points,
    `patientele_reference` for variable points) — in any version of the chain."""

    clause: ClauseHistory
    parametres: tuple[ClauseHistory, ...]

    def steps(self) -> list[tuple[ClauseHistory, Step]]:
        """Every step, the clause's and its paramètres', in the order of the versions (the clause's first)."""
        order: dict[str, int] = {}
        for owner in (self.clause, *self.parametres):
            for step in owner.steps:
                order.setdefault(step.version.path, len(order))
        merged = [(owner, step) for owner in (self.clause, *self.parametres) for step in owner.steps]
        return sorted(merged, key=lambda pair: order[pair[1].version.path])


def timelines(history: History, id: str) -> list[ClauseTimeline]:
    """The clauses named `id` (a critère, a paramètre…: every kind that has one), each with its paramètres."""
    found = []
    for clause in (c for c in history.clauses if c.id == id):
        used: set[str] = set()
        for version in history.versions:
            used |= parametres_used(version.model, clause.element, id)
        used.discard(id)
        parametres = tuple(c for c in history.clauses if c.element == "parametre" and c.id in used)
        found.append(ClauseTimeline(clause, parametres))
    return found


def parametres_used(model: Model, element: str, id: str) -> set[str]:
    """The paramètres a clause of `model` reads: in its expressions, through the paramètres those read, and
    through the payment rules (`valeur_point` for points, `patientele_reference` and its cap for variable points;
    a majoration's assiette is made of points)."""
    table = KINDS[element].table if element in KINDS else None
    clause = getattr(model, table, {}).get(id) if table else None
    if clause is None:
        return set()
    if element == "parametre":
        read = parametres_read(clause.value)
    else:
        read = {p for expr in expressions(clause) for p in parametres_read(expr)}
    if (
        getattr(clause, "points_fixes", None) is not None
        or getattr(clause, "points_variables", None) is not None
        or getattr(clause, "part", "total") != "total"
    ):
        read.add("valeur_point")
    if getattr(clause, "points_variables", None) is not None or getattr(clause, "part", None) in (
        "points_variables",
        "points",
    ):
        read |= {"patientele_reference", CAP}
    closure: set[str] = set()
    while read:
        name = read.pop()
        if name in model.parametres and name not in closure:
            closure.add(name)
            read |= parametres_read(model.parametres[name].value)
    return closure


def version_at(versions: tuple[Version, ...], date: datetime.date) -> Version | None:
    """The version in force at `date`: the last of the chain whose `en vigueur` is on or before it."""
    dated = [v for v in versions if v.en_vigueur is not None and v.en_vigueur <= date]
    return dated[-1] if dated else None


def in_force_problem(path: str, versions: tuple[Version, ...], date: datetime.date) -> Diagnostic:
    """Why no version of the chain is in force at `date`, in French."""
    dated = [(v.en_vigueur, v) for v in versions if v.en_vigueur is not None]
    if not dated:
        return Diagnostic(
            "aucune-version-en-vigueur",
            f"aucune version de la chaîne de « {path} » n'indique sa date d'entrée en vigueur",
            file=path,
            suggestion="ajoutez une ligne « en vigueur : AAAA-MM-JJ » à chaque version",
        )
    start, first = min(dated, key=lambda pair: pair[0])
    return Diagnostic(
        "aucune-version-en-vigueur",
        f"aucune version de la chaîne de « {path} » n'est en vigueur le {date.isoformat()} : la plus ancienne, "
        f"« {first.name} », entre en vigueur le {start.isoformat()}",
        file=path,
        suggestion=f"choisissez une date à partir du {start.isoformat()}",
    )


def unsigned_in_force(versions: tuple[Version, ...], chosen: Version, date: datetime.date) -> Diagnostic:
    """The warning that the version in force at `date` is only an unsigned proposal, naming it, and the last signed
    version before it."""
    assert chosen.en_vigueur is not None  # chosen for its date
    signed = [v for v in versions if v.en_vigueur is not None and v.en_vigueur <= date and not v.model.unsigned]
    message = (
        f"le {date.isoformat()}, la version en vigueur serait « {chosen.name} » ({chosen.path}), en vigueur le "
        f"{chosen.en_vigueur.isoformat()} : ce n'est qu'une proposition non signée"
    )
    if signed:
        last = signed[-1]
        before = chosen.en_vigueur - datetime.timedelta(days=1)
        suggestion = (
            f"le dernier texte signé à cette date est « {last.name} » ({last.path}) ; pour le consolider, "
            f"donnez une date avant le {chosen.en_vigueur.isoformat()} (--au {before.isoformat()}) ou "
            "nommez-le"
        )
    else:
        suggestion = "aucun texte signé de la chaîne n'est en vigueur à cette date"
    return Diagnostic("proposition-non-signee", message, file=chosen.path, suggestion=suggestion)
