"""The sizes of the files convcheck reads, stated once: beyond them a file is refused at once, before it is read.

A declaration describes one structure (a few kilobytes); a population, at most some millions of them. A
file beyond these sizes is refused from its size on disk (`os.stat`), in well under a second, with a
French diagnostic (`trop-volumineux`) — never read for minutes, into gigabytes of memory, before failing.
A text file (CSV, JSON Lines, a declaration) holding NUL bytes at its start or end — a sparse file, a
binary file given by mistake — is refused the same way. Excel workbooks are measured by
`interpreter.io.workbooks` (the parts once unpacked, the rectangle of a sheet's cells). The `--help` of
each command states these limits (`POPULATION_HELP`, `DECLARATION_HELP`).
"""

from __future__ import annotations

import os

from dsl.diagnostics import Diagnostic

MAX_DECLARATION_BYTES = 10 << 20  # 10 Mio
MAX_POPULATION_BYTES = 2 << 30  # 2 Gio: some 8 million structures in CSV
MAX_STRUCTURES = 10_000_000  # rows of a Parquet population (its size on disk says little: it is compressed)
MAX_HEADER_BYTES = 1 << 20  # the header line of a CSV file
PROBE = 1 << 20  # bytes looked at, at the start and at the end of a text file, for NUL bytes

POPULATION_HELP = (
    "au plus 2 Gio en CSV ou JSON Lines, 10 millions de structures en Parquet, 10 millions de "
    "cellules par feuille Excel"
)
DECLARATION_HELP = "une déclaration fait au plus 10 Mio"


def _size_text(size: int) -> str:
    if size >= 1 << 30:
        return f"{size / (1 << 30):.1f} Gio".replace(".", ",")
    return f"{size / (1 << 20):.1f} Mio".replace(".", ",")


def too_large(path: str, limit: int, what: str) -> Diagnostic | None:
    """`trop-volumineux` when the file is larger than `limit` bytes (`what`: « une déclaration »…), else None."""
    try:
        size = os.stat(path).st_size
    except (OSError, ValueError):  # the reader says why it cannot open it
        return None
    if size <= limit:
        return None
    return Diagnostic(
        "trop-volumineux",
        f"fichier trop volumineux : {_size_text(size)}, et {what} fait au plus {_size_text(limit)}",
        file=path,
        suggestion="vérifiez que c'est le bon fichier ; une population plus grande se découpe en "
        "plusieurs fichiers, ou s'enregistre en Parquet",
    )


def binary(path: str, code: str = "population-illisible") -> Diagnostic | None:
    """A diagnostic (`code`) when a text file holds NUL bytes at its start or its end — a sparse or binary file:
    no spreadsheet writes them (UTF-16 files are told apart before: `interpreter.io.csvfiles`) —, else None."""
    try:
        with open(path, "rb") as file:
            head = file.read(PROBE)
            size = os.fstat(file.fileno()).st_size
            if size > 2 * PROBE:
                file.seek(size - PROBE)
            tail = file.read(PROBE) if size > PROBE else b""
    except (OSError, ValueError):
        return None
    if b"\0" not in head and b"\0" not in tail:
        return None
    return Diagnostic(
        code,
        "ce n'est pas un fichier texte : il contient des octets nuls (0x00)",
        file=path,
        suggestion="enregistrez la table en CSV (UTF-8 ou Windows-1252) ou en JSON Lines",
    )
