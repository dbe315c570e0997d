"""Source files and spans: where each piece of a `.conv` file comes from.

A `SourceFile` holds the text exactly as the parser sees it: decoded from UTF-8, without
BOM, with `\\n` line ends, normalised to NFC. Every position in the project (Lark's, the
AST's, the diagnostics') refers to that text.
"""

from __future__ import annotations

import os
import tempfile
import unicodedata
from functools import cached_property

from attrs import field, frozen


@frozen
class Span:
    """A range of characters in one file: offsets, and 1-based line and column."""

    file: str
    start: int
    end: int
    line: int
    column: int
    end_line: int
    end_column: int


@frozen
class SourceFile:
    """The normalised text of one file, with its path as the user gave it."""

    path: str
    text: str = field(repr=False)

    @cached_property
    def lines(self) -> list[str]:
        return self.text.split("\n")

    def line_text(self, line: int) -> str:
        """The text of a 1-based line, or an empty string past the end."""
        if 1 <= line <= len(self.lines):
            return self.lines[line - 1]
        return ""

    def span(self, start: int, end: int) -> Span:
        """The span between two offsets of this file's text."""
        line, column = self.position(start)
        end_line, end_column = self.position(end)
        return Span(self.path, start, end, line, column, end_line, end_column)

    def position(self, offset: int) -> tuple[int, int]:
        """The 1-based (line, column) of an offset."""
        offset = max(0, min(offset, len(self.text)))
        line = self.text.count("\n", 0, offset) + 1
        line_start = self.text.rfind("\n", 0, offset) + 1
        return line, offset - line_start + 1

    @cached_property
    def end_span(self) -> Span:
        """A zero-width span at the end of the file."""
        return self.span(len(self.text), len(self.text))


class DecodingError(Exception):
    """The bytes of a file are not valid UTF-8."""

    def __init__(self, line: int, column: int, byte: int, replaced: str):
        super().__init__(f"invalid byte 0x{byte:02X} at {line}:{column}")
        self.line = line
        self.column = column
        self.byte = byte
        self.replaced = replaced  # the text with invalid bytes replaced, for display


def decode(data: bytes) -> str:
    """Bytes of a `.conv` file → normalised text (BOM dropped, LF line ends, NFC)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        prefix = data[: error.start].decode("utf-8", errors="replace")
        line = prefix.count("\n") + 1
        column = len(prefix) - (prefix.rfind("\n") + 1) + 1
        replaced = normalise(data.decode("utf-8", errors="replace"))
        raise DecodingError(line, column, data[error.start], replaced) from None
    return normalise(text)


def normalise(text: str) -> str:
    """Drop a BOM, turn CRLF and CR line ends into LF, normalise to NFC."""
    if text.startswith("\ufeff"):
        text = text[1:]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text)


def write_atomically(path: str, text: str) -> None:
    """Write a text file so that readers see the old content or the new one, never a half-written file."""
    write_bytes_atomically(path, text.encode("utf-8"))


def write_bytes_atomically(path: str, data: bytes) -> None:
    """Write a file through a temporary file in the same folder, then rename it over the target."""
    folder = os.path.dirname(os.path.abspath(path))
    descriptor, temporary = tempfile.mkstemp(prefix=".convcheck-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if os.path.exists(path):
            os.chmod(temporary, os.stat(path).st_mode & 0o7777)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
