"""`convcheck fmt`: the canonical layout, with every comment and label kept.

The canonical printer gives the layout; comments, which the AST does not hold, are put back
next to the code they were written beside: an end-of-line comment on the line of the code
it followed, an own-line comment before the next piece of code (inside the same block when
that is a closing brace), keeping a blank line after a comment block where there was one.
Formatting is idempotent, and the multiset of comments never changes.
"""

from __future__ import annotations

import re

from attrs import frozen

from dsl import nodes as n
from dsl.diagnostics import Diagnostic
from dsl.parser import parse_source
from dsl.printer import Line, layout
from dsl.source import SourceFile

TOKENS = re.compile(r'"(?:[^"\\\n]|\\.)*"|#[^\n]*')


@frozen
class Comment:
    """A comment of the source: its 1-based line, text, and whether code precedes it on its line."""

    line: int
    text: str
    own_line: bool
    blank_after: bool


def extract_comments(source: SourceFile) -> list[Comment]:
    """Every `#` comment of a file (a `#` inside a label is not one)."""
    comments = []
    for match in TOKENS.finditer(source.text):
        if not match.group().startswith("#"):
            continue
        line, column = source.position(match.start())
        before = source.line_text(line)[: column - 1]
        comments.append(Comment(line, match.group().rstrip(), not before.strip(),
                                not source.line_text(line + 1).strip() and line < len(source.lines)))
    return comments


def format_source(source: SourceFile) -> tuple[str | None, list[Diagnostic]]:
    """The formatted text of a file, or the diagnostics that prevent formatting it."""
    result = parse_source(source)
    errors = [d for d in result.diagnostics if d.is_error]
    if result.file is None or errors:
        return None, errors or list(result.diagnostics)
    return render(result.file, {source.path: extract_comments(source)}), []


def render(file: n.File, comments: dict[str, list[Comment]]) -> str:
    """Canonical text of an AST with the comments of its source files put back."""
    lines = layout(file)
    before: dict[int, list[tuple[Comment, int]]] = {}
    after: dict[int, list[Comment]] = {}
    trailing: list[Comment] = []
    for path, found in comments.items():
        for comment in found:
            index = None if comment.own_line else _end_of_line_anchor(lines, path, comment.line)
            if index is not None:
                after.setdefault(index, []).append(comment)
                continue
            index = _next_code(lines, path, comment.line)
            if index is None:
                trailing.append(comment)
            else:
                depth = lines[index].depth + (1 if lines[index].closing else 0)
                before.setdefault(index, []).append((comment, depth))
    out: list[str] = []
    for index, line in enumerate(lines):
        for comment, depth in before.get(index, ()):
            out.append("  " * depth + comment.text)
            if comment.blank_after and out[-1] and line.text:
                out.append("")
        text = line.render()
        trailing_here = after.get(index, [])
        if trailing_here:  # one comment fits at the end of the line; others go on lines of their own
            text += ("  " if text else "") + trailing_here[0].text
        if text or not out or out[-1]:
            out.append(text)
        depth = line.depth + (1 if line.text.endswith("{") else 0)
        out += ["  " * depth + comment.text for comment in trailing_here[1:]]
    for comment in trailing:
        out.append(comment.text)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out) + "\n"


def _end_of_line_anchor(lines: list[Line], path: str, line_number: int) -> int | None:
    """The last line printed from the source line of an end-of-line comment (or spanning it)."""
    same = [i for i, l in enumerate(lines) if l.origin and l.origin.file == path and _first_line(l) == line_number]
    code = [i for i in same if not lines[i].closing]
    if code or same:
        return (code or same)[-1]
    spanning = [i for i, l in enumerate(lines)
                if l.origin and l.origin.file == path and l.origin.line <= line_number <= l.origin.end_line
                and not l.closing]
    return spanning[-1] if spanning else None


def _first_line(line: Line) -> int:
    return line.origin.end_line if line.closing else line.origin.line


def _next_code(lines: list[Line], path: str, line_number: int) -> int | None:
    """The first printed line whose source comes after an own-line comment."""
    for index, line in enumerate(lines):
        if line.origin and line.origin.file == path and _first_line(line) >= line_number:
            return index
    return None
