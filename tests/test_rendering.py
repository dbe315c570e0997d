"""What users read is rendered faithfully: every hint and note of a diagnostic, and in Markdown
reports every label exactly as written (no broken table, no emphasis, no injected HTML)."""

from __future__ import annotations

import html
import re
import shutil

import pytest
from click.testing import CliRunner
from markdown_it import MarkdownIt

from dsl.diagnostics import Diagnostic, Note, render_text
from dsl.source import Span
from interpreter.cli import cli
from interpreter.report.document import (
    Bullets,
    Document,
    Heading,
    Paragraph,
    Table,
    md_code,
    render_html,
    render_markdown,
)
from tests.conftest import GOLDEN

HOSTILE = [
    "Taux *majoré* | test",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[lien](javascript:alert(1))",
    "# pas un titre",
    "- pas une liste",
    "1. pas une liste",
    "__init__ et _souligné_",
    "`code` et ``double``",
    "&lt; entité",
    "~~barré~~",
    "ligne\ncoupée | ici",
    "fin avec \\",
]
MARKDOWN = MarkdownIt("commonmark", {"html": True}).enable("table")


# ---- diagnostics without a span ----------------------------------------------------------------------


def test_a_diagnostic_without_span_keeps_its_help_and_notes():
    note = Note("déclarée ici", Span("a.conv", 0, 1, 3, 5, 3, 6))
    diagnostic = Diagnostic(
        "population-colonnes",
        "colonne inconnue « patientel »",
        file="pop.csv",
        suggestion="vouliez-vous dire « patientele » ?",
        notes=(note,),
    )
    assert render_text(diagnostic, {}) == (
        "pop.csv: erreur[population-colonnes]: colonne inconnue « patientel »\n"
        "      = note : déclarée ici (a.conv:3:5)\n"
        "      = aide : vouliez-vous dire « patientele » ?"
    )


def test_a_diagnostic_without_anything_else_is_one_line():
    assert (
        render_text(Diagnostic("evaluation-impossible", "division par zéro", file="s.yaml"), {})
        == "s.yaml: erreur[evaluation-impossible]: division par zéro"
    )


# ---- Markdown ----------------------------------------------------------------------------------------


def cells(rendered_html: str) -> list[list[str]]:
    """The text of each cell of each body row, as a browser would show it."""
    rows = re.findall(r"<tr>(.*?)</tr>", rendered_html.split("<tbody>")[1], flags=re.S)
    return [
        [html.unescape(re.sub(r"<[^>]+>", "", c)) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)]
        for row in rows
    ]


@pytest.mark.parametrize("text", HOSTILE)
def test_markdown_shows_labels_as_written(text):
    document = Document(text).add(
        Heading(text),
        Paragraph(text),
        Paragraph(text, emphasis=True),
        Bullets((text,)),
        Table(("Clause", "Avant", "Après"), ((text, text, "—"),), code=(1, 2)),
    )
    rendered = MARKDOWN.render(render_markdown(document))
    shown = text.replace("\n", " ")
    for tag in ("script", "img", "a ", "strong", "s>", "del", "h3", "ol", "pre", "hr"):
        assert f"<{tag}" not in rendered, (tag, rendered)
    assert rendered.count("<em>") == 1  # the emphasised paragraph, and nothing the label wrote
    assert cells(rendered) == [[shown, shown, "—"]]
    assert f"<code>{html.escape(shown, quote=False)}</code>" in rendered
    assert rendered.count("<h1>") == 1 and rendered.count("<h2>") == 1 and rendered.count("<ul>") == 1
    assert html.escape(shown, quote=False) in rendered.split("<h1>")[1].split("</h1>")[0] or shown == html.unescape(
        re.sub(r"<[^>]+>", "", rendered.split("<h1>")[1].split("</h1>")[0])
    )


@pytest.mark.parametrize("text", ["a`b", "`début", "fin`", " espaces ", "``", "x | y"])
def test_code_spans_keep_backticks_and_spaces(text):
    rendered = MARKDOWN.render(f"| c |\n|---|\n| {md_code(text).replace('|', chr(92) + '|')} |\n")
    assert cells(rendered) == [[text]]


@pytest.mark.parametrize("text", HOSTILE)
def test_html_escapes_labels(text):
    document = Document(text).add(
        Heading(text), Paragraph(text), Bullets((text,)), Table(("Clause", "Avant"), ((text, text),), code=(1,))
    )
    rendered = render_html(document)
    assert "<script>" not in rendered and "<img" not in rendered and "<a " not in rendered


def test_a_diff_report_with_a_hostile_label(tmp_path, monkeypatch):
    """End to end: a label written to break the table and inject HTML, in `diff --format markdown`."""
    monkeypatch.chdir(tmp_path)
    shutil.copy(GOLDEN / "cli" / "petite-v1.conv", "v1.conv")
    label = "Taux *majoré* | <img src=x onerror=alert(1)> [x](y)"
    v2 = (GOLDEN / "cli" / "petite-v2.conv").read_text(encoding="utf-8")
    (tmp_path / "v2.conv").write_text(v2.replace('"Tarifs opposables" {', f'"{label}" {{'), encoding="utf-8")
    result = CliRunner().invoke(cli, ["diff", "v1.conv", "v2.conv", "--format", "markdown"])
    assert result.exit_code == 0, result.output
    rendered = MARKDOWN.render(result.output)
    assert "<img" not in rendered and "<a " not in rendered
    for element in re.findall(r"<(?:td|h\d)>(.*?)</(?:td|h\d)>", rendered, flags=re.S):
        assert "<em>" not in element and "<strong>" not in element, element
    for table in rendered.split("<table>")[1:]:  # no `|` of the label added a column
        assert {len(row) for row in cells(table)} == {len(re.findall(r"<th[ >]", table.split("</thead>")[0]))}
    rows = [row for table in rendered.split("<table>")[1:] for row in cells(table)]
    assert any(cell == label for row in rows for cell in row)  # the table cell shows the label as written
    assert any(cell == f'"{label}"' for row in rows for cell in row)  # and so does the code of the libellé
