"""Exact arithmetic in SQL: decimals whose precision is known, rationals built on them, per dialect.

A number of the SQL backend is a `Num`: a numerator `num` — an exact SQL DECIMAL (`Dec`) — over
a positive integer denominator `den`, either known when the query is generated (a Python int)
or an integer-valued `Dec` (after a division by a donnée). Most values have the denominator 1:
dividing by a paramètre or a literal multiplies by its inverse, and the factors 2 and 5 of a
denominator are folded into the numerator as an exact decimal (`x / 4000` is `x * 0.00025`).
A denominator with another factor (`x / 3`) stays a denominator, so `n / 3 * 3 = n` holds in
SQL exactly as in the other backends; only rounding to the cent (or `arrondi`) divides — as an
integer division, exact in every dialect.

Every `Dec` carries its scale (decimals), a bound on its absolute value (known from the ranges of
the données and the values of the paramètres), and the DECIMAL precision the engines infer for
it — worked out with a conservative rule that holds in DuckDB, PostgreSQL and Spark (a product
of DECIMAL(p1, s1) and DECIMAL(p2, s2) is counted as DECIMAL(p1 + p2 + 1, s1 + s2), a sum as one
more digit than the wider side…). An operation whose inferred precision would exceed what the
dialect holds first casts its operands to the tightest DECIMAL their bounds allow; when even
that does not fit, the value cannot be guaranteed exact in that dialect and `Unguaranteed` is
raised (the compiler turns it into a diagnostic naming the expression). DuckDB and Spark hold 38
digits; PostgreSQL's NUMERIC many more. So no engine ever rounds, truncates or overflows a value
silently: there is no rounding but the explicit one, written with ABS, FLOOR and CASE.

Values that the engines would compute approximately are never written: no division of DECIMALs
(DuckDB makes it a DOUBLE, PostgreSQL and Spark round it), no SIGN (a DOUBLE in Spark), no ROUND.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any, overload

from sqlglot import exp
from sqlglot.dialects.dialect import Dialect

from dsl.errors import ConvcheckError
from dsl.records import frozen
from interpreter.backends.dialects import DECIMAL_DIGITS, DIALECTS
from interpreter.numbers import decimal_places as decimals


class Unguaranteed(ConvcheckError):
    """A value whose exact computation needs more digits than the dialect's DECIMAL holds."""

    node: Any = None  # the IR expression where it happened, set by the SQL backend (`interpreter.backends.sql`)
    line: str | None = None  # the line being paid when it happened (for the payment rules' own arithmetic)


# ---- SQL building blocks --------------------------------------------------------------------------------


PRECEDENCE: dict[type[exp.Expression], int] = {
    exp.Or: 1,
    exp.And: 2,
    exp.Not: 3,
    exp.EQ: 4,
    exp.NEQ: 4,
    exp.LT: 4,
    exp.LTE: 4,
    exp.GT: 4,
    exp.GTE: 4,
    exp.Is: 4,
    exp.In: 4,
    exp.Add: 5,
    exp.Sub: 5,
    exp.DPipe: 5,
    exp.Mul: 6,
    exp.Div: 6,
    exp.Mod: 6,
    exp.IntDiv: 6,
    exp.Neg: 7,
}


def precedence(e: exp.Expression) -> int:
    """How tightly an expression binds (atoms, calls and CASE: the most; bit operations are always parenthesised)."""
    if isinstance(e, (exp.BitwiseXor, exp.BitwiseRightShift, exp.BitwiseAnd, exp.BitwiseOr)):
        return 0
    if isinstance(e, exp.Neg) and isinstance(e.this, exp.Literal):
        return 9
    return PRECEDENCE.get(type(e), 9)


def paren(e: exp.Expression, below: int = 9) -> exp.Expression:
    """An operand, in parentheses when it binds less tightly than `below`."""
    return exp.Paren(this=e) if precedence(e) < below else e


def binary(kind, a: exp.Expression, b: exp.Expression, owned: bool = False) -> exp.Expression:
    """a <kind> b, each in parentheses where it needs them; `owned`: `a` is a tree of the caller's alone (a running
    sum), taken as it is rather than copied — a sum of n terms then copies each once, not n times."""
    level = PRECEDENCE[kind]
    return kind(this=paren(a if owned else a.copy(), level), expression=paren(b.copy(), level + 1))


def call(name: str, *args: exp.Expression) -> exp.Expression:
    return exp.Anonymous(this=name, expressions=[a.copy() for a in args])


def case(condition: exp.Expression, then: exp.Expression, otherwise: exp.Expression | None) -> exp.Expression:
    return exp.Case(
        ifs=[exp.If(this=condition.copy(), true=then.copy())],
        default=otherwise.copy() if otherwise is not None else None,
    )


def decimal_type(precision: int, scale: int) -> exp.DataType:
    return exp.DataType(
        this=exp.DataType.Type.DECIMAL,
        expressions=[
            exp.DataTypeParam(this=exp.Literal.number(precision)),
            exp.DataTypeParam(this=exp.Literal.number(scale)),
        ],
    )


def cast(e: exp.Expression, to: exp.DataType | str) -> exp.Expression:
    return exp.Cast(this=e.copy(), to=exp.DataType.build(to) if isinstance(to, str) else to)


@overload
def and_(first: exp.Expression, /, *conditions: exp.Expression | None) -> exp.Expression: ...
@overload
def and_(*conditions: exp.Expression | None) -> exp.Expression | None: ...


def and_(*conditions: exp.Expression | None) -> exp.Expression | None:
    parts = [paren(c.copy(), 2) for c in conditions if c is not None]
    if not parts:
        return None
    result = parts[0]
    for part in parts[1:]:
        result = exp.And(this=result, expression=part)
    return result


@overload
def or_(first: exp.Expression, /, *conditions: exp.Expression | None) -> exp.Expression: ...
@overload
def or_(*conditions: exp.Expression | None) -> exp.Expression | None: ...


def or_(*conditions: exp.Expression | None) -> exp.Expression | None:
    parts = [paren(c.copy(), 1) for c in conditions if c is not None]
    if not parts:
        return None
    result = parts[0]
    for part in parts[1:]:
        result = exp.Or(this=result, expression=part)
    return result


def not_(condition: exp.Expression) -> exp.Expression:
    return exp.Not(this=paren(condition.copy(), 3))


# ---- decimals ---------------------------------------------------------------------------------------------


# ---- names and messages -----------------------------------------------------------------------------------


RESERVED: set[str] = set()


def reserved_words() -> set[str]:
    """Words that some dialect reads as a keyword: identifiers spelt so are quoted."""
    if not RESERVED:
        for dialect in DIALECTS:
            d = Dialect.get_or_raise(dialect)
            RESERVED.update(k.lower() for k in d.tokenizer_class.KEYWORDS if k.replace("_", "").isalpha())
            RESERVED.update(k.lower() for k in getattr(d.generator_class, "RESERVED_KEYWORDS", ()))
    return RESERVED


def identifier(name: str) -> exp.Identifier:
    """An identifier, quoted when some dialect would read it as a keyword (or it is not a plain word)."""
    return exp.to_identifier(name, quoted=name.lower() in reserved_words() or not name.isidentifier())


def column(name: str) -> exp.Column:
    """A column, by its name."""
    return exp.Column(this=identifier(name))


def text(value: str) -> exp.Literal:
    """A string literal."""
    return exp.Literal.string(value)


def first_fault(faults) -> exp.Expression | None:
    """CASE WHEN rows THEN message … END: the first fault of a row, NULL when there is none."""
    faults = [(condition, message) for condition, message in faults if condition is not None]
    if not faults:
        return None
    return exp.Case(ifs=[exp.If(this=condition.copy(), true=text(message)) for condition, message in faults])


# ---- decimals ---------------------------------------------------------------------------------------------


def int_digits(bound: Fraction) -> int:
    """Digits before the decimal point of a value whose absolute value is at most `bound`."""
    return max(1, len(str(math.floor(bound))))


def decimal_text(value: Fraction, scale: int) -> str:
    """The literal text of a terminating decimal, without sign: `0.00025`, `1100`."""
    units = abs(value) * 10**scale
    assert units.denominator == 1
    digits = str(units.numerator).rjust(scale + 1, "0")
    return digits if scale == 0 else f"{digits[:-scale]}.{digits[-scale:]}"


@frozen
class Dec:
    """An exact SQL decimal: its expression, decimals, a bound on |value|, the precision engines infer,
    and its value when it is the same for every row."""

    sql: exp.Expression
    scale: int
    bound: Fraction
    precision: int
    value: Fraction | None = None
    decimal: bool = True  # typed DECIMAL by the engine (an integer literal is an INTEGER: it computes as one)

    @property
    def tight(self) -> int:
        """The smallest precision that holds every value within the bound."""
        return int_digits(self.bound) + self.scale


class Arithmetic:
    """Exact decimal and rational arithmetic for one dialect."""

    def __init__(self, dialect: str):
        self.dialect = dialect
        self.limit = DECIMAL_DIGITS[dialect]

    # -- decimals --

    def literal(self, value: Fraction) -> Dec:
        """A terminating decimal as a literal (integers in Spark as typed casts: Spark counts an INT
        literal as DECIMAL(10, 0))."""
        value = Fraction(value)
        scale = decimals(value)
        assert scale is not None, value
        text = decimal_text(value, scale)
        bound = abs(value)
        sql: exp.Expression = exp.Literal.number(text)
        if scale == 0:  # an INTEGER literal counts as DECIMAL(10, 0), a BIGINT as DECIMAL(19, 0) (20 in Spark)
            precision = 10 if bound < 2**31 else (19 if self.dialect == "duckdb" else 20) if bound < 2**63 else None
            if precision is None or self.dialect == "spark" and bound >= 2**31:
                precision = int_digits(bound)
                sql = cast(sql, decimal_type(precision, 0))
        else:
            precision = int_digits(bound) + scale
        if value < 0:
            sql = exp.Neg(this=sql)
        return Dec(
            sql,
            scale,
            bound,
            precision,
            value,
            decimal=scale > 0
            or isinstance(sql, exp.Cast)
            or isinstance(sql, exp.Neg)
            and isinstance(sql.this, exp.Cast),
        )

    def as_decimal_type(self, x: Dec) -> Dec:
        """x typed DECIMAL: integers (literals, CASE of literals) compute as INTEGER, and overflow as one."""
        if x.decimal:
            return x
        return Dec(cast(x.sql, decimal_type(x.tight, x.scale)), x.scale, x.bound, x.tight, x.value)

    def cast_tight(self, x: Dec) -> Dec:
        if x.precision <= x.tight:
            return x
        return Dec(cast(x.sql, decimal_type(x.tight, x.scale)), x.scale, x.bound, x.tight, x.value)

    def check(self, precision: int, what: str) -> None:
        if precision > self.limit:
            raise Unguaranteed(
                f"{what} demande {precision} chiffres exacts, et le type DECIMAL de {self.dialect} en "
                f"garde {self.limit} au plus"
            )

    def declared(self, precision: int, need: int) -> int | None:
        """The precision the engine gives a result it infers as `precision`, when that holds the `need`
        digits of its values without loss (None otherwise). DuckDB caps at 38 digits and checks for
        overflow; Spark rounds away decimals beyond 38; PostgreSQL's NUMERIC keeps them all."""
        if self.dialect == "duckdb":
            precision = min(precision, 38)
            return precision if precision >= need else None
        return precision if precision <= self.limit and precision >= need else None

    def _fitted(self, rule, x: Dec, y: Dec, need: int, what: str) -> tuple[Dec, Dec, int]:
        """The operands, cast when the engine would infer too narrow or too wide a type for the result."""
        self.check(need, what)
        precision = self.declared(rule(x, y), need)
        if precision is None:
            x, y = self.cast_tight(x), self.cast_tight(y)
            precision = self.declared(rule(x, y), need)
        if precision is None and self.dialect == "duckdb":  # DuckDB keeps a product of two narrow decimals in 18 digits
            wider = max(19, x.tight)
            x = Dec(cast(x.sql, decimal_type(wider, x.scale)), x.scale, x.bound, wider, x.value)
            precision = self.declared(rule(x, y), need)
        if precision is None:
            raise Unguaranteed(
                f"{what} demande plus de chiffres exacts que le type DECIMAL de {self.dialect} n'en "
                f"garde ({self.limit})"
            )
        return x, y, precision

    def _product(self, x: Dec, y: Dec) -> int:
        if self.dialect == "duckdb" and x.precision <= 18 and y.precision <= 18:
            return min(x.precision + y.precision, 18)
        return x.precision + y.precision + (self.dialect != "duckdb")

    def _sum(self, x: Dec, y: Dec) -> int:
        return max(x.precision - x.scale, y.precision - y.scale) + max(x.scale, y.scale) + 1

    def _common(self, x: Dec, y: Dec) -> int:
        return max(x.precision - x.scale, y.precision - y.scale) + max(x.scale, y.scale)

    def add(self, x: Dec, y: Dec, sign: int = 1, owned: bool = False) -> Dec:
        """x ± y; `owned`: x's tree is the caller's alone (see `binary`)."""
        if x.value is not None and y.value is not None:
            return self.literal(x.value + sign * y.value)
        if y.value == 0:
            return x
        if x.value == 0 and sign == 1:
            return y
        scale, bound = max(x.scale, y.scale), x.bound + y.bound
        if not x.decimal and not y.decimal:
            x = self.as_decimal_type(x)
        x, y, precision = self._fitted(self._sum, x, y, int_digits(bound) + scale, "une somme")
        sql = binary(exp.Add if sign == 1 else exp.Sub, x.sql, y.sql, owned)
        return Dec(sql, scale, bound, precision)

    def multiply(self, x: Dec, y: Dec) -> Dec:
        if x.value is not None and y.value is not None:
            return self.literal(x.value * y.value)
        if x.value == 1:
            return y
        if y.value == 1:
            return x
        if x.value == 0 or y.value == 0:
            return self.literal(Fraction(0))
        scale, bound = x.scale + y.scale, x.bound * y.bound
        if not x.decimal and not y.decimal:
            x = self.as_decimal_type(x)
        x, y, precision = self._fitted(self._product, x, y, int_digits(bound) + scale, "un produit")
        return Dec(binary(exp.Mul, x.sql, y.sql), scale, bound, precision)

    def negate(self, x: Dec) -> Dec:
        if x.value is not None:
            return self.literal(-x.value)
        return Dec(exp.Neg(this=paren(x.sql.copy(), 7)), x.scale, x.bound, x.precision, decimal=x.decimal)

    def choose(self, condition: exp.Expression, x: Dec, y: Dec) -> Dec:
        """CASE WHEN condition THEN x ELSE y END."""
        scale, bound = max(x.scale, y.scale), max(x.bound, y.bound)
        x, y, precision = self._fitted(self._common, x, y, int_digits(bound) + scale, "un choix entre deux valeurs")
        return Dec(case(condition, x.sql, y.sql), scale, bound, precision, decimal=x.decimal or y.decimal)

    def extremum(self, func: str, x: Dec, y: Dec) -> Dec:
        if x.value is not None and y.value is not None:
            return self.literal(min(x.value, y.value) if func == "min" else max(x.value, y.value))
        scale, bound = max(x.scale, y.scale), max(x.bound, y.bound)
        x, y, precision = self._fitted(self._common, x, y, int_digits(bound) + scale, f"« {func} »")
        return Dec(
            call("LEAST" if func == "min" else "GREATEST", x.sql, y.sql),
            scale,
            bound,
            precision,
            decimal=x.decimal or y.decimal,
        )

    def compare(self, op: str, x: Dec, y: Dec) -> exp.Expression:
        scale = max(x.scale, y.scale)
        x, y, _ = self._fitted(self._common, x, y, int_digits(max(x.bound, y.bound)) + scale, "une comparaison")
        return binary(COMPARISONS[op], x.sql, y.sql)

    def is_negative(self, x: Dec) -> exp.Expression:
        return binary(exp.LT, x.sql, exp.Literal.number(0))

    def absolute(self, x: Dec) -> Dec:
        if x.value is not None:
            return self.literal(abs(x.value))
        return Dec(call("ABS", x.sql), x.scale, x.bound, x.precision, decimal=x.decimal)

    def floor(self, x: Dec) -> Dec:
        """⌊x⌋ for x ≥ 0 (an integer-valued decimal)."""
        if x.scale == 0:
            return x
        return Dec(call("FLOOR", x.sql), 0, Fraction(math.floor(x.bound)), x.precision)

    def signed(self, negative: exp.Expression, x: Dec) -> Dec:
        """CASE WHEN negative THEN -x ELSE x END."""
        return Dec(
            case(negative, exp.Neg(this=paren(x.sql.copy(), 7)), x.sql),
            x.scale,
            x.bound,
            x.precision,
            decimal=x.decimal,
        )

    def integer(self, x: Dec) -> Dec:
        """An integer-valued decimal with scale 0 (exact: the value has no fractional part)."""
        if x.scale == 0:
            return x
        if x.value is not None:
            return self.literal(x.value)
        precision = int_digits(x.bound)
        self.check(precision, "un entier")
        return Dec(cast(x.sql, decimal_type(precision, 0)), 0, x.bound, precision)

    def floor_divide(self, x: Dec, y: Dec) -> Dec:
        """⌊x / y⌋ for integers x ≥ 0 and y > 0, exactly, in the dialect's own way."""
        x, y = self.cast_tight(x), self.cast_tight(y)
        bound = Fraction(math.floor(x.bound))
        precision = int_digits(bound)
        self.check(max(x.tight, y.tight), "une division entière")
        if self.dialect == "duckdb":  # DuckDB divides DECIMALs as DOUBLE; HUGEINT division is exact
            quotient: exp.Expression = exp.IntDiv(this=cast(x.sql, "HUGEINT"), expression=cast(y.sql, "HUGEINT"))
        elif self.dialect == "postgres":
            quotient = call("DIV", x.sql, y.sql)
        else:  # Spark: x - x % y is a multiple of y, so the division has an exact integer result
            rest = binary(exp.Mod, x.sql, y.sql)
            quotient = binary(exp.Div, binary(exp.Sub, x.sql, rest), y.sql)
            self.check(max(x.tight, y.tight) + 7, "une division entière")
        return Dec(cast(quotient, decimal_type(precision, 0)), 0, bound, precision)


COMPARISONS = {"=": exp.EQ, "!=": exp.NEQ, "<": exp.LT, "<=": exp.LTE, ">": exp.GT, ">=": exp.GTE}


# ---- rationals ---------------------------------------------------------------------------------------------

Fault = tuple[exp.Expression, str]  # (rows where it happens, what: "division" or "limite")


@frozen
class Num:
    """An exact number: a decimal numerator over a positive integer denominator (an int, or an
    integer-valued `Dec`), and the rows where it is undefined (`faults`)."""

    num: Dec
    den: int | Dec = 1
    faults: tuple[Fault, ...] = ()

    @property
    def value(self) -> Fraction | None:
        """The value when it is the same for every row."""
        if self.num.value is None or not isinstance(self.den, int):
            return None
        return self.num.value / self.den

    def with_faults(self, faults: tuple[Fault, ...]) -> Num:
        return Num(self.num, self.den, faults)


class Rationals:
    """Exact rational arithmetic over `Dec` numerators, for one dialect."""

    def __init__(self, dialect: str):
        self.decimals = Arithmetic(dialect)

    def constant(self, value, faults: tuple[Fault, ...] = ()) -> Num:
        value = Fraction(value)
        if decimals(value) is not None:
            return Num(self.decimals.literal(value), 1, faults)
        return Num(self.decimals.literal(Fraction(value.numerator)), value.denominator, faults)

    def as_decimal(self, den: int | Dec) -> Dec:
        return self.decimals.literal(Fraction(den)) if isinstance(den, int) else den

    def _den_product(self, a: int | Dec, b: int | Dec) -> int | Dec:
        if isinstance(a, int) and isinstance(b, int):
            return a * b
        if a == 1:
            return b
        if b == 1:
            return a
        return self.decimals.multiply(self.as_decimal(a), self.as_decimal(b))

    def normalized(self, num: Dec, den: int | Dec, faults: tuple[Fault, ...]) -> Num:
        """The factors 2 and 5 of a known denominator folded into the numerator (an exact decimal)."""
        if isinstance(den, Dec) and den.value is not None:
            den = int(den.value)
        if isinstance(den, int):
            if num.value is not None:
                return self.constant(num.value / den, faults)
            terminating = den
            while terminating % 2 == 0 or terminating % 5 == 0:
                terminating //= 2 if terminating % 2 == 0 else 5
            folded = den // terminating
            if folded > 1:
                num = self.decimals.multiply(num, self.decimals.literal(Fraction(1, folded)))
                den = terminating
        return Num(num, den, faults)

    def add(self, a: Num, b: Num, sign: int = 1, owned: bool = False) -> Num:
        """a ± b; `owned`: a's numerator is the caller's alone (a running sum: see `binary`)."""
        faults = a.faults + b.faults
        if a.value is not None and b.value is not None:
            return self.constant(a.value + sign * b.value, faults)
        d = self.decimals
        if isinstance(a.den, int) and isinstance(b.den, int):
            common = math.lcm(a.den, b.den)
            x = d.multiply(a.num, d.literal(Fraction(common // a.den)))
            y = d.multiply(b.num, d.literal(Fraction(common // b.den)))
            return self.normalized(d.add(x, y, sign, owned and x is a.num), common, faults)
        x, y = d.multiply(a.num, self.as_decimal(b.den)), d.multiply(b.num, self.as_decimal(a.den))
        return self.normalized(d.add(x, y, sign), self._den_product(a.den, b.den), faults)

    def multiply(self, a: Num, b: Num) -> Num:
        faults = a.faults + b.faults
        if a.value is not None and b.value is not None:
            return self.constant(a.value * b.value, faults)
        if b.value is not None and isinstance(a.den, int):  # known factors simplify: x / 3 * 3 is x
            factor = b.value / a.den
            return self.normalized(
                self.decimals.multiply(a.num, self.decimals.literal(Fraction(factor.numerator))),
                factor.denominator,
                faults,
            )
        if a.value is not None and isinstance(b.den, int):
            return self.multiply(b, a)
        return self.normalized(self.decimals.multiply(a.num, b.num), self._den_product(a.den, b.den), faults)

    def divide(self, a: Num, b: Num) -> Num:
        """a ÷ b; rows dividing by zero are undefined (the value computed there is meaningless, never an
        SQL error: the denominator is replaced by 1)."""
        d = self.decimals
        if b.value is not None:
            if b.value == 0:
                return self.constant(0, a.faults + b.faults + ((exp.true(), "division"),))
            return self.multiply(a, self.constant(1 / b.value, b.faults))
        zero = d.compare("=", b.num, d.literal(Fraction(0)))
        shift = d.literal(Fraction(10**b.num.scale))
        magnitude = d.integer(d.multiply(d.absolute(b.num), shift))
        divisor = d.choose(zero, d.literal(Fraction(1)), magnitude)
        num = d.multiply(d.multiply(a.num, self.as_decimal(b.den)), shift)
        num = d.signed(d.is_negative(b.num), num)
        return self.normalized(num, self._den_product(a.den, divisor), a.faults + b.faults + ((zero, "division"),))

    def negate(self, a: Num) -> Num:
        return Num(self.decimals.negate(a.num), a.den, a.faults)

    def compare(self, op: str, a: Num, b: Num) -> exp.Expression:
        d = self.decimals
        if isinstance(a.den, int) and isinstance(b.den, int):
            common = math.lcm(a.den, b.den)
            x = d.multiply(a.num, d.literal(Fraction(common // a.den)))
            y = d.multiply(b.num, d.literal(Fraction(common // b.den)))
        else:
            x, y = d.multiply(a.num, self.as_decimal(b.den)), d.multiply(b.num, self.as_decimal(a.den))
        return d.compare(op, x, y)

    def choose(self, condition: exp.Expression, a: Num, b: Num, faults: tuple[Fault, ...]) -> Num:
        """CASE WHEN condition THEN a ELSE b END (the caller says which faults count)."""
        d = self.decimals
        if isinstance(a.den, int) and isinstance(b.den, int):
            common = math.lcm(a.den, b.den)
            x = d.multiply(a.num, d.literal(Fraction(common // a.den)))
            y = d.multiply(b.num, d.literal(Fraction(common // b.den)))
            return self.normalized(d.choose(condition, x, y), common, faults)
        return Num(
            d.choose(condition, a.num, b.num),
            d.choose(condition, self.as_decimal(a.den), self.as_decimal(b.den)),
            faults,
        )

    def extremum(self, func: str, a: Num, b: Num) -> Num:
        faults = a.faults + b.faults
        if a.den == 1 and b.den == 1:
            return Num(self.decimals.extremum(func, a.num, b.num), 1, faults)
        if a.value is not None and b.value is not None:
            return self.constant(min(a.value, b.value) if func == "min" else max(a.value, b.value), faults)
        return self.choose(self.compare("<=" if func == "min" else ">=", a, b), a, b, faults)

    def _round_known_den(self, num: Dec, den: int, digits: int) -> Dec:
        """num / den rounded to `digits` decimals, half away from zero, for a denominator known when the query
        is generated (`mois / 12` leaves 3): never made an integer by × 10^scale, which would keep its decimals
        and need scale + integer digits. With y = |num|·10^k, t = ⌊y⌋ and r = y − t in [0, 1):
        ⌊(2y + den) / (2·den)⌋ = q + (1 if rem + 2r ≥ 2·den else 0), where q, rem = divmod(2t + den, 2·den)
        — an integer division of small integers and one comparison of a number below 2·den + 2."""
        d = self.decimals
        y = d.multiply(d.absolute(num), d.literal(Fraction(10**digits))) if digits else d.absolute(num)
        t = d.floor(y)
        r = d.add(y, t, sign=-1)
        two_den = d.literal(Fraction(2 * den))
        m = d.add(d.multiply(d.literal(Fraction(2)), t), d.literal(Fraction(den)))
        q = d.floor_divide(m, two_den)
        rem = d.add(m, d.multiply(q, two_den), sign=-1)
        carry = d.compare(">=", d.add(rem, d.multiply(d.literal(Fraction(2)), r)), two_den)
        units = d.add(q, d.choose(carry, d.literal(Fraction(1)), d.literal(Fraction(0))))
        result = d.signed(d.is_negative(num), units)
        return d.multiply(result, d.literal(Fraction(1, 10**digits))) if digits else result

    def round_half_away(self, a: Num, digits: int) -> Num:
        """a rounded to `digits` decimals, half away from zero — written with ABS, FLOOR and CASE (and, for
        a rational, an exact integer division), never with an engine's ROUND."""
        d = self.decimals
        value = a.value
        if value is not None:
            units, rest = divmod(abs(value) * 10**digits, 1)
            units += 2 * rest >= 1
            return self.constant(Fraction(-units if value < 0 else units, 10**digits), a.faults)
        if a.den == 1:
            if a.num.scale <= digits:
                return a
            half = d.literal(Fraction(1, 2))
            shift = d.literal(Fraction(10**digits))
            up = d.floor(d.add(d.multiply(a.num, shift), half))  # for x ≥ 0: ⌊x·10^k + 1/2⌋
            down = d.negate(d.floor(d.add(d.multiply(d.negate(a.num), shift), half)))  # for x < 0: -⌊-x·10^k + 1/2⌋
            result = d.choose(d.is_negative(a.num), down, up)
            return Num(d.multiply(result, d.literal(Fraction(1, 10**digits))) if digits else result, 1, a.faults)
        if isinstance(a.den, int):
            return Num(self._round_known_den(a.num, a.den, digits), 1, a.faults)
        # a rational num / den: ⌊(2·|num|·10^k + den) / (2·den)⌋, both sides made integers (× 10^scale)
        scale = a.num.scale
        numerator = d.integer(d.multiply(d.absolute(a.num), d.literal(Fraction(10 ** (scale + digits)))))
        denominator = d.integer(d.multiply(self.as_decimal(a.den), d.literal(Fraction(10**scale))))
        two = d.literal(Fraction(2))
        units = d.floor_divide(d.add(d.multiply(two, numerator), denominator), d.multiply(two, denominator))
        result = d.signed(d.is_negative(a.num), units)
        if digits:
            result = d.multiply(result, d.literal(Fraction(1, 10**digits)))
        return Num(result, 1, a.faults)
