"""A population file read inside a polars query, each cell certified to be what convcheck's reader reads.

`interpreter.io.tables` reads and validates a population column by column, in Python and polars,
and says what is wrong with each invalid cell. Most files have none: this module reads them in the
same lazy query that computes the version (`interpreter.backends.lazy`), with polars' own readers
(`scan_parquet`, `scan_csv`: only the columns used), and turns every cell into the exact value the
reader gives it — or marks the row as not certified:

- a number written plainly (`4123`, `-12.5`: the reader's own plain form), a Parquet integer, or a
  Parquet float that is the shortest writing of a decimal with at most `scale` decimals (checked
  exactly: the float is within a quarter of a unit of the `scale`-th decimal of one integer, which
  gives it back), within the bounds of every input and the donnée's range; a number is held as an
  Int64 numerator over the column's denominator (10^scale, a hundred times more for a pourcentage);
- a booléen written as one of the reader's words, or a Parquet boolean; a `choix` value among its
  choices; a date `AAAA-MM-JJ` or a Parquet date;
- an empty cell of a donnée with a default takes it (`par défaut`), as in the reader;
- an id present, not starting with a blank (never repeated: checked on the results).

The scale of a decimal column is the most decimals its first rows need. When a row is not certified
(an invalid value, a value written otherwise, more decimals further down), the caller reads the file
again with convcheck's reader, which says what is wrong in its own words — the diagnostics never
depend on which path read the file.
"""

from __future__ import annotations

import datetime
import math
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import polars as pl

from dsl import limits
from dsl.errors import ConvcheckError
from dsl.model import Donnee, Model
from dsl.records import frozen
from interpreter.io import csvfiles, sizes
from interpreter.io.numbers import AMBIGUOUS_FRACTION, AMBIGUOUS_INTEGER, BLANKS, NUMERIC
from interpreter.io.words import FALSE_WORDS, TRUE_WORDS

AMBIGUOUS = rf"^-?{AMBIGUOUS_INTEGER}\.{AMBIGUOUS_FRACTION}$"
EXACT = 2**50  # a float below this, times 10^scale, is within 1/8 of its nearest integer's float
SAMPLE = 1_000  # rows read first to choose the scale of each decimal column (10,000 cost 0.03 s of a CSV)
INTEGERS = (pl.Int8, pl.Int16, pl.Int32, pl.Int64, pl.UInt8, pl.UInt16, pl.UInt32, pl.UInt64)
CERTAIN = "#certifie"
DECIMAL = tuple(kind for kind in NUMERIC if kind != "entier")  # kinds whose values may have decimals
EPOCH = datetime.date(1970, 1, 1)


class Uncertain(ConvcheckError):
    """The file cannot be read this way (its format, a column's type): convcheck's reader reads it (never
    reported: caught by `lazy_engine`)."""


@frozen
class Column:
    """How a donnée is held in the query: its exact value's column and what it stands for."""

    name: str  # the column of the exact value: an Int64 numerator, a Boolean, a choice's index, days since 1970
    den: int  # a number's denominator (1 for others)
    bound: int  # a number's largest numerator in absolute value
    defaulted: str | None = None  # the column saying which rows took the default (None: no default taken)


@frozen
class Source:
    """A population file as polars scans it, with its header and the type of each column."""

    path: str
    kind: str  # csv or parquet
    header: tuple[str, ...]
    types: dict[str, pl.DataType]
    separator: str = ","
    scan_path: str = ""

    def scan(self, integers=()) -> pl.LazyFrame:
        """The file's rows; a CSV file's `integers` columns parsed by polars' CSV reader (whose integers are the
        reader's: `[+-]?[0-9]+`, blanks before; any other cell makes the query fail, and the reader reads the file)."""
        if self.kind == "parquet":
            return pl.scan_parquet(self.path)
        return pl.scan_csv(
            self.scan_path or self.path,
            infer_schema=False,
            separator=self.separator,
            schema_overrides=dict.fromkeys(integers, pl.Int64()),
        )


def source(path: str) -> Source:
    """The file's header and column types, read without its rows; `Uncertain` for other formats, a CSV file
    not in UTF-8, one that polars and the reader might read differently (a column named twice), or a file
    beyond the sizes convcheck reads (`interpreter.io.sizes`: the reader refuses it)."""
    suffix = Path(path).suffix.lower()
    if suffix == ".parquet":
        try:
            schema = dict(pl.read_parquet_schema(path))
            rows = pl.scan_parquet(path).select(pl.len()).collect().item()  # from the metadata
        except Exception:  # the reader says why the file cannot be read
            raise Uncertain(path) from None
        if rows > sizes.MAX_STRUCTURES:  # the reader refuses it, and says why
            raise Uncertain(path)
        return Source(path, "parquet", tuple(schema), schema)
    if (
        suffix != ".csv"
        or getattr(path, "encoding", None) not in (None, "utf-8")
        or sizes.too_large(path, sizes.MAX_POPULATION_BYTES, "une population")
        or sizes.binary(path)  # a sparse or binary file: the reader refuses it at once, polars would read it all
    ):
        raise Uncertain(path)
    try:
        with open(path, "rb") as file:
            start = file.read(3)
        dialect = csvfiles.CsvDialect("utf-8-sig" if start == b"\xef\xbb\xbf" else "utf-8", ",")
        dialect = csvfiles.CsvDialect(dialect.encoding, csvfiles._separator(path, dialect.encoding))
        header = csvfiles.header(path, dialect)
    except (OSError, UnicodeDecodeError):
        raise Uncertain(path) from None
    if not header or len(set(header)) != len(header):
        raise Uncertain(path)
    return Source(path, "csv", tuple(header), dict.fromkeys(header, pl.String()), dialect.separator, path)


# ---- one cell, certified ----------------------------------------------------------------------------------


def scale_limit(donnee: Donnee) -> int:
    """The most decimals a decimal column of this donnée may be read with (its values times 10^scale stay
    below 2⁵⁰, where a float is exact to a quarter of a unit)."""
    largest = _largest(donnee)
    return max(s for s in range(limits.MAX_DECIMALS + 1) if s == 0 or largest * 10**s < EXACT)


def _largest(donnee: Donnee) -> Decimal:
    """The largest value a cell may hold, as written (a pourcentage in percent)."""
    factor = 100 if donnee.type.kind == "pourcentage" else 1
    if donnee.low is None or donnee.high is None:
        return Decimal(limits.LIMIT)
    return max(abs(donnee.low), abs(donnee.high)) * factor


def denominator(donnee: Donnee, scale: int) -> int:
    return 10**scale * (100 if donnee.type.kind == "pourcentage" else 1)


def number(donnee: Donnee, cell: pl.Expr, file_type: pl.DataType, scale: int) -> tuple[pl.Expr, pl.Expr, int]:
    """(numerator over 10^scale, whether certified, the largest numerator certified) for a number."""
    if file_type in INTEGERS:
        value = cell.cast(pl.Int64, strict=False)
        return value * 10**scale, value.is_not_null() & (value.abs() < limits.LIMIT), limits.LIMIT * 10**scale
    if file_type == pl.Float64:
        return *_float(cell, scale), EXACT
    if file_type != pl.String:
        raise Uncertain(donnee.id)
    if scale == 0:
        value = cell.cast(pl.Int64, strict=False)  # the reader's whole numbers: polars' own integer parsing
        return value, value.is_not_null() & (value.abs() < limits.LIMIT), limits.LIMIT
    # The reader's plain writing, with at most `scale` decimals: below 2⁵⁰ once scaled, the nearest float times
    # 10^scale is within 1/4 of the integer the text writes.
    plain = cell.str.contains(rf"^-?[0-9]{{1,{limits.MAX_INTEGER_DIGITS}}}(?:\.[0-9]{{1,{scale}}})?$")
    scaled = cell.cast(pl.Float64, strict=False) * float(10**scale)
    inside = scaled.abs() < min(EXACT, limits.LIMIT * 10**scale)
    if scale >= 3:  # « 1.234 »: thousands or decimals? The reader asks (with fewer decimals, it is not plain)
        plain = plain & ~cell.str.contains(AMBIGUOUS)
    return scaled.round().cast(pl.Int64, strict=False), plain & inside, EXACT


def _float(cell: pl.Expr, scale: int) -> tuple[pl.Expr, pl.Expr]:
    """A float as the decimal with at most `scale` decimals that gives it back: certified when one does and
    the float times 10^scale is below 2⁵⁰ (then the rounding is exact, and no other decimal of `scale` places
    gives it back)."""
    power = float(10**scale)
    scaled = cell * power
    nearest = scaled.round()
    # polars divides by a constant as a product by its inverse (not the correctly rounded quotient): the divisor
    # is made a column of its own, `cell × 0 + 10^scale`, divided element by element.
    gives_back = nearest / (cell * 0.0 + power) == cell
    exact = cell.is_finite() & (scaled.abs() < EXACT) & (cell.abs() < limits.LIMIT) & gives_back
    return nearest.cast(pl.Int64, strict=False), exact


def within(donnee: Donnee, value: pl.Expr, den: int) -> pl.Expr | None:
    """Whether a numerator over `den` is within the donnée's range (exact integer thresholds), and an
    integer for an entier."""
    checks = []
    if donnee.low is not None:
        checks.append(value >= math.ceil(Fraction(donnee.low) * den))
    if donnee.high is not None:
        checks.append(value <= math.floor(Fraction(donnee.high) * den))
    if donnee.type.kind == "entier" and den != 1:
        checks.append(value % den == 0)
    return pl.all_horizontal(checks) if checks else None


def cell_value(donnee: Donnee, cell: pl.Expr, file_type: pl.DataType, scale: int) -> tuple[pl.Expr, pl.Expr, int]:
    """(exact value, whether certified, a number's largest numerator) of a cell that is not empty."""
    kind = donnee.type.kind
    if kind in NUMERIC:
        value, certain, largest = number(donnee, cell, file_type, scale)
        den = denominator(donnee, scale)
        inside = within(donnee, value, den)
        return value, certain if inside is None else certain & inside, min(largest, _bound(donnee, den))
    if kind == "booleen":
        if file_type == pl.Boolean:
            return cell, pl.lit(True), 0
        if file_type != pl.String:
            raise Uncertain(donnee.id)
        true, false = (
            pl.any_horizontal([cell == word for word in sorted(words)]) for words in (TRUE_WORDS, FALSE_WORDS)
        )
        return true, true | false, 0  # a few comparisons: half the time of `is_in`
    if kind == "date":
        if file_type == pl.Date:
            return cell.cast(pl.Int32), pl.lit(True), 0
        if file_type != pl.String:
            raise Uncertain(donnee.id)
        day = cell.str.to_date("%Y-%m-%d", strict=False)
        return day.cast(pl.Int32), day.is_not_null(), 0
    if not (file_type == pl.String or file_type == pl.Categorical or isinstance(file_type, pl.Enum)):
        raise Uncertain(donnee.id)
    text = cell if file_type == pl.String else cell.cast(pl.String)
    index: Any = pl.when(text == donnee.type.choices[0]).then(0)
    for position, choice in enumerate(donnee.type.choices[1:], start=1):
        index = index.when(text == choice).then(position)
    index = index.otherwise(None).cast(pl.Int32)
    return index, index.is_not_null(), 0


# ---- the whole file ---------------------------------------------------------------------------------------


def scales(source: Source, model: Model, ids: list[str]) -> dict[str, int]:
    """The decimals each column is read with: none for an integer column or an entier; for a decimal column,
    the most its first rows need (at most what the donnée's range allows)."""
    decimal = _decimal_columns(source, model, ids)
    found = dict.fromkeys(ids, 0)
    if not decimal:
        return found
    needed = [_needed(pl.col(id), source.types[id]).alias(id) for id in decimal]
    try:
        first = source.scan().select(decimal).head(SAMPLE).select(needed).collect().row(0, named=True)
    except Exception:  # the reader says why the file cannot be read
        raise Uncertain(source.path) from None
    for id in decimal:
        donnee = model.donnees[id]
        places = first[id] or 0
        if donnee.default is not None:  # an empty cell holds the default, over the column's denominator
            written = (Decimal(donnee.default.value) * denominator(donnee, 0)).normalize()
            places = max(places, -min(0, int(written.as_tuple().exponent)))
        found[id] = min(places, limits.MAX_DECIMALS)
    return found


def _needed(cell: pl.Expr, file_type: pl.DataType) -> pl.Expr:
    """The most decimals the cells need — as written in a text (trailing zeros included), a float's shortest
    writing without them: a guess from the first rows, which the certification checks on every row."""
    if file_type == pl.String:
        return cell.str.extract(r"^[+-]?[0-9]+\.([0-9]+)$", 1).str.len_chars().max()
    return cell.cast(pl.String).str.extract(r"^[+-]?[0-9]+\.([0-9]*[1-9])0*$", 1).str.len_chars().max()


def widest(source: Source, model: Model, found: dict[str, int]) -> dict[str, int]:
    """Each decimal column read with as many decimals as its donnée's range allows (when its first rows did
    not say how many the others need)."""
    return found | {
        id: max(found[id], scale_limit(model.donnees[id])) for id in _decimal_columns(source, model, list(found))
    }


def _decimal_columns(source: Source, model: Model, ids: list[str]) -> list[str]:
    return [id for id in ids if model.donnees[id].type.kind in DECIMAL and source.types[id] in (pl.Float64, pl.String)]


def reading(
    source: Source, model: Model, scale: dict[str, int], supplied=frozenset(), keep=frozenset()
) -> tuple[pl.LazyFrame, dict[str, Column | object]]:
    """The query reading the file: `id`, each donnée's exact value, `CERTAIN` (every cell of the row is
    certified), which rows took a default, and the `keep` columns as read; and how each donnée is held
    (a `Column`, or its default's value when the file has no column for it). Raises `Uncertain`."""
    header = set(source.header)
    integers = (
        [id for id in model.donnees if id in header and model.donnees[id].type.kind == "entier"]
        if source.kind == "csv"
        else []
    )
    types = source.types | dict.fromkeys(integers, pl.Int64())
    name = pl.col("id").cast(pl.String)
    first = name.str.slice(0, 1)
    columns = [name.alias("id")]
    certain = [name.is_not_null() & (name.str.len_bytes() > 0) & ~first.is_in(list(BLANKS))]
    held: dict[str, Column | object] = {}
    for id, donnee in model.donnees.items():
        if id not in header:
            if donnee.default is not None and id not in supplied:
                held[id] = donnee.default.value
            continue
        cell = pl.col(id)
        value, known, largest = cell_value(donnee, cell, types[id], scale.get(id, 0))
        missing = cell.is_null() | (cell.str.len_bytes() == 0) if types[id] == pl.String else cell.is_null()
        den = denominator(donnee, scale.get(id, 0)) if donnee.type.kind in NUMERIC else 1
        defaulted = None
        if donnee.default is not None:
            value = pl.when(missing).then(pl.lit(default_value(donnee, den))).otherwise(value)
            known, defaulted = missing | known, f"#defaut:{id}"
            columns.append(missing.alias(defaulted))
        else:
            known = ~missing & known
        columns.append(value.alias(f"${id}"))
        certain.append(known.fill_null(False))
        if defaulted is not None and donnee.type.kind in NUMERIC:
            largest = max(largest, abs(default_value(donnee, den)))
        held[id] = Column(f"${id}", den, largest, defaulted)
    columns.append(pl.all_horizontal(certain).alias(CERTAIN))
    columns += [pl.col(c) for c in sorted(keep) if c in header and c != "id"]
    return source.scan(integers).select(columns), held


def default_value(donnee: Donnee, den: int):
    """A donnée's default as the query holds it (a numerator over `den`, a bool, an index, days since 1970)."""
    assert donnee.default is not None  # asked only of données with a default
    value = donnee.default.value
    kind = donnee.type.kind
    if kind in NUMERIC:
        exact = Fraction(value) * den
        if exact.denominator != 1 or abs(exact) >= 2**62:
            raise Uncertain(donnee.id)  # a default with more decimals than the column: the reader holds both
        return int(exact)
    if kind == "choix":
        return donnee.type.choices.index(value)
    if kind == "date":
        return (value - EPOCH).days
    return bool(value)


def _bound(donnee: Donnee, den: int) -> int:
    """The largest numerator of a number's column."""
    return (
        math.ceil(_largest(donnee) * den / (100 if donnee.type.kind == "pourcentage" else 1))
        if donnee.type.kind in NUMERIC
        else 0
    )
