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

`read_number` reads one value (the declarations' path and the reference);
`interpreter.io.number_columns.read_numbers` reads a whole column with polars expressions
implementing the same rule, and hands each value its
expressions do not accept — a problem, a float written with an exponent, a value too large for
int64 at the column's scale — to `read_number`, one by one. Problems therefore always come from
`read_number`, and the values of both paths are the same (a property test checks it).
"""

from __future__ import annotations

import re
from decimal import Decimal

from dsl import limits
from dsl.records import frozen

BLANKS = " \t\u00a0\u202f"
GROUP_SPACES = " \u00a0\u202f"
_INTEGER = rf"[0-9]{{1,3}}(?:[{GROUP_SPACES}][0-9]{{3}})+|[0-9](?:_?[0-9])*"
_DIGITS = r"[0-9](?:_?[0-9])*"
_UNIT = r"€|[eE][uU][rR]|%"
TEXT = (
    rf"[{BLANKS}]*(?P<sign>[+-]?)(?P<int>{_INTEGER})(?:(?P<sep>[.,])(?P<frac>{_DIGITS}))?"
    rf"[{BLANKS}]*(?P<unit>{_UNIT})?[{BLANKS}]*"
)
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
    assert isinstance(exponent, int)  # a finite Decimal's
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
    sign, integer, fraction, written_exponent = match.group("sign", "int", "frac", "exp")
    integer, fraction = integer.replace("_", ""), (fraction or "").replace("_", "")
    exponent = (written_exponent or "0").replace("_", "")
    zero = not (integer + fraction).strip("0")
    if zero:
        return Decimal(0)
    if len(exponent.lstrip("+-").lstrip("0")) > 9:  # 10**±(a billion): measured without computing it
        beyond = limits.TOO_PRECISE if exponent.startswith("-") else limits.TOO_LARGE
        return _beyond(beyond, text, kind)
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
    return NumberProblem(
        AMBIGUOUS,
        shown,
        f"« {separator} » sépare-t-il des milliers ou des décimales ?",
        f"écrivez {sign}{integer}{fraction} s'il s'agit de milliers, ou {sign}{integer}.{decimals} "
        "s'il s'agit de décimales",
    )


def _several_separators(shown: str, match: re.Match) -> NumberProblem:
    sign = "-" if match.group("sign") == "-" else ""
    body = re.sub(f"[{BLANKS}]|€|[eE][uU][rR]|%", "", shown).lstrip("+-")
    separators = re.findall(r"[.,]", body)
    pieces = re.split(r"[.,]", body)
    if len(set(separators)) == 1:
        hint = (
            f"écrivez {sign}{''.join(pieces)} s'il s'agit de milliers (sans séparateur, ou groupés par des "
            "espaces : 1 234 567)"
        )
    else:
        hint = (
            f"si « {separators[-1]} » sépare les décimales, écrivez {sign}{''.join(pieces[:-1])}.{pieces[-1]} "
            "(sans séparateur de milliers, ou groupés par des espaces)"
        )
    return NumberProblem(AMBIGUOUS, shown, "plusieurs séparateurs « . » ou « , » : milliers ou décimales ?", hint)
