"""The lazy backend: the IR compiled to polars expressions over a whole population — exact, multi-threaded.

It means what the vector backend (`interpreter.backends.vector`) means, over a polars query instead
of numpy arrays: every number is an exact rational per structure, `num / den`, where `num` is an
integer expression (or one Python int for all rows) and `den` a positive Python int or, after a
division by a donnée, an expression. Each value carries static bounds of its numerator and
denominator, worked out before the operation is written: an expression is Int64 while its bound
fits (|x| < 2⁶²), Int128 while it fits 2¹²⁶; beyond that, the operation is guarded row by row and a
row whose value would not fit is set aside. So overflow is impossible by construction and no row
ever comes from approximate arithmetic.

A value also carries the rows where it cannot be computed (a division by zero, an amount beyond the
guaranteed limit, a value beyond 2¹²⁶), counted as the vector backend counts them — the right side of
`et`/`ou` and the branches of `si` only where they are reached, an amount only where it is paid. Those
rows are handed to the scalar backend (`results.scalar_rows`), which computes them exactly or says in
words why it cannot: the figures are cent for cent the scalar backend's.

The payment rules come from `dsl.payment.settle`, through the `Backend` protocol. The values the rules
name (each critère's condition, each line where it is paid) become columns of a stage — a
`with_columns` after the stage of the columns they read — so that polars computes each once; the
query is then run by polars' streaming engine, on every core, reading from the file only the columns
it uses (`interpreter.io.certified`).
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from typing import Any

import polars as pl

from dsl import ir
from dsl.model import Model
from dsl.payment import MAX_CENTS, MAX_POINTS, Plan, Settlement, settle
from interpreter.backends import draw

LIMIT = 2**62  # an Int64 expression never holds a magnitude beyond this
WIDE = 2**126  # nor an Int128 one
EPOCH = datetime.date(1970, 1, 1)
ID = "id"  # the column of the structures' ids (for `tirage`)

Int = pl.Expr | int  # an integer per row, or one for all rows


# ---- values -------------------------------------------------------------------------------------------


class Num:
    """Exact rationals `num / den` per row, with bounds (`nb` ≥ max |num|, `db` ≥ max den), the rows where
    the value is undefined (`bad`, None when there are none) and the stage whose columns it reads (`level`)."""

    __slots__ = ("num", "den", "nb", "db", "bad", "level")

    def __init__(self, num: Int, den: Int, nb: int, db: int, bad: pl.Expr | None = None, level: int = 0):
        self.num, self.den, self.nb, self.db, self.bad, self.level = num, den, nb, db, bad, level

    @classmethod
    def constant(cls, value) -> Num:
        numerator, denominator = Fraction(value).as_integer_ratio()
        return cls(numerator, denominator, abs(numerator), denominator)


class Flag:
    """A condition per row (a Boolean expression, or one bool for all rows)."""

    __slots__ = ("value", "bad", "level")

    def __init__(self, value: pl.Expr | bool, bad: pl.Expr | None = None, level: int = 0):
        self.value, self.bad, self.level = value, bad, level


class Code:
    """A date (days since 1970-01-01) or a `choix` value (its index in the list of choices) per row: values
    that only compare."""

    __slots__ = ("value", "bad", "level")

    def __init__(self, value: Int, bad: pl.Expr | None = None, level: int = 0):
        self.value, self.bad, self.level = value, bad, level


def union(*masks):
    """The rows bad in any of the masks (None for none)."""
    found = [m for m in masks if m is not None]
    if not found:
        return None
    return found[0] if len(found) == 1 else pl.any_horizontal(found)


def restrict(mask, where):
    """The bad rows of a part computed only where `where` holds."""
    if mask is None or where is True:
        return mask
    if where is False:
        return None
    return mask & where


def level(*values) -> int:
    return max((v.level for v in values), default=0)


# ---- integer arithmetic that cannot overflow ----------------------------------------------------------


def dtype(bound: int) -> pl.DataType:
    """The integer type of an expression bounded by `bound`."""
    return pl.Int64() if bound < LIMIT else pl.Int128()


def typed(value: Int, own: int, bound: int) -> pl.Expr:
    """An operand (bounded by `own`) as an expression of the type of a result bounded by `bound`."""
    if isinstance(value, int):
        return pl.lit(value, dtype(max(bound, abs(value))))
    if own < LIMIT <= bound:
        return value.cast(pl.Int128)
    return value


def negative(value: Int) -> Int:
    """-value (polars has no negation of Int128: a subtraction from zero)."""
    return -value if isinstance(value, int) else pl.lit(0) - value


def times(a: Int, ba: int, b: Int, bb: int) -> tuple[Int, int, pl.Expr | None]:
    """a × b with |a| ≤ ba, |b| ≤ bb: (product, its bound, rows where it would not fit Int128)."""
    if isinstance(a, int) and isinstance(b, int):
        return a * b, abs(a * b), None
    if isinstance(b, int) and b == 1:
        return a, ba, None
    if isinstance(a, int) and a == 1:
        return b, bb, None
    if isinstance(a, int) and a == 0 or isinstance(b, int) and b == 0:
        return 0, 0, None
    bound = ba * bb
    if bound < WIDE:
        return typed(a, ba, bound) * typed(b, bb, bound), bound, None
    # Beyond Int128's guaranteed range: computed where |a| ≤ (WIDE - 1) // |b|, set aside elsewhere.
    x, y = typed(a, ba, WIDE), typed(b, bb, WIDE)
    if isinstance(b, int):
        fits = x.abs() <= (WIDE - 1) // abs(b)
    elif isinstance(a, int):
        fits = y.abs() <= (WIDE - 1) // abs(a)
    else:
        fits = (y == 0) | (x.abs() <= pl.lit(WIDE - 1, pl.Int128) // pl.when(y == 0).then(1).otherwise(y.abs()))
    return pl.when(fits).then(x * y).otherwise(pl.lit(0, pl.Int128)), WIDE - 1, ~fits


def plus(a: Int, ba: int, b: Int, bb: int, sign: int = 1) -> tuple[Int, int, pl.Expr | None]:
    """a ± b: (sum, its bound, rows where it would not fit Int128)."""
    if isinstance(a, int) and isinstance(b, int):
        both = a + sign * b
        return both, abs(both), None
    if isinstance(b, int) and b == 0:
        return a, ba, None
    bound = ba + bb
    if isinstance(a, int) and a == 0:
        return (b if sign > 0 else negative(b)), bb, None
    x, y = typed(a, ba, bound), typed(b, bb, bound)
    value = x + y if sign > 0 else x - y
    if bound < WIDE:
        return value, bound, None
    fits = value.abs() < WIDE  # both below 2¹²⁶: their sum cannot wrap Int128
    return pl.when(fits).then(value).otherwise(pl.lit(0, pl.Int128)), WIDE - 1, ~fits


def common(a: Num, b: Num):
    """Numerators of a and b over one denominator: (a's, b's, denominator, their bounds, rows set aside)."""
    if isinstance(a.den, int) and isinstance(b.den, int):
        if a.den == b.den:
            return a.num, b.num, a.den, a.nb, b.nb, a.db, None
        lcm = math.lcm(a.den, b.den)
        fa, fb = lcm // a.den, lcm // b.den
        x, bx, wide_x = times(a.num, a.nb, fa, fa)
        y, by, wide_y = times(b.num, b.nb, fb, fb)
        return x, y, lcm, bx, by, lcm, union(wide_x, wide_y)
    x, bx, wide_x = times(a.num, a.nb, b.den, b.db)
    y, by, wide_y = times(b.num, b.nb, a.den, a.db)
    den, db, wide_d = times(a.den, a.db, b.den, b.db)
    return x, y, _positive(den, wide_d), bx, by, db, union(wide_x, wide_y, wide_d)


def add(a: Num, b: Num, sign: int = 1) -> Num:
    x, y, den, bx, by, db, wide = common(a, b)
    num, nb, wider = plus(x, bx, y, by, sign)
    return Num(num, den, nb, db, union(a.bad, b.bad, wide, wider), level(a, b))


def multiply(a: Num, b: Num) -> Num:
    num, nb, wide = times(a.num, a.nb, b.num, b.nb)
    if isinstance(a.den, int) and isinstance(b.den, int):
        return reduced(Num(num, a.den * b.den, nb, a.db * b.db, union(a.bad, b.bad, wide), level(a, b)))
    den, db, wide_d = times(a.den, a.db, b.den, b.db)
    return Num(num, _positive(den, wide_d), nb, db, union(a.bad, b.bad, wide, wide_d), level(a, b))


def _positive(den: Int, wide) -> Int:
    """A denominator, 1 in the rows set aside (so that no later division is by zero)."""
    if wide is None or isinstance(den, int):
        return den
    return pl.when(wide).then(1).otherwise(den)


def reduced(value: Num) -> Num:
    """A constant numerator over a constant denominator in lowest terms (an expression's common factors are
    not known before the rows are read)."""
    if isinstance(value.num, int) and isinstance(value.den, int):
        g = math.gcd(value.num, value.den)
        if g > 1:
            return Num(value.num // g, value.den // g, value.nb // g, value.db // g, value.bad, value.level)
    return value


def divide(a: Num, b: Num) -> Num:
    """a ÷ b; rows dividing by zero are undefined."""
    if isinstance(b.num, int):
        if b.num == 0:
            return Num(0, 1, 0, 1, union(a.bad, b.bad, pl.lit(True)), level(a, b))
        sign = -1 if b.num < 0 else 1
        return multiply(a, Num(sign * b.den, abs(b.num), b.db, abs(b.num), b.bad, b.level))
    zero = b.num == 0
    divisor = pl.when(zero).then(1).otherwise(b.num.abs())
    signed = pl.when(b.num < 0).then(-1).otherwise(1)
    left, bl, wide_l = times(a.num, a.nb, b.den, b.db)
    numerator = typed(left, bl, bl) * signed if isinstance(left, pl.Expr) else signed * left
    den, db, wide_d = times(a.den, a.db, divisor, max(b.nb, 1))
    return Num(numerator, _positive(den, wide_d), bl, db, union(a.bad, b.bad, zero, wide_l, wide_d), level(a, b))


def round_half_away(value: Num, digits: int) -> Num:
    """Round to `digits` decimals, half away from zero, exactly."""
    scale = 10**digits
    den, factor = value.den, scale
    if isinstance(den, int):  # scale / den reduced first: a denominator dividing the scale needs no division
        g = math.gcd(scale, den)
        factor, den = scale // g, den // g
        if den == 1:
            num, nb, wide = times(value.num, value.nb, factor, factor)
            return Num(num, scale, nb, scale, union(value.bad, wide), value.level)
    scaled, bound, wide = times(value.num, value.nb, factor, factor)
    bad = union(value.bad, wide)
    if isinstance(scaled, int) and isinstance(den, int):
        whole, rest = divmod(abs(scaled), den)
        whole += 2 * rest >= den
        return Num(-whole if scaled < 0 else whole, scale, whole, scale, bad, value.level)
    db = den if isinstance(den, int) else value.db
    nb = bound // den + 1 if isinstance(den, int) else bound + 1
    top = 2 * bound + db
    size, divisor = typed(abs(scaled) if isinstance(scaled, int) else scaled.abs(), bound, top), typed(den, db, top)
    q: Any
    if top < WIDE and isinstance(den, int) and den % 2 == 0:  # |x| rounded half up is ⌊(|x| + den/2) / den⌋
        q = (size + den // 2) // divisor
    elif top < WIDE:  # … and ⌊(2|x| + den) / 2den⌋ for any den: one division
        q = (size * 2 + divisor) // (divisor * 2)
    else:  # the same without a sum that could pass 2¹²⁷
        q = size // divisor + (size % divisor * 2 >= divisor).cast(pl.Int128)
    if isinstance(scaled, pl.Expr) and top < LIMIT:
        q = q * scaled.sign()  # both Int64: 0.03 s less a million rows than choosing between q and -q
    elif isinstance(scaled, pl.Expr):
        q = pl.when(scaled < 0).then(negative(q)).otherwise(q)
    elif scaled < 0:
        q = negative(q)
    return Num(q.cast(pl.Int64) if top >= LIMIT > nb else q, scale, nb, scale, bad, value.level)


COMPARISONS: dict[str, Callable[[Any, Any], Any]] = {
    "=": lambda x, y: x == y,
    "!=": lambda x, y: x != y,
    "<": lambda x, y: x < y,
    "<=": lambda x, y: x <= y,
    ">": lambda x, y: x > y,
    ">=": lambda x, y: x >= y,
}


def comparison(op: str, a, b) -> Flag:
    if isinstance(a, Num):
        x, y, _, bx, by, _, wide = common(a, b)
        x, y = aligned(x, bx, y, by)
        return Flag(COMPARISONS[op](x, y), union(a.bad, b.bad, wide), level(a, b))
    return Flag(COMPARISONS[op](a.value, b.value), union(a.bad, b.bad), level(a, b))


def aligned(x: Int, bx: int, y: Int, by: int) -> tuple:
    """Two operands of one type (two Python ints stay ones)."""
    if isinstance(x, int) and isinstance(y, int):
        return x, y
    bound = max(bx, by)
    return typed(x, bx, bound), typed(y, by, bound)


# ---- the meaning of each IR node, in one place ----------------------------------------------------------


def constant(value, type_: ir.Type):
    """A scalar value (a constant, a paramètre) as a lazy value."""
    if isinstance(value, bool):
        return Flag(value)
    if isinstance(value, datetime.date):
        return Code((value - EPOCH).days)
    if isinstance(value, str):
        return Code(type_.choices.index(value))
    return Num.constant(value)


class Translator:
    """The IR as polars expressions, for one query: the population's columns, the paramètres, and what is met."""

    def __init__(self, columns: dict, parametres: dict):
        self.columns = columns
        self.parametres = parametres
        self.met: dict[str, Flag] = {}

    def expr(self, expr: ir.Expr):
        """The value of an expression for every row."""
        match expr:
            case ir.Const(value=v, type=t):
                return constant(v, t)
            case ir.DonneeRef(id=id):
                return self.columns[id]
            case ir.ParametreRef(id=id):
                return self.parametres[id]
            case ir.Met(id=id):
                return self.met[id]
            case ir.Negate(operand=o):
                value = self.expr(o)
                return Num(negative(value.num), value.den, value.nb, value.db, value.bad, value.level)
            case ir.Not(operand=o):
                value = self.expr(o)
                return Flag(not value.value if isinstance(value.value, bool) else ~value.value, value.bad, value.level)
            case ir.Arithmetic(op=op, left=left, right=right):
                return ARITHMETIC[op](self.expr(left), self.expr(right))
            case ir.Comparison(op=op, left=left, right=right):
                return comparison(op, self.expr(left), self.expr(right))
            case ir.Logic(op=op, left=left, right=right):
                return logic(op, self.expr(left), self.expr(right))
            case ir.Within(operand=operand, choices=choices):
                return within(self.expr(operand), [self.expr(c) for c in choices])
            case ir.Choose(condition=condition, then=then, otherwise=otherwise):
                return choose(self.expr(condition), self.expr(then), self.expr(otherwise))
            case ir.Extremum(func=func, args=args):
                return extremum(func, [self.expr(a) for a in args])
            case ir.Round(operand=o, digits=digits):
                return round_half_away(self.expr(o), digits)
            case ir.Draw(share=share, salt=salt):
                return drawn(salt, self.expr(share))
            case ir.ResultRef() | ir.LineRef():
                raise AssertionError("attendu-only expressions are evaluated by the scalar backend")
        raise AssertionError(f"unknown IR node {expr!r}")


ARITHMETIC = {"+": add, "-": lambda a, b: add(a, b, -1), "*": multiply, "/": divide}


def drawn(salt: str, share: Num) -> Flag:
    """`tirage(p)`: the structures whose hash is below p × 2⁶⁴ (`interpreter.backends.draw`)."""
    hashed = pl.col(ID).map_batches(
        lambda ids: pl.Series(draw.hashes(salt, ids.to_numpy())), return_dtype=pl.UInt64, is_elementwise=True
    )
    if isinstance(share.num, int) and isinstance(share.den, int):
        limit = draw.threshold(Fraction(share.num, share.den))
        return Flag(True if limit >= 2**64 else hashed < pl.lit(limit, pl.UInt64), share.bad, share.level)
    left, bl, wide_l = times(hashed.cast(pl.Int128), 2**64, share.den, share.db)
    right, br, wide_r = times(share.num, share.nb, 2**64, 2**64)
    x, y = aligned(left, max(bl, LIMIT), right, max(br, LIMIT))
    return Flag(x < y, union(share.bad, wide_l, wide_r), share.level)


def logic(op: str, a: Flag, b: Flag) -> Flag:
    """`et`/`ou`; the right side counts only where the left does not decide (as in the scalar backend)."""
    if op == "et":
        return Flag(conjunction(a.value, b.value), union(a.bad, restrict(b.bad, a.value)), level(a, b))
    return Flag(disjunction(a.value, b.value), union(a.bad, restrict(b.bad, inverse(a.value))), level(a, b))


def conjunction(a, b):
    if isinstance(a, bool):
        return b if a else False
    if isinstance(b, bool):
        return a if b else False
    return a & b


def disjunction(a, b):
    if isinstance(a, bool):
        return True if a else b
    if isinstance(b, bool):
        return True if b else a
    return a | b


def inverse(value):
    return not value if isinstance(value, bool) else ~value


def within(value, options) -> Flag:
    result = Flag(False)
    for option in options:
        result = logic("ou", result, comparison("=", value, option))
    return Flag(result.value, union(value.bad, *(o.bad for o in options)), level(value, *options))


def extremum(func: str, values: list):
    if isinstance(values[0], Code):
        result = values[0].value
        for v in values[1:]:
            result = _pick(func, result, v.value)
        return Code(result, union(*(v.bad for v in values)), level(*values))
    best = values[0]
    for value in values[1:]:
        x, y, den, bx, by, db, wide = common(best, value)
        num = _pick(func, *aligned(x, bx, y, by))
        best = Num(num, den, max(bx, by), db, union(best.bad, value.bad, wide), level(best, value))
    return best


def _pick(func: str, x, y):
    """The smaller or larger of two integers per row (two Python ints stay one)."""
    if isinstance(x, int) and isinstance(y, int):
        return min(x, y) if func == "min" else max(x, y)
    return pl.min_horizontal(x, y) if func == "min" else pl.max_horizontal(x, y)


def choose(condition: Flag, a, b):
    """`si`: each branch counts only where it is taken."""
    bad = union(condition.bad, restrict(a.bad, condition.value), restrict(b.bad, inverse(condition.value)))
    where = level(condition, a, b)
    if isinstance(condition.value, bool):
        chosen = a if condition.value else b
        return _with(chosen, bad, where)
    if isinstance(a, Num):
        x, y, den, bx, by, db, wide = common(a, b)
        bound = max(bx, by)
        num = pl.when(condition.value).then(typed(x, bx, bound)).otherwise(typed(y, by, bound))
        return Num(num, den, bound, db, union(bad, wide), where)
    value = pl.when(condition.value).then(a.value).otherwise(b.value)
    return Code(value, bad, where) if isinstance(a, Code) else Flag(value, bad, where)


def _with(value, bad, where: int):
    if isinstance(value, Num):
        return Num(value.num, value.den, value.nb, value.db, bad, where)
    return type(value)(value.value, bad, where)


# ---- stages: the values the rules name, computed once ----------------------------------------------------


class Stages:
    """The columns of a query, each in the first stage (`with_columns`) after the columns it reads."""

    def __init__(self):
        self.stages: list[dict[str, pl.Expr]] = []

    def column(self, expr: pl.Expr, after: int) -> tuple[pl.Expr, int]:
        """A column computing `expr` (which reads columns of stages up to `after`): (its reference, its stage)."""
        while len(self.stages) <= after:
            self.stages.append({})
        stage = self.stages[after]
        name = f"#{after + 1}.{len(stage)}"
        stage[name] = expr
        return pl.col(name), after + 1

    def name(self, value):
        """A value as columns of its own (a constant stays one)."""
        if isinstance(value, Num):
            num, den, where = value.num, value.den, value.level
            if isinstance(num, pl.Expr):
                num, top = self.column(num, value.level)
                where = max(where, top)
            if isinstance(den, pl.Expr):
                den, top = self.column(den, value.level)
                where = max(where, top)
            return Num(num, den, value.nb, value.db, value.bad, where)
        if isinstance(value.value, pl.Expr):
            column, where = self.column(value.value, value.level)
            return type(value)(column, value.bad, where)
        return value

    def apply(self, frame: pl.LazyFrame) -> pl.LazyFrame:
        for stage in self.stages:
            if stage:
                frame = frame.with_columns(**stage)
        return frame


# ---- the payment rules' arithmetic, over every row -------------------------------------------------------


class LazyBackend:
    """The arithmetic of the payment rules (`dsl.payment.settle`) as expressions. Rows whose result needs an
    impossible value are collected in `errors` (one column per mask)."""

    def __init__(self, translator: Translator, stages: Stages):
        self.translator = translator
        self.stages = stages
        self.errors: list[pl.Expr] = []

    def fail(self, mask, where=True) -> None:
        mask = restrict(mask, where)
        if mask is not None:
            self.errors.append(mask)

    def value(self, expr: ir.Expr):
        return self.translator.expr(expr)

    def met(self, id: str, holds: Flag) -> None:
        self.fail(holds.bad)  # every condition is decided for every structure
        self.translator.met[id] = self.stages.name(Flag(holds.value, None, holds.level))

    def number(self, value: Decimal) -> Num:
        return Num.constant(value)

    def donnee(self, id: str):
        return self.translator.columns[id]

    def parametre(self, id: str):
        return self.translator.parametres[id]

    add = staticmethod(add)
    multiply = staticmethod(multiply)
    divide = staticmethod(divide)

    def minimum(self, a: Num, b: Num) -> Num:
        return extremum("min", [a, b])

    def maximum(self, a: Num, b: Num) -> Num:
        return extremum("max", [a, b])

    def every(self, conditions: list[Flag]) -> Flag:
        result: pl.Expr | bool = True
        for condition in conditions:
            result = conjunction(result, condition.value)
        flag = Flag(result, union(*(c.bad for c in conditions)), level(*conditions))
        return self.stages.name(flag) if sum(isinstance(c.value, pl.Expr) for c in conditions) > 1 else flag

    def when(self, condition: Flag, compute: Callable[[], Num], name: str | None = None) -> Num:
        if condition.value is False:
            return Num(0, 1, 0, 1)
        value = compute()
        self.fail(value.bad, condition.value)
        if condition.value is True:
            return self.stages.name(Num(value.num, value.den, value.nb, value.db, None, value.level))
        num = pl.when(condition.value).then(typed(value.num, value.nb, value.nb)).otherwise(0)
        den = value.den if isinstance(value.den, int) else pl.when(condition.value).then(value.den).otherwise(1)
        return self.stages.name(Num(num, den, value.nb, value.db, None, level(value, condition)))

    def cents(self, amount: Num) -> Num:
        cents = round_half_away(amount, 2)
        if isinstance(cents.num, int):
            if abs(cents.num) >= MAX_CENTS:
                return Num(0, 100, 0, 100, union(cents.bad, pl.lit(True)), cents.level)
            return Num(cents.num, 100, abs(cents.num), 100, cents.bad, cents.level)
        if cents.nb < MAX_CENTS:  # the bounds already say every amount is within the limit
            return Num(cents.num, 100, cents.nb, 100, cents.bad, cents.level)
        over = cents.num.abs() >= MAX_CENTS
        num = pl.when(over).then(0).otherwise(cents.num).cast(pl.Int64)
        return Num(num, 100, MAX_CENTS, 100, union(cents.bad, over), cents.level)

    def total(self, amounts: list[Num]) -> Num:
        result = sum_of(amounts, Num(0, 100, 0, 100))
        if result.nb >= MAX_CENTS and isinstance(result.num, pl.Expr):  # else no total is beyond the limit
            self.fail(result.num.abs() >= MAX_CENTS)
        return result

    def total_points(self, points: list[Num]) -> Num:
        result = sum_of(points, Num(0, 1, 0, 1))
        if isinstance(result.den, int) and result.nb < result.den * MAX_POINTS:  # within the limit by its bounds
            return result
        limit, bound, wide = times(result.den, result.db, MAX_POINTS, MAX_POINTS)
        size = result.num.abs() if isinstance(result.num, pl.Expr) else abs(result.num)
        x, y = aligned(size, result.nb, limit, bound)
        over = x >= y
        self.fail(union(over if isinstance(over, pl.Expr) else pl.lit(True) if over else None, wide))
        return result


def sum_of(values: list[Num], zero: Num) -> Num:
    """The sum of the values (`zero` for none): those over one same constant denominator summed in one
    expression, then the groups added."""
    groups: dict[Any, list[Num]] = {}
    for value in values:
        groups.setdefault(value.den if isinstance(value.den, int) else id(value), []).append(value)
    result = None
    for group in groups.values():
        part = group[0] if len(group) == 1 else _summed(group)
        result = part if result is None else add(result, part)
    return zero if result is None else result


def _summed(group: list[Num]) -> Num:
    """Values over one constant denominator, summed (their bounds added: wider than 2¹²⁶, added pairwise)."""
    bound = sum(v.nb for v in group)
    if bound >= WIDE:
        part = group[0]
        for value in group[1:]:
            part = add(part, value)
        return part
    constant = sum(v.num for v in group if isinstance(v.num, int))
    terms = [typed(v.num, v.nb, bound) for v in group if isinstance(v.num, pl.Expr)]
    if terms and constant:
        terms.append(pl.lit(constant, dtype(bound)))
    num = pl.sum_horizontal(terms) if terms else constant
    return Num(num, group[0].den, bound, group[0].db, union(*(v.bad for v in group)), level(*group))


# ---- a population ------------------------------------------------------------------------------------------

ELIGIBLE, TOTAL, POINTS, BAD = "#eligible", "#total", "#points", "#erreur"
NARROW = 2**30  # amounts below this are held as Int32 (the vector backend's `NARROW`)


def line_column(index: int) -> str:
    return f"#ligne:{index}"


def results(program, frame: pl.LazyFrame, held: dict, passed: list[str]) -> pl.LazyFrame:
    """The query computing a version (a compiled `scalar.Program`, its paramètres bound) over a population
    read by `frame` (`interpreter.io.certified.reading`, whose donnée columns `held` describes): the columns
    `passed` of `frame`, then `ELIGIBLE`, `line_column(i)` for each paying line (cents), `TOTAL` (cents),
    `POINTS` (millionths of a point) and `BAD` (rows the scalar backend must evaluate)."""
    model: Model = program.model
    parametres = {id: constant(value, model.parametres[id].type) for id, value in program.parametres.items()}
    translator = Translator({id: held_value(model.donnees[id], value) for id, value in held.items()}, parametres)
    stages = Stages()
    backend = LazyBackend(translator, stages)
    for scenario in program.scenarios:
        for id, expr in scenario.donnees:
            supplied(backend, model.donnees[id], id, translator.expr(expr))
    settlement = settle(Plan.of(model), backend)
    outputs = outputs_of(backend, settlement)
    return stages.apply(frame).select(*passed, **outputs)


def held_value(donnee, value):
    """A donnée as the query holds it: a column (`certified.Column`), or a constant (its default)."""
    if not hasattr(value, "name"):
        return constant(value, donnee.type)
    column = pl.col(value.name)
    kind = donnee.type.kind
    if kind == "booleen":
        return Flag(column)
    if kind in ("choix", "date"):
        return Code(column)
    return Num(column, value.den, value.bound, value.den)


def supplied(backend: LazyBackend, donnee, id: str, value) -> None:
    """A donnée a scenario computes; a row whose value the donnée cannot take is an error."""
    backend.fail(value.bad)
    if isinstance(value, Num):
        backend.fail(outside(value, donnee))
        value = Num(value.num, value.den, value.nb, value.db, None, value.level)
    else:
        value = type(value)(value.value, None, value.level)
    backend.translator.columns[id] = backend.stages.name(value)


def outside(value: Num, donnee) -> pl.Expr | None:
    """Rows where a computed number is not an integer (for an entier) or is out of the donnée's range."""
    wrong = []
    if donnee.type.kind == "entier":
        num, den = aligned(value.num, value.nb, value.den, value.db)
        wrong.append(num % den != 0)
    for bound, op in ((donnee.low, "<"), (donnee.high, ">")):
        if bound is not None:
            wrong.append(comparison(op, value, Num.constant(bound)).value)
    found = [w for w in wrong if isinstance(w, pl.Expr)] + [pl.lit(True) for w in wrong if w is True]
    return pl.any_horizontal(found) if found else None


def outputs_of(backend: LazyBackend, settlement: Settlement) -> dict[str, pl.Expr]:
    """The result columns: eligibility, each line and the total in cents, the points in millionths, the rows
    set aside."""
    eligible = settlement.eligible.value
    outputs = {ELIGIBLE: eligible if isinstance(eligible, pl.Expr) else pl.lit(eligible)}
    for index, amount in enumerate(settlement.amounts.values()):
        outputs[line_column(index)] = cents_column(amount)
    outputs[TOTAL] = cents_column(settlement.total)
    micro = round_half_away(settlement.total_points, 6)
    backend.fail(micro.bad)
    if micro.nb >= LIMIT and isinstance(micro.num, pl.Expr):
        over = micro.num.abs() >= LIMIT
        backend.fail(over)
        micro = Num(pl.when(over).then(0).otherwise(micro.num).cast(pl.Int64, strict=False), 1, LIMIT - 1, 1)
    elif isinstance(micro.num, int) and abs(micro.num) >= LIMIT:
        backend.fail(pl.lit(True))
        micro = Num(0, 1, 0, 1)
    outputs[POINTS] = typed(micro.num, micro.nb, micro.nb).cast(pl.Int64, strict=False).fill_null(0)
    outputs[BAD] = pl.any_horizontal(backend.errors) if backend.errors else pl.lit(False)
    return outputs


def cents_column(amount: Num) -> pl.Expr:
    """An amount in cents (a numerator over 100, within the limit): Int32 while its bound allows, else Int64."""
    assert amount.den == 100 or isinstance(amount.num, int) and amount.num == 0  # from `cents`, or zero
    narrow = pl.Int32 if amount.nb < NARROW else pl.Int64
    # Every row not set aside is within the bound, so the cast keeps its value: a wrapping cast, not one that
    # checks each row (five times slower: 0.02 s of a million structures); the rows set aside are written again
    # by the scalar backend.
    return typed(amount.num, amount.nb, amount.nb).cast(narrow, wrap_numerical=True).fill_null(0)
