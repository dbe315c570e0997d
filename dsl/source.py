"""Source files and spans: where each piece of a `.conv` file comes from.

A `SourceFile` holds the text exactly as the parser sees it: decoded from UTF-8, without
BOM, with `\\n` line ends, normalised to NFC. Every position in the project (Lark's, the
AST's, the diagnostics') refers to that text.
"""

from __future__ import annotations

import os
import stat
import unicodedata
from bisect import bisect_right
from functools import cached_property
from itertools import accumulate

from dsl.errors import ConvcheckError
from dsl.records import field, frozen


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

    @cached_property
    def line_starts(self) -> list[int]:
        """The offset where each line starts: positions are found by bisection, not by counting."""
        return list(accumulate((len(line) + 1 for line in self.lines[:-1]), initial=0))

    def position(self, offset: int) -> tuple[int, int]:
        """The 1-based (line, column) of an offset."""
        offset = max(0, min(offset, len(self.text)))
        line = bisect_right(self.line_starts, offset)
        return line, offset - self.line_starts[line - 1] + 1

    @cached_property
    def end_span(self) -> Span:
        """A zero-width span at the end of the file."""
        return self.span(len(self.text), len(self.text))


# What a path is when it is not a regular file, in the words of the messages.
SPECIAL_KINDS = (
    (stat.S_ISDIR, "un dossier"),
    (stat.S_ISFIFO, "un tube nommé (FIFO)"),
    (stat.S_ISCHR, "un périphérique"),
    (stat.S_ISBLK, "un périphérique de stockage"),
    (stat.S_ISSOCK, "une socket"),
)


def special_kind(path: str) -> str | None:
    """What `path` is — « un dossier », « un tube nommé (FIFO) », « un périphérique »… — when it
    exists and is not a regular file; None for a regular file or a path that does not exist.

    Every reader asks this before opening a path: `stat` follows symbolic links and never
    blocks, whereas opening a FIFO waits for a writer and reading /dev/zero never ends.
    """
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):  # missing, unreadable or a malformed name: the reader reports it
        return None
    if stat.S_ISREG(mode):
        return None
    return next((kind for test, kind in SPECIAL_KINDS if test(mode)), "un fichier spécial")


def not_conv(path: str) -> str | None:
    """Why `path` is not read as a `.conv` file — its name, or the name of the file a symbolic link leads to, does
    not end with `.conv` —, or None. Checked before a byte is read: a diagnostic never shows a line of another file
    (`/etc/shadow` named by a scénario's `pour :`, a `base.conv` link to a text file)."""
    if os.path.splitext(path)[1].lower() != ".conv":
        return "n'est pas un fichier .conv"
    try:
        target = os.path.realpath(path)
    except (OSError, ValueError):
        return None
    if os.path.splitext(target)[1].lower() != ".conv":
        return "est un lien vers un fichier qui n'est pas un fichier .conv"
    return None


class DecodingError(ConvcheckError):
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
