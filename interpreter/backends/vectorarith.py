"""Exact rationals over a whole population, for the vector backend (`interpreter.backends.vector`): the values
(`Num`, `Flag`, `Code`) and integer arithmetic that cannot overflow.

A number is `num / den` per row: `num` an int64 array, or a numpy array of Python integers where int64 could not
hold it, or one Python int for all rows; `den` one positive Python int or an array. Each value carries bounds of
its numerator and denominator; before an operation is made, the bounds of its result are worked out, and when they
do not fit int64 the operation is done on Python integers instead. A value also carries the rows where it is
undefined (`bad`). One array operation per node, no per-structure loop.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import numpy as np

LIMIT = 2**62  # an int64 array never holds a magnitude beyond this


# ---- values -------------------------------------------------------------------------------------------


class Num:
    """Exact rationals `num / den` per row, with bounds (`nb` ≥ max |num|, `db` ≥ max den) and the rows
    where the value is undefined (`bad`, None when there are none)."""

    __slots__ = ("num", "den", "nb", "db", "bad")

    def __init__(self, num, den, nb: int, db: int, bad=None):
        self.num, self.den, self.nb, self.db, self.bad = num, den, nb, db, bad

    @classmethod
    def constant(cls, value) -> Num:
        numerator, denominator = Fraction(value).as_integer_ratio()
        return cls(numerator, denominator, abs(numerator), denominator)


class Flag:
    """A condition per row (a bool array, or one bool for all rows)."""

    __slots__ = ("value", "bad")

    def __init__(self, value, bad=None):
        self.value = bool(value) if isinstance(value, np.bool_) else value
        self.bad = bad


class Code:
    """A date (days since 1970-01-01) or a `choix` value (its index in the list of choices) per row:
    values that only compare."""

    __slots__ = ("value", "bad")

    def __init__(self, value, bad=None):
        self.value, self.bad = value, bad


def union(*masks):
    """The rows bad in any of the masks (None for none)."""
    result = None
    for mask in masks:
        if mask is not None:
            result = mask if result is None else result | mask
    return result


def restrict(mask, where):
    """The bad rows of a part computed only where `where` holds."""
    if mask is None or where is True:
        return mask
    if where is False:
        return None
    return mask & where


# ---- integer arithmetic that cannot overflow ----------------------------------------------------------


def big(value):
    """Python integers: an int64 array as an object array; a Python int stays one where it fits int64,
    else becomes a 0-d object array (so numpy never tries to make it a C long)."""
    if isinstance(value, np.ndarray) and value.dtype != object:
        return value.astype(object)
    if isinstance(value, int) and not fits(abs(value)):
        return np.array(value, dtype=object)
    return value


def fits(bound: int) -> bool:
    return bound < LIMIT


def aligned(a, b, bound: int):
    """Both operands ready for one numpy operation whose result is bounded by `bound`: Python integers
    wherever the result or a Python int operand would not fit int64."""
    if not fits(bound) or (isinstance(a, int) and not fits(abs(a))) or (isinstance(b, int) and not fits(abs(b))):
        return big(a), big(b)
    return a, b


def times(a, b, bound: int):
    """a × b, where |a × b| ≤ bound: in int64 when the bound fits, else in Python integers."""
    if isinstance(a, int) and isinstance(b, int):
        return a * b
    if isinstance(b, int) and b == 1:  # common denominators often scale by one: no copy
        return a
    if isinstance(a, int) and a == 1:
        return b
    a, b = aligned(a, b, bound)
    return a * b


def plus(a, b, bound: int, sign: int = 1):
    """a ± b, where |a ± b| ≤ bound."""
    if isinstance(a, int) and isinstance(b, int):
        return a + sign * b
    a, b = aligned(a, b, bound)
    return a + b if sign > 0 else a - b


def magnitude(values) -> int:
    """The largest absolute value (exact, as a Python int)."""
    if isinstance(values, int):
        return abs(values)
    if len(values) == 0:
        return 0
    return int(np.max(np.abs(values)))


def tighten(value: Num) -> Num:
    """Bounds from the values themselves, and an int64 array again when they fit."""
    nb = magnitude(value.num)
    num = value.num
    if isinstance(num, np.ndarray) and num.dtype == object and fits(nb):
        num = num.astype(np.int64)
    den, db = value.den, value.db
    if isinstance(den, np.ndarray):
        db = magnitude(den)
        if den.dtype == object and fits(db):
            den = den.astype(np.int64)
    return Num(num, den, nb, db, value.bad)


def common(a: Num, b: Num) -> tuple[Any, Any, Any, int, int, int]:
    """Numerators of a and b over one denominator: (a's, b's, denominator, their bounds)."""
    if isinstance(a.den, int) and isinstance(b.den, int):
        if a.den == b.den:
            return a.num, b.num, a.den, a.nb, b.nb, a.db
        lcm = math.lcm(a.den, b.den)
        fa, fb = lcm // a.den, lcm // b.den
        return times(a.num, fa, a.nb * fa), times(b.num, fb, b.nb * fb), lcm, a.nb * fa, b.nb * fb, lcm
    left, right = times(a.num, b.den, a.nb * b.db), times(b.num, a.den, b.nb * a.db)
    return left, right, times(a.den, b.den, a.db * b.db), a.nb * b.db, b.nb * a.db, a.db * b.db


def add(a: Num, b: Num, sign: int = 1) -> Num:
    x, y, den, bx, by, db = common(a, b)
    return reduced(Num(plus(x, y, bx + by, sign), den, bx + by, db, union(a.bad, b.bad)))


def sum_of(values: list[Num], zero: Num) -> Num:
    """The sum of the values (`zero` for none): those over one same denominator added together first, so
    that each group is brought to a common denominator once."""
    groups: dict[Any, list[Num]] = {}
    for value in values:
        groups.setdefault(value.den if isinstance(value.den, int) else None, []).append(value)
    result = None
    for group in groups.values():
        part = group[0]
        for value in group[1:]:
            part = add(part, value)
        result = part if result is None else add(result, part)
    return zero if result is None else result


def multiply(a: Num, b: Num) -> Num:
    nb, db = a.nb * b.nb, a.db * b.db
    return reduced(Num(times(a.num, b.num, nb), times(a.den, b.den, db), nb, db, union(a.bad, b.bad)))


def divide(a: Num, b: Num) -> Num:
    """a ÷ b; rows dividing by zero are undefined."""
    if isinstance(b.num, int):
        if b.num == 0:
            return Num(0, 1, 0, 1, union(a.bad, b.bad, np.True_))
        sign = -1 if b.num < 0 else 1
        return multiply(a, Num(sign * b.den, abs(b.num), b.db, abs(b.num), b.bad))
    zero = b.num == 0
    divisor = np.where(zero, 1, b.num)
    signs = np.where(divisor < 0, -1, 1)
    numerator = times(times(a.num, b.den, a.nb * b.db), signs, a.nb * b.db)
    denominator = times(a.den, np.abs(divisor), a.db * b.nb)
    bad = union(a.bad, b.bad, zero if zero.any() else None)
    return reduced(Num(numerator, denominator, a.nb * b.db, a.db * max(b.nb, 1), bad))


def reduced(value: Num) -> Num:
    """Divide out common factors when the denominator grows, so values stay in int64 when they can."""
    if value.db <= 10**9:
        return value
    if isinstance(value.den, int):
        g = math.gcd(value.den, _gcd_all(value.num))
        if g > 1:
            num, divisor = aligned(value.num, g, value.nb)
            return tighten(Num(num // divisor, value.den // g, value.nb // g, value.db // g, value.bad))
        return value
    num = value.num
    if isinstance(num, int):
        num = np.full(len(value.den), num, dtype=np.int64 if fits(abs(num)) else object)
    if num.dtype != object and value.den.dtype != object:
        common = np.gcd(num, value.den)
    else:
        common = np.frompyfunc(math.gcd, 2, 1)(num, value.den)
    common = np.where(common == 0, 1, common)
    return tighten(Num(num // common, value.den // common, value.nb, value.db, value.bad))


def _gcd_all(values) -> int:
    if isinstance(values, int):
        return values
    if values.dtype == object:
        return math.gcd(*values.tolist()) if len(values) else 0
    return int(np.gcd.reduce(values)) if len(values) else 0


def round_half_away(value: Num, digits: int) -> Num:
    """Round to `digits` decimals, half away from zero, exactly."""
    scale = 10**digits
    den = value.den
    if isinstance(den, int):  # scale / den reduced first: a denominator dividing the scale needs no division
        g = math.gcd(scale, den)
        factor, den = scale // g, den // g
        if den == 1:
            num = times(value.num, factor, value.nb * factor)
            return Num(num, scale, value.nb * factor, scale, value.bad)
    else:
        factor = scale
    scaled = times(value.num, factor, value.nb * factor)
    if isinstance(scaled, int) and isinstance(den, int):
        q, r = divmod(abs(scaled), den)
        q += 2 * r >= den
        return Num(-q if scaled < 0 else q, scale, q, scale, value.bad)
    # |x| rounded half up is ⌊(2|x| + den) / 2den⌋ with x = scaled / den: one division.
    signed = scaled.dtype == object or scaled.min(initial=0) < 0
    bound = 2 * value.nb * factor + value.db
    if not signed and isinstance(den, int) and fits(bound) and scaled.dtype == np.int64 and scaled is not value.num:
        scaled *= 2  # a fresh array of this function's own: worked in place
        scaled += den
        scaled //= 2 * den
        return Num(scaled, scale, value.nb * factor + 1, scale, value.bad)
    size, den = aligned(abs(scaled) if signed else scaled, den, bound)
    q = (2 * size + den) // (2 * den)
    result = np.where(scaled < 0, -q, q) if signed else q  # amounts are mostly positive: one pass less
    if result.dtype == object and fits(value.nb * factor + 1):
        result = result.astype(np.int64)
    return Num(result, scale, value.nb * factor + 1, scale, value.bad)


COMPARISONS = {
    "=": np.equal,
    "!=": np.not_equal,
    "<": np.less,
    "<=": np.less_equal,
    ">": np.greater,
    ">=": np.greater_equal,
}


def comparison(op: str, a, b) -> Flag:
    if isinstance(a, Num):
        x, y, _, bx, by, _ = common(a, b)
        x, y = aligned(x, y, max(bx, by))
        result = COMPARISONS[op](x, y)
    else:
        result = COMPARISONS[op](a.value, b.value)
    if isinstance(result, np.ndarray) and result.dtype == object:
        result = result.astype(bool)
    return Flag(bool(result) if isinstance(result, np.bool_) else result, union(a.bad, b.bad))
