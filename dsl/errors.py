"""The base of every exception convcheck raises: `ConvcheckError`, with the diagnostics it carries.

Problems are diagnostics, collected (`dsl.diagnostics`); an exception only carries them to the
place that can say them — the command line, an editor, a notebook. Catching `ConvcheckError`
catches every problem of convcheck's own making, never a bug (a `TypeError` stays one). Some carry
no diagnostic: they are caught inside convcheck and turned into one where the context is known
(an `EvaluationError` becomes « structure « x » : division par zéro dans … »).

A leaf: it imports nothing of ours at run time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only: diagnostics import sources, which import this module
    from dsl.diagnostics import Diagnostic
    from dsl.source import SourceFile


class ConvcheckError(Exception):
    """A problem convcheck reports: a message, the diagnostics that say it, and the sources to show them."""

    def __init__(
        self, message: str = "", diagnostics: Iterable[Diagnostic] = (), sources: Mapping[str, SourceFile] | None = None
    ):
        self.diagnostics: list[Diagnostic] = list(diagnostics)
        self.sources: dict[str, SourceFile] = dict(sources or {})
        super().__init__(message or f"{len(self.diagnostics)} diagnostic(s)")
