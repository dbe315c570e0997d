"""CSV files as spreadsheets write them: the separator, the encoding, French CSV out.

French spreadsheets (Excel, LibreOffice in a French locale) write CSV with `;` between cells and
decimal commas (`1 234,56`), often in Windows-1252. A CSV population is read in any of these:

- **encoding**: UTF-8, with or without a byte-order mark, else Windows-1252 (cp1252) when the
  file is not UTF-8 and every byte is a cp1252 character; UTF-16 (« Texte Unicode » of Excel), with
  or without its byte-order mark, is recognised by its NUL bytes; `--encodage` names it instead. A
  file that is none of them is an error that says so; so is a file that mixes them — UTF-8 text with
  one line in Windows-1252, a UTF-8 byte-order mark on a Windows-1252 file — at the first line that
  is not UTF-8 (read as Windows-1252, its UTF-8 accents would turn to « Ã© » without a word). A cp1252
  or UTF-16 file is transcoded to a temporary UTF-8 file, chunk by chunk, which the batch reader then
  reads (its text is never held whole).
- **separator**: `;` when the header has more `;` than `,` outside quotes, `,` otherwise (a tab
  when the header only has tabs).

Decimal commas need nothing here: the one rule for input numbers (`interpreter.io.numbers`)
reads `7,5` as 7.5 in any file and refuses the ambiguous `4,000`. `--csv-fr` writes results
with `;` and decimal commas (`french_csv`), which French Excel opens as numbers. Every CSV convcheck writes
goes through `neutralised`: a cell a spreadsheet would run as a formula (`=HYPERLINK(…)`) is prefixed with `'`.
"""

from __future__ import annotations

import atexit
import codecs
import csv
import io
import os
import re
import tempfile

from dsl.diagnostics import Diagnostic
from dsl.errors import ConvcheckError
from dsl.records import frozen
from interpreter.io.sizes import MAX_HEADER_BYTES, binary

CHUNK = 1 << 20
ENCODINGS = {
    "utf-8": "utf-8",
    "utf8": "utf-8",
    "windows-1252": "cp1252",
    "cp1252": "cp1252",
    "latin-1": "cp1252",
    "latin1": "cp1252",
    "iso-8859-1": "cp1252",
    "ansi": "cp1252",
    "utf-16": "utf-16",
    "utf16": "utf-16",
}
ENCODING_NAMES = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 (avec BOM)",
    "cp1252": "Windows-1252",
    "utf-16": "UTF-16",
    "utf-16-le": "UTF-16",
    "utf-16-be": "UTF-16",
}
# A character of UTF-8 beyond ASCII: two to four bytes. In a file that is not UTF-8, such sequences mean that
# it mixes UTF-8 with another encoding (Windows-1252 text almost never has them: « Ã© » is what they look like).
UTF8_SEQUENCE = re.compile(rb"[\xC2-\xDF][\x80-\xBF]|[\xE0-\xEF][\x80-\xBF]{2}|[\xF0-\xF4][\x80-\xBF]{3}")


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
    """The file's encoding (declared, or detected over the whole file) and separator (from its header). A file
    with NUL bytes at its start or end that is not UTF-16 is no text: refused before it is read whole."""
    if not (declared or "").startswith("utf-16") and _utf16(path) is None:
        problem = binary(path)
        if problem is not None:
            raise CsvFileError(problem)
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
    """UTF-16 when the start of the file says so; UTF-8 (with or without BOM) when the whole file decodes so, else
    Windows-1252 if it decodes so and has no UTF-8 character (else it mixes both: refused at the first line)."""
    wide = _utf16(path)
    if wide is not None:
        if _decodes(path, wide):
            return wide
        raise CsvFileError(
            _mixed(path, f"le fichier commence en {ENCODING_NAMES[wide]} mais ne l'est pas d'un bout à l'autre", wide)
        )
    if _decodes(path, "utf-8"):
        return "utf-8-sig" if _starts_with_bom(path) else "utf-8"
    if _starts_with_bom(path):
        raise CsvFileError(_mixed(path, "le fichier commence par la marque de l'UTF-8 (BOM) mais n'est pas en UTF-8"))
    if _has_utf8_characters(path):
        raise CsvFileError(
            _mixed(path, "le fichier mélange deux encodages : il a des caractères en UTF-8, mais pas partout")
        )
    if _decodes(path, "cp1252"):
        return "cp1252"
    raise CsvFileError(
        Diagnostic(
            "population-encodage",
            "encodage inconnu : ce fichier n'est ni en UTF-8 ni en Windows-1252",
            file=path,
            suggestion="enregistrez-le en « CSV UTF-8 » depuis le tableur, ou indiquez son encodage avec --encodage",
        )
    )


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


def _utf16(path: str) -> str | None:
    """The UTF-16 codec of a file that starts with its byte-order mark, or whose first line has a NUL byte every
    other byte (ASCII text in UTF-16 without a mark); None for any other file."""
    with open(path, "rb") as file:
        head = file.read(4096)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    pairs = head[: len(head) // 2 * 2]
    if len(pairs) >= 4 and pairs[1::2].count(0) == len(pairs) // 2 and pairs[::2].count(0) == 0:
        return "utf-16-le"
    if len(pairs) >= 4 and pairs[::2].count(0) == len(pairs) // 2 and pairs[1::2].count(0) == 0:
        return "utf-16-be"
    return None


def _has_utf8_characters(path: str) -> bool:
    with open(path, "rb") as file:
        while chunk := file.read(CHUNK):
            if UTF8_SEQUENCE.search(chunk):
                return True
    return False


def _first_undecodable(path: str, encoding: str) -> tuple[int, int]:
    """(line, byte) of the first byte the encoding cannot decode."""
    decoder = codecs.getincrementaldecoder(encoding)()
    lines = 1
    with open(path, "rb") as file:
        while chunk := file.read(CHUNK):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as error:
                return lines + chunk[: error.start].count(b"\n"), chunk[error.start] if error.start < len(chunk) else 0
            lines += chunk.count(b"\n")
    return lines, 0


def _mixed(path: str, what: str, encoding: str = "utf-8") -> Diagnostic:
    line, byte = _first_undecodable(path, encoding)
    return Diagnostic(
        "population-encodage",
        f"{what} : ligne {line}, l'octet 0x{byte:02X} n'est pas de l'{ENCODING_NAMES.get(encoding, encoding)}",
        file=path,
        suggestion="réenregistrez tout le fichier en « CSV UTF-8 » depuis le tableur (ou corrigez cette "
        "ligne), ou donnez l'encodage de tout le fichier avec --encodage",
    )


def _check_decodes(path: str, encoding: str) -> None:
    if not _decodes(path, encoding):
        raise CsvFileError(
            Diagnostic(
                "population-encodage",
                f"ce fichier n'est pas en {ENCODING_NAMES.get(encoding, encoding)}, contrairement à ce que dit "
                "--encodage",
                file=path,
                suggestion="retirez --encodage : l'encodage (UTF-8 ou Windows-1252) est détecté",
            )
        )


def _opened(path: str, encoding: str):
    """The file as text, after a UTF-8 byte-order mark left on a file declared Windows-1252 (`--encodage`)."""
    file = open(path, encoding=encoding, newline="")
    if encoding == "cp1252" and file.read(3) != "\u00ef\u00bb\u00bf":
        file.seek(0)
    return file


def _separator(path: str, encoding: str) -> str:
    with _opened(path, encoding) as file:
        header = file.readline(MAX_HEADER_BYTES + 1)
    if len(header) > MAX_HEADER_BYTES:
        raise CsvFileError(
            Diagnostic(
                "trop-volumineux",
                "ligne d'en-tête trop longue : plus d'un million de caractères sans fin de ligne",
                file=path,
                suggestion="la première ligne nomme les colonnes (id, puis une par donnée) : "
                "vérifiez que le fichier est bien une table CSV",
            )
        )
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
        with _opened(path, dialect.encoding) as file:
            return next(csv.reader(file, delimiter=dialect.separator), [])
    except (csv.Error, UnicodeDecodeError, OSError):
        return []


def malformed(path: str, dialect: CsvDialect) -> str | None:
    """Where a CSV file stops being a table, in French — « ligne 3 : 3 cellules, et l'en-tête en a 2 »,
    « ligne 3 : guillemet ouvert jamais fermé » —, or None. Read again when polars refused the file."""
    try:
        with _opened(path, dialect.encoding) as file:
            reader = csv.reader(file, delimiter=dialect.separator, strict=True)
            width, start = None, 1
            for row in reader:
                if width is None:
                    width = len(row)
                elif row and len(row) != width:
                    return f"ligne {start} : {len(row)} cellules, et l'en-tête en a {width}"
                start = reader.line_num + 1
    except csv.Error:
        return f"ligne {start} : guillemet ouvert jamais fermé (ou mal placé)"
    except (UnicodeDecodeError, OSError):
        return None
    return None


def utf8_copy(path: str, dialect: CsvDialect) -> str:
    """The file itself when it is UTF-8; else a temporary UTF-8 copy, transcoded chunk by chunk (removed at
    exit), that polars can scan."""
    if dialect.encoding in ("utf-8", "utf-8-sig"):
        return path
    handle, copy = tempfile.mkstemp(prefix="convcheck-", suffix=".csv")
    atexit.register(_remove, copy)
    decoder = codecs.getincrementaldecoder(dialect.encoding)()
    with open(path, "rb") as source, os.fdopen(handle, "wb") as target:
        if dialect.encoding != "cp1252" or source.read(3) != codecs.BOM_UTF8:
            source.seek(0)
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

# A text cell that a spreadsheet would take for a formula — `=HYPERLINK(…)`, `+cmd|…`, `@SUM(…)`, `-2+3`, or a tab
# or a carriage return first — unless it is a plain number (`-12.50`: an amount).
FORMULA_START = r"^[=+\-@\t\r]"
SAFE_NUMBER = r"^[+-]?[0-9]+([.,][0-9]+)?$"


def neutral_comment(line: str) -> str:
    """A `#` line at the top of a CSV file (its provenance), as safe as its cells: a spreadsheet cuts the line at
    its separators, and a piece that would start a formula (a file named `x,=HYPERLINK(…).csv`) gets its `'`."""
    return re.sub(r"([,;\t])([=+\-@])", r"\1'\2", line)


def neutralised(frame):
    """A table to be written as CSV, with every text cell (and column name) that a spreadsheet would run as a
    formula prefixed with `'` (OWASP's « CSV injection »): Excel and LibreOffice then show it as the text it is.
    Numbers, amounts written as decimal text and other texts are written as they are."""
    import polars as pl  # heavy: only to write a table

    def safe(name: str) -> str:
        return f"'{name}" if re.match(FORMULA_START, name) and not re.match(SAFE_NUMBER, name) else name

    def cells(name: str) -> pl.Expr:
        text = pl.col(name)
        risky = text.str.contains(FORMULA_START) & ~text.str.contains(SAFE_NUMBER)
        return pl.when(risky).then(pl.lit("'") + text).otherwise(text).alias(name)

    shown = frame.with_columns(cells(name) for name, dtype in frame.schema.items() if dtype == pl.String)
    return shown.rename({name: safe(name) for name in frame.columns if safe(name) != name})


def french_csv(frame) -> bytes:
    """A results table as French Excel opens it: `;` between cells, decimal commas, UTF-8 with a BOM (so
    that Excel recognises the accents), booleans as « vrai » / « faux » (as populations write them). Only
    the decimal point of numbers changes: texts are kept."""
    import polars as pl  # heavy: only for a results table

    numeric = [name for name, dtype in frame.schema.items() if dtype.is_numeric() or dtype.is_decimal()]
    decimal_text = [
        name
        for name in frame.columns
        if name not in numeric and frame[name].dtype == pl.String and _money_text(frame[name])
    ]
    booleans = [name for name, dtype in frame.schema.items() if dtype == pl.Boolean]
    shown = frame.with_columns(
        *(pl.col(name).cast(pl.String).replace({"true": "vrai", "false": "faux"}) for name in booleans),
        *(pl.col(name).cast(pl.String).str.replace(r"\.", ",") for name in numeric),
        *(pl.col(name).str.replace(r"\.", ",") for name in decimal_text),
    )
    buffer = io.BytesIO()
    buffer.write(codecs.BOM_UTF8)
    neutralised(shown).write_csv(buffer, separator=";")
    return buffer.getvalue()


def _money_text(series) -> bool:
    """A text column whose every value is a plain decimal number (the way results write amounts)."""
    values = series.drop_nulls()
    return len(values) > 0 and bool(values.str.contains(r"^-?[0-9]+(\.[0-9]+)?$").all())
