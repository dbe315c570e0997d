"""Exact numbers: the arithmetic every backend and report shares, and how values are written.

Values are plain Python: `Decimal` for numbers, montants and pourcentages (a pourcentage
is held as its fraction: 50 % is `Decimal("0.5")`) — or a `Fraction` when a division does not
give a decimal (1/3) —, `bool`, `datetime.date`, and `str` for `choix` values.

Arithmetic is exact (`add`, `subtract`, `multiply`, `divide`, under the `EXACT` context): a decimal
operation that would have to round is redone with `Fraction`, so `n / 3 * 3 = n` always. The one
rounding is half away from zero (`round_half_away`): by `arrondi`, by the payment rules (each line to
the cent), and for display (`euros`, `french_number`…), never silently.

A leaf: it imports nothing of the interpreter, so that every backend and every report can read it.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Context, Decimal, DivisionByZero, Inexact, InvalidOperation, Overflow
from fractions import Fraction

from dsl.errors import ConvcheckError
from dsl.model import Type

# Exact or trapped: an operation that would round raises `Inexact`, and is redone with fractions.
EXACT = Context(prec=60, rounding=ROUND_HALF_UP, traps=[Inexact, InvalidOperation, DivisionByZero, Overflow])
CENT = Decimal("0.01")
ZERO = Decimal(0)
NO_MONEY = Decimal("0.00")  # an amount of zero, written with its cents
THIN_SPACE = "\u202f"  # the French thousands separator


class EvaluationError(ConvcheckError):
    """A structure makes an expression impossible to compute (a division by zero, an amount too large)."""


IMPOSSIBLE = "structure « {structure} » : {error}"  # how an `EvaluationError` is said of a structure


# ---- exact arithmetic ----------------------------------------------------------------------------------


def exact(value) -> Fraction:
    return value if isinstance(value, Fraction) else Fraction(value)


def add(a, b):
    if type(a) is Decimal and type(b) is Decimal:
        try:
            return a + b
        except Inexact:
            pass
    return exact(a) + exact(b)


def subtract(a, b):
    if type(a) is Decimal and type(b) is Decimal:
        try:
            return a - b
        except Inexact:
            pass
    return exact(a) - exact(b)


def multiply(a, b):
    if type(a) is Decimal and type(b) is Decimal:
        try:
            return a * b
        except Inexact:
            pass
    return exact(a) * exact(b)


def divide(a, b):
    if b == 0:
        raise EvaluationError("division par zéro")
    if type(a) is Decimal and type(b) is Decimal:
        try:
            return a / b
        except Inexact:
            pass
    return exact(a) / exact(b)


def negate(a):
    return a.copy_negate() if type(a) is Decimal else -a


QUANTA = {digits: Decimal(1).scaleb(-digits) for digits in range(11)}
# Rounding on purpose: no `Inexact` trap; a result beyond the precision is still refused.
ROUNDING = Context(prec=60, rounding=ROUND_HALF_UP, traps=[InvalidOperation])


def round_half_away(value, digits: int) -> Decimal:
    """The value rounded to `digits` decimals, half away from zero, as a Decimal."""
    if type(value) is Decimal:
        try:
            return value.quantize(QUANTA.get(digits) or Decimal(1).scaleb(-digits), context=ROUNDING)
        except InvalidOperation:
            pass
    fraction = exact(value) * 10**digits
    units, rest = divmod(abs(fraction.numerator), fraction.denominator)
    units += 2 * rest >= fraction.denominator
    return Decimal(f"{-units if fraction < 0 else units}E-{digits}")  # exact: scaleb() would round past 28 digits


def decimal_places(number: Fraction) -> int | None:
    """How many decimals a fraction has written exactly as a decimal, or None when it does not terminate
    (its denominator does not divide a power of ten)."""
    den = number.denominator
    twos = fives = 0
    while den % 2 == 0:
        den //= 2
        twos += 1
    while den % 5 == 0:
        den //= 5
        fives += 1
    return max(twos, fives) if den == 1 else None


def as_decimal(number: Fraction) -> Decimal | None:
    """The exact decimal of a fraction whose denominator divides a power of ten, else None."""
    places = decimal_places(number)
    return None if places is None else round_half_away(number, places)


# ---- writing values --------------------------------------------------------------------------------------


def euros_of(cents) -> Decimal:
    """Integer cents (the populations' unit) as exact euros."""
    return Decimal(int(cents)) / 100


def to_cents(amount) -> Decimal:
    """An amount rounded to the cent for display, half away from zero."""
    return round_half_away(amount, 2)


def plain(number) -> str:
    """A number without exponent or useless trailing zeros: 1100, 916.575, 0.5 — or 1/3 when it
    has no decimal writing."""
    if isinstance(number, Fraction):
        decimal = as_decimal(number)
        if decimal is None:
            return f"{number.numerator}/{number.denominator}"
        number = decimal
    if not number:  # a decimal zero may carry a sign (0 × -3 is -0): zero is written 0
        return "0"
    text = format(number, "f")  # every digit, whatever the context's precision (`normalize` would round past 28)
    return text.rstrip("0").rstrip(".") if "." in text else text


def share_text(value) -> str:
    """A share of the year as a fraction: `7/12`, `1/2`, `1`."""
    fraction = Fraction(value)
    return str(fraction.numerator) if fraction.denominator == 1 else f"{fraction.numerator}/{fraction.denominator}"


def conv_text(value, type_: Type | None = None) -> str:
    """A value as it would be written in a `.conv` file: `7 €`, `10 %`, `vrai`, `metropole`."""
    if isinstance(value, bool):
        return "vrai" if value else "faux"
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, str):
        return value
    kind = type_.kind if type_ is not None else "nombre"
    if kind == "montant":
        return f"{plain(value)} €"
    if kind == "pourcentage":
        return f"{plain(value * 100)} %"
    return plain(value)


def _grouped(whole: str) -> str:
    """Digits grouped by thousands with the French thin space: 27300 → 27 300."""
    return f"{int(whole or 0):,}".replace(",", THIN_SPACE)


def euros(amount: Decimal | Fraction) -> str:
    """An amount for French readers: `27 300,00 €`."""
    sign = "-" if amount < 0 else ""
    whole, cents = f"{to_cents(amount).copy_abs():.2f}".split(".")  # copy_abs: exact (abs() rounds past 28 digits)
    return f"{sign}{_grouped(whole)},{cents} €"


def signed_euros(amount: Decimal) -> str:
    """An amount with its sign, for changes: `+6 300,00 €`, `-1 400,00 €`, `0,00 €`."""
    return ("+" if amount > 0 else "") + euros(amount)


def rounded(number, places: int) -> Decimal:
    """A number rounded for display (never for computing), half away from zero."""
    return round_half_away(number, places)


def french_number(number: Decimal | Fraction, places: int = 3) -> str:
    """A number of points for French readers: `3 900`, `916,575` (at most `places` decimals)."""
    if (
        isinstance(number, Fraction)
        and number.denominator == 1
        or isinstance(number, Decimal)
        and number == number.to_integral_value()
    ):  # most counts: no rounding
        return f"{int(number):,}".replace(",", THIN_SPACE)
    text = plain(rounded(number, places))
    sign = "-" if text.startswith("-") else ""
    text = text.lstrip("-")
    whole, _, fraction = text.partition(".")
    return f"{sign}{_grouped(whole)}{',' + fraction if fraction else ''}"


def reader_text(value, type_: Type | None = None) -> str:
    """A value for a French reader: `27 300,00 €`, `916,575`, `10 %`, `vrai`."""
    if isinstance(value, (Decimal, Fraction)):
        kind = type_.kind if type_ is not None else "nombre"
        if kind == "montant":
            return euros(value)
        if kind == "pourcentage":
            return f"{french_number(value * 100)} %"
        return french_number(value)
    return conv_text(value, type_)


def short_euros(amount: Decimal) -> str:
    """An amount for a sentence: `4,31 M€` from a million, `12 480 €` from a thousand, `27,30 €` below."""
    sign = "-" if amount < 0 else ""
    size = abs(amount)
    if size >= 1_000_000:
        return f"{sign}{french_number(size / 1_000_000, 2)} M€"
    if size >= 1_000:
        return f"{sign}{_grouped(str(int(round_half_away(size, 0))))} €"
    return euros(amount)


def percent_text(part, whole, signed: bool = False) -> str:
    """A share in percent with one decimal and a decimal comma: `2,1 %`, `+2,1 %` (— for no whole)."""
    if not whole:
        return "—"
    value = round_half_away(Decimal(part) * 100 / Decimal(whole), 1)
    sign = "+" if signed and value > 0 else ""
    return f"{sign}{value:.1f} %".replace(".", ",")
