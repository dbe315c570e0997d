"""The front-end pipeline: read → parse → resolve avenants → check (and scenarios against a version).
Stops on errors.

The CLI calls these functions; tests and library users can run the pipeline without click.
"""

from __future__ import annotations

import os

from attrs import field, frozen

from dsl.avenants import Loader
from dsl.checker import check
from dsl.diagnostics import Diagnostic
from dsl.model import Model
from dsl.parser import cycle_collector_paused
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


def check_file(path: str, loader: Loader | None = None) -> Checked:
    """Load a convention or an avenant (consolidated on its bases) and check it."""
    with cycle_collector_paused():
        return _check_file(path, loader if loader is not None else Loader())


def _check_file(path: str, loader: Loader) -> Checked:
    parsed = loader.parse(path)
    if parsed.file is not None and parsed.file.kind == "scenario":
        return _check_scenario_file(path, parsed.file, list(parsed.diagnostics), loader)
    loaded = loader.load(path)
    diagnostics = list(loaded.diagnostics)
    if loaded.consolidated is None:
        return Checked(path, None, tuple(diagnostics), loaded.chain)
    model, found = check(loaded.consolidated, path, loaded.removed, loaded.dropped)
    diagnostics += found
    if any(d.is_error for d in diagnostics):
        model = None
    return Checked(path, model, tuple(diagnostics), loaded.chain)


def _check_scenario_file(path: str, file, diagnostics: list, loader: Loader) -> Checked:
    """A scenario checked alone: against the version its `pour` header names, if any."""
    header = next((h for h in file.headers if h.key == "pour"), None)
    if header is None:
        diagnostics.append(Diagnostic(
            "scenario-sans-version", f"le scénario « {file.id} » n'indique pas la version pour laquelle il est écrit : "
            "il ne sera vérifié qu'à l'emploi (--scenario)", span=file.id_span,
            suggestion='ajoutez une ligne « pour : "version.conv" » (chemin relatif à ce fichier)'))
        return Checked(path, None, tuple(diagnostics), (path,))
    version_path = os.path.normpath(os.path.join(os.path.dirname(path), header.value))
    other = not_conv(version_path) if os.path.isfile(version_path) else None
    if not os.path.isfile(version_path) or other is not None:  # a file that is not a .conv is never read, nor shown
        diagnostics.append(Diagnostic(
            "version-introuvable", f"version introuvable : « {header.value} »" + (f" {other}" if other else ""),
            span=header.span, suggestion="le chemin est relatif au fichier du scénario" + (
                " et mène à la convention ou à l'avenant visé : un fichier .conv" if other else "")))
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
        return None, [Diagnostic("scenario-attendu", f"« {path} » est {'une convention' if parsed.file.kind == 'convention' else 'un avenant'}, "
                                 "pas un scénario", span=parsed.file.id_span,
                                 suggestion="--scenario attend un fichier qui commence par « scénario id \"libellé\" »")]
    scenario, found = check_scenario(parsed.file, model, path, lenient)
    return scenario, diagnostics + found
