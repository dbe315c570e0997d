"""What every output rests on, said in every output: the versions with their status, the scénarios with
their hypotheses as written, every `--set`, the population (its file, rows and content hash), the convcheck
version and the date.

A figure travels without the command that made it: a workbook goes to the treasurer, a CSV to an analyst.
`Provenance` is that record, built once per command (`provenance_of`) and rendered by the format table
(`interpreter.report.formats`) into every report — a block at the end of a document, a `provenance` key in
JSON, `#` lines at the top of a CSV, a first sheet « Hypothèses » in a workbook — and by the results
writers into the files they write. `caveat` is what a verdict sentence adds when its figure rests on an
unsigned proposal or on hypotheses.

The date is the time of the run, in UTC, or `SOURCE_DATE_EPOCH` when it is set (reproducible outputs,
as reproducible builds do).
"""

from __future__ import annotations

import datetime
import hashlib
import os
import threading
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from dsl.records import frozen
from interpreter.io.csvfiles import neutral_comment
from interpreter.io.xlsx import Sheet
from interpreter.numbers import french_number
from interpreter.report.document import Bullets, Heading

STATUS_WORDS = {"signe": "texte signé", "proposition": "proposition non signée"}


@frozen
class VersionSource:
    """One version a figure was computed with."""

    role: str | None  # « avant », « après » in a comparison; None alone
    name: str
    path: str
    statut: str | None  # signe | proposition | None (unsaid)
    en_vigueur: datetime.date | None

    @property
    def status_words(self) -> str:
        return STATUS_WORDS.get(self.statut or "", "statut non précisé")


@frozen
class ScenarioSource:
    """A scénario applied, with its lines as written."""

    id: str
    title: str
    path: str
    lines: tuple[str, ...]
    scope: str  # « les deux versions », « version après seulement », or "" for one version


@frozen
class PopulationSource:
    """The données the figures were computed on — a population, or one structure's declaration: the file, its
    rows and a hash of its content."""

    path: str
    rows: int
    sha256: str | None  # None for a table given in memory
    label: str = "Population"  # or « Déclaration »


@frozen
class Provenance:
    """What a command's figures rest on."""

    versions: tuple[VersionSource, ...]
    scenarios: tuple[ScenarioSource, ...] = ()
    settings: tuple[tuple[str, str], ...] = ()  # (`id=valeur` as given, its scope)
    population: PopulationSource | None = None
    tool: str = ""
    date: str = ""

    # -- words

    def lines(self) -> list[str]:
        """One line per fact, in French, for a text report or the `#` lines of a CSV."""
        lines = [
            f"Version{' ' + v.role if v.role else ''} : « {v.name} » ({v.path}) — {v.status_words}"
            + (f", en vigueur le {v.en_vigueur.isoformat()}" if v.en_vigueur else "")
            for v in self.versions
        ]
        for s in self.scenarios:
            scope = f" ({s.scope})" if s.scope else ""
            lines.append(f"Scénario « {s.id} »{scope} ({s.path}) : {s.title}")
            lines += [f"    {line}" for line in s.lines]
        lines += [f"Option --set{scope_suffix(scope)} : {setting}" for setting, scope in self.settings]
        if self.population is not None:
            p = self.population
            digest = f", sha256 {p.sha256}" if p.sha256 else ""
            rows = (
                f" — {french_number(Decimal(p.rows))} ligne{'s' if p.rows > 1 else ''}"
                if p.label == "Population"
                else ""
            )
            lines.append(f"{p.label} : {p.path}{rows}{digest}")
        lines.append(f"Calculé par convcheck {self.tool} le {self.date}")
        return lines

    def blocks(self) -> list:
        """Document blocks: a heading and one bullet per fact."""
        return [Heading("Provenance des chiffres", level=3), Bullets(tuple(line.strip() for line in self.lines()))]

    def comment_lines(self) -> str:
        """The `#` lines at the top of a CSV file (a reader skips them with `comment_prefix="#"`), none of whose pieces
        a spreadsheet would run as a formula."""
        return "".join(
            f"# {neutral_comment(line)}\n" for line in ["Provenance des chiffres (convcheck)", *self.lines()]
        )

    def data(self) -> dict[str, Any]:
        """The `provenance` key of a JSON output."""
        return {
            "versions": [
                {
                    "role": v.role,
                    "version": v.name,
                    "fichier": v.path,
                    "statut": v.statut,
                    "statut_texte": v.status_words,
                    "en_vigueur": v.en_vigueur and v.en_vigueur.isoformat(),
                }
                for v in self.versions
            ],
            "scenarios": [
                {
                    "id": s.id,
                    "libelle": s.title,
                    "fichier": s.path,
                    "hypotheses": list(s.lines),
                    "portee": s.scope or None,
                }
                for s in self.scenarios
            ],
            "set": [{"valeur": setting, "portee": scope or None} for setting, scope in self.settings],
            "donnees": None
            if self.population is None
            else {
                "nature": self.population.label.lower(),
                "fichier": self.population.path,
                "lignes": self.population.rows,
                "sha256": self.population.sha256,
            },
            "convcheck": self.tool,
            "date": self.date,
        }

    def sheet(self) -> Sheet:
        """The first sheet of a workbook, « Hypothèses »: one row per fact."""
        rows: list[tuple[str, str]] = []
        for v in self.versions:
            rows.append((f"Version{' ' + v.role if v.role else ''}", f"« {v.name} » ({v.path})"))
            rows.append(("Statut", v.status_words))
        for s in self.scenarios:
            rows.append((f"Scénario{' (' + s.scope + ')' if s.scope else ''}", f"{s.id} : {s.title} ({s.path})"))
            rows += [("Hypothèse", line) for line in s.lines]
        rows += [(f"Option --set{scope_suffix(scope)}", setting) for setting, scope in self.settings]
        if self.population is not None:
            rows.append((self.population.label, self.population.path))
            rows.append(("Lignes", str(self.population.rows)))
            rows.append(("Empreinte sha256", self.population.sha256 or "—"))
        rows.append(("convcheck", self.tool))
        rows.append(("Date du calcul", self.date))
        return Sheet("Hypothèses", ("Rubrique", "Valeur"), tuple(rows))

    def caveat(self) -> str:
        """What a verdict sentence adds about the ground its figure stands on: « — chiffre établi sur une
        proposition non signée (« avenant 2 ») et sous hypothèses (scénario « comite_usagers ») », or ""."""
        parts = []
        unsigned = [v.name for v in self.versions if v.statut == "proposition"]
        if unsigned:
            names = " et ".join(f"« {name} »" for name in dict.fromkeys(unsigned))
            parts.append(
                f"sur {'des propositions non signées' if len(set(unsigned)) > 1 else 'une proposition non signée'}"
                f" ({names})"
            )
        assumed = [f"scénario « {s.id} »" for s in self.scenarios]
        assumed += [
            f"--set {setting}" + (f", {scope}" if scope.endswith("seulement") else "")
            for setting, scope in self.settings
        ]
        if assumed:
            parts.append(f"sous hypothèses ({' ; '.join(dict.fromkeys(assumed))})")
        return f" — chiffre établi {' et '.join(parts)}" if parts else ""


def scope_suffix(scope: str) -> str:
    return f" ({scope})" if scope else ""


def with_caveat(sentence: str, caveat: str) -> str:
    """A verdict sentence with its caveat (`Provenance.caveat`) before the final full stop."""
    if not caveat:
        return sentence
    return sentence[:-1] + caveat + "." if sentence.endswith(".") else sentence + caveat


# ---- building it ------------------------------------------------------------------------------------------------


def provenance_of(
    versions: Sequence[tuple[str | None, Any]], data=None, rows: int | None = None, label: str = "Population"
) -> Provenance:
    """The provenance of figures computed with `versions` — (role, a version: `interpreter.convention.Convention`, or a
    version of a history) — on optional `data`: a population (a `Population`, or a path and its `rows`), or a
    declaration (`label` « Déclaration »)."""
    sources = tuple(
        VersionSource(role, version.name, version.path, version.model.statut, version.model.en_vigueur)
        for role, version in versions
    )
    return Provenance(
        sources, _scenarios(versions), _settings(versions), _data(data, rows, label), tool_version(), run_date()
    )


def _scope(taken_by: list[str], roles: list[str]) -> str:
    """Which versions a hypothesis applies to, when there are several: « les deux versions », « version après
    seulement »…"""
    if len(roles) < 2:
        return ""
    if len(taken_by) == len(roles):
        return "les deux versions" if len(roles) == 2 else "toutes les versions"
    return ", ".join(f"version {role}" for role in taken_by) + " seulement"


def _roles(versions) -> list[str]:
    return [role or version.name for role, version in versions]


def _scenarios(versions) -> tuple[ScenarioSource, ...]:
    """Each scénario once, with each of its lines as written; in a comparison, a line that only some versions
    take (the others lack its donnée or paramètre) says which."""
    roles = _roles(versions)
    taken: dict[str, tuple[Any, list[str], dict[str, list[str]]]] = {}
    for role, (_, version) in zip(roles, versions, strict=True):
        for scenario in getattr(version, "scenarios", ()):
            _, by, lines = taken.setdefault(scenario.path, (scenario, [], {}))
            by.append(role)
            for line in scenario.hypotheses():
                lines.setdefault(line, []).append(role)
    return tuple(
        ScenarioSource(
            s.id,
            s.label or s.id,
            s.path,
            tuple(
                line + (f" ({scope})" if (scope := _scope(on, roles)) and len(on) < len(roles) else "")
                for line, on in lines.items()
            ),
            _scope(by, roles),
        )
        for s, by, lines in taken.values()
    )


def _settings(versions) -> tuple[tuple[str, str], ...]:
    taken: dict[str, list[str]] = {}
    for role, (_, version) in zip(_roles(versions), versions, strict=True):
        for setting in getattr(version, "settings", ()):
            taken.setdefault(setting, []).append(role)
    return tuple((setting, _scope(by, _roles(versions))) for setting, by in taken.items())


def _data(data, rows: int | None, label: str) -> PopulationSource | None:
    if data is None:
        return None
    path = getattr(data, "path", data)
    rows = rows if rows is not None else getattr(data, "size", 1)
    file = Path(str(path))
    started = _STARTED.pop(str(file), None)
    if started is not None:
        started.join()
    digest = started.digest if started is not None and started.digest else file_digest(file) if file.is_file() else None
    return PopulationSource(str(path), int(rows or 0), digest, label)


def file_digest(path: Path) -> str:
    """The sha256 of a file's bytes, read in blocks."""
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


class _Digest(threading.Thread):
    """A file's sha256, computed in a thread of its own (hashlib releases the GIL while it hashes)."""

    def __init__(self, path: Path):
        super().__init__(daemon=True)
        self.path, self.digest = path, ""

    def run(self) -> None:
        try:
            self.digest = file_digest(self.path)
        except OSError:  # computed again where it is needed, which says why
            pass


_STARTED: dict[str, _Digest] = {}


def start_digest(path) -> None:
    """Start hashing a population file now, while it is read and computed: the provenance of the report names its
    sha256, which takes 2 s for a CSV file of 5 million structures (1.4 GB) and costs little alongside the reading."""
    file = Path(str(path))
    if str(file) not in _STARTED and file.is_file():
        _STARTED[str(file)] = started = _Digest(file)
        started.start()


def tool_version() -> str:
    from importlib import metadata  # importlib.metadata (0.01 s of start-up): only for a report's provenance

    try:
        return metadata.version("convcheck")
    except metadata.PackageNotFoundError:  # run from a checkout that was never installed
        return "(non installé)"


def run_date() -> str:
    """« 2026-12-07 09:30 UTC »: now, or `SOURCE_DATE_EPOCH` when it is set."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = (
        datetime.datetime.fromtimestamp(int(epoch), datetime.UTC)
        if epoch and epoch.isdigit()
        else datetime.datetime.now(datetime.UTC)
    )
    return moment.strftime("%Y-%m-%d %H:%M UTC")
