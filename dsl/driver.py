"""The front-end pipeline: read → parse → resolve avenants → check. Stops on errors.

The CLI calls these functions; tests and library users can run the pipeline without click.
"""

from __future__ import annotations

from attrs import frozen

from dsl.avenants import Loader
from dsl.checker import check
from dsl.diagnostics import Diagnostic
from dsl.model import Model
from dsl.parser import cycle_collector_paused


@frozen
class Checked:
    """The outcome of checking one file: its model (None on errors) and diagnostics."""

    path: str
    model: Model | None
    diagnostics: tuple[Diagnostic, ...]
    chain: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return self.model is not None


def check_file(path: str, loader: Loader | None = None) -> Checked:
    """Load a convention or an avenant (consolidated on its bases) and check it."""
    with cycle_collector_paused():
        return _check_file(path, loader if loader is not None else Loader())


def _check_file(path: str, loader: Loader) -> Checked:
    loaded = loader.load(path)
    diagnostics = list(loaded.diagnostics)
    if loaded.consolidated is None:
        return Checked(path, None, tuple(diagnostics), loaded.chain)
    model, found = check(loaded.consolidated, path, loaded.removed, loaded.dropped)
    diagnostics += found
    if any(d.is_error for d in diagnostics):
        model = None
    return Checked(path, model, tuple(diagnostics), loaded.chain)
