"""The front-end pipeline: read → parse → resolve avenants → check (and scenarios against a version).
Stops on errors.

The CLI calls these functions; tests and library users can run the pipeline without click.
"""

from __future__ import annotations

import datetime
import os

from dsl.avenants import Loaded, Loader, apply_exercice
from dsl.checker import check
from dsl.diagnostics import Diagnostic
from dsl.model import Model
from dsl.records import evolve, field, frozen
from dsl.scenarios import Scenario, check_scenario
from dsl.source import SourceFile, not_conv


@frozen
class Checked:
    """The outcome of checking one file: its model (None on errors), diagnostics, chain of bases, and the
    sources read (to show the diagnostics)."""

    path: str
    model: Model | None
    diagnostics: tuple[Diagnostic, ...]
    chain: tuple[str, ...]
    sources: dict[str, SourceFile] = field(factory=dict, eq=False, repr=False)

    @property
    def ok(self) -> bool:
        return self.model is not None

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]


def check_file(path: str, loader: Loader | None = None, exercice: int | None = None) -> Checked:
    """Load a convention or an avenant (consolidated on its bases) and check it — with `exercice`, the rules of
    that exercise (its `exercice` blocks applied; the version must be in force before the exercise ends)."""
    from dsl.parser import cycle_collector_paused  # Lark (0.04 s of start-up): not for a version from the cache

    with cycle_collector_paused():
        return _check_file(path, loader if loader is not None else Loader(), exercice)


def _check_file(path: str, loader: Loader, exercice: int | None = None) -> Checked:
    parsed = loader.parse(path)
    if parsed.file is not None and parsed.file.kind == "scenario":
        return _check_scenario_file(path, parsed.file, list(parsed.diagnostics), loader)
    loaded = loader.load(path)
    diagnostics = list(loaded.diagnostics)
    if loaded.consolidated is None:
        return Checked(path, None, tuple(diagnostics), loaded.chain)
    if exercice is not None:
        return _check_exercice(path, loaded, exercice, diagnostics, loader)
    model, found = check(loaded.consolidated, path, loaded.removed, loaded.dropped)
    diagnostics += found
    if model is not None and not any(d.is_error for d in diagnostics):
        diagnostics += [e for year in model.exercices for e in _exercice_errors(path, loaded, year)]
    if any(d.is_error for d in diagnostics):
        model = None
    return Checked(path, model, tuple(diagnostics), loaded.chain)


def _exercice_variant(path: str, loaded: Loaded, year: int) -> tuple[Model | None, list[Diagnostic], tuple]:
    """The model of one exercise's rules, what applying and checking them found, and the blocks applied."""
    assert loaded.consolidated is not None  # asked only of a version that consolidated
    file, done, blocks = apply_exercice(loaded.consolidated, year)
    found = list(done.diagnostics) if done is not None else []
    removed = {**loaded.removed, **(done.removed if done is not None else {})}
    model, checked = check(file, path, removed, {**loaded.dropped, **(done.dropped if done is not None else {})})
    found += checked
    if model is not None:
        model = evolve(model, exercice=year, exercice_rules=blocks)
    return model, found, blocks


def _exercice_errors(path: str, loaded: Loaded, year: int) -> list[Diagnostic]:
    """The errors of one exercise's rules, each saying which exercise (its warnings are the version's own)."""
    _, found, _ = _exercice_variant(path, loaded, year)
    return [evolve(d, message=f"{d.message} (règles de l'exercice {year})") for d in found if d.is_error]


def _check_exercice(path: str, loaded: Loaded, year: int, diagnostics: list, loader: Loader) -> Checked:
    late = _after_exercice(loaded, year, loader)
    if late is not None:
        return Checked(path, None, (*diagnostics, late), loaded.chain)
    model, found, _ = _exercice_variant(path, loaded, year)
    diagnostics += found
    if any(d.is_error for d in diagnostics):
        model = None
    return Checked(path, model, tuple(diagnostics), loaded.chain)


def _after_exercice(loaded: Loaded, year: int, loader: Loader) -> Diagnostic | None:
    """A version that enters into force after the end of the exercise asked for cannot give its rules: said,
    with the version of the chain in force at the end of that exercise."""
    end = datetime.date(year, 12, 31)
    dates: list[tuple[str, str, datetime.date | None]] = []  # (file, version, in force from) along the chain
    for link in loaded.chain:
        written = loader.parse(link).file
        since = written.header("en_vigueur") if written is not None else None
        name = written.header("version") if written is not None else None
        dates.append((link, name or link, since or (dates[-1][2] if dates else None)))
    start = dates[-1][2]
    if start is None or start <= end:
        return None
    headers = loaded.consolidated.headers if loaded.consolidated is not None else ()
    header = next((h for h in headers if h.key == "en_vigueur"), None)
    before = [(link, name) for link, name, since in dates if since is not None and since <= end]
    hint = (
        f"pendant l'exercice {year}, la version en vigueur est « {before[-1][1]} » ({before[-1][0]}) : nommez-la"
        if before
        else f"aucune version de la chaîne n'était en vigueur pendant l'exercice {year}"
    )
    return Diagnostic(
        "exercice-hors-vigueur",
        f"la version « {dates[-1][1]} » entre en vigueur le {start.isoformat()}, après la fin de l'exercice {year}",
        span=header.span if header is not None else None,
        file=loaded.path,
        suggestion=hint,
    )


def _check_scenario_file(path: str, file, diagnostics: list, loader: Loader) -> Checked:
    """A scenario checked alone: against the version its `pour` header names, if any."""
    header = next((h for h in file.headers if h.key == "pour"), None)
    if header is None:
        diagnostics.append(
            Diagnostic(
                "scenario-sans-version",
                f"le scénario « {file.id} » n'indique pas la version pour laquelle il est écrit : "
                "il ne sera vérifié qu'à l'emploi (--scenario)",
                span=file.id_span,
                suggestion='ajoutez une ligne « pour : "version.conv" » (chemin relatif à ce fichier)',
            )
        )
        return Checked(path, None, tuple(diagnostics), (path,))
    version_path = os.path.normpath(os.path.join(os.path.dirname(path), header.value))
    other = not_conv(version_path) if os.path.isfile(version_path) else None
    if not os.path.isfile(version_path) or other is not None:  # a file that is not a .conv is never read, nor shown
        diagnostics.append(
            Diagnostic(
                "version-introuvable",
                f"version introuvable : « {header.value} »" + (f" {other}" if other else ""),
                span=header.span,
                suggestion="le chemin est relatif au fichier du scénario"
                + (" et mène à la convention ou à l'avenant visé : un fichier .conv" if other else ""),
            )
        )
        return Checked(path, None, tuple(diagnostics), (path,))
    version = _check_file(version_path, loader)
    diagnostics += version.diagnostics
    if version.model is not None:
        diagnostics += check_scenario(file, version.model, path)[1]
    return Checked(path, None, tuple(diagnostics), (*version.chain, path))


def load_scenario(path: str, model: Model, loader: Loader, lenient: bool = False) -> tuple[Scenario | None, list]:
    """Read a scenario file and check it against a version (each name where the version has it, if `lenient`)."""
    parsed = loader.parse(path)
    diagnostics = list(parsed.diagnostics)
    if parsed.file is None:
        return None, diagnostics
    if parsed.file.kind != "scenario":
        return None, [
            Diagnostic(
                "scenario-attendu",
                f"« {path} » est {'une convention' if parsed.file.kind == 'convention' else 'un avenant'}, "
                "pas un scénario",
                span=parsed.file.id_span,
                suggestion='--scenario attend un fichier qui commence par « scénario id "libellé" »',
            )
        ]
    scenario, found = check_scenario(parsed.file, model, path, lenient)
    return scenario, diagnostics + found
