"""Reading a whole numeric column of a population at columnar speed, by the rule of `numbers`.

polars expressions implement the rule of `interpreter.io.numbers` over the column; each value they
do not accept (a problem, a float written with an exponent, a value too large for int64 at the
column's scale) goes to `numbers.read_number`, one by one — problems always come from there, and
both paths give the same values (a property test checks it). Kept apart from `numbers` so that
reading one declaration never imports polars.
"""

from __future__ import annotations

import math
from decimal import Decimal, localcontext
from typing import cast

import polars as pl

from dsl import limits
from dsl.records import frozen
from interpreter.io.numbers import (
    AMBIGUOUS_FRACTION,
    AMBIGUOUS_INTEGER,
    GROUP_SPACES,
    SIMPLE_TOKEN,
    TEXT,
    UNITS,
    NumberProblem,
    NumberToken,
    read_written,
)
from interpreter.ondemand import np


@frozen
class Scaled:
    """The exact values of a numeric column: `num / den`, one denominator for the column.

    `den` is a power of ten (times 100 for a pourcentage). `num` is an int64 array, or — when
    some value does not fit int64 at the column's scale, e.g. 10¹⁴ beside a value with 9
    decimals — a numpy object array of Python ints.
    """

    num: np.ndarray
    den: int

    def __getitem__(self, rows) -> Scaled:
        return Scaled(self.num[rows], self.den)

    def __len__(self) -> int:
        return len(self.num)

    @classmethod
    def joined(cls, parts: list[Scaled]) -> Scaled:
        """Consecutive rows read apart, over one denominator; Python ints where a numerator scaled up
        would not fit int64."""
        den = math.lcm(*(part.den for part in parts))  # the largest one: powers of ten, or a hundred times one
        scaled = []
        for part in parts:
            factor = den // part.den
            num = part.num
            if factor != 1:
                large = num.dtype == object or (len(num) and int(np.abs(num).max()) >= 2**62 // factor)
                num = (num.astype(object) if large else num) * factor
            scaled.append(num)
        if any(num.dtype == object for num in scaled):
            scaled = [num.astype(object) for num in scaled]
        return cls(np.concatenate(scaled), den)

    def value(self, row: int) -> Decimal:
        """The exact value of one row."""
        with localcontext() as context:
            context.prec = 60
            return Decimal(int(self.num[row])) / self.den


# ---- a whole column -----------------------------------------------------------------------------------


def read_numbers(series: pl.Series, kind: str, skip: np.ndarray, typed: np.ndarray | None = None):
    """Read a numeric column: (`Scaled` values, {row: NumberProblem}).

    Rows in `skip` (missing values, reported by the caller) are left at 0. A text column is
    read as a person's writing, except rows where `typed` is true (a JSON number kept as
    text); a numeric column as numbers of its format.
    """
    size = len(series)
    dtype = series.dtype
    if dtype == pl.Null:
        return Scaled(np.zeros(size, dtype=np.int64), _den(0, kind)), {}
    if dtype.is_integer():
        return _integers(series, kind, skip)
    if dtype == pl.Float64:
        return _floats(series, kind, skip)
    if dtype.is_float() or dtype.is_decimal():  # Float32 as its own shortest text; decimals as written
        return _texts(series, series.cast(pl.String), np.ones(size, dtype=bool), kind, skip)
    if dtype in (pl.String, pl.Categorical) or isinstance(dtype, pl.Enum):
        mask = np.zeros(size, dtype=bool) if typed is None else typed
        return _texts(series, series.cast(pl.String), mask, kind, skip)
    nothing = np.zeros(size, dtype=bool)
    return _assemble(
        series,
        kind,
        skip,
        nothing,
        nothing,
        lambda scale: (np.zeros(size, dtype=np.int64), {}),
        lambda row: series[row],
    )


def _den(scale: int, kind: str) -> int:
    return 10**scale * (100 if kind == "pourcentage" else 1)


def _integers(series: pl.Series, kind: str, skip: np.ndarray):
    """Integer columns: within the bounds as they are; the others are refused, one by one."""
    size = len(series)
    if series.dtype not in (pl.UInt64, pl.Int128):
        series = series.cast(pl.Int64)
    low, high = series.min(), series.max()
    if low is not None and -limits.LIMIT < low and high < limits.LIMIT:  # the usual case: no mask to build
        outside = np.zeros(size, dtype=bool)
    else:
        outside = series >= limits.LIMIT
        if series.dtype != pl.UInt64:
            outside = outside | (series <= -limits.LIMIT)
        outside = outside.fill_null(False).to_numpy()
    num = series.cast(pl.Int64, strict=False).fill_null(0).to_numpy().astype(np.int64, copy=False)
    problems = {int(row): read_written(int(series[int(row)]), kind) for row in np.flatnonzero(outside & ~skip)}
    cleared = outside | skip
    if cleared.any():
        num = np.where(cleared, 0, num)
    return Scaled(num, _den(0, kind)), problems


def _texts(series: pl.Series, text: pl.Series, typed: np.ndarray, kind: str, skip: np.ndarray):
    """Text read by polars expressions where they can, by `read_written` elsewhere."""
    if not typed.any():
        plain = whole_numbers(text, kind, skip)
        if plain is None:
            plain = _plain(text, kind, skip)
        if plain is not None:
            return plain, {}
        parts = _parts(text, TEXT, kind, human=True)
    elif typed.all():
        parts = _parts(text, SIMPLE_TOKEN, kind, human=False)
    else:
        human, token = _parts(text, TEXT, kind, human=True), _parts(text, SIMPLE_TOKEN, kind, human=False)
        parts = pl.select(pl.when(pl.Series(typed)).then(token).otherwise(human)).to_series()
    fields = parts.struct.unnest()
    ok = fields["ok"].fill_null(False).to_numpy() & ~skip
    negative = fields["negative"].fill_null(False).to_numpy()

    def build(scale: int):
        digits = (fields["integer"] + fields["fraction"].str.pad_end(scale, "0")).str.replace(r"^$", "0")
        values = digits.cast(pl.Int64, strict=False)
        overflow = values.is_null().to_numpy() & ok
        num = np.where(ok & ~overflow, values.fill_null(0).to_numpy(), 0).astype(np.int64)
        big = {int(row): int(digits[int(row)]) * (-1 if negative[row] else 1) for row in np.flatnonzero(overflow)}
        return np.where(negative, -num, num), big

    decimals = fields["fraction"].str.len_chars().fill_null(0).to_numpy()
    return _assemble(
        series, kind, skip, ok, decimals, build, lambda row: NumberToken(text[row]) if typed[row] else text[row]
    )


def _floats(series: pl.Series, kind: str, skip: np.ndarray):
    """Floats as the shortest decimals that give them back, in numpy: for k = 0…9 decimals, the
    nearest k-decimal number is the float's shortest decimal when it gives the float back and no
    other k-decimal number can (the float's spacing is below half a unit of the k-th decimal).
    The others (NaN, beyond the bounds, more decimals, exponents) are read one by one."""
    size = len(series)
    x = series.fill_null(0.0).to_numpy()
    finite = np.isfinite(x) & (np.abs(np.where(np.isfinite(x), x, 0.0)) < limits.LIMIT)
    x = np.where(finite, x, 0.0)
    places = np.full(size, -1)
    candidate = np.zeros(size)
    pending = np.flatnonzero(finite)  # only the rows not resolved yet: most floats have few decimals
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(limits.MAX_DECIMALS + 1):
            if not len(pending):
                break
            values = x[pending]
            nearest = np.rint(values * 10.0**k)
            found = (
                (np.abs(nearest) < 2**53) & (nearest / 10.0**k == values) & (np.spacing(np.abs(values)) * 10.0**k < 0.5)
            )
            places[pending[found]] = k
            candidate[pending[found]] = nearest[found]
            pending = pending[~found]
    ok = (places >= 0) & ~skip
    text = None

    def raw_of(row: int):
        nonlocal text
        if text is None:
            text = series.cast(pl.String)
        return NumberToken(text[row])

    def build(scale: int):
        factor = 10.0 ** (scale - np.where(ok, places, scale))
        fits = ok & (np.abs(candidate) * factor < 2**62)
        num = np.where(fits, candidate.astype(np.int64) * factor.astype(np.int64), 0)
        big = {int(row): int(candidate[row]) * 10 ** int(scale - places[row]) for row in np.flatnonzero(ok & ~fits)}
        return num.astype(np.int64), big

    return _assemble(series, kind, skip, ok, np.where(ok, places, 0), build, raw_of)


PLAIN = rf"^-?[0-9]{{1,{limits.MAX_INTEGER_DIGITS}}}(?:\.[0-9]{{1,{limits.MAX_DECIMALS}}})?$"


def whole_numbers(text: pl.Series, kind: str, skip: np.ndarray) -> Scaled | None:
    """The most usual column — whole numbers, `7134`, `-12` — read by polars' own integer parsing,
    which accepts exactly `[+-]?[0-9]+` (a part of the rule, read with the same value); None when any
    cell is something else or beyond the bounds."""
    num = text.cast(pl.Int64, strict=False)
    if num.null_count() > int(skip.sum()):
        return None
    values = num.fill_null(0).to_numpy()
    if len(values) and (int(np.abs(values).max()) >= limits.LIMIT or (num.is_null().to_numpy() & ~skip).any()):
        return None
    return Scaled(np.where(skip, 0, values) if skip.any() else values, _den(0, kind))


def _plain(text: pl.Series, kind: str, skip: np.ndarray) -> Scaled | None:
    """The usual column — `7134`, `-12.5`: digits, at most one point, within the bounds, never
    ambiguous — read in a few expressions; None when any cell needs the whole rule."""
    plain = text.str.contains(PLAIN) & ~text.str.contains(rf"^-?{AMBIGUOUS_INTEGER}\.{AMBIGUOUS_FRACTION}$")
    if not (plain.fill_null(False).to_numpy() | skip).all():
        return None
    text = pl.select(pl.when(pl.Series(skip)).then(pl.lit("0")).otherwise(text)).to_series()
    longest = cast(int | None, text.str.extract(r"\.([0-9]+)$", 1).str.len_chars().max())  # None: no decimals
    scale = int(longest or 0)
    num = (
        (text.str.to_decimal(scale=scale) * 10**scale).cast(pl.Int64, strict=False)
        if scale
        else text.cast(pl.Int64, strict=False)
    )
    if num.null_count():  # beyond int64 at this scale: the whole rule, which holds Python ints
        return None
    return Scaled(num.to_numpy().astype(np.int64, copy=False), _den(scale, kind))


def _parts(text: pl.Series, pattern: str, kind: str, human: bool) -> pl.Series:
    """For each text: whether the expressions accept it, its sign, integer digits and decimals (significant)."""
    groups = text.str.extract_groups(f"^(?:{pattern})$")
    integer, fraction = groups.struct.field("int"), groups.struct.field("frac").fill_null("")
    ok = integer.is_not_null()
    if human:
        unit = groups.struct.field("unit").str.to_lowercase()
        ok = ok & (unit.is_null() | unit.is_in(list(UNITS.get(kind, ()))))
        ambiguous = (
            groups.struct.field("sep").is_not_null()
            & integer.str.contains(f"^{AMBIGUOUS_INTEGER}$")
            & fraction.str.contains(f"^{AMBIGUOUS_FRACTION}$")
        )
        ok = ok & ~ambiguous.fill_null(False)
        integer = integer.str.replace_all(f"[{GROUP_SPACES}_]", "")
        fraction = fraction.str.replace_all("_", "")
    integer = integer.str.strip_chars_start("0")
    fraction = fraction.str.strip_chars_end("0")
    ok = ok & (integer.str.len_chars() <= limits.MAX_INTEGER_DIGITS) & (fraction.str.len_chars() <= limits.MAX_DECIMALS)
    return pl.DataFrame(
        {"ok": ok, "negative": groups.struct.field("sign") == "-", "integer": integer, "fraction": fraction}
    ).to_struct()


def _assemble(series: pl.Series, kind: str, skip: np.ndarray, ok: np.ndarray, decimals: np.ndarray, build, raw_of):
    """Scaled values: `build(scale)` gives (int64 numerators, {row: Python int} too wide for int64) for
    the rows the vectorised path read (`ok`, each with its `decimals`); `read_written(raw_of(row))`
    reads the others, one by one, and says what is wrong with those it refuses."""
    one_by_one: dict[int, Decimal] = {}
    problems: dict[int, NumberProblem] = {}
    for flat in np.flatnonzero(~ok & ~skip):
        value = read_written(raw_of(int(flat)), kind)
        if isinstance(value, NumberProblem):
            problems[int(flat)] = value
        else:
            one_by_one[int(flat)] = value
    scale = max(
        [int(decimals[ok].max()) if ok.any() else 0]
        + [max(0, -cast(int, v.normalize().as_tuple().exponent)) for v in one_by_one.values()]
    )  # finite
    num, big = build(scale) if ok.any() else (np.zeros(len(series), dtype=np.int64), {})
    for row, value in one_by_one.items():
        scaled = int(value.scaleb(scale))
        if -(2**63) <= scaled < 2**63:
            num[row] = scaled
        else:
            big[row] = scaled
    if big:
        num = num.astype(object)
        for row, value in big.items():
            num[row] = value
    return Scaled(num, _den(scale, kind)), problems
