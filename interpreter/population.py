"""Vectorised evaluation: the compiled convention over a whole population at once.

Libraries: polars reads and writes CSV, Parquet and JSON Lines fast (Rust, multi-threaded)
and hands columns over as numpy arrays; numpy does the arithmetic, one array operation per
node of each expression, with no per-structure Python loop.

Exactness: every number is an exact rational — an int64 numerator array over a denominator
that is, in practice, one Python int for the whole column (declared decimals are integers
over a power of ten, a pourcentage over a hundred more, a division by a constant multiplies
the denominator). Sums, comparisons, `min`/`max`, `arrondi` and the rounding of each line to
the cent, half away from zero, are then exact integer operations: the result is, cent for
cent, the scalar evaluator's. Each value carries an upper bound of its magnitude (a Python
int, from the actual minimum and maximum of each input column); where an operation could
overflow int64, the rows concerned are set aside and computed by the scalar evaluator, as
are rows whose inputs carry more decimals than int64 can hold and rows where a division by
zero makes the scalar evaluator report an error. No row ever comes from approximate
arithmetic.
"""

from __future__ import annotations

import datetime
import math
from decimal import Decimal

import numpy as np
from attrs import frozen

from dsl import nodes as n
from dsl.model import ATTENDU_NAMES
from interpreter.compiler import EvaluationError, Program
from interpreter.evaluate import evaluate

LIMIT = 2**62  # numerators stay below this; products are checked against it before being made
EPOCH = datetime.date(1970, 1, 1)


class Num:
    """An exact rational per row: `num / den`, with `bound` ≥ max |num|."""

    __slots__ = ("num", "den", "bound")

    def __init__(self, num, den, bound: int):
        self.num, self.den, self.bound = num, den, bound

    @classmethod
    def constant(cls, value: Decimal) -> Num:
        numerator, denominator = Decimal(value).as_integer_ratio()
        return cls(numerator, denominator, abs(numerator))

    @property
    def is_constant(self) -> bool:
        return isinstance(self.num, int) and isinstance(self.den, int)


class Rows:
    """The state of one vectorised evaluation: row count, rows set aside for the exact path."""

    def __init__(self, size: int, columns: dict):
        self.size = size
        self.columns = columns
        self.met: dict[str, np.ndarray] = {}
        self.aside = np.zeros(size, dtype=bool)

    def set_aside(self, mask) -> None:
        if mask is not False and np.any(mask):
            self.aside |= mask


# ---- exact rational arithmetic on arrays ----------------------------------------------------------


def _abs_max(values) -> int:
    if isinstance(values, int):
        return abs(values)
    return int(np.abs(values).max()) if len(values) else 0


def scale(rows: Rows, value: Num, factor: int) -> Num:
    """The same rational with its numerator multiplied by `factor` (and its denominator too)."""
    if factor == 1:
        return value
    bound = value.bound * abs(factor)
    if bound < LIMIT:
        return Num(value.num * factor, value.den * factor, bound)
    return _guarded_product(rows, value.num, factor, value.den * factor)


def _guarded_product(rows: Rows, a, b, den) -> Num:
    """a × b where it may overflow: rows at risk go to the exact path; their value here is 0."""
    if isinstance(a, int) and isinstance(b, int):
        product = a * b
        if abs(product) < LIMIT:
            return Num(product, den, abs(product))
        rows.set_aside(np.ones(rows.size, dtype=bool))
        return Num(np.zeros(rows.size, dtype=np.int64), den, 0)
    risky = np.abs(np.asarray(a, dtype=np.float64)) * np.abs(np.asarray(b, dtype=np.float64)) >= LIMIT / 4
    rows.set_aside(risky)
    a = np.where(risky, 0, a) if not isinstance(a, int) else a
    b = np.where(risky, 0, b) if not isinstance(b, int) else b
    product = np.asarray(a, dtype=np.int64) * np.asarray(b, dtype=np.int64)
    return Num(product, den, _abs_max(product))


def common(rows: Rows, a: Num, b: Num) -> tuple[Num, Num]:
    """Both rationals over the same denominator."""
    if isinstance(a.den, int) and isinstance(b.den, int):
        if a.den == b.den:
            return a, b
        lcm = math.lcm(a.den, b.den)
        return scale(rows, a, lcm // a.den), scale(rows, b, lcm // b.den)
    left = _guarded_product(rows, a.num, b.den, None)
    right = _guarded_product(rows, b.num, a.den, None)
    den = _guarded_product(rows, a.den, b.den, None).num
    return Num(left.num, den, left.bound), Num(right.num, den, right.bound)


def add(rows: Rows, a: Num, b: Num, sign: int = 1) -> Num:
    a, b = common(rows, a, b)
    bound = a.bound + b.bound
    if bound >= LIMIT:
        rows.set_aside(np.abs(np.asarray(a.num, dtype=np.float64)) + np.abs(np.asarray(b.num, dtype=np.float64))
                       >= LIMIT / 2)
    return _reduced(Num(a.num + sign * b.num, a.den, min(bound, LIMIT)))


def multiply(rows: Rows, a: Num, b: Num) -> Num:
    den = a.den * b.den
    if a.bound * b.bound < LIMIT:
        result = Num(a.num * b.num, den, a.bound * b.bound)
    else:
        result = _guarded_product(rows, a.num, b.num, den)
    return _reduced(result)


def divide(rows: Rows, a: Num, b: Num) -> Num:
    """a ÷ b; rows dividing by zero go to the exact path, which reports them."""
    if b.is_constant:
        if b.num == 0:
            rows.set_aside(np.ones(rows.size, dtype=bool))
            return Num(0, 1, 0)
        sign = -1 if b.num < 0 else 1
        return multiply(rows, a, Num(sign * b.den, abs(b.num), abs(b.den)))
    zero = np.asarray(b.num) == 0
    rows.set_aside(zero)
    divisor = np.where(zero, 1, b.num)
    sign = np.where(divisor < 0, -1, 1)
    numerator = _guarded_product(rows, a.num, np.asarray(b.den) * sign, None)
    denominator = _guarded_product(rows, a.den, np.abs(divisor), None)
    return Num(numerator.num, denominator.num, numerator.bound)


def _reduced(value: Num) -> Num:
    """Keep a scalar denominator small by dividing out common factors, when it grows."""
    if isinstance(value.den, int) and value.den > 10**9:
        g = math.gcd(value.den, int(np.gcd.reduce(np.asarray(value.num, dtype=np.int64).ravel())) if not
                     isinstance(value.num, int) else value.num)
        if g > 1:
            return Num(value.num // g, value.den // g, value.bound // g)
    return value


def round_half_away(rows: Rows, value: Num, digits: int) -> Num:
    """Round to `digits` decimals, half away from zero (exactly, in integers)."""
    scaled = multiply(rows, value, Num(10**digits, 1, 10**digits)) if digits else value
    num, den = scaled.num, scaled.den
    if isinstance(num, int) and isinstance(den, int):
        q, r = divmod(abs(num), den)
        q += 2 * r >= den
        return Num(-q if num < 0 else q, 10**digits, q)
    magnitude = np.abs(num)
    q, r = np.divmod(magnitude, den)
    q = q + (2 * r >= den)
    result = np.where(num < 0, -q, q)
    return Num(result, 10**digits, _abs_max(result) if not isinstance(den, int) else scaled.bound // den + 1)


def compare(rows: Rows, op: str, a: Num, b: Num):
    a, b = common(rows, a, b)
    return COMPARISONS[op](a.num, b.num)


COMPARISONS = {"=": np.equal, "!=": np.not_equal, "<": np.less, "<=": np.less_equal, ">": np.greater,
               ">=": np.greater_equal}


# ---- compiling expressions over arrays ----------------------------------------------------------------


class Code:
    """A `choix` value or a date, as integer codes (values only compare)."""

    __slots__ = ("codes",)

    def __init__(self, codes):
        self.codes = codes


def choice_codes(model) -> dict[str, int]:
    """One integer per `choix` value of a model (shared by the reader and the compiler)."""
    return {c: i for i, c in enumerate(sorted({c for d in model.donnees.values() for c in d.type.choices}))}


class VectorCompiler:
    """Compiles a program's expressions into functions of `Rows`, once per program."""

    def __init__(self, program: Program):
        self.program = program
        self.model = program.model
        self.choice_codes = choice_codes(self.model)

    def constant(self, value):
        if isinstance(value, bool):
            return value
        if isinstance(value, Decimal):
            return Num.constant(value)
        if isinstance(value, datetime.date):
            return Code((value - EPOCH).days)
        return Code(self.choice_codes.get(value, -1))

    def compile(self, expr: n.Expr):
        match expr:
            case n.Number(value=v) | n.Money(value=v):
                value = Num.constant(v)
                return lambda rows: value
            case n.Percent(value=v):
                value = Num.constant(v / 100)
                return lambda rows: value
            case n.Bool(value=v):
                return lambda rows: v
            case n.DateLit(value=v):
                value = Code((v - EPOCH).days)
                return lambda rows: value
            case n.Name(id=id):
                return self._name(id)
            case n.Call():
                return self._call(expr)
            case n.Neg(operand=o):
                f = self.compile(o)
                return lambda rows: _negate(f(rows))
            case n.Not(operand=o):
                f = self.compile(o)
                return lambda rows: np.logical_not(f(rows))
            case n.BinOp(op=op, left=left, right=right):
                a, b = self.compile(left), self.compile(right)
                operation = {"+": add, "-": lambda r, x, y: add(r, x, y, -1), "*": multiply, "/": divide}[op]
                return lambda rows: operation(rows, a(rows), b(rows))
            case n.Compare(op=op, left=left, right=right):
                a, b = self.compile(left), self.compile(right)
                return lambda rows: _compare(rows, op, a(rows), b(rows))
            case n.Logic(op=op, left=left, right=right):
                a, b = self.compile(left), self.compile(right)
                combine = np.logical_and if op == "et" else np.logical_or
                return lambda rows: combine(a(rows), b(rows))
            case n.Within(operand=operand, choices=choices):
                f = self.compile(operand)
                options = [self.compile(c) for c in choices]
                return lambda rows: _within(rows, f(rows), [g(rows) for g in options])
            case n.If(condition=condition, then=then, otherwise=otherwise):
                c, a, b = self.compile(condition), self.compile(then), self.compile(otherwise)
                return lambda rows: _choose(rows, c(rows), a(rows), b(rows))
        raise AssertionError(f"unknown expression {expr!r}")

    def _name(self, id: str):
        if id in self.model.donnees:
            return lambda rows: rows.columns[id]
        if id in self.model.parametres:
            value = self.constant(self.program.parametres[id])
            return lambda rows: value
        if id in ATTENDU_NAMES:  # pragma: no cover - the checker keeps them in `attendu` blocks
            raise AssertionError(id)
        value = Code(self.choice_codes.get(id, -1))
        return lambda rows: value

    def _call(self, expr: n.Call):
        if expr.func == "atteint":
            target = expr.args[0].id
            return lambda rows: rows.met[target]
        functions = [self.compile(a) for a in expr.args]
        if expr.func in ("min", "max"):
            pick_min = expr.func == "min"
            return lambda rows: _extremum(rows, [f(rows) for f in functions], pick_min)
        digits = int(expr.args[1].value) if len(expr.args) > 1 else 0
        f = functions[0]
        return lambda rows: round_half_away(rows, f(rows), digits)


def _negate(value):
    if isinstance(value, Num):
        return Num(-value.num, value.den, value.bound)
    raise AssertionError(value)


def _compare(rows: Rows, op: str, a, b):
    if isinstance(a, Num):
        return compare(rows, op, a, b)
    left = a.codes if isinstance(a, Code) else a
    right = b.codes if isinstance(b, Code) else b
    return COMPARISONS[op](left, right)


def _within(rows: Rows, value, options):
    result = False
    for option in options:
        result = np.logical_or(result, _compare(rows, "=", value, option))
    return result


def _extremum(rows: Rows, values, pick_min: bool):
    if isinstance(values[0], Code):
        codes = [v.codes for v in values]
        combine = np.minimum if pick_min else np.maximum
        result = codes[0]
        for c in codes[1:]:
            result = combine(result, c)
        return Code(result)
    result = values[0]
    for value in values[1:]:
        a, b = common(rows, result, value)
        pick = (np.less_equal if pick_min else np.greater_equal)(a.num, b.num)
        result = Num(np.where(pick, a.num, b.num), a.den, max(a.bound, b.bound))
    return result


def _choose(rows: Rows, condition, a, b):
    if isinstance(a, Num):
        a, b = common(rows, a, b)
        return Num(np.where(condition, a.num, b.num), a.den, max(a.bound, b.bound))
    if isinstance(a, Code):
        return Code(np.where(condition, a.codes, b.codes))
    return np.where(condition, a, b)


# ---- evaluating a population --------------------------------------------------------------------------


@frozen
class CompiledPopulationProgram:
    """The vector form of a program: one function per condition and amount."""

    program: Program
    compiler: VectorCompiler
    conditions: dict
    amounts: dict  # line id → (points fixes, points variables, montant) functions or None

    @classmethod
    def of(cls, program: Program) -> CompiledPopulationProgram:
        compiler = VectorCompiler(program)
        conditions, amounts = {}, {}
        for element in (*program.model.criteres.values(), *program.model.briques.values()):
            conditions[element.id] = compiler.compile(element.condition)
            amounts[element.id] = tuple(None if e is None else compiler.compile(e)
                                        for e in (element.points_fixes, element.points_variables, element.montant))
        return cls(program, compiler, conditions, amounts)


@frozen
class PopulationResult:
    """Per structure: eligibility, each line in cents, the total in cents and points in millionths."""

    ids: np.ndarray
    eligible: np.ndarray
    lines: dict[str, np.ndarray]  # id → cents (int64), for section critères and briques
    total: np.ndarray  # cents
    total_points: np.ndarray  # millionths of a point, rounded half away from zero
    exact_rows: int  # rows computed by the scalar evaluator
    errors: tuple[tuple[str, str], ...]  # (structure id, message) of rows that could not be evaluated


def evaluate_population(compiled: CompiledPopulationProgram, size: int, columns: dict, ids: np.ndarray,
                        exact_inputs, aside=None) -> PopulationResult:
    """Evaluate every row; rows set aside (and rows flagged by the reader) take the exact scalar path.

    `exact_inputs(row)` gives the scalar evaluator's données for a row, when needed.
    """
    program = compiled.program
    rows = Rows(size, {id: _vector_column(compiled, id, value) for id, value in columns.items()})
    if aside is not None:
        rows.set_aside(aside)
    for id in program.order:
        met = np.broadcast_to(np.asarray(compiled.conditions[id](rows), dtype=bool), (size,))
        element = program.elements[id]
        if element.kind == "brique":
            for critere in element.criteres:
                met = met & rows.met[critere]
        rows.met[id] = met
    eligible = np.ones(size, dtype=bool)
    for id in program.prerequis:
        eligible &= rows.met[id]
    lines, points_total = {}, Num(0, 1, 0)
    for id in program.lines:
        element = program.elements[id]
        if element.brique is not None:
            continue
        paid = eligible & rows.met[id]
        cents, points = _line(compiled, rows, id, rows.columns)
        lines[id] = np.where(paid, cents, 0)
        if points is not None:
            points_total = add(rows, points_total, Num(np.where(paid, points.num, 0), points.den, points.bound))
    total = np.zeros(size, dtype=np.int64)
    for cents in lines.values():
        total += cents
    micro = round_half_away(rows, points_total, 6)
    total_points = np.broadcast_to(np.asarray(micro.num, dtype=np.int64), (size,)).copy()
    result = PopulationResult(ids, eligible, lines, total, total_points, 0, ())
    return _exact_path(program, result, np.flatnonzero(rows.aside), exact_inputs)


def _vector_column(compiled: CompiledPopulationProgram, id: str, value):
    """A column as read (`interpreter.io.tables`) → the vector form this evaluator computes with."""
    donnee = compiled.program.model.donnees[id]
    kind = donnee.type.kind
    if kind == "choix":
        codes = np.array([compiled.compiler.choice_codes[c] for c in donnee.type.choices], dtype=np.int64)
        return Code(codes[value])
    if kind == "date":
        return Code(value)
    if kind == "booleen":
        return value
    return Num(value.num, value.den, int(np.abs(value.num).max()) if len(value.num) else 0)


def _line(compiled: CompiledPopulationProgram, rows: Rows, id: str, columns: dict):
    """A line's amount in cents, and its points (None when it has none), as if met."""
    program = compiled.program
    fixes, variables, montant = compiled.amounts[id]
    size = rows.size
    if fixes is None and variables is None and montant is None:
        return np.zeros(size, dtype=np.int64), None
    money = Num(0, 1, 0)
    points = None
    if fixes is not None or variables is not None:
        points = fixes(rows) if fixes is not None else Num(0, 1, 0)
        if variables is not None:
            share = multiply(rows, variables(rows), columns["patientele"])
            share = divide(rows, share, Num.constant(program.patientele_reference))
            points = add(rows, points, share)
        money = multiply(rows, points, Num.constant(program.valeur_point))
    if montant is not None:
        money = add(rows, money, montant(rows))
    cents = round_half_away(rows, money, 2)
    return np.broadcast_to(np.asarray(cents.num, dtype=np.int64), (size,)), points


def _exact_path(program: Program, result: PopulationResult, indices: np.ndarray, exact_inputs) -> PopulationResult:
    """Recompute the given rows with the scalar evaluator (the reference), in place."""
    errors = []
    eligible, total, points = result.eligible.copy(), result.total.copy(), result.total_points.copy()
    lines = {id: cents.copy() for id, cents in result.lines.items()}
    for index in indices:
        try:
            evaluation = evaluate(program, exact_inputs(int(index)), explain=False)
        except EvaluationError as error:
            errors.append((str(result.ids[index]), str(error)))
            eligible[index] = False
            total[index] = points[index] = 0
            for cents in lines.values():
                cents[index] = 0
            continue
        eligible[index] = evaluation.eligible
        total[index] = int(evaluation.total * 100)
        points[index] = int(to_micro(evaluation.total_points))
        for id in lines:
            lines[id][index] = int(evaluation.line(id).montant * 100)
    return PopulationResult(result.ids, eligible, lines, total, points, len(indices), tuple(errors))


def to_micro(points: Decimal) -> Decimal:
    """Points in millionths, rounded half away from zero (the precision results are written with)."""
    return (points * 1_000_000).quantize(Decimal(1), rounding="ROUND_HALF_UP")



def evaluate_in_chunks(compiled: CompiledPopulationProgram, population, chunk: int = 250_000,
                       progress=None) -> PopulationResult:
    """Evaluate a validated population chunk by chunk (bounded memory), reporting progress."""
    exact_inputs = population.exact_inputs(compiled.program.model)
    parts = []
    for start in range(0, max(population.size, 1), chunk):
        stop = min(start + chunk, population.size)
        columns = {id: value[start:stop] for id, value in population.columns.items()}
        part = evaluate_population(compiled, stop - start, columns, population.ids[start:stop],
                                   lambda index, start=start: exact_inputs(start + index), population.aside[start:stop])
        parts.append(part)
        if progress is not None:
            progress(stop - start)
    if len(parts) == 1:
        return parts[0]
    return PopulationResult(
        np.concatenate([p.ids for p in parts]), np.concatenate([p.eligible for p in parts]),
        {id: np.concatenate([p.lines[id] for p in parts]) for id in parts[0].lines},
        np.concatenate([p.total for p in parts]), np.concatenate([p.total_points for p in parts]),
        sum(p.exact_rows for p in parts), tuple(e for p in parts for e in p.errors),
    )
