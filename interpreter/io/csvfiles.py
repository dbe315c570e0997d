"""CSV files as spreadsheets write them: the separator, the encoding, French CSV out.

French spreadsheets (Excel, LibreOffice in a French locale) write CSV with `;` between cells and
decimal commas (`1 234,56`), often in Windows-1252. A CSV population is read in any of these:

- **encoding**: UTF-8, with or without a byte-order mark, else Windows-1252 (cp1252) when the
  file is not UTF-8 and every byte is a cp1252 character; `--encodage` names it instead. A file
  that is neither is an error that says so. A cp1252 file is transcoded to a temporary UTF-8
  file, chunk by chunk, which the batch reader then reads (its text is never held whole).
- **separator**: `;` when the header has more `;` than `,` outside quotes, `,` otherwise (a tab
  when the header only has tabs).

Decimal commas need nothing here: the one rule for input numbers (`interpreter.io.numbers`)
reads `7,5` as 7.5 in any file and refuses the ambiguous `4,000`. `--csv-fr` writes results
with `;` and decimal commas (`write_french_csv`), which French Excel opens as numbers.
"""

from __future__ import annotations

import atexit
import codecs
import csv
import io
import os
import tempfile

from attrs import frozen

from dsl.diagnostics import Diagnostic
from dsl.errors import ConvcheckError

CHUNK = 1 << 20
ENCODINGS = {"utf-8": "utf-8", "utf8": "utf-8", "windows-1252": "cp1252", "cp1252": "cp1252", "latin-1": "cp1252",
             "latin1": "cp1252", "iso-8859-1": "cp1252", "ansi": "cp1252"}
ENCODING_NAMES = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8 (avec BOM)", "cp1252": "Windows-1252"}


class CsvFileError(ConvcheckError):
    """A CSV file that cannot be decoded: its diagnostic."""

    def __init__(self, diagnostic: Diagnostic):
        super().__init__(diagnostic.message, [diagnostic])
        self.diagnostic = diagnostic


@frozen
class CsvDialect:
    """How a CSV file is written: its encoding (a Python codec name) and its separator."""

    encoding: str
    separator: str

    @property
    def plain(self) -> bool:
        """UTF-8 and commas: what polars and DuckDB read as they are."""
        return self.encoding == "utf-8" and self.separator == ","


def encoding_option(text: str | None) -> str | None:
    """The codec of an `--encodage` value, or None when it names none we read."""
    if text is None:
        return None
    return ENCODINGS.get(text.strip().lower())


def detect(path: str, declared: str | None = None) -> CsvDialect:
    """The file's encoding (declared, or detected over the whole file) and separator (from its header)."""
    encoding = declared or _encoding(path)
    if declared == "utf-8" and _starts_with_bom(path):
        encoding = "utf-8-sig"
    if declared is not None:
        _check_decodes(path, encoding)
    return CsvDialect(encoding, _separator(path, encoding))


def _starts_with_bom(path: str) -> bool:
    with open(path, "rb") as file:
        return file.read(3) == codecs.BOM_UTF8


def _encoding(path: str) -> str:
    """UTF-8 (with or without BOM) when the whole file decodes so, else Windows-1252 if it decodes so."""
    if _decodes(path, "utf-8"):
        return "utf-8-sig" if _starts_with_bom(path) else "utf-8"
    if _decodes(path, "cp1252"):
        return "cp1252"
    raise CsvFileError(Diagnostic(
        "population-encodage", "encodage inconnu : ce fichier n'est ni en UTF-8 ni en Windows-1252", file=path,
        suggestion="enregistrez-le en « CSV UTF-8 » depuis le tableur, ou indiquez son encodage avec --encodage"))


def _decodes(path: str, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        with open(path, "rb") as file:
            while chunk := file.read(CHUNK):
                decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _check_decodes(path: str, encoding: str) -> None:
    if not _decodes(path, encoding):
        raise CsvFileError(Diagnostic(
            "population-encodage", f"ce fichier n'est pas en {ENCODING_NAMES.get(encoding, encoding)}, contrairement à ce que dit "
            "--encodage", file=path, suggestion="retirez --encodage : l'encodage (UTF-8 ou Windows-1252) est détecté"))


def _separator(path: str, encoding: str) -> str:
    with open(path, encoding=encoding, newline="") as file:
        header = file.readline()
    outside = _outside_quotes(header)
    counts = {sep: outside.count(sep) for sep in (";", ",", "\t")}
    if counts[";"] > counts[","]:
        return ";"
    if counts["\t"] and not counts[","] and not counts[";"]:
        return "\t"
    return ","


def _outside_quotes(line: str) -> str:
    parts = line.split('"')
    return "".join(parts[::2])


def header(path: str, dialect: CsvDialect) -> list[str]:
    """The header as written, duplicates included."""
    try:
        with open(path, newline="", encoding=dialect.encoding) as file:
            return next(csv.reader(file, delimiter=dialect.separator), [])
    except (csv.Error, UnicodeDecodeError, OSError):
        return []


def utf8_copy(path: str, dialect: CsvDialect) -> str:
    """The file itself when it is UTF-8; else a temporary UTF-8 copy, transcoded chunk by chunk (removed at
    exit), that polars can scan."""
    if dialect.encoding in ("utf-8", "utf-8-sig"):
        return path
    handle, copy = tempfile.mkstemp(prefix="convcheck-", suffix=".csv")
    atexit.register(_remove, copy)
    decoder = codecs.getincrementaldecoder(dialect.encoding)()
    with open(path, "rb") as source, os.fdopen(handle, "wb") as target:
        while chunk := source.read(CHUNK):
            target.write(decoder.decode(chunk).encode("utf-8"))
        target.write(decoder.decode(b"", final=True).encode("utf-8"))
    return copy


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


# ---- writing ---------------------------------------------------------------------------------------------


def french_csv(frame) -> bytes:
    """A results table as French Excel opens it: `;` between cells, decimal commas, UTF-8 with a BOM (so
    that Excel recognises the accents), booleans as « vrai » / « faux » (as populations write them). Only
    the decimal point of numbers changes: texts are kept."""
    import polars as pl  # heavy: only for a results table

    numeric = [name for name, dtype in frame.schema.items() if dtype.is_numeric() or dtype.is_decimal()]
    decimal_text = [name for name in frame.columns if name not in numeric and frame[name].dtype == pl.String
                    and _money_text(frame[name])]
    booleans = [name for name, dtype in frame.schema.items() if dtype == pl.Boolean]
    shown = frame.with_columns(
        *(pl.col(name).cast(pl.String).replace({"true": "vrai", "false": "faux"}) for name in booleans),
        *(pl.col(name).cast(pl.String).str.replace(r"\.", ",") for name in numeric),
        *(pl.col(name).str.replace(r"\.", ",") for name in decimal_text))
    buffer = io.BytesIO()
    buffer.write(codecs.BOM_UTF8)
    shown.write_csv(buffer, separator=";")
    return buffer.getvalue()


def _money_text(series) -> bool:
    """A text column whose every value is a plain decimal number (the way results write amounts)."""
    values = series.drop_nulls()
    return len(values) > 0 and bool(values.str.contains(r"^-?[0-9]+(\.[0-9]+)?$").all())
