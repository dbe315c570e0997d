"""The comments that belong to a clause, across the files of a chain of versions.

A consolidated version is printed from nodes written in several files (the convention, then each
avenant). A comment belongs to a clause when it is on one of its lines (an end-of-line comment) or
directly above it (a run of comment lines with no blank line before the code): a paramètre, a
donnée, a critère, a brique, a majoration or a minimum (and each of its attributes), a cas. Other comments — a file's
header, a section's banner, the reason given for a `supprime` — describe a file, not the consolidated
clause, and stay in their files.

`clause_comments` finds them; `render_with_comments` prints a consolidated AST with each one beside
its clause (used by `consolidate`); `comments_of` gives one element's comments (used by the site);
`figure_statuses` reads the status a comment gives its figures (« confirmé (guide Cnam 2022, p. 5) »,
« hypothèse », « choix »), as the bundled conventions write them.
"""

from __future__ import annotations

import re

from dsl import nodes as n
from dsl.format import Comment, extract_comments
from dsl.kinds import kind_of
from dsl.printer import layout
from dsl.records import frozen
from dsl.source import SourceFile, Span


@frozen
class Anchor:
    """A node's span, and whether it is a block (`{ … }`) whose closing line may carry comments."""

    span: Span
    block: bool


def anchors(file: n.File) -> list[Anchor]:
    """The spans of every clause and clause part of a (consolidated) file."""
    found: list[tuple[Span | None, bool]] = []  # a node built by hand has no span

    def critere(c: n.Critere):
        found.append((c.span, True))
        found.extend((a.span, False) for a in c.attributes)

    for item in file.items:
        match item:
            case n.ParametresBlock(parametres=ps):
                found.extend((p.span, False) for p in ps)
            case n.DonneesBlock(donnees=ds):
                found.extend((d.span, False) for d in ds)
            case n.Section(criteres=cs):
                for c in cs:
                    critere(c)
            case n.Prorata():
                found.append((item.span, False))
            case n.Exercice(items=inner):
                found.append((item.span, True))
                found.extend(
                    (i.span, isinstance(i, (n.Modify, n.Replace, n.Cas, n.ParametresBlock, n.DonneesBlock)))
                    for i in inner
                )
            case n.Cas():
                found.append((item.span, True))
                found.extend((a.span, False) for a in item.donnees or ())
                found.extend((e.span, False) for e in item.attendu or ())
            case _ if kind_of(item) is not None:  # a brique, a majoration, a minimum…
                found.append((item.span, True))
                found.extend((a.span, False) for a in getattr(item, "attributes", ()))
                for c in getattr(item, "criteres", ()):
                    critere(c)
    return [Anchor(span, block) for span, block in found if span is not None]


def next_code_line(source: SourceFile, line: int) -> int | None:
    """The line of code right below a run of comment lines starting at `line`; None after a blank line."""
    number = line + 1
    while number <= len(source.lines):
        text = source.line_text(number).strip()
        if not text:
            return None
        if not text.startswith("#"):
            return number
        number += 1
    return None


def clause_comments(file: n.File, sources: dict[str, SourceFile]) -> dict[str, list[tuple[Comment, int]]]:
    """Per source file, the comments that belong to a clause of `file`, each with the source line of
    code it goes with (its own line, or the line of code right below it)."""
    by_file: dict[str, list[Anchor]] = {}
    for anchor in anchors(file):
        by_file.setdefault(anchor.span.file, []).append(anchor)
    kept: dict[str, list[tuple[Comment, int]]] = {}
    for path, source in sources.items():
        spans = by_file.get(path)
        if not spans:
            continue
        starts = {a.span.line for a in spans} | {a.span.end_line for a in spans if a.block}
        for comment in extract_comments(source):
            if comment.own_line:
                target = next_code_line(source, comment.line)
                if target is not None and target in starts:
                    kept.setdefault(path, []).append((comment, target))
            elif any(
                a.span.line <= comment.line <= a.span.end_line
                for a in spans
                if not a.block or comment.line in (a.span.line, a.span.end_line)
            ):
                kept.setdefault(path, []).append((comment, comment.line))
    return kept


def comments_of(node, kept: dict[str, list[tuple[Comment, int]]]) -> list[Comment]:
    """The comments that belong to one node (a critère, a brique, a paramètre…): above it or within it."""
    span = getattr(node, "span", None)
    if span is None:
        return []
    return [c for c, target in kept.get(span.file, ()) if span.line <= target <= span.end_line]


def render_with_comments(file: n.File, sources: dict[str, SourceFile]) -> str:
    """The canonical text of a consolidated AST, with the comments that belong to its clauses."""
    lines = layout(file)
    at: dict[tuple[str, int, bool], int] = {}  # first printed line from a source line
    last: dict[tuple[str, int], int] = {}  # last printed line (not a brace) from a source line
    for printed, line in enumerate(lines):
        if line.origin is not None:
            key = (line.origin.file, line.origin.end_line if line.closing else line.origin.line, line.closing)
            at.setdefault(key, printed)
            if not line.closing:
                last[key[:2]] = printed
    before: dict[int, list[str]] = {}
    after: dict[int, list[str]] = {}
    for path, found in clause_comments(file, sources).items():
        for comment, target in found:
            index = at.get((path, target, False)) if comment.own_line else last.get((path, target))
            closing = index is None
            if closing:
                index = at.get((path, target, True))
            if index is None:
                continue
            if comment.own_line:
                depth = lines[index].depth + (1 if closing else 0)
                before.setdefault(index, []).append("  " * depth + comment.text)
            else:
                after.setdefault(index, []).append(comment.text)
    out: list[str] = []
    for index, line in enumerate(lines):
        out += before.get(index, [])
        text = line.render()
        trailing = after.get(index, [])
        if trailing:
            text += ("  " if text else "") + "  ".join(trailing)
        out.append(text)
    return "\n".join(out).rstrip("\n") + "\n"


# A status word, and for « confirmé » the page of the Cnam's guide that confirms it, when the comment
# names one: « confirmé (guide Cnam 2022, p. 3–5) », « (confirmé : guide Cnam 2022, p. 20–22 ; …) ».
STATUS = re.compile(
    r"\b(?:(?P<confirme>confirm[ée]s?)(?:\s*(?:\(|:)\s*(?P<source>guide Cnam 2022, p\.\s*"
    r"\d+(?:\s*[–-]\s*\d+)?(?:,\s*\d+(?:\s*[–-]\s*\d+)?)*))?|(?P<hypothese>hypoth[èe]ses?)|"
    r"(?P<choix>choix))\b",
    re.IGNORECASE,
)


def figure_statuses(text: str) -> list[str]:
    """The statuses a comment gives its figures, each once, in the order written: « confirmé (guide Cnam
    2022, p. N) » (with the page when the comment gives it), « confirmé », « hypothèse », « choix »."""
    found: list[str] = []
    for match in STATUS.finditer(text):
        if match["confirme"]:
            status = f"confirmé ({match['source']})" if match["source"] else "confirmé"
        else:
            status = "hypothèse" if match["hypothese"] else "choix"
        if status not in found:
            found.append(status)
    return found
