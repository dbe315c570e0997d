"""A small document model for reports, and its three renderings: text, Markdown, HTML.

Reports (a diff, an impact) are built once as a `Document` — headings, paragraphs, lists,
tables, figures — and rendered for the terminal, for a note (Markdown) or as one
self-contained HTML page. The wording is decided where the document is built, never here.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from urllib.parse import quote

from dsl.records import field, frozen


@frozen
class Heading:
    text: str
    level: int = 2


@frozen
class Paragraph:
    text: str
    emphasis: bool = False


@frozen
class Bullets:
    items: tuple[str, ...]


@frozen
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[int, ...] = ()  # columns aligned right
    code: tuple[int, ...] = ()  # columns of `.conv` text, shown as code in HTML
    classes: tuple[str, ...] = ()  # optional CSS class per row (HTML only): "ajout", "suppression"…


@frozen
class Figure:
    """A chart: inline SVG in HTML, an image file beside a Markdown report, a caption in text."""

    caption: str
    svg: str
    png_name: str | None = None
    png: bytes = field(default=b"", eq=False, repr=False)  # the same chart, for the file beside a Markdown report


@frozen
class Verdict:
    """The answer in one sentence, shown first and large."""

    text: str


@frozen
class KeyFigures:
    """A few figures a board reads at a glance: (label, value) pairs, shown as cards in HTML."""

    items: tuple[tuple[str, str], ...]


@frozen
class Folded:
    """Blocks a reader rarely needs (« 25 clauses inchangées »): folded in HTML (`<details>`), announced by
    `summary` in place and listed at the end of the report in text and Markdown."""

    summary: str
    blocks: tuple = ()


@frozen
class Document:
    title: str
    blocks: list = field(factory=list)

    def add(self, *blocks) -> Document:
        self.blocks.extend(blocks)
        return self


# ---- text ----------------------------------------------------------------------------------------


def width(text: str) -> int:
    """Display width: combining marks take no room."""
    return sum(0 if unicodedata.combining(c) else 1 for c in text)


def _pad(text: str, size: int, right: bool) -> str:
    gap = " " * max(0, size - width(text))
    return gap + text if right else text + gap


def _unfolded(document: Document) -> list:
    """The blocks with each `Folded` announced in place and its content moved to an appendix at the end."""
    blocks, appendix = [], []
    for block in document.blocks:
        if isinstance(block, Folded):
            blocks.append(
                Paragraph(f"{block.summary} (en annexe, en fin de rapport)." if block.blocks else f"{block.summary}.")
            )
            if block.blocks:
                appendix += [Heading(f"Annexe : {block.summary}", level=2), *block.blocks]
        else:
            blocks.append(block)
    return blocks + appendix


def render_text(document: Document) -> str:
    out = [document.title, "=" * width(document.title), ""]
    for block in _unfolded(document):
        match block:
            case Verdict(text=text):
                out += [f"» {text}", ""]
            case KeyFigures(items=items):
                size = max(width(label) for label, _ in items)
                out += [f"  {_pad(label, size, False)} : {value}" for label, value in items] + [""]
            case Heading(text=text, level=level) if level >= 3:
                out += [f"▸ {text}", ""]
            case Heading(text=text):
                out += [text, "-" * width(text), ""]
            case Paragraph(text=text):
                out += [text, ""]
            case Bullets(items=items):
                out += [f"  • {item}" for item in items] + [""]
            case Table():
                out += _text_table(block) + [""]
            case Figure(caption=caption, png_name=png):
                out += [f"[figure : {caption}]" + (f" — {png}" if png else ""), ""]
    return "\n".join(out).rstrip() + "\n"


def _text_table(table: Table) -> list[str]:
    sizes = [max([width(h)] + [width(row[i]) for row in table.rows]) for i, h in enumerate(table.headers)]

    def line(cells):
        return "  ".join(_pad(c, sizes[i], i in table.numeric) for i, c in enumerate(cells)).rstrip()

    return [line(table.headers), "  ".join("-" * s for s in sizes), *(line(row) for row in table.rows)]


# ---- Markdown ---------------------------------------------------------------------------------------


# Characters that Markdown would read as syntax (emphasis, code, links, raw HTML, tables,
# entities, headings). `_` is escaped except between two letters or digits, where it cannot
# start or end emphasis: `tarifs_opposables` stays readable.
MD_SPECIAL = re.compile(r"[\\`*\[\]<>|~&#]|(?<![^\W_])_|_(?![^\W_])")
LIST_START = re.compile(r"[-+]|\d+(?=[.)])")  # at the start of a paragraph: a list, or a rule (---)


def md_text(text: str) -> str:
    """Text that Markdown shows as written: inline syntax escaped, line breaks as spaces."""
    return MD_SPECIAL.sub(lambda m: "\\" + m.group(), text.replace("\r", " ").replace("\n", " "))


def md_block(text: str) -> str:
    """`md_text` for a paragraph or a list item, which must not start a list or a code block."""
    shown = md_text(text).lstrip()
    start = LIST_START.match(shown)
    if start is None:
        return shown
    cut = start.end() if start.group()[0].isdigit() else 0  # `1\.` or `\-`
    return shown[:cut] + "\\" + shown[cut:]


def md_code(text: str) -> str:
    """A code span that shows `.conv` text as written, whatever backticks it holds."""
    text = text.replace("\r", " ").replace("\n", " ")
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text[:1] == "`" or text[-1:] == "`" or (text[:1] == text[-1:] == " " and text.strip()) else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _md_cell(text: str, code: bool = False) -> str:
    """A table cell; in a code span too, a `|` would end the cell."""
    if code and text and text != "—":
        return md_code(text).replace("|", "\\|")
    return md_text(text)


def render_markdown(document: Document) -> str:
    out = [f"# {md_text(document.title)}", ""]
    for block in _unfolded(document):
        match block:
            case Verdict(text=text):
                out += [f"**{md_text(text)}**", ""]
            case KeyFigures(items=items):
                out += ["| Chiffre clé | |", "|---|---:|"]
                out += [f"| {md_text(label)} | {md_text(value)} |" for label, value in items] + [""]
            case Heading(text=text, level=level):
                out += [f"{'#' * level} {md_text(text)}", ""]
            case Paragraph(text=text, emphasis=emphasis):
                out += [f"*{md_text(text)}*" if emphasis else md_block(text), ""]
            case Bullets(items=items):
                out += [f"- {md_block(item)}" for item in items] + [""]
            case Table(headers=headers, rows=rows, numeric=numeric, code=code):
                out.append("| " + " | ".join(_md_cell(h) for h in headers) + " |")
                out.append("|" + "|".join("---:" if i in numeric else "---" for i in range(len(headers))) + "|")
                out += ["| " + " | ".join(_md_cell(c, i in code) for i, c in enumerate(row)) + " |" for row in rows]
                out.append("")
            case Figure(caption=caption, png_name=png):
                out += [f"![{md_text(caption)}]({quote(png)})" if png else f"*{md_text(caption)}*", ""]
    return "\n".join(out).rstrip() + "\n"


# ---- HTML ------------------------------------------------------------------------------------------

STYLE = """
:root { --ink: #1d2530; --muted: #5b6675; --line: #d8dde3; --add: #e7f5ea; --del: #fbeaea; --mov: #eef2fb; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
       color: var(--ink); max-width: 1100px; margin: 1.2rem auto; padding: 0 1.5rem; overflow-wrap: anywhere; }
h1 { font-size: 1.45rem; margin: 0 0 .5rem; line-height: 1.25; }
h2 { font-size: 1.25rem; margin-top: 2.2rem; border-bottom: 2px solid var(--line); padding-bottom: .2rem; }
h3 { font-size: 1.05rem; margin-top: 1.4rem; }
p.verdict { font-size: 1.3rem; line-height: 1.4; font-weight: 600; margin: .4rem 0 .8rem; padding: .7rem 1rem;
            border-left: 5px solid #2f5d9e; background: #f2f6fb; }
dl.figures { display: grid; grid-template-columns: repeat(auto-fit, minmax(200px, 1fr)); gap: .6rem;
             margin: 0 0 1rem; }
dl.figures div { border: 1px solid var(--line); border-radius: 6px; padding: .45rem .7rem; }
dl.figures dt { color: var(--muted); font-size: 13px; }
dl.figures dd { margin: 0; font-size: 1.05rem; font-weight: 600; font-variant-numeric: tabular-nums; }
p.emphasis { color: var(--muted); font-style: italic; }
details { margin: .6rem 0 1.2rem; }
summary { cursor: pointer; color: var(--muted); }
table { border-collapse: collapse; width: 100%; margin: .6rem 0 1.2rem; font-size: 14px; }
th, td { border-bottom: 1px solid var(--line); padding: .35rem .5rem; text-align: left; vertical-align: top; }
th { background: #f4f6f8; font-weight: 600; }
td.num, th.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td code { font-size: 13px; white-space: pre-wrap; }
tr.ajout td { background: var(--add); }
tr.suppression td { background: var(--del); }
tr.deplacement td, tr.renommage td { background: var(--mov); }
figure { margin: 1rem 0; }
figure svg { max-width: 100%; height: auto; }
figcaption { color: var(--muted); font-size: 13px; }
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; }
  p.verdict { font-size: 13pt; }
  h2, h3 { break-after: avoid; }
  figure, dl.figures, p.verdict { break-inside: avoid; }
  thead { display: table-header-group; }
  tr, td, th { break-inside: avoid; }
  summary { display: none; }
  details::details-content { content-visibility: visible; display: contents; }  /* folded lines print too */
}
"""


def render_html(document: Document) -> str:
    """One self-contained page: no external asset, prints well."""
    body = [f"<h1>{html.escape(document.title)}</h1>"]
    for block in document.blocks:
        body.append(_html_block(block))
    return (
        '<!DOCTYPE html>\n<html lang="fr">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(document.title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )


def _html_block(block) -> str:
    match block:
        case Verdict(text=text):
            return f'<p class="verdict">{html.escape(text)}</p>'
        case KeyFigures(items=items):
            cards = "".join(
                f"<div><dt>{html.escape(label)}</dt><dd>{html.escape(value)}</dd></div>" for label, value in items
            )
            return f'<dl class="figures">{cards}</dl>'
        case Folded(summary=summary, blocks=blocks) if blocks:
            inner = "\n".join(_html_block(b) for b in blocks)
            return f"<details><summary>{html.escape(summary)}</summary>\n{inner}\n</details>"
        case Folded(summary=summary):
            return f"<p>{html.escape(summary)}.</p>"
        case Heading(text=text, level=level):
            return f"<h{level}>{html.escape(text)}</h{level}>"
        case Paragraph(text=text, emphasis=emphasis):
            opening = '<p class="emphasis">' if emphasis else "<p>"
            return f"{opening}{html.escape(text)}</p>"
        case Bullets(items=items):
            return "<ul>" + "".join(f"<li>{html.escape(i)}</li>" for i in items) + "</ul>"
        case Table():
            return _html_table(block)
        case Figure(caption=caption, svg=svg):
            return f"<figure>{svg}<figcaption>{html.escape(caption)}</figcaption></figure>"
    raise AssertionError(block)


def _cell(tag: str, content: str, numeric: bool) -> str:
    opening = f'<{tag} class="num">' if numeric else f"<{tag}>"
    return f"{opening}{content}</{tag}>"


def _html_table(table: Table) -> str:
    head = "".join(_cell("th", html.escape(h), i in table.numeric) for i, h in enumerate(table.headers))
    rows = []
    for index, row in enumerate(table.rows):
        css = table.classes[index] if index < len(table.classes) else ""
        cells = "".join(
            _cell(
                "td",
                f"<code>{html.escape(c)}</code>" if i in table.code and c != "—" else html.escape(c),
                i in table.numeric,
            )
            for i, c in enumerate(row)
        )
        opening = f'<tr class="{css}">' if css else "<tr>"
        rows.append(f"{opening}{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def script_json(value) -> str:
    """JSON to embed in a `<script>` element: `<`, `>` and `&` written as `\\u003c`… (JSON.parse reads them back), so
    that no label — `<!--<script`, `</script>` — can end the element or change how the page around it is read."""
    return json.dumps(value, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
