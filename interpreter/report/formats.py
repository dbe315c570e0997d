"""The formats convcheck writes, in one table — name (`--format`), file extensions, renderer — and the
choice of a command's format from `--format` and the extension of `-o`.

A report (`DiffReport`, `SimulationReport`…) says what it shows in each form it can take: a `Document`
(text, Markdown, HTML), JSON data, a workbook, a CSV table; `render` picks the form of a format. Every
command chooses its format with `choose_format`: `-o rapport.html` writes HTML without `--format`, and
`--format` that contradicts the extension of `-o`, or an extension the command cannot write, is refused.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from dsl.errors import ConvcheckError
from dsl.records import frozen
from interpreter.io.xlsx import workbook
from interpreter.report.document import Document, Figure, Folded, render_html, render_markdown, render_text
from interpreter.report.provenance import Provenance


class FormatError(ConvcheckError):
    """`--format` and `-o` that cannot be honoured: the message says which and what to write instead."""


@frozen
class Output:
    """A rendered report: its content (text, or a workbook's bytes) and the charts to write beside it."""

    content: str | bytes
    charts: tuple[Figure, ...] = ()  # PNG files beside a Markdown report


# Every output says what its figures rest on (`interpreter.report.provenance`): a report carries its
# `provenance`, and each renderer puts it where its format allows.


def _provenance(report) -> Provenance | None:
    return getattr(report, "provenance", None)


def _document(report, charts: str | None) -> Document:
    document = report.document(charts)
    provenance = _provenance(report)
    return document.add(*provenance.blocks()) if provenance is not None else document


def _text(report, charts: str | None, french: bool) -> Output:
    own = getattr(report, "text", None)  # a report with its own terminal layout (one structure's evaluation)
    if own is None:
        return Output(render_text(_document(report, None)))
    provenance = _provenance(report)
    tail = (
        ""
        if provenance is None
        else "\n"
        + "\n".join(["Provenance des chiffres :", *(f"  • {line.strip()}" for line in provenance.lines())])
        + "\n"
    )
    return Output(own() + tail)


def _markdown(report, charts: str | None, french: bool) -> Output:
    document = _document(report, charts)
    return Output(render_markdown(document), tuple(_figures(document)))


def _html(report, charts: str | None, french: bool) -> Output:
    return Output(render_html(_document(report, charts)))


def _json(report, charts: str | None, french: bool) -> Output:
    data = report.data()
    provenance = _provenance(report)
    if provenance is not None:
        data["provenance"] = provenance.data()
    return Output(json.dumps(data, ensure_ascii=False, indent=2))


def _csv(report, charts: str | None, french: bool) -> Output:
    provenance = _provenance(report)
    table = report.csv(french)
    if provenance is None:
        return Output(table)
    bom = "\ufeff" if table.startswith("\ufeff") else ""  # a French CSV starts with it, for Excel
    return Output(bom + provenance.comment_lines() + table[len(bom) :])


def _workbook(report, charts: str | None, french: bool) -> Output:
    provenance = _provenance(report)
    return Output(workbook(([provenance.sheet()] if provenance is not None else []) + report.sheets()))


@frozen
class Format:
    """One output format."""

    name: str  # as `--format` takes it
    extensions: tuple[str, ...]  # of its files, the first one preferred
    render: Callable[[Any, str | None, bool], Output] | None  # None: a table or a text written by its command
    charts: bool = False  # whether its reports draw their charts


FORMATS = {
    format.name: format
    for format in (
        Format("text", (".txt",), _text),
        Format("markdown", (".md", ".markdown"), _markdown, charts=True),
        Format("html", (".html", ".htm"), _html, charts=True),
        Format("json", (".json",), _json),
        Format("csv", (".csv",), _csv),
        Format("xlsx", (".xlsx",), _workbook),
        Format("parquet", (".parquet",), None),
        Format("jsonl", (".jsonl", ".ndjson"), None),
        Format("sql", (".sql",), None),
        Format("javascript", (".mjs", ".js"), None),
        Format("conv", (".conv",), None),
    )
}


def format_of_extension(path: str) -> str | None:
    """The format whose files end like `path` (`rapport.md` → markdown), or None."""
    suffix = Path(path).suffix.lower()
    return next((f.name for f in FORMATS.values() if suffix in f.extensions), None)


def extensions_of(formats: Sequence[str]) -> str:
    """« .txt, .md, .html ou .json »: the extensions of some formats, for a message."""
    shown = [FORMATS[name].extensions[0] for name in formats]
    return shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} ou {shown[-1]}"


def choose_format(asked: str | None, output: str | None, supported: Sequence[str], default: str = "text") -> str:
    """The format of a command's report: `--format` (`asked`), else the extension of `-o`, else `default`.
    Raises `FormatError` when the extension of `-o` is one the command cannot write, or contradicts
    `--format`; or when a workbook is asked for without `-o`."""
    suffix = Path(output).suffix if output else ""
    if suffix:
        found = format_of_extension(output or "")
        if found is None or found not in supported:
            raise FormatError(
                f"-o « {output} » : cette commande n'écrit pas de fichier « {suffix} » ; donnez à -o "
                f"l'extension de son format : {extensions_of(supported)}"
            )
        if asked is not None and asked != found:
            wanted = FORMATS[asked].extensions[0]
            raise FormatError(
                f"--format {asked} et -o « {output} » se contredisent : « {suffix} » est l'extension du "
                f"format {found} ; retirez --format (le format suit alors l'extension de -o) ou nommez le "
                f"fichier « {Path(output or '').stem}{wanted} »"
            )
        return found
    chosen = asked or default
    if chosen == "xlsx" and output is None:
        raise FormatError("le format xlsx s'écrit dans un fichier : ajoutez -o FICHIER.xlsx")
    return chosen


def chart_stem(output: str | None) -> str:
    """The start of the names of the charts' PNG files beside a report: `rapport` for `rapport.md`."""
    return "impact" if output is None else Path(output).stem


def render(report, format: str, output: str | None = None, french: bool = False) -> Output:
    """A report in a format (`output`: where it goes, which names the charts' files; `french`: a CSV table
    with `;` and decimal commas)."""
    chosen = FORMATS[format]
    assert chosen.render is not None  # tables and texts are written by their commands
    return chosen.render(report, chart_stem(output) if chosen.charts else None, french)


def _figures(document: Document):
    """The charts of a document, folded ones included."""
    for block in document.blocks:
        for figure in block.blocks if isinstance(block, Folded) else (block,):
            if isinstance(figure, Figure) and figure.png_name and figure.png:
                yield figure
