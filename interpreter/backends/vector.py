"""The vector backend: the IR over a whole population at once — exact, and unable to wrap.

Every number is an exact rational per structure, `num / den`: `num` an int64 array, or a numpy
array of Python integers where int64 could not hold it, or one Python int for all rows; `den`
one positive Python int (declared decimals are integers over a power of ten, a pourcentage over
a hundred more) or, after a division by a donnée, an array. Each value carries bounds of its
numerator and denominator. Before an operation is made, the bounds of its result are worked
out; when they do not fit int64, the operation is done on Python integers instead. Overflow is
thus impossible by construction, not detected after the fact, and no row ever comes from
approximate arithmetic: the result is, cent for cent, the scalar backend's (`n / 3 * 3 = n` in
both).

A value also carries the rows where it cannot be computed (a division by zero, an amount beyond
the guaranteed limit). As in the scalar backend, the right side of `et`/`ou` and the branches of
`si` count only where they are reached, and an amount only where it is paid: a row whose result
needs an impossible value is handed to the scalar backend, which reports it in words.

The values and their arithmetic are in `interpreter.backends.vectorarith`; this module gives each IR node its
meaning over them, the payment rules' arithmetic, and the population in chunks. Libraries: numpy for the arithmetic
(one array operation per node, no per-structure loop).
"""

from __future__ import annotations

import ctypes
import datetime
import math
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from functools import partial
from typing import Any

import numpy as np

from dsl import ir
from dsl.model import Model, expressions
from dsl.payment import MAX_CENTS, MAX_POINTS, Plan, settle
from dsl.records import frozen
from interpreter.backends import draw, scalar
from interpreter.backends.results import PopulationResult, scalar_rows
from interpreter.backends.vectorarith import (
    LIMIT,
    Code,
    Flag,
    Num,
    add,
    aligned,
    big,
    common,
    comparison,
    divide,
    multiply,
    restrict,
    round_half_away,
    sum_of,
    tighten,
    union,
)

EPOCH = datetime.date(1970, 1, 1)


# ---- the meaning of each IR node, in one place ----------------------------------------------------------


class Rows:
    """One evaluation: the population's columns and the paramètres, as vector values, and what is met."""

    def __init__(self, size: int, columns: dict, parametres: dict, ids=None):
        self.size = size
        self.ids = ids  # the structures' ids (for `tirage`)
        self.id_bytes: tuple[np.ndarray, np.ndarray] | None = None  # their bytes, encoded once for every `tirage`
        self.columns = columns
        self.parametres = parametres
        self.met: dict[str, Flag] = {}
        # Repeated draws (`interpreter.compare.draws`): the outcome of each `tirage` node, by id(), given instead of
        # hashed; and where to record each node's share.
        self.forced: dict[int, Any] | None = None
        self.shares: dict[int, Any] | None = None


Fn = Callable[[Rows], Any]


def constant(value, type_: ir.Type):
    """A scalar value (a constant, a paramètre) as a vector value."""
    if isinstance(value, bool):
        return Flag(value)
    if isinstance(value, datetime.date):
        return Code((value - EPOCH).days)
    if isinstance(value, str):
        return Code(type_.choices.index(value))
    return Num.constant(value)


def compile_expr(expr: ir.Expr) -> Fn:
    """A function computing the expression for every row of a `Rows`."""
    match expr:
        case ir.Const(value=v, type=t):
            value = constant(v, t)
            return lambda rows: value
        case ir.DonneeRef(id=id):
            return lambda rows: rows.columns[id]
        case ir.ParametreRef(id=id):
            return lambda rows: rows.parametres[id]
        case ir.Met(id=id):
            return lambda rows: rows.met[id]
        case ir.Negate(operand=o):
            f = compile_expr(o)
            return lambda rows: _negate(f(rows))
        case ir.Not(operand=o):
            f = compile_expr(o)
            return lambda rows: _not(f(rows))
        case ir.Arithmetic(op=op, left=left, right=right):
            a, b = compile_expr(left), compile_expr(right)
            operation = ARITHMETIC[op]
            return lambda rows: operation(a(rows), b(rows))
        case ir.Comparison(op=op, left=left, right=right):
            a, b = compile_expr(left), compile_expr(right)
            return lambda rows: comparison(op, a(rows), b(rows))
        case ir.Logic(op=op, left=left, right=right):
            a, b = compile_expr(left), compile_expr(right)
            return lambda rows: _logic(op, a(rows), b(rows))
        case ir.Within(operand=operand, choices=choices):
            f, options = compile_expr(operand), [compile_expr(c) for c in choices]
            return lambda rows: _within(f(rows), [g(rows) for g in options])
        case ir.Choose(condition=condition, then=then, otherwise=otherwise):
            c, a, b = compile_expr(condition), compile_expr(then), compile_expr(otherwise)
            return lambda rows: _choose(c(rows), a(rows), b(rows))
        case ir.Extremum(func=func, args=args):
            functions = [compile_expr(a) for a in args]
            return lambda rows: _extremum(func, [f(rows) for f in functions])
        case ir.Round(operand=o, digits=digits):
            f = compile_expr(o)
            return lambda rows: round_half_away(f(rows), digits)
        case ir.Draw(share=share, salt=salt):
            p, key = compile_expr(share), node_key(expr)
            return lambda rows: _draw(salt, rows, p(rows), key)
        case ir.ResultRef() | ir.LineRef():
            raise AssertionError("attendu-only expressions are evaluated by the scalar backend")
    raise AssertionError(f"unknown IR node {expr!r}")


def node_key(expr: ir.Expr) -> int:
    """How `Rows.forced` and `Rows.shares` name a `tirage` node: its id() (`compile_expr` binds `id` to other things)."""
    return id(expr)


ARITHMETIC = {"+": add, "-": lambda a, b: add(a, b, -1), "*": multiply, "/": divide}


def _draw(salt: str, rows: Rows, share: Num, key: int) -> Flag:
    """`tirage(p)`: the structures whose hash is below p × 2⁶⁴ (`interpreter.backends.draw`) — or, for repeated
    draws, the outcome given for this node (`Rows.forced`, by its id())."""
    if rows.shares is not None:
        rows.shares[key] = share
    if rows.forced is not None and key in rows.forced:
        return Flag(rows.forced[key], share.bad)
    if rows.id_bytes is None:
        rows.id_bytes = draw.id_bytes(rows.ids)
    hashed = draw.hashes(salt, rows.ids, rows.id_bytes)
    if isinstance(share.num, int) and isinstance(share.den, int):
        limit = draw.threshold(Fraction(share.num, share.den))
        return Flag(np.ones(rows.size, dtype=bool) if limit >= 2**64 else hashed < np.uint64(limit), share.bad)
    num = np.broadcast_to(big(share.num), (rows.size,))
    den = np.broadcast_to(big(share.den), (rows.size,))
    return Flag(np.asarray(hashed.astype(object) * den < num * 2**64, dtype=bool), share.bad)


def _negate(value: Num) -> Num:
    return Num(
        -value.num if isinstance(value.num, int) else np.negative(value.num), value.den, value.nb, value.db, value.bad
    )


def _not(value: Flag) -> Flag:
    return Flag(not value.value if isinstance(value.value, bool) else ~value.value, value.bad)


def _logic(op: str, a: Flag, b: Flag) -> Flag:
    """`et`/`ou`; the right side counts only where the left does not decide (as in the scalar backend)."""
    if op == "et":
        return Flag(conjunction(a.value, b.value), union(a.bad, restrict(b.bad, a.value)))
    return Flag(disjunction(a.value, b.value), union(a.bad, restrict(b.bad, _inverse(a.value))))


def masked(values, where: np.ndarray):
    """The values where `where` holds, zero elsewhere: a product by the mask in int64 (np.where branches on
    each row, 2.5× slower on a mask without pattern), np.where for Python integers."""
    if isinstance(values, np.ndarray) and values.dtype == object or not isinstance(values, (int, np.ndarray)):
        return np.where(where, values, 0)
    return values * where


def selected(where: np.ndarray, x, y):
    """x where `where` holds, else y, for operands `aligned` to |x| + |y|: in int64, `y + (x - y) × where`
    (np.where branches on each row, 4× slower on a mask without pattern); np.where for Python integers."""
    if isinstance(x, int) and x == 0:
        return masked(y, ~where)
    if isinstance(y, int) and y == 0:
        return masked(x, where)
    if any(isinstance(v, np.ndarray) and v.dtype == object for v in (x, y)):
        return np.where(where, x, y)
    return y + (x - y) * where


def conjunction(a, b):
    """a and b, per row; a Python bool decides without a numpy operation (`True & array` is 30× slower
    than `&` of two arrays)."""
    if isinstance(a, bool):
        return b if a else False
    if isinstance(b, bool):
        return a if b else False
    return a & b


def disjunction(a, b):
    """a or b, per row (as `conjunction`)."""
    if isinstance(a, bool):
        return True if a else b
    if isinstance(b, bool):
        return True if b else a
    return a | b


def _inverse(value):
    return not value if isinstance(value, bool) else ~value


def _within(value, options) -> Flag:
    result = Flag(False)
    for option in options:
        result = _logic("ou", result, comparison("=", value, option))
    return Flag(result.value, union(value.bad, *(o.bad for o in options)))


def _extremum(func: str, values: list):
    pick = np.minimum if func == "min" else np.maximum
    if isinstance(values[0], Code):
        result = values[0].value
        for v in values[1:]:
            result = pick(result, v.value)
        return Code(result, union(*(v.bad for v in values)))
    result = values[0]
    for value in values[1:]:
        x, y, den, bx, by, db = common(result, value)
        x, y = aligned(x, y, max(bx, by))
        if np.ndim(x) or np.ndim(y):  # over one positive denominator, the extremum of the numerators
            num = pick(x, y)
        else:  # two constants (a 0-d array holds a large one): a Python int, like every constant
            num = int(min(x, y) if func == "min" else max(x, y))
        result = Num(num, den, max(bx, by), db, union(result.bad, value.bad))
    return result


def _choose(condition: Flag, a, b):
    """`si`: each branch counts only where it is taken."""
    bad = union(condition.bad, restrict(a.bad, condition.value), restrict(b.bad, _inverse(condition.value)))
    if isinstance(condition.value, bool):
        chosen = a if condition.value else b
        return _with_bad(chosen, bad)
    if isinstance(a, Num):
        x, y, den, bx, by, db = common(a, b)
        x, y = aligned(x, y, bx + by)
        return Num(selected(condition.value, x, y), den, max(bx, by), db, bad)
    if isinstance(a, Code):
        return Code(np.where(condition.value, a.value, b.value), bad)
    return Flag(np.where(condition.value, a.value, b.value), bad)


def _with_bad(value, bad):
    if isinstance(value, Num):
        return Num(value.num, value.den, value.nb, value.db, bad)
    return type(value)(value.value, bad)


# ---- the payment rules' arithmetic, over every row -------------------------------------------------------


class VectorBackend:
    """The arithmetic of the payment rules (`dsl.payment.settle`) for every row at once. Rows whose
    result needs an impossible value are collected in `errors`."""

    def __init__(self, program: VectorProgram, rows: Rows):
        self.program = program
        self.rows = rows
        self.errors = np.zeros(rows.size, dtype=bool)
        # id() of a value that is zero wherever a condition does not hold → (the value, kept alive; the
        # condition): a line's amount made from its masked points needs no second mask
        self.zero_outside: dict[int, tuple[Num, Flag]] = {}

    def _fail(self, mask, where=True):
        mask = restrict(mask, where)
        if mask is not None:
            self.errors |= mask

    def value(self, expr: ir.Expr):
        return self.program.functions[id(expr)](self.rows)

    def met(self, id: str, holds: Flag) -> None:
        self._fail(holds.bad)  # every condition is decided for every structure
        self.rows.met[id] = Flag(holds.value)

    def number(self, value: Decimal) -> Num:
        return Num.constant(value)

    def donnee(self, id: str):
        return self.rows.columns[id]

    def parametre(self, id: str):
        return self.rows.parametres[id]

    add = staticmethod(add)

    def multiply(self, a: Num, b: Num) -> Num:
        result = multiply(a, b)
        for x, y in ((a, b), (b, a)):
            if isinstance(y.num, int):  # a constant factor keeps the zeros
                self._zero_like(x, result)
        return result

    def _zero_like(self, source: Num, result: Num) -> None:
        """`result` is zero wherever `source` is known to be."""
        held = self.zero_outside.get(id(source))
        if held is not None and held[0] is source:
            self.zero_outside[id(result)] = (result, held[1])

    divide = staticmethod(divide)

    def minimum(self, a: Num, b: Num) -> Num:
        return _extremum("min", [a, b])

    def maximum(self, a: Num, b: Num) -> Num:
        return _extremum("max", [a, b])

    def every(self, conditions: list[Flag]) -> Flag:
        result = True
        for condition in conditions:
            result = conjunction(result, condition.value)
        return Flag(result, union(*(c.bad for c in conditions)))  # each condition was computed: its errors count

    def when(self, condition: Flag, compute: Callable[[], Num], name: str | None = None) -> Num:
        if condition.value is False:
            return Num(0, 1, 0, 1)
        value = compute()
        self._fail(value.bad, condition.value)
        if condition.value is True:
            return Num(value.num, value.den, value.nb, value.db)
        held = self.zero_outside.get(id(value))
        if held is not None and held[0] is value and held[1] is condition:
            return Num(value.num, value.den, value.nb, value.db)
        x, _, den, bx, _, db = common(value, Num(0, 1, 0, 1))
        x, _ = aligned(x, 0, bx)
        result = Num(masked(x, condition.value), den, bx, db)
        self.zero_outside[id(result)] = (result, condition)
        return result

    def cents(self, amount: Num) -> Num:
        result = self._cents(amount)
        self._zero_like(amount, result)  # zero rounds to zero
        return result

    def _cents(self, amount: Num) -> Num:
        cents = round_half_away(amount, 2)
        if isinstance(cents.num, int):
            if abs(cents.num) >= MAX_CENTS:
                return Num(0, 100, 0, 100, union(cents.bad, np.ones(self.rows.size, dtype=bool)))
            return Num(cents.num, 100, abs(cents.num), 100, cents.bad)
        if cents.nb < MAX_CENTS:  # the bounds already say every amount is within the limit
            return Num(cents.num, 100, cents.nb, 100, cents.bad)
        over = np.asarray(np.abs(cents.num) >= MAX_CENTS, dtype=bool)
        if over.any():
            cents = Num(np.where(over, 0, cents.num), 100, MAX_CENTS, 100, union(cents.bad, over))
        return tighten(Num(cents.num, 100, min(cents.nb, MAX_CENTS), 100, cents.bad))

    def total(self, amounts: list[Num]) -> Num:
        result = sum_of(amounts, Num(0, 100, 0, 100))
        if result.nb >= MAX_CENTS:  # else the bounds say no total is beyond the limit
            self._fail(np.asarray(np.abs(self._column(result.num)) >= MAX_CENTS, dtype=bool))
        return result

    def total_points(self, points: list[Num]) -> Num:
        result = sum_of(points, Num(0, 1, 0, 1))
        if isinstance(result.den, int) and result.nb < result.den * MAX_POINTS:  # within the limit by its bounds
            return result
        x, y = aligned(abs(result.num), result.den, max(result.nb, result.db * MAX_POINTS))
        over = x >= y * MAX_POINTS
        self._fail(np.asarray(np.broadcast_to(over, (self.rows.size,)), dtype=bool))
        return result

    def _column(self, values):
        return np.broadcast_to(np.asarray(values), (self.rows.size,))


# ---- a population ------------------------------------------------------------------------------------------


@frozen
class VectorProgram:
    """A model compiled for the vector backend: one function per expression of its critères and briques."""

    model: Model
    plan: Plan
    functions: dict  # id(IR node) → function of `Rows`
    stage: tuple = ()  # scenario données, in order: (donnée id, function of `Rows`)

    @classmethod
    def of(cls, model: Model, scenarios: tuple = ()) -> VectorProgram:
        functions = {}
        for element in model.elements():
            for expr in expressions(element):
                functions[id(expr)] = compile_expr(expr)
        if model.prorata is not None:
            functions[id(model.prorata.value)] = compile_expr(model.prorata.value)
        stage = tuple((id, compile_expr(expr)) for scenario in scenarios for id, expr in scenario.donnees)
        return cls(model, Plan.of(model), functions, stage)


def apply_stage(program: VectorProgram, rows: Rows, backend: VectorBackend) -> None:
    """Compute the scenario données, in order; a row whose value the donnée cannot take is an error."""
    for id, function in program.stage:
        value = function(rows)
        backend._fail(value.bad)
        donnee = program.model.donnees[id]
        if isinstance(value, Num):
            backend._fail(_outside(value, donnee, rows.size))
            value = Num(value.num, value.den, value.nb, value.db)
        else:
            value = type(value)(value.value)
        rows.columns[id] = value


def _outside(value: Num, donnee, size: int):
    """Rows where a computed number is not an integer (for an entier) or is out of the donnée's range."""
    wrong = np.zeros(size, dtype=bool)
    if donnee.type.kind == "entier":
        num, den = aligned(value.num, value.den, max(value.nb, value.db))
        wrong |= np.asarray(np.broadcast_to(num % den != 0, (size,)), dtype=bool)
    for bound, op in ((donnee.low, "<"), (donnee.high, ">")):
        if bound is not None:
            wrong |= np.asarray(np.broadcast_to(comparison(op, value, Num.constant(bound)).value, (size,)), dtype=bool)
    return wrong if wrong.any() else None


def vector_column(donnee, value):
    """A column as read (`interpreter.io.tables`) → the vector value it stands for."""
    kind = donnee.type.kind
    if kind in ("choix", "date"):
        return Code(value)
    if kind == "booleen":
        return Flag(value)
    if donnee.low is not None and donnee.high is not None and value.num.dtype != object:
        # the values were read within the declared bounds: no pass over the column to bound them
        bound = math.ceil(max(abs(donnee.low), abs(donnee.high)) * value.den)
        return Num(value.num, value.den, bound, value.den)
    return tighten(Num(value.num, value.den, 0, value.den))


def evaluate_rows(
    program: VectorProgram,
    scalar_program: scalar.Program,
    size: int,
    columns: dict,
    ids: np.ndarray,
    exact_inputs: Callable[[int], dict],
    aside=None,
) -> PopulationResult:
    """Evaluate every row; rows the vector backend cannot compute are evaluated (and reported) by the scalar one.

    `columns` holds the population's columns as read; `exact_inputs(row)` gives the scalar
    backend's données for a row, when needed; `aside` flags rows the reader could not hold."""
    result, errors = evaluate_vector(program, scalar_program, size, columns, ids, aside)
    return scalar_rows(scalar_program, result, np.flatnonzero(errors), exact_inputs)


def _rows(program: VectorProgram, scalar_program: scalar.Program, size: int, columns: dict, ids) -> Rows:
    model = program.model
    parametres = {id: constant(value, model.parametres[id].type) for id, value in scalar_program.parametres.items()}
    return Rows(size, {id: vector_column(model.donnees[id], value) for id, value in columns.items()}, parametres, ids)


def draw_shares(program: VectorProgram, scalar_program: scalar.Program, size: int, columns: dict, ids) -> dict:
    """The share of every `tirage` node of the scenarios, per row (by the node's id()): the scenario stage alone."""
    rows = _rows(program, scalar_program, size, columns, ids)
    rows.shares = {}
    apply_stage(program, rows, VectorBackend(program, rows))
    return rows.shares


def evaluate_vector(
    program: VectorProgram,
    scalar_program: scalar.Program,
    size: int,
    columns: dict,
    ids: np.ndarray,
    aside=None,
    forced: dict | None = None,
) -> tuple[PopulationResult, np.ndarray]:
    """Every row by the vector backend alone, and the rows it could not compute (they read 0, for the scalar backend
    to compute or report); `forced`: the outcome of each `tirage` node (by id()) instead of its hash."""
    rows = _rows(program, scalar_program, size, columns, ids)
    rows.forced = forced
    backend = VectorBackend(program, rows)
    apply_stage(program, rows, backend)
    settlement = settle(program.plan, backend)
    if aside is not None:
        backend.errors |= aside

    seen: set[int] = set()

    def column(value, dtype=np.int64):
        """A column of its own (the scalar backend may write its rows): a fresh array is used as it is."""
        if (
            isinstance(value, np.ndarray)
            and value.dtype == dtype
            and value.shape == (size,)
            and value.flags.owndata
            and id(value) not in seen
        ):
            seen.add(id(value))
            return value
        return np.array(np.broadcast_to(np.asarray(value, dtype=dtype), (size,)))

    lines = {id: _cents(column, amount, backend.errors) for id, amount in settlement.amounts.items()}
    micro = round_half_away(settlement.total_points, 6)
    points = _cents(column, Num(micro.num, 1, micro.nb, 1), backend.errors, limit=LIMIT)
    result = PopulationResult(
        ids,
        column(settlement.eligible.value, bool),
        lines,
        _cents(column, settlement.total, backend.errors),
        points,
        0,
        (),
    )
    return result, backend.errors


def _cents(column, value: Num, errors: np.ndarray, limit: int = MAX_CENTS) -> np.ndarray:
    """Integer values as an int64 column; rows beyond the limit join the errors (and read 0 here)."""
    num = value.num
    if isinstance(num, np.ndarray) and num.dtype == object:
        over = np.abs(num) >= limit
        over = np.asarray(over, dtype=bool)
        errors |= over
        num = np.where(over, 0, num).astype(np.int64)
    elif isinstance(num, int) and abs(num) >= limit:
        errors |= True
        num = 0
    return column(num)


def _shifted(exact_inputs: Callable[[int], dict], start: int, index: int) -> dict:
    """The exact inputs of a chunk's row `index`, the chunk starting at row `start`."""
    return exact_inputs(start + index)


def simulate(
    program: scalar.Program, population, chunk: int = 100_000, progress=None, vector: VectorProgram | None = None
) -> PopulationResult:
    """Evaluate a validated population (`interpreter.io.tables.Population`) chunk by chunk (bounded
    memory), each chunk's results written into the population's result columns, allocated once;
    `progress` is called with each chunk's size; `vector` reuses a compiled vector program (a sweep)."""
    keep_freed_memory()
    vector = vector or VectorProgram.of(program.model, program.scenarios)
    exact_inputs = population.exact_inputs(program.model)
    size = population.size
    result: PopulationResult | None = None
    total: np.ndarray | None = None  # the total column (widened apart from `result`, which is frozen)
    exact_rows = 0
    errors: list[tuple[str, str]] = []
    for start in range(0, max(size, 1), chunk):
        stop = min(start + chunk, size)
        columns = {id: value[start:stop] for id, value in population.columns.items()}
        part = evaluate_rows(
            vector, program, stop - start, columns, population.ids[start:stop], partial(_shifted, exact_inputs, start)
        )
        if progress is not None:
            progress(stop - start)
        if stop - start == size:  # one chunk: its columns are the result
            return part
        if result is None:
            result = PopulationResult(
                population.ids,
                np.empty(size, bool),
                {id: np.empty(size, _cents_type(c)) for id, c in part.lines.items()},
                np.empty(size, _cents_type(part.total)),
                np.empty(size, np.int64),
                0,
                (),
            )
        result.eligible[start:stop] = part.eligible
        total = _stored(result.total if total is None else total, start, stop, part.total)
        result.total_points[start:stop] = part.total_points
        for id, cents in part.lines.items():
            result.lines[id] = _stored(result.lines[id], start, stop, cents)
        exact_rows += part.exact_rows
        errors.extend(part.errors)
    assert result is not None and total is not None  # a population in one chunk returned above
    return PopulationResult(
        result.ids, result.eligible, result.lines, total, result.total_points, exact_rows, tuple(errors)
    )


# Amounts in cents are held in int32 while every one is below this: half of int32, so that the difference of two
# (a diff's change) fits too. A line's amounts rarely reach 10 M€: the result columns of 5 M structures take
# half the memory.
NARROW = 2**30


def _cents_type(cents: np.ndarray):
    return np.int32 if len(cents) == 0 or -NARROW < int(cents.min()) and int(cents.max()) < NARROW else np.int64


def _stored(column: np.ndarray, start: int, stop: int, cents: np.ndarray) -> np.ndarray:
    """A chunk's amounts written into their result column (widened to int64 first if they need it)."""
    if column.dtype == np.int32 and _cents_type(cents) is np.int64:
        column = column.astype(np.int64)
    column[start:stop] = cents
    return column


_MALLOC_TUNED = False


def keep_freed_memory() -> None:
    """Ask glibc to keep the memory of freed arrays for the next ones (Linux; elsewhere nothing).

    By default glibc gives the memory of a freed array of a few megabytes back to the system, and the
    next array of that size is page-faulted in again, page by page: a third of the evaluation's time.
    Kept, it is reused at once; the peak memory is that of the arrays alive at one time, as before."""
    global _MALLOC_TUNED
    if _MALLOC_TUNED:
        return
    _MALLOC_TUNED = True
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-1, 1 << 30)  # M_TRIM_THRESHOLD: keep up to 1 GiB of free memory at the heap's top
        libc.mallopt(-3, 32 << 20)  # M_MMAP_THRESHOLD: arrays up to 32 MiB (a chunk's) from the heap
    except (OSError, AttributeError):  # not glibc: its own allocator's defaults
        pass
