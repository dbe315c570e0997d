"""Excel workbooks (.xlsx) as the user sees them, measured before a single cell is held in memory.

An `.xlsx` file is a zip of XML parts. The cells are read by calamine (through polars), which holds a
sheet's whole rectangle of cells — from its first to its farthest cell holding a value — in memory: a
stray cell at XFD1048576 asks for 17 billion cells, and the process aborts. So this module reads the
parts itself first, in constant memory, and says what calamine will be given:

- **which sheet**: the one `--feuille` names, or else the first *visible* one — a hidden or very hidden
  sheet is what the user does not see, it is never read by default; a workbook whose sheets are all
  hidden is refused, naming them;
- **how big**: each part's size once unpacked, as the zip declares it, is bounded (`MAX_UNPACKED`: a
  zip bomb is refused before it is unpacked, and a part longer than it declares is a damaged file);
  the sheet's rectangle is bounded (`MAX_CELLS`), and the farthest cells are named, as Excel's Ctrl+Fin
  finds them;
- **how each cell is shown**: the cells whose own number format is a percentage (`10 %` holds 0.1; a
  cell is read as shown, whatever its neighbours' formats), from `xl/styles.xml`.
"""

from __future__ import annotations

import logging
import re
import zipfile
from decimal import Decimal
from xml.etree import ElementTree

from dsl.diagnostics import suggest
from dsl.errors import ConvcheckError
from dsl.records import frozen
from interpreter.ondemand import np

MAX_CELLS = 10_000_000  # the rectangle of a sheet: 1 048 576 rows × 9 columns, 100 000 × 100…
MAX_UNPACKED = 1 << 30  # bytes of the parts read once unpacked (the sheet, its strings, its styles): 1 Gio
MAX_PART = 64 << 20  # bytes of a part parsed whole (the list of sheets, their relations, the styles)
CHUNK = 1 << 22

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
RELATIONS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
OFFICE = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PERCENT_FORMATS = {9, 10}  # Excel's built-in « 0% » and « 0.00% »
PREFIX = rb"(?:[A-Za-z_][\w.-]*:)?"
TAG = re.compile(rb"<" + PREFIX + rb"(row|c)\b([^>]*?)(/?)>")
REF = re.compile(rb'\br="([A-Z]{1,3})([0-9]{1,7})"')
ROW_NUMBER = re.compile(rb'\br="([0-9]{1,7})"')
STYLE = re.compile(rb'\bs="([0-9]+)"')
END = re.compile(rb"</" + PREFIX + rb"worksheet>\s*$")


class WorkbookProblem(ConvcheckError):
    """A workbook that is not read: what is wrong and how to fix it, in French (the reader turns it into a diagnostic
    on the file)."""

    def __init__(self, message: str, hint: str, code: str = "population-illisible"):
        super().__init__(message)
        self.message, self.hint, self.code = message, hint, code


@frozen
class SheetPlan:
    """A sheet to read: its name, where its cells start, and the cells shown as percentages."""

    name: str
    first_row: int  # 1-based, of the first cell holding a value (the header)
    first_column: int
    percent: frozenset[tuple[int, int]]  # (row, column), 1-based, of the cells formatted as percentages


def column_letters(index: int) -> str:
    """1 → A, 28 → AB, 16384 → XFD."""
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_index(letters: bytes | str) -> int:
    """A → 1, AB → 28, XFD → 16384."""
    index = 0
    for letter in letters if isinstance(letters, str) else letters.decode("ascii"):
        index = index * 26 + ord(letter) - 64
    return index


def plan(path: str, sheet: str | None) -> SheetPlan:
    """What calamine will be given to read — the sheet, its extent, its percentage cells — or
    `WorkbookProblem` (not a workbook, no such sheet, every sheet hidden, too big)."""
    try:
        with zipfile.ZipFile(path) as archive:
            sheets = _sheets(archive)
            name, part = _chosen(sheets, sheet)
            styles = _percent_styles(archive)
            parts = [part, *(p for p in ("xl/sharedStrings.xml", "xl/styles.xml") if p in archive.NameToInfo)]
            unpacked = sum(archive.getinfo(p).file_size for p in parts)
            if unpacked > MAX_UNPACKED:
                raise WorkbookProblem(
                    f"classeur trop volumineux une fois décompressé : {_count(unpacked >> 20)} Mio pour la feuille "
                    f"« {name} », au-delà des {_count(MAX_UNPACKED >> 20)} Mio que convcheck lit",
                    "enregistrez la population en CSV ou en Parquet, ou retirez du classeur ce qui n'est pas elle",
                    "trop-volumineux",
                )
            return _measured(archive, part, name, styles)
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        KeyError,
        ElementTree.ParseError,
        EOFError,
        OSError,
        ValueError,
        NotImplementedError,
    ):
        raise WorkbookProblem(
            "classeur illisible : ce n'est pas un fichier Excel (.xlsx) valide",
            "enregistrez-le depuis le tableur au format « Classeur Excel (.xlsx) »",
        ) from None


def _xml(archive: zipfile.ZipFile, part: str) -> ElementTree.Element:
    if archive.getinfo(part).file_size > MAX_PART:
        raise ValueError(part)
    return ElementTree.fromstring(archive.read(part))


def _sheets(archive: zipfile.ZipFile) -> list[tuple[str, str, str]]:
    """(name, visibility, part) of each sheet, in the workbook's order."""
    targets = {
        r.get("Id"): r.get("Target", "")
        for r in _xml(archive, "xl/_rels/workbook.xml.rels").iter(f"{RELATIONS}Relationship")
    }
    found = []
    for sheet in _xml(archive, "xl/workbook.xml").iter(f"{MAIN}sheet"):
        target = targets.get(sheet.get(f"{OFFICE}id"), "")
        part = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        found.append((sheet.get("name", ""), sheet.get("state", "visible"), part))
    return found


def _chosen(sheets: list[tuple[str, str, str]], wanted: str | None) -> tuple[str, str]:
    """(name, part) of the sheet named, or of the first visible one."""
    if wanted is not None:
        for name, _, part in sheets:
            if name == wanted:
                return name, part
        names = [name for name, _, _ in sheets]
        raise WorkbookProblem(
            f"le classeur n'a pas de feuille « {wanted} »",
            suggest(wanted, names) or f"feuilles : {', '.join(names)}",
            "population-feuille",
        )
    for name, state, part in sheets:
        if state == "visible":
            return name, part
    hidden = ", ".join(f"« {name} »" for name, _, _ in sheets)
    raise WorkbookProblem(
        f"aucune feuille visible dans le classeur : {hidden} {'sont masquées' if len(sheets) > 1 else 'est masquée'}",
        "affichez la feuille de la population dans le tableur, ou nommez-la avec --feuille",
        "population-feuille",
    )


def _percent_styles(archive: zipfile.ZipFile) -> frozenset[int]:
    """The cell styles (`s="…"`) whose number format shows a percentage."""
    if "xl/styles.xml" not in archive.NameToInfo:
        return frozenset()
    styles = _xml(archive, "xl/styles.xml")
    codes = {int(f.get("numFmtId", -1)): f.get("formatCode", "") for f in styles.iter(f"{MAIN}numFmt")}
    cell_formats = styles.find(f"{MAIN}cellXfs")
    if cell_formats is None:
        return frozenset()
    found = set()
    for index, xf in enumerate(cell_formats.iter(f"{MAIN}xf")):
        number = int(xf.get("numFmtId", 0))
        if number in PERCENT_FORMATS or is_percent_format(codes.get(number, "")):
            found.add(index)
    return frozenset(found)


def is_percent_format(code: str) -> bool:
    """Whether a number format multiplies by 100 and shows « % »: a `%` outside quotes, escapes and brackets
    (`0" %"` and `0\\%` show a literal sign after the value as it is)."""
    bare = re.sub(r'"[^"]*"|\\.|\[[^\]]*\]|_.|\*.', "", code)
    return "%" in bare


def _measured(archive: zipfile.ZipFile, part: str, name: str, styles: frozenset[int]) -> SheetPlan:
    """The sheet's rectangle, checked against `MAX_CELLS`, and its percentage cells; read a chunk at a time."""
    extent = _Extent(styles)
    with archive.open(part) as stream:
        rest = b""
        while chunk := stream.read(CHUNK):
            data = rest + chunk
            cut = data.rfind(b">") + 1
            extent.add(data[:cut])
            rest = data[cut:]
            if len(rest) > CHUNK:  # no tag ends in a whole chunk: not a sheet
                raise ValueError(part)
            extent.check(name)
        tail = extent.tail + rest
    if not END.search(tail):  # a truncated part (or one longer than the zip declares it) is a damaged file
        raise ValueError(part)
    return SheetPlan(name, extent.first_row or 1, extent.first_column or 1, frozenset(extent.percent))


class _Extent:
    """The cells seen so far — holding a value or only a format, as Excel's Ctrl+Fin counts them —: their
    rectangle, their count, and those formatted as percentages."""

    def __init__(self, styles: frozenset[int]):
        self.styles = styles
        self.percent_style = (
            re.compile(
                rb"<" + PREFIX + rb'c\s[^>]*?\bs="(' + b"|".join(str(s).encode() for s in sorted(styles)) + rb')"[^>]*>'
            )
            if styles
            else None
        )
        self.first_row = self.first_column = 0
        self.last_row = self.last_column = 0
        self.far_row = self.far_column = ""  # the cells that reach the last row and the last column
        self.cells = 0
        self.percent: set[tuple[int, int]] = set()
        self.row = 0  # for cells written without their reference: the current row and column
        self.column = 0
        self.tail = b""

    def add(self, data: bytes) -> None:
        self.tail = data[-64:]
        found = _references(data)
        if found is None:  # some cells do not start with their reference (`<c r="B2"`): follow the tags
            self._follow(data)
            return
        rows, columns = found
        self.cells += len(rows)
        if len(rows):
            self._extend(rows, columns)
        if self.percent_style is not None:
            for match in self.percent_style.finditer(data):
                ref = REF.search(match.group(0))
                if ref is not None:
                    self.percent.add((int(ref.group(2)), column_index(ref.group(1))))

    def _extend(self, rows: np.ndarray, columns: np.ndarray) -> None:
        top, bottom = int(rows.argmin()), int(rows.argmax())
        left, right = int(columns.argmin()), int(columns.argmax())
        self._cell(int(rows[top]), int(columns[top]))
        self._cell(int(rows[bottom]), int(columns[bottom]))
        self._cell(int(rows[left]), int(columns[left]))
        self._cell(int(rows[right]), int(columns[right]))

    def _follow(self, data: bytes) -> None:
        """Rows and cells in order, for files whose cells may omit their reference (`r`) or write it later."""
        for match in TAG.finditer(data):
            kind, attributes, _ = match.groups()
            if kind == b"row":
                number = ROW_NUMBER.search(attributes)
                self.row = int(number.group(1)) if number else self.row + 1
                self.column = 0
                continue
            ref = REF.search(attributes)
            self.column = column_index(ref.group(1)) if ref else self.column + 1
            row = int(ref.group(2)) if ref else self.row
            self.cells += 1
            self._cell(row, self.column)
            style = STYLE.search(attributes)
            if style is not None and int(style.group(1)) in self.styles:
                self.percent.add((row, self.column))

    def _cell(self, row: int, column: int) -> None:
        if row > self.last_row:
            self.last_row, self.far_row = row, f"{column_letters(column)}{row}"
        if column > self.last_column:
            self.last_column, self.far_column = column, f"{column_letters(column)}{row}"
        self.first_row = row if not self.first_row else min(self.first_row, row)
        self.first_column = column if not self.first_column else min(self.first_column, column)

    def check(self, name: str) -> None:
        """`WorkbookProblem` as soon as the rectangle (or the count) of cells is beyond `MAX_CELLS`."""
        rows = self.last_row - self.first_row + 1 if self.last_row else 0
        columns = self.last_column - self.first_column + 1 if self.last_column else 0
        if rows * columns <= MAX_CELLS and self.cells <= MAX_CELLS:
            return
        corner = f"{column_letters(self.last_column)}{self.last_row}"
        far = [c for c in dict.fromkeys((self.far_row, self.far_column)) if c and c != corner]
        seen = f" (cellules les plus éloignées : {', '.join(far)})" if far else ""
        raise WorkbookProblem(
            f"la feuille « {name} » s'étend jusqu'à {corner}{seen} : {_count(rows)} lignes × {_count(columns)} colonnes, "
            f"plus que les {_count(MAX_CELLS)} cellules que convcheck lit",
            "supprimez les cellules égarées loin du tableau (Ctrl+Fin, dans le tableur, va à la dernière cellule "
            "utilisée), ou enregistrez la population en CSV ou en Parquet",
            "trop-volumineux",
        )


def _count(number: int) -> str:
    return f"{number:,}".replace(",", "\u202f")


CELL_OPEN = b'<c r="'


def _references(data: bytes) -> tuple[np.ndarray, np.ndarray] | None:
    """(rows, columns) of every cell of `data`, read at once with numpy when every cell tag starts with its
    reference, `<c r="B2"` (as Excel, LibreOffice and the Python writers write them); None otherwise."""
    padded = np.frombuffer(data + b"\0" * 16, dtype=np.uint8)
    size = len(data)
    ends = (32, 62, 47, 9, 10, 13)  # what may follow a tag's name: a space, `>`, `/`, a tab or a line end
    colons = np.flatnonzero(padded[:size] == ord(":"))
    colons = colons[padded[colons + 1] == ord("c")]
    if np.isin(padded[colons + 2], ends).any():  # namespaced cells (`<x:c …>`): followed one by one
        return None
    starts = np.flatnonzero(padded[:size] == ord("<"))
    starts = starts[padded[starts + 1] == ord("c")]
    starts = starts[np.isin(padded[starts + 2], ends)]  # every cell tag, `<c`, not `<cols` or `<col`
    for offset, byte in enumerate(CELL_OPEN[2:], start=2):
        if not (padded[starts + offset] == byte).all():
            return None
    position = starts + len(CELL_OPEN)
    columns = np.zeros(len(position), dtype=np.int64)
    going = np.ones(len(position), dtype=bool)
    for _ in range(3):  # A to XFD
        byte = padded[position]
        letter = going & (byte >= 65) & (byte <= 90)
        columns = np.where(letter, columns * 26 + byte.astype(np.int64) - 64, columns)
        position = position + letter
        going = letter
    rows = np.zeros(len(position), dtype=np.int64)
    going = np.ones(len(position), dtype=bool)
    for _ in range(7):  # 1 to 1 048 576
        byte = padded[position]
        digit = going & (byte >= 48) & (byte <= 57)
        rows = np.where(digit, rows * 10 + byte.astype(np.int64) - 48, rows)
        position = position + digit
        going = digit
    if len(position) and not ((padded[position] == ord('"')) & (columns > 0) & (rows > 0)).all():
        return None  # a reference that is not one: followed one by one, as calamine would read it
    return rows, columns


# ---- reading ----------------------------------------------------------------------------------------------


def read_sheet(path: str, sheet: str | None):
    """(the cells, the header as written) of a sheet — the one named, or the first visible — typed as Excel holds
    them: numbers as numbers, dates as dates (at midnight: as dates), every cell formatted as a percentage read
    as Excel shows it (`10.5 %`, not the fraction 0.105 it holds). A column without a header is left out when it
    is empty, else named by its letters (`XFD (sans en-tête)`: an ignored column). Raises `WorkbookProblem`."""
    import polars as pl  # heavy: only for an Excel population

    layout = plan(path, sheet)
    logging.getLogger("fastexcel").setLevel(logging.ERROR)  # a dtype guessed for each empty column: not ours to say
    as_floats: dict = {}  # columns of whole numbers one of which is beyond Int64, where polars' guess fails
    while True:
        try:
            frame = pl.read_excel(
                path,
                sheet_name=layout.name,
                engine="calamine",
                infer_schema_length=None,
                drop_empty_rows=False,
                drop_empty_cols=False,
                schema_overrides=as_floats or None,
            )
            break
        except pl.exceptions.InvalidOperationError as error:  # read as floats: the reader says the number is too large
            beyond = re.search(r"conversion from `f64` to `i64` failed in column '(.+?)'", str(error))
            if beyond is None or beyond.group(1) in as_floats:
                raise _no_header(layout) from None
            as_floats[beyond.group(1)] = pl.Float64
        except Exception:  # an empty sheet, a sheet without header
            raise _no_header(layout) from None
    header = _header(path, layout, frame.width)
    frame, header = _unnamed(frame, header, layout)
    dated = [pl.col(c).cast(pl.Date) for c, t in frame.schema.items() if isinstance(t, pl.Datetime)]
    midnight = [
        pl.col(c).str.replace(r"^([0-9]{4}-[0-9]{2}-[0-9]{2}) 00:00:00$", "$1")
        for c, t in frame.schema.items()
        if t == pl.String
    ]
    return _as_shown(frame.with_columns(*dated, *midnight), layout), header


def _no_header(layout: SheetPlan) -> WorkbookProblem:
    return WorkbookProblem(
        f"feuille « {layout.name} » illisible : elle doit commencer par une ligne d'en-tête (id, "
        "puis une colonne par donnée)",
        "mettez les noms des colonnes en ligne 1",
    )


def _header(path: str, layout: SheetPlan, width: int) -> tuple[str, ...]:
    """The header row as written (a name written twice stays twice: polars renames it). openpyxl reads it."""
    import openpyxl  # heavy: only for an Excel population

    book = openpyxl.load_workbook(path, read_only=True)
    try:
        rows = book[layout.name].iter_rows(
            min_row=layout.first_row,
            max_row=layout.first_row,
            min_col=layout.first_column,
            max_col=layout.first_column + width - 1,
        )
        cells = next(rows, ())
        header = ["" if cell.value is None else str(cell.value) for cell in cells]
    finally:
        book.close()
    return tuple(header + [""] * (width - len(header)))


def _unnamed(frame, header: tuple[str, ...], layout: SheetPlan):
    """Columns without a header: dropped when empty (the gap before a stray cell), else named by their letters."""
    keep, names = [], []
    for index, (column, name) in enumerate(zip(frame.columns, header, strict=True)):
        if name.strip():
            keep.append(frame[column])
            names.append(name)
        elif frame[column].null_count() < frame.height:
            letters = column_letters(layout.first_column + index)
            keep.append(frame[column].alias(f"{letters} (sans en-tête)"))
            names.append(f"{letters} (sans en-tête)")
    if len(keep) == frame.width:
        return frame, header
    import polars as pl  # heavy: only for an Excel population

    return pl.DataFrame(keep), tuple(names)


def _as_shown(frame, layout: SheetPlan):
    """Each cell formatted as a percentage, as Excel shows it (`60 %`); its column is then text, its other cells
    written as they are (`0.5`: a pourcentage read as 0,5 %, as shown)."""
    import polars as pl  # heavy: only for an Excel population

    rows: dict[str, list[int]] = {}
    for row, column in layout.percent:
        index, position = row - layout.first_row - 1, column - layout.first_column
        if 0 <= index < frame.height and 0 <= position < frame.width:
            rows.setdefault(frame.columns[position], []).append(index)
    shown = []
    for name, indices in rows.items():
        values = frame[name].to_list()
        texts = [_plain_text(value) for value in values]
        for index in indices:
            texts[index] = percent_text(values[index])
        shown.append(pl.Series(name, texts, dtype=pl.String))
    return frame.with_columns(*shown) if shown else frame


def _plain_text(value) -> str | None:
    """A cell of a column read as text: a number as its shortest decimal writing (0.1, 5), a text as it is."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "vrai" if value else "faux"
    if isinstance(value, float):
        return (
            format(Decimal(repr(value)).normalize(), "f")
            if value == value and abs(value) != float("inf")
            else repr(value)
        )
    return str(value)


def percent_text(value) -> str | None:
    """A number Excel shows as a percentage, as shown: 0.105 → `10.5 %` (exactly, from the float's shortest
    decimal); never three decimals after one to three digits, which would read as ambiguous (`10.1250 %`).
    A text cell stays as it is."""
    if value is None or isinstance(value, (str, bool)):
        return value if not isinstance(value, bool) else _plain_text(value)
    try:
        shown = format((Decimal(repr(float(value))) * 100).normalize(), "f")
    except (ValueError, ArithmeticError):  # inf or nan: the number reader says what is wrong with it
        return repr(value)
    whole, _, fraction = shown.partition(".")
    if len(fraction) == 3 and len(whole.lstrip("-")) <= 3:
        fraction += "0"
    return f"{whole}{'.' + fraction if fraction else ''} %"
