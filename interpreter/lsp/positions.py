"""Positions: our spans (1-based lines, columns in code points of the normalised text) ↔ LSP ranges.

LSP counts lines from 0 and columns in the code units the client and server agreed on: UTF-16
by default (VS Code), UTF-32 or UTF-8 when the client offers them. A `SourceFile` has the text
the parser saw, line by line, which is all a conversion needs.
"""

from __future__ import annotations

from bisect import bisect_right

from lsprotocol import types as lsp

from dsl.source import SourceFile, Span

UTF16, UTF32, UTF8 = lsp.PositionEncodingKind.Utf16, lsp.PositionEncodingKind.Utf32, lsp.PositionEncodingKind.Utf8


def units(text: str, encoding: str = UTF16) -> int:
    """The length of `text` in the client's code units."""
    if encoding == UTF32:
        return len(text)
    if encoding == UTF8:
        return len(text.encode("utf-8"))
    return len(text) + sum(1 for c in text if ord(c) > 0xFFFF)


def code_points(line: str, count: int, encoding: str = UTF16) -> int:
    """How many characters of `line` make `count` code units (clamped to the line)."""
    if encoding == UTF32:
        return min(count, len(line))
    seen = 0
    for index, char in enumerate(line):
        if seen >= count:
            return index
        seen += len(char.encode("utf-8")) if encoding == UTF8 else (2 if ord(char) > 0xFFFF else 1)
    return len(line)


def position(source: SourceFile, line: int, column: int, encoding: str = UTF16) -> lsp.Position:
    """The LSP position of a 1-based line and column of `source`."""
    text = source.line_text(line)
    return lsp.Position(line=max(0, line - 1), character=units(text[: max(0, column - 1)], encoding))


def to_range(span: Span | None, source: SourceFile | None, encoding: str = UTF16) -> lsp.Range:
    """The LSP range of a span (the start of the file when there is none)."""
    if span is None or source is None:
        if span is not None:  # no text to measure with: columns as they are
            return lsp.Range(
                lsp.Position(line=span.line - 1, character=span.column - 1),
                lsp.Position(line=span.end_line - 1, character=span.end_column - 1),
            )
        return lsp.Range(lsp.Position(line=0, character=0), lsp.Position(line=0, character=0))
    return lsp.Range(
        position(source, span.line, span.column, encoding), position(source, span.end_line, span.end_column, encoding)
    )


def offset_at(source: SourceFile, where: lsp.Position, encoding: str = UTF16) -> int:
    """The offset in `source.text` of an LSP position (clamped to the text)."""
    line = where.line + 1
    if line > len(source.lines):
        return len(source.text)
    return source.line_starts[line - 1] + code_points(source.line_text(line), where.character, encoding)


def line_of(source: SourceFile, offset: int) -> int:
    """The 1-based line of an offset."""
    return bisect_right(source.line_starts, offset)
