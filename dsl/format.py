"""`convcheck fmt`: the canonical layout, with every comment and label kept.

The canonical printer gives the layout; comments, which the AST does not hold, are put back
next to the code they were written beside: an end-of-line comment on the line of the code
it followed, an own-line comment before the next piece of code (inside the same block when
that is a closing brace), keeping a blank line after a comment block where there was one.
Formatting is idempotent, and the multiset of comments never changes.
"""

from __future__ import annotations

import re
from bisect import bisect_left

from dsl import nodes as n
from dsl.diagnostics import Diagnostic
from dsl.parser import cycle_collector_paused, parse_source
from dsl.printer import Line, layout
from dsl.records import frozen
from dsl.source import SourceFile

TOKENS = re.compile(r'"(?:[^"\\\n]++|\\.)*+"|#[^\n]*')  # possessive: no backtracking point per character


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
        comments.append(
            Comment(
                line,
                match.group().rstrip(),
                not before.strip(),
                not source.line_text(line + 1).strip() and line < len(source.lines),
            )
        )
    return comments


def format_source(source: SourceFile) -> tuple[str | None, list[Diagnostic]]:
    """The formatted text of a file, or the diagnostics that prevent formatting it."""
    with cycle_collector_paused():
        result = parse_source(source)
        errors = [d for d in result.diagnostics if d.is_error]
        if result.file is None or errors:
            return None, errors or list(result.diagnostics)
        return render(result.file, {source.path: extract_comments(source)}), []


BOM = b"\xef\xbb\xbf"
LINE_END = re.compile(rb"\r\n|\r|\n")


def encode_like(text: str, original: bytes) -> bytes:
    """Formatted text (LF line ends, no BOM) as bytes that keep the original file's conventions:
    its BOM if it had one, and the line end of its first line (LF, CRLF or CR)."""
    first = LINE_END.search(original)
    newline = first.group().decode("ascii") if first else "\n"
    bom = BOM if original.startswith(BOM) else b""
    return bom + text.replace("\n", newline).encode("utf-8")


def render(file: n.File, comments: dict[str, list[Comment]]) -> str:
    """Canonical text of an AST with the comments of its source files put back."""
    lines = layout(file)
    before: dict[int, list[tuple[Comment, int]]] = {}
    after: dict[int, list[Comment]] = {}
    trailing: list[Comment] = []
    for path, found in comments.items():
        anchors = Anchors(lines, path)
        for comment in found:
            index = None if comment.own_line else anchors.end_of_line(comment.line)
            if index is not None:
                after.setdefault(index, []).append(comment)
                continue
            index = anchors.next_code(comment.line)
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


class Anchors:
    """The printed lines that come from one source file, indexed by source line.

    Built once per file, so that placing each comment is a lookup, not a scan of every
    printed line (which made `fmt` quadratic in the number of comments).
    """

    def __init__(self, lines: list[Line], path: str):
        self.lines = lines
        self.starting: dict[int, list[int]] = {}  # source line → printed lines that start there
        self.spanning: dict[int, int] = {}  # source line → last printed line (not a brace) spanning it
        for index, line in enumerate(lines):
            if line.origin is None or line.origin.file != path:
                continue
            self.starting.setdefault(_first_line(line), []).append(index)
            if not line.closing:
                for number in range(line.origin.line, line.origin.end_line + 1):
                    self.spanning[number] = index
        self.first_lines = sorted(self.starting)
        self.first_from: list[int] = []  # the first printed line starting at first_lines[k] or later
        for number in reversed(self.first_lines):
            earliest = min(self.starting[number][0], self.first_from[-1] if self.first_from else len(lines))
            self.first_from.append(earliest)
        self.first_from.reverse()

    def end_of_line(self, line_number: int) -> int | None:
        """The last line printed from the source line of an end-of-line comment (or spanning it)."""
        same = self.starting.get(line_number, [])
        code = [i for i in same if not self.lines[i].closing]
        if code or same:
            return (code or same)[-1]
        return self.spanning.get(line_number)

    def next_code(self, line_number: int) -> int | None:
        """The first printed line whose source comes after an own-line comment."""
        k = bisect_left(self.first_lines, line_number)
        return self.first_from[k] if k < len(self.first_lines) else None


def _first_line(line: Line) -> int:
    assert line.origin is not None  # lines without an origin are skipped by the caller
    return line.origin.end_line if line.closing else line.origin.line
