"""The one place that decides what an input number is: declarations, populations, and soon scenarios.

Two kinds of input reach a numeric donnée (entier, nombre, montant, pourcentage):

**A number written as text** — a CSV cell, a string of JSON, JSON Lines, YAML or TOML (a
YAML scalar is text, quoted or not), a text column of a Parquet file. The whole text must be:

1. blanks (space, tab, no-break space U+00A0, narrow no-break space U+202F), ignored at both ends;
2. an optional sign `+` or `-`, directly before the digits;
3. the integer part: ASCII digits, grouped either by `_` between two digits (`1_100`, as in
   the language) or by spaces (space, U+00A0, U+202F) into groups of exactly three
   (`1 234 567`) — or not grouped;
4. an optional decimal part: one `.` or one `,`, then at least one digit (`_` allowed between
   digits);
5. an optional unit at the end, after optional blanks: `€` or `EUR` (any case) for a montant,
   `%` for a pourcentage — a unit is refused for any other type.

It is **ambiguous, hence refused** (code `nombre-ambigu`), when the separator could be one
of thousands: a single `.` or `,` followed by exactly three digits, after an integer part of
one to three digits, ungrouped and not starting with 0 — `4.000`, `1,234`, `-12.500 €` (write
`4000` or `4.0`). Two or more separators among `.` and `,` (`1.234,5`, `1,234.5`,
`1.234.567`) are refused as ambiguous too. Accepted: `7,5`, `7.50`, `0,125`, `1234,567`,
`1 234,567`, `1_234.5`, `7 €`, `75 %`. No exponent (`1e3`), no separator without a digit on
each side (`.5`, `5.`).

**A number written as a number** — a number of JSON, JSON Lines or TOML, a numeric column of
Parquet. It follows its format: the point is a decimal point, exponents are allowed, a float
is the shortest decimal that gives it back (`0.1`, not 0.1000000000000000055…); NaN and
infinities are refused. The same three characters `4.000` are thus 4 as a JSON number and
ambiguous as a JSON string: in a file, a string is what a person typed.

**Bounds** (`dsl.limits`): absolute value below 10¹⁵ and at most 9 decimals, trailing zeros not
counted; a pourcentage is measured as written in percent. Beyond, the value is refused (code
`nombre-hors-limites`) — measured on its digits, before any conversion, so that a value of
thousands of digits is reported rather than crashing.

`read_number` reads one value (the declarations' path and the reference); `read_numbers` reads
a whole column with polars expressions implementing the same rule, and hands each value its
expressions do not accept — a problem, a float written with an exponent, a value too large for
int64 at the column's scale — to `read_number`, one by one. Problems therefore always come from
`read_number`, and the values of both paths are the same (a property test checks it).
"""

from __future__ import annotations

import re
from decimal import Decimal, localcontext

import numpy as np
import polars as pl
from attrs import frozen

from dsl import limits

BLANKS = " \t\u00a0\u202f"
GROUP_SPACES = " \u00a0\u202f"
_INTEGER = rf"[0-9]{{1,3}}(?:[{GROUP_SPACES}][0-9]{{3}})+|[0-9](?:_?[0-9])*"
_DIGITS = r"[0-9](?:_?[0-9])*"
_UNIT = r"€|[eE][uU][rR]|%"
TEXT = (rf"[{BLANKS}]*(?P<sign>[+-]?)(?P<int>{_INTEGER})(?:(?P<sep>[.,])(?P<frac>{_DIGITS}))?"
        rf"[{BLANKS}]*(?P<unit>{_UNIT})?[{BLANKS}]*")
# Several separators among `.` and `,`: a person's grouping, which we do not guess.
SEPARATORS = rf"[{BLANKS}]*(?P<sign>[+-]?)[0-9]+(?:[.,][0-9]+){{2,}}[{BLANKS}]*(?:{_UNIT})?[{BLANKS}]*"
AMBIGUOUS_INTEGER = r"[1-9][0-9]{0,2}"
AMBIGUOUS_FRACTION = r"[0-9]{3}"
# A number as JSON, TOML, Python or polars write it.
TOKEN = rf"(?P<sign>[+-]?)(?P<int>{_DIGITS})(?:\.(?P<frac>{_DIGITS}))?(?:[eE](?P<exp>[+-]?{_DIGITS}))?"
SIMPLE_TOKEN = r"(?P<sign>-?)(?P<int>[0-9]+)(?:\.(?P<frac>[0-9]+))?"  # what the column path reads itself

_TEXT, _SEPARATORS, _TOKEN = re.compile(TEXT), re.compile(SEPARATORS), re.compile(TOKEN)
UNITS = {"montant": ("€", "eur"), "pourcentage": ("%",)}
NUMERIC = ("entier", "nombre", "montant", "pourcentage")

TYPE = "type"  # not a number at all: the caller says what the donnée expects
AMBIGUOUS = "nombre-ambigu"
BEYOND = "nombre-hors-limites"


class NumberToken(str):
    """A number as written in a typed format (JSON, TOML, a float's shortest text): the point is decimal."""

    __slots__ = ()


@frozen
class NumberProblem:
    """Why a value is not a number this tool accepts."""

    code: str  # TYPE, AMBIGUOUS or BEYOND
    shown: str  # the value as written (or as its format shows it)
    detail: str | None = None  # AMBIGUOUS and BEYOND: what is wrong
    hint: str | None = None

    def message(self, donnee: str, expected: str) -> str:
        """The French message, naming the donnée; `expected` says what a TYPE problem expected."""
        if self.code == TYPE:
            return f"« {donnee} » attend {expected}, pas « {limits.shorten(self.shown)} »"
        if self.code == AMBIGUOUS:
            return f"« {donnee} » = « {self.shown} » est ambigu : {self.detail}"
        return f"« {donnee} » = {self.detail}"


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

    def value(self, row: int) -> Decimal:
        """The exact value of one row."""
        with localcontext() as context:
            context.prec = 60
            return Decimal(int(self.num[row])) / self.den


# ---- one value -------------------------------------------------------------------------------------


def read_number(raw, kind: str) -> Decimal | NumberProblem:
    """The runtime value of one input number (a pourcentage as its fraction), or why it is refused.

    `raw` is text (`str`: a person's writing), a `NumberToken`, an int, a `Decimal` or a float
    (a number of a typed format); anything else is not a number.
    """
    written = read_written(raw, kind)
    if isinstance(written, NumberProblem) or kind != "pourcentage":
        return written
    return written / 100


def read_written(raw, kind: str) -> Decimal | NumberProblem:
    """The number as written (a pourcentage in percent), or why it is refused."""
    if isinstance(raw, bool) or raw is None:
        return NumberProblem(TYPE, _shown(raw))
    if isinstance(raw, NumberToken):
        return _token(str(raw), kind)
    if isinstance(raw, str):
        return _text(raw, kind)
    if isinstance(raw, int):
        if -limits.LIMIT < raw < limits.LIMIT:
            return Decimal(raw)
        return _beyond(limits.TOO_LARGE, _int_text(raw), kind)
    if isinstance(raw, Decimal):
        return _decimal(raw, kind)
    if isinstance(raw, float):
        return _token(repr(raw), kind) if raw == raw and abs(raw) != float("inf") else NumberProblem(TYPE, repr(raw))
    return NumberProblem(TYPE, _shown(raw))


def _shown(raw) -> str:
    if isinstance(raw, bool):
        return "vrai" if raw else "faux"
    if isinstance(raw, (list, dict, tuple)):
        return "une liste ou une table"
    return "" if raw is None else str(raw)


def _int_text(value: int) -> str:
    try:
        return str(value)
    except ValueError:  # beyond Python's 4,300 digits for int → str
        return "un entier de plus de 4 300 chiffres"


def _decimal(value: Decimal, kind: str) -> Decimal | NumberProblem:
    if not value.is_finite():
        return NumberProblem(TYPE, str(value))
    sign, digits, exponent = value.as_tuple()
    problem = limits.digits_problem("".join(map(str, digits)), "", exponent)
    if problem is not None:
        return _beyond(problem, str(value), kind)
    return value


def _text(text: str, kind: str) -> Decimal | NumberProblem:
    """A person's writing of a number (see the module docstring for the rule)."""
    shown = text.strip(BLANKS)
    match = _TEXT.fullmatch(text)
    if match is None:
        several = _SEPARATORS.fullmatch(text)
        return _several_separators(shown, several) if several else NumberProblem(TYPE, shown)
    sign, integer, separator, fraction, unit = match.group("sign", "int", "sep", "frac", "unit")
    if unit is not None and unit.lower() not in UNITS.get(kind, ()):
        return NumberProblem(TYPE, shown)
    if separator and re.fullmatch(AMBIGUOUS_INTEGER, integer) and re.fullmatch(AMBIGUOUS_FRACTION, fraction):
        return _single_separator(shown, sign, integer, separator, fraction)
    integer = re.sub(f"[{GROUP_SPACES}_]", "", integer)
    fraction = (fraction or "").replace("_", "")
    problem = limits.digits_problem(integer, fraction)
    if problem is not None:
        return _beyond(problem, shown, kind)
    return _compose(sign, integer, fraction, 0)


def _token(text: str, kind: str) -> Decimal | NumberProblem:
    """A number as a typed format writes it: `-0.5`, `1E+20`, `1_000.5` (TOML)."""
    match = _TOKEN.fullmatch(text)
    if match is None:
        return NumberProblem(TYPE, text)
    sign, integer, fraction, exponent = match.group("sign", "int", "frac", "exp")
    integer, fraction = integer.replace("_", ""), (fraction or "").replace("_", "")
    exponent = (exponent or "0").replace("_", "")
    zero = not (integer + fraction).strip("0")
    if zero:
        return Decimal(0)
    if len(exponent.lstrip("+-").lstrip("0")) > 9:  # 10**±(a billion): measured without computing it
        problem = limits.TOO_PRECISE if exponent.startswith("-") else limits.TOO_LARGE
        return _beyond(problem, text, kind)
    problem = limits.digits_problem(integer, fraction, int(exponent))
    if problem is not None:
        return _beyond(problem, text, kind)
    return _compose(sign, integer, fraction, int(exponent))


def _compose(sign: str, integer: str, fraction: str, exponent: int) -> Decimal:
    """The exact Decimal of digits within the bounds, keeping the written decimals (at most 9 of
    them once trailing zeros beyond the ninth are dropped) when there is no exponent."""
    sign = "-" if sign == "-" else ""
    integer = integer.lstrip("0") or "0"
    if exponent == 0:
        kept = max(len(fraction.rstrip("0")), min(len(fraction), limits.MAX_DECIMALS))
        return Decimal(f"{sign}{integer}.{fraction[:kept]}" if kept else f"{sign}{integer}")
    digits = (integer + fraction).lstrip("0")
    significant = digits.rstrip("0")
    if not significant:
        return Decimal(0)
    return Decimal(f"{sign}{significant}E{exponent - len(fraction) + len(digits) - len(significant)}")


def _beyond(problem: str, shown: str, kind: str) -> NumberProblem:
    detail, hint = limits.limit_text(problem, shown, percent=kind == "pourcentage")
    return NumberProblem(BEYOND, shown, detail, hint)


def _single_separator(shown: str, sign: str, integer: str, separator: str, fraction: str) -> NumberProblem:
    sign = "-" if sign == "-" else ""
    decimals = fraction.rstrip("0") or "0"
    if len(decimals) == 3:
        decimals += "0"
    return NumberProblem(AMBIGUOUS, shown, f"« {separator} » sépare-t-il des milliers ou des décimales ?",
                         f"écrivez {sign}{integer}{fraction} s'il s'agit de milliers, ou {sign}{integer}.{decimals} "
                         "s'il s'agit de décimales")


def _several_separators(shown: str, match: re.Match) -> NumberProblem:
    sign = "-" if match.group("sign") == "-" else ""
    body = re.sub(f"[{BLANKS}]|€|[eE][uU][rR]|%", "", shown).lstrip("+-")
    separators = re.findall(r"[.,]", body)
    pieces = re.split(r"[.,]", body)
    if len(set(separators)) == 1:
        hint = (f"écrivez {sign}{''.join(pieces)} s'il s'agit de milliers (sans séparateur, ou groupés par des "
                "espaces : 1 234 567)")
    else:
        hint = (f"si « {separators[-1]} » sépare les décimales, écrivez {sign}{''.join(pieces[:-1])}.{pieces[-1]} "
                "(sans séparateur de milliers, ou groupés par des espaces)")
    return NumberProblem(AMBIGUOUS, shown, "plusieurs séparateurs « . » ou « , » : milliers ou décimales ?", hint)


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
    return _assemble(series, kind, skip, nothing, nothing, lambda scale: (np.zeros(size, dtype=np.int64), {}),
                     lambda row: series[row])


def _den(scale: int, kind: str) -> int:
    return 10**scale * (100 if kind == "pourcentage" else 1)


def _integers(series: pl.Series, kind: str, skip: np.ndarray):
    """Integer columns: within the bounds as they are; the others are refused, one by one."""
    size = len(series)
    if series.dtype not in (pl.UInt64, pl.Int128):
        series = series.cast(pl.Int64)
    outside = series >= limits.LIMIT
    if series.dtype != pl.UInt64:
        outside = outside | (series <= -limits.LIMIT)
    outside = outside.fill_null(False).to_numpy()
    num = series.cast(pl.Int64, strict=False).fill_null(0).to_numpy().astype(np.int64, copy=False)
    problems = {int(row): read_written(int(series[int(row)]), kind) for row in np.flatnonzero(outside & ~skip)}
    num = np.where(outside | skip, 0, num)
    return Scaled(num, _den(0, kind)), problems


def _texts(series: pl.Series, text: pl.Series, typed: np.ndarray, kind: str, skip: np.ndarray):
    """Text read by polars expressions where they can, by `read_written` elsewhere."""
    if not typed.any():
        plain = _plain(text, kind, skip)
        if plain is not None:
            return plain, {}
        parts = _parts(text, TEXT, kind, human=True)
    elif typed.all():
        parts = _parts(text, SIMPLE_TOKEN, kind, human=False)
    else:
        human, token = _parts(text, TEXT, kind, human=True), _parts(text, SIMPLE_TOKEN, kind, human=False)
        parts = pl.select(pl.when(pl.Series(typed)).then(token).otherwise(human)).to_series()
    parts = parts.struct.unnest()
    ok = parts["ok"].fill_null(False).to_numpy() & ~skip
    negative = parts["negative"].fill_null(False).to_numpy()

    def build(scale: int):
        digits = (parts["integer"] + parts["fraction"].str.pad_end(scale, "0")).str.replace(r"^$", "0")
        values = digits.cast(pl.Int64, strict=False)
        overflow = values.is_null().to_numpy() & ok
        num = np.where(ok & ~overflow, values.fill_null(0).to_numpy(), 0).astype(np.int64)
        big = {int(row): int(digits[int(row)]) * (-1 if negative[row] else 1) for row in np.flatnonzero(overflow)}
        return np.where(negative, -num, num), big

    decimals = parts["fraction"].str.len_chars().fill_null(0).to_numpy()
    return _assemble(series, kind, skip, ok, decimals, build,
                     lambda row: NumberToken(text[row]) if typed[row] else text[row])


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
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(limits.MAX_DECIMALS + 1):
            nearest = np.rint(x * 10.0**k)
            found = ((places < 0) & finite & (np.abs(nearest) < 2**53) & (nearest / 10.0**k == x)
                     & (np.spacing(np.abs(x)) * 10.0**k < 0.5))
            places[found] = k
            candidate[found] = nearest[found]
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


def _plain(text: pl.Series, kind: str, skip: np.ndarray) -> Scaled | None:
    """The usual column — `7134`, `-12.5`: digits, at most one point, within the bounds, never
    ambiguous — read in a few expressions; None when any cell needs the whole rule."""
    plain = text.str.contains(PLAIN) & ~text.str.contains(rf"^-?{AMBIGUOUS_INTEGER}\.{AMBIGUOUS_FRACTION}$")
    if not (plain.fill_null(False).to_numpy() | skip).all():
        return None
    text = pl.select(pl.when(pl.Series(skip)).then(pl.lit("0")).otherwise(text)).to_series()
    scale = int(text.str.extract(r"\.([0-9]+)$", 1).str.len_chars().max() or 0)
    num = (text.str.to_decimal(scale=scale) * 10**scale).cast(pl.Int64, strict=False) if scale else \
        text.cast(pl.Int64, strict=False)
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
        ambiguous = (groups.struct.field("sep").is_not_null() & integer.str.contains(f"^{AMBIGUOUS_INTEGER}$")
                     & fraction.str.contains(f"^{AMBIGUOUS_FRACTION}$"))
        ok = ok & ~ambiguous.fill_null(False)
        integer = integer.str.replace_all(f"[{GROUP_SPACES}_]", "")
        fraction = fraction.str.replace_all("_", "")
    integer = integer.str.strip_chars_start("0")
    fraction = fraction.str.strip_chars_end("0")
    ok = ok & (integer.str.len_chars() <= limits.MAX_INTEGER_DIGITS) & (fraction.str.len_chars() <= limits.MAX_DECIMALS)
    return pl.DataFrame({"ok": ok, "negative": groups.struct.field("sign") == "-", "integer": integer,
                         "fraction": fraction}).to_struct()


def _assemble(series: pl.Series, kind: str, skip: np.ndarray, ok: np.ndarray, decimals: np.ndarray, build,
              raw_of):
    """Scaled values: `build(scale)` gives (int64 numerators, {row: Python int} too wide for int64) for
    the rows the vectorised path read (`ok`, each with its `decimals`); `read_written(raw_of(row))`
    reads the others, one by one, and says what is wrong with those it refuses."""
    one_by_one: dict[int, Decimal] = {}
    problems: dict[int, NumberProblem] = {}
    for row in np.flatnonzero(~ok & ~skip):
        value = read_written(raw_of(int(row)), kind)
        if isinstance(value, NumberProblem):
            problems[int(row)] = value
        else:
            one_by_one[int(row)] = value
    scale = max([int(decimals[ok].max()) if ok.any() else 0]
                + [max(0, -v.normalize().as_tuple().exponent) for v in one_by_one.values()])
    num, big = build(scale) if ok.any() else (np.zeros(len(series), dtype=np.int64), {})
    for row, value in one_by_one.items():
        scaled = int(value.scaleb(scale))
        if -2**63 <= scaled < 2**63:
            num[row] = scaled
        else:
            big[row] = scaled
    if big:
        num = num.astype(object)
        for row, value in big.items():
            num[row] = value
    return Scaled(num, _den(scale, kind)), problems
