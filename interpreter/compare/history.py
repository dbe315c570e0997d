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

import attrs
from attrs import frozen

from dsl.diagnostics import Diagnostic
from dsl.model import Model
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
    cleared: dict[str, Any] = {f.name: {} for f in attrs.fields(Model) if isinstance(getattr(model, f.name), dict)}
    return attrs.evolve(model, prorata=None, **cleared)


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
    clauses[key]["steps"].append(Step(version, change.kind, change.ancien_id, change.section_avant,
                                      change.section_apres, change.champs))


def version_at(versions: tuple[Version, ...], date: datetime.date) -> Version | None:
    """The version in force at `date`: the last of the chain whose `en vigueur` is on or before it."""
    dated = [v for v in versions if v.en_vigueur is not None and v.en_vigueur <= date]
    return dated[-1] if dated else None


def in_force_problem(path: str, versions: tuple[Version, ...], date: datetime.date) -> Diagnostic:
    """Why no version of the chain is in force at `date`, in French."""
    dated = [(v.en_vigueur, v) for v in versions if v.en_vigueur is not None]
    if not dated:
        return Diagnostic("aucune-version-en-vigueur", f"aucune version de la chaîne de « {path} » n'indique sa date "
                          "d'entrée en vigueur", file=path,
                          suggestion="ajoutez une ligne « en vigueur : AAAA-MM-JJ » à chaque version")
    start, first = min(dated, key=lambda pair: pair[0])
    return Diagnostic(
        "aucune-version-en-vigueur",
        f"aucune version de la chaîne de « {path} » n'est en vigueur le {date.isoformat()} : la plus ancienne, "
        f"« {first.name} », entre en vigueur le {start.isoformat()}", file=path,
        suggestion=f"choisissez une date à partir du {start.isoformat()}")
