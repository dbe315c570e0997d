"""The numbers convcheck guarantees to compute exactly, shared by the language and every reader.

Every number the tool reads — a literal of a `.conv` file or of `--set`, a value of a
declaration or of a population — has an absolute value below 10¹⁵ and at most 9 decimals
(for a montant, below 10¹⁵ €; for a pourcentage, the value as written in percent: `12.5 %`
is 12.5 and has one decimal; trailing zeros do not count: `1.5000000000` has one). Within
these bounds a value has at most 24 significant digits, so that the decimal arithmetic of
the scalar evaluator (28 digits) and the integer arithmetic of the vectorised one stay exact.
A value beyond them is reported — never rounded, never a crash.

The checks read digits, not values: a literal of 5,000 digits is measured without being
converted (Python refuses `int()` above 4,300 digits and `Decimal` overflows past 10⁹⁹⁹⁹⁹⁹).
This module imports nothing else of ours: the parser (`dsl/`) and the readers
(`interpreter/io/numbers.py`) both use it.
"""

from __future__ import annotations

MAX_INTEGER_DIGITS = 15  # |x| < 10**15
MAX_DECIMALS = 9
LIMIT = 10**MAX_INTEGER_DIGITS

TOO_LARGE = "trop-grand"
TOO_PRECISE = "trop-de-decimales"


def digits_problem(integer: str, fraction: str, exponent: int = 0) -> str | None:
    """Why the number `integer.fraction × 10**exponent` (ASCII digits, no sign) is beyond the
    bounds — `TOO_LARGE` or `TOO_PRECISE` — or None when it is within them."""
    digits = integer + fraction
    point = len(integer) + exponent  # digits before the decimal point
    first = len(digits) - len(digits.lstrip("0"))
    last = len(digits.rstrip("0"))
    if first == len(digits):  # zero, however written
        return None
    if point - first > MAX_INTEGER_DIGITS:
        return TOO_LARGE
    if last - point > MAX_DECIMALS:
        return TOO_PRECISE
    return None


def decimals_of(integer: str, fraction: str, exponent: int = 0) -> int:
    """How many decimals the number needs (trailing zeros do not count)."""
    digits = (integer + fraction).rstrip("0")
    return max(0, len(digits) - len(integer) - exponent)


def shorten(text: str) -> str:
    """A value as the user wrote it, cut in the middle when it is too long to read."""
    if len(text) <= 32:
        return text
    digits = sum("0" <= c <= "9" for c in text)
    return f"{text[:12]}…{text[-6:]} ({digits} chiffres)"


def limit_text(problem: str, shown: str, percent: bool = False) -> tuple[str, str]:
    """(what is wrong, how to fix it), in French, for a number beyond the bounds."""
    written = " (écrit en pour cent)" if percent else ""
    if problem == TOO_LARGE:
        return (
            f"{shorten(shown)} est trop grand{written} : la valeur absolue doit rester inférieure à 10^15 "
            "(un million de milliards)",
            "convcheck calcule exactement les nombres inférieurs à 10^15 en valeur absolue, avec 9 décimales au "
            "plus ; vérifiez la valeur et son unité",
        )
    return (
        f"{shorten(shown)} a trop de décimales{written} : 9 au plus",
        "arrondissez la valeur à 9 décimales au plus (convcheck ne l'arrondit pas à votre place)",
    )
