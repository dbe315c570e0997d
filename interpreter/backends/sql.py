"""The SQL backend: a version compiled to one SQL query — a sqlglot expression tree, rendered per dialect.

The query reads a table of structures (an `id` column and one column per donnée, typed: numbers
numeric, booléens BOOLEAN, dates DATE, choix text; a pourcentage in percent, as in population
files) and returns, per structure, `id`, `eligible`, one column per line (critère or brique, in
euros rounded to the cent), `total`, `total_points` and `erreur` (NULL, or why the structure
cannot be evaluated: an invalid input, a division by zero reached, an amount beyond the limits).
It is written as a chain of CTEs, one per stage, whose columns are named by the ids they hold:
`entrees` (the données, typed and checked), one `scenario_N` per scenario line, `conditions`
(whether each critère and brique is met; `conditions_2`… when `atteint` reads another one),
`eligibilite` (the gate of the prérequis), `points`, `lignes` (`montant_<id>`) and `total`.
Each stage may add an `erreur_<stage>` column; the final one is the first of them.

The meaning of each IR node is written here once (`Translator`), the payment rules are those of
`dsl.payment.settle`, run over `SqlBackend` whose values are SQL expressions, and the exact
arithmetic — decimals of known precision, rationals, rounding half away from zero — lives in
`interpreter.backends.sqlarith`. As in the vector backend, a value carries the rows where it is
undefined (`faults`); the right side of `et`/`ou` and the branches of `si` count only where they
are reached, and an amount only where it is paid. Paramètres are constants of the query: it is
generated for their values (scenarios and `--set` applied), and says which in its header.

What cannot be guaranteed exact in a dialect (a value needing more digits than its DECIMAL holds,
`tirage` where the dialect has no exact 64-bit hash) is not written: `compile_query` raises
`SqlProblem`, naming the expression and the reason.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from functools import partial
from typing import Any

from sqlglot import exp

from dsl import ir
from dsl.diagnostics import Diagnostic
from dsl.errors import ConvcheckError
from dsl.limits import MAX_DECIMALS
from dsl.model import Model
from dsl.payment import MAX_EUROS, MAX_POINTS, Plan, settle
from dsl.printer import print_expr
from dsl.records import frozen
from interpreter.backends import sqlarith as a
from interpreter.backends.dialects import DIALECTS
from interpreter.backends.sqlarith import Dec, Fault, Num, Rationals, Unguaranteed, column, first_fault, identifier
from interpreter.backends.sqldraw import NoExactDraw, drawn
from interpreter.backends.sqlinputs import INPUT_SCALES, entrees, input_bound
from interpreter.numbers import conv_text

OUTPUT_SCALE = 2  # euros
POINTS_SCALE = 6  # total_points, rounded half away from zero to the millionth (as results files write them)


class SqlProblem(ConvcheckError):
    """The query cannot be written exactly: the IR expression (or None) and the reason, in French."""

    def __init__(self, reason: str, node: Any = None, code: str = "sql-non-garanti", line: str | None = None):
        super().__init__(reason)
        self.reason = reason
        self.node = node
        self.code = code
        self.line = line  # the line (critère, brique…) whose payment needs it, when no expression of it does


# ---- values -----------------------------------------------------------------------------------------------


@frozen
class Flag:
    """A condition per row."""

    sql: exp.Expression
    faults: tuple[Fault, ...] = ()
    value: bool | None = None

    def with_faults(self, faults: tuple[Fault, ...]) -> Flag:
        return Flag(self.sql, faults, self.value)


@frozen
class Code:
    """A date or a `choix` value per row: values that only compare."""

    sql: exp.Expression
    faults: tuple[Fault, ...] = ()
    value: Any = None


def draw_function(dialect: str, numbers: Rationals) -> Callable:
    """`tirage(p)` as a condition (`interpreter.backends.sqldraw`); refused where the dialect cannot redo it."""

    def draw(salt: str, share: Num) -> Flag:
        try:
            found = drawn(dialect, numbers, salt, share)
        except NoExactDraw as problem:
            raise SqlProblem(str(problem), code="sql-tirage") from None
        return boolean(found).with_faults(share.faults) if isinstance(found, bool) else Flag(found, share.faults)

    return draw


def restrict(faults: tuple[Fault, ...], where: exp.Expression | None) -> tuple[Fault, ...]:
    """The faults of a part computed only where `where` holds."""
    if where is None:
        return faults
    return tuple((a.and_(where, condition), why) for condition, why in faults)


def boolean(value: bool) -> Flag:
    return Flag(exp.true() if value else exp.false(), (), value)


def literal_of(value, type_: ir.Type, numbers: Rationals):
    """A constant (a literal, a paramètre's value) as a value."""
    if isinstance(value, bool):
        return boolean(value)
    if isinstance(value, datetime.date):
        return Code(a.cast(exp.Literal.string(value.isoformat()), "DATE"), (), value)
    if isinstance(value, str):
        return Code(exp.Literal.string(value), (), value)
    return numbers.constant(Fraction(value))


# ---- the meaning of each IR node, in one place ----------------------------------------------------------


class Translator:
    """Each IR node as SQL: données and paramètres are read from `donnees` and `parametres`, `atteint(id)`
    from `met`, `tirage` from `draws`."""

    def __init__(self, numbers: Rationals, donnees: dict, parametres: dict, draw: Callable | None = None):
        self.numbers = numbers
        self.donnees = donnees
        self.parametres = parametres
        self.met: dict[str, Flag] = {}
        self.draw = draw

    def expr(self, expr: ir.Expr):
        try:
            return self._expr(expr)
        except (Unguaranteed, SqlProblem) as problem:
            if expr.source is not None and getattr(problem, "node", None) is None:
                problem.node = expr
            raise

    def _expr(self, expr: ir.Expr):
        numbers = self.numbers
        match expr:
            case ir.Const(value=v, type=t):
                return literal_of(v, t, numbers)
            case ir.DonneeRef(id=id):
                return self.donnees[id]
            case ir.ParametreRef(id=id):
                return self.parametres[id]
            case ir.Met(id=id):
                return self.met[id]
            case ir.ResultRef() | ir.LineRef():
                raise AssertionError("attendu-only expressions are evaluated by the scalar backend")
            case ir.Negate(operand=o):
                return numbers.negate(self.expr(o))
            case ir.Not(operand=o):
                value = self.expr(o)
                return Flag(a.not_(value.sql), value.faults, None if value.value is None else not value.value)
            case ir.Arithmetic(op=op, left=left, right=right):
                x, y = self.expr(left), self.expr(right)
                if op == "/":
                    return numbers.divide(x, y)
                return numbers.multiply(x, y) if op == "*" else numbers.add(x, y, 1 if op == "+" else -1)
            case ir.Comparison(op=op, left=left, right=right):
                return self.compare(op, self.expr(left), self.expr(right))
            case ir.Logic(op=op, left=left, right=right):
                return self.logic(op, self.expr(left), self.expr(right))
            case ir.Within(operand=operand, choices=choices):
                value = self.expr(operand)
                result = boolean(False)
                for choice in choices:
                    result = self.logic("ou", result, self.compare("=", value, self.expr(choice)))
                return result
            case ir.Choose(condition=condition, then=then, otherwise=otherwise):
                return self.choose(self.expr(condition), self.expr(then), self.expr(otherwise))
            case ir.Extremum(func=func, args=args):
                values = [self.expr(x) for x in args]
                result = values[0]
                for value in values[1:]:
                    result = self.extremum(func, result, value)
                return result
            case ir.Round(operand=o, digits=digits):
                return numbers.round_half_away(self.expr(o), digits)
            case ir.Draw(share=share, salt=salt):
                if self.draw is None:
                    raise SqlProblem("« tirage » n'a de sens que dans les données d'un scénario", expr)
                return self.draw(salt, self.expr(share))
        raise AssertionError(f"unknown IR node {expr!r}")

    def compare(self, op: str, x, y) -> Flag:
        faults = x.faults + y.faults
        if x.value is not None and y.value is not None:
            return Flag(boolean(ir_compare(op, x.value, y.value)).sql, faults, ir_compare(op, x.value, y.value))
        if isinstance(x, Num):
            return Flag(self.numbers.compare(op, x, y), faults)
        return Flag(a.binary(a.COMPARISONS[op], x.sql, y.sql), faults)

    def logic(self, op: str, x: Flag, y: Flag) -> Flag:
        """`et`/`ou`: the right side counts only where the left does not decide."""
        decisive = op == "ou"  # the value of the left side that decides alone
        if x.value is decisive:
            return Flag(x.sql, x.faults, decisive)
        if x.value is not None:  # the left side does not decide: the right side does
            return Flag(y.sql, x.faults + y.faults, y.value)
        reached = x.sql if op == "et" else a.not_(x.sql)
        faults = x.faults + restrict(y.faults, reached)
        if y.value is not None:
            return Flag(
                x.sql if y.value != decisive else boolean(decisive).sql,
                faults,
                None if y.value != decisive else decisive,
            )
        combine = a.and_ if op == "et" else a.or_
        return Flag(combine(x.sql, y.sql), faults)

    def choose(self, condition: Flag, then, otherwise):
        """`si`: each branch counts only where it is taken."""
        if condition.value is not None:
            chosen = then if condition.value else otherwise
            return with_faults(chosen, condition.faults + chosen.faults)
        faults = (
            condition.faults + restrict(then.faults, condition.sql) + restrict(otherwise.faults, a.not_(condition.sql))
        )
        if isinstance(then, Num):
            return self.numbers.choose(condition.sql, then, otherwise, faults)
        return type(then)(a.case(condition.sql, then.sql, otherwise.sql), faults)

    def extremum(self, func: str, x, y):
        if isinstance(x, Num):
            return self.numbers.extremum(func, x, y)
        faults = x.faults + y.faults
        if x.value is not None and y.value is not None:
            return Code(
                x.sql if (x.value <= y.value) == (func == "min") else y.sql,
                faults,
                min(x.value, y.value) if func == "min" else max(x.value, y.value),
            )
        return Code(a.call("LEAST" if func == "min" else "GREATEST", x.sql, y.sql), faults)


def ir_compare(op: str, x, y) -> bool:
    return {"=": x == y, "!=": x != y, "<": x < y, "<=": x <= y, ">": x > y, ">=": x >= y}[op]


def with_faults(value, faults):
    if isinstance(value, Num):
        return value.with_faults(faults)
    return type(value)(value.sql, faults, value.value)


# ---- stages: the columns each CTE computes, and the rows where it fails --------------------------------

KINDS = ("conditions", "eligibilite", "points", "lignes", "total")
COMMENTS = {
    "entrees": "les données de chaque structure, typées et vérifiées",
    "conditions": "chaque critère et chaque brique : atteint ou non",
    "eligibilite": "la porte des prérequis : une structure non éligible ne reçoit rien",
    "points": "les points de chaque ligne payée (points fixes + points variables × patientèle / référence)",
    "lignes": "chaque ligne payée, en euros, arrondie au centime (une moitié de centime s'arrondit en s'éloignant de zéro)",
    "total": "le total (somme des lignes arrondies) et le total des points",
}
OUTPUT = ("id", "eligible", "total", "total_points", "erreur")


@frozen
class Column:
    kind: str
    level: int
    name: str
    sql: exp.Expression
    faults: tuple[tuple[exp.Expression, str], ...]  # (rows, message)


class Layout:
    """The columns of the query, with unique names (ids where they are free), and the stage of each."""

    def __init__(self, dialect: str, taken=()):
        self.dialect = dialect
        self.names: set[str] = set(OUTPUT) | set(taken)
        self.columns: list[Column] = []
        self.levels: dict[tuple[str, str], int] = {}  # (stage, column) → its level: found at once, not by a scan
        self.errors: list[str] = []  # the `erreur_<stage>` columns, in order (a donnée may be named `erreur_…`)

    def error_column(self, stage: str) -> str:
        """The name of the column saying why a row failed at this stage."""
        name = self.name(f"erreur_{stage}", "convcheck")
        self.errors.append(name)
        return name

    def name(self, preferred: str, prefix: str) -> str:
        for candidate in (preferred, f"{prefix}_{preferred}"):
            if candidate not in self.names:
                break
        else:
            number = 2
            while f"{prefix}_{preferred}_{number}" in self.names:
                number += 1
            candidate = f"{prefix}_{preferred}_{number}"
        self.names.add(candidate)
        return candidate

    def define(self, kind: str, name: str, sql: exp.Expression, faults=()) -> exp.Expression:
        """A column of a stage; its level within the stage follows the columns of the stage it reads."""
        read = {c.name for e in (sql, *(f for f, _ in faults)) for c in e.find_all(exp.Column)}
        level = 1 + max((self.levels[(kind, n)] for n in read if (kind, n) in self.levels), default=0)
        self.columns.append(Column(kind, level, name, sql, tuple(faults)))
        self.levels[(kind, name)] = level
        return column(name)

    def stages(self) -> list[tuple[str, list[Column]]]:
        """(CTE name, columns) in order."""
        result = []
        for kind in KINDS:
            levels = sorted({c.level for c in self.columns if c.kind == kind})
            for level in levels:
                name = kind if len(levels) == 1 else f"{kind}_{level}"
                result.append((name, [c for c in self.columns if c.kind == kind and c.level == level]))
        return result


# ---- the données as the stages read them (the input stage itself: `interpreter.backends.sqlinputs`) -------


def donnee_value(donnee, name: str, scale: int):
    """The value a stage reads for a donnée held in column `name` (a numeric one with `scale` decimals)."""
    kind = donnee.type.kind
    if kind == "booleen":
        return Flag(column(name))
    if kind in ("date", "choix"):
        return Code(column(name))
    bound = input_bound(donnee, 100 if kind == "pourcentage" else 1)
    return Num(Dec(column(name), scale, bound, a.int_digits(bound) + scale))


def default_value(donnee, numbers: Rationals):
    """The value a stage reads for a donnée whose column the table has not: its default (`par défaut`)."""
    assert donnee.default is not None  # only données with a default may be absent
    return literal_of(donnee.default.value, donnee.type, numbers)


# ---- the payment rules' arithmetic, as SQL -----------------------------------------------------------------

FAULTS = {"division": "division par zéro", "limite": "montant hors des limites garanties (10^15 € en valeur absolue)"}


class SqlBackend:
    """The arithmetic of the payment rules (`dsl.payment.settle`) as SQL expressions. What the rules
    decide becomes the columns of the stages: each critère's condition, the gate, each line's points
    and amount, the totals."""

    def __init__(self, translator: Translator, layout: Layout, plan: Plan):
        self.translator = translator
        self.numbers = translator.numbers
        self.layout = layout
        self.plan = plan
        self.flags: dict[str, Flag] = {}  # met id → its column
        # id() of a condition the rules hold → (that condition, kept alive so its id is not reused; its column)
        self.columns: dict[int, tuple[Flag, Flag]] = {}
        self.paid = 0
        self.eligible: Flag | None = None
        self.line: str | None = None  # the line being paid
        self.rounded: dict[int, Num] = {}  # id() of the values `cents` returned (line amounts) → the value, kept alive
        self.node: ir.Expr | None = (
            None  # the last IR expression computed: a problem of the rules' own arithmetic is said there
        )

    def value(self, expr: ir.Expr):
        self.node = expr
        return self.translator.expr(expr)

    def met(self, element: str, holds: Flag) -> None:
        name = self.layout.name(element, "atteint")
        where = f"dans la condition de « {element} »"
        faults = [(f, f"{FAULTS[why]} {where}") for f, why in holds.faults]
        flag = Flag(self.layout.define("conditions", name, holds.sql, faults))
        self.flags[element] = self.translator.met[element] = flag
        self.columns.setdefault(id(holds), (holds, flag))

    def number(self, value: Decimal) -> Num:
        return self.numbers.constant(Fraction(value))

    def donnee(self, id: str):
        return self.translator.donnees[id]

    def parametre(self, id: str):
        return self.translator.parametres[id]

    def _exact(self, operation: Callable[[], Any], line: str | None = None) -> Any:
        """An operation of the rules' own arithmetic; what cannot be exact is said at the last expression computed,
        and at the line being paid (or `line`): the place a diagnostic shows when no expression is to blame."""
        try:
            return operation()
        except Unguaranteed as problem:
            if getattr(problem, "node", None) is None:
                problem.node = self.node
            if getattr(problem, "line", None) is None:
                problem.line = line or self.line or (self.plan.paying[-1] if self.plan.paying else None)
            raise

    def add(self, x: Num, y: Num) -> Num:
        return self._exact(lambda: self.numbers.add(x, y))

    def multiply(self, x: Num, y: Num) -> Num:
        return self._exact(lambda: self.numbers.multiply(x, y))

    def divide(self, x: Num, y: Num) -> Num:
        return self._exact(lambda: self.numbers.divide(x, y))

    def minimum(self, x: Num, y: Num) -> Num:
        return self._exact(lambda: self.translator.extremum("min", x, y))

    def maximum(self, x: Num, y: Num) -> Num:
        return self._exact(lambda: self.translator.extremum("max", x, y))

    def every(self, conditions: list[Flag]) -> Flag:
        conditions = [self.columns[id(c)][1] if id(c) in self.columns else c for c in conditions]
        if self.eligible is None and len(self.flags) == len(self.plan.decided):  # the gate: right after every condition
            self.eligible = Flag(self.layout.define("eligibilite", "eligible", self._all(conditions).sql))
            return self.eligible
        if len(conditions) == 2 and conditions[0] is self.eligible and self.paid < len(self.plan.paying):
            self.line = self.plan.paying[self.paid]  # the lines are paid in order, each once
            self.paid += 1
        return self._all(conditions)

    def _all(self, conditions: list[Flag]) -> Flag:
        result = boolean(True)
        for condition in conditions:
            result = self.translator.logic("et", result, condition)
        return result

    def when(self, condition: Flag, compute: Callable[[], Num], name: str | None = None) -> Num:
        if condition.value is False:
            return self.numbers.constant(0)
        value = compute()
        amount = self.rounded.get(id(value)) is value
        where = f"dans la rémunération de « {self.line} »" if self.line else ""
        if name is not None:  # a share of the year (`prorata`, `prorata_<line>`): a column of its own
            where = "dans le prorata" + (f" de « {name.removeprefix('prorata_')} »" if name != "prorata" else "")
        reached = None if condition.value is True else condition.sql
        faults = [(f, f"{FAULTS[why]} {where}".strip()) for f, why in restrict(value.faults, reached)]
        if reached is not None:
            value = self.numbers.choose(reached, value, self.numbers.constant(0), ())
        kind, prefix = ("lignes", "montant") if amount else ("points", "points")
        preferred = name or f"{prefix}_{self.line or 'ligne'}"
        return self._materialize(kind, preferred, value, faults, OUTPUT_SCALE if amount else None)

    def _materialize(
        self, kind: str, preferred: str, value: Num, faults, scale: int | None = None, named: bool = False
    ) -> Num:
        d = self.numbers.decimals
        num = value.num
        scale = num.scale if scale is None else max(scale, num.scale)
        precision = a.int_digits(num.bound) + scale
        self._exact(lambda: d.check(precision, "une colonne"))
        name = preferred if named else self.layout.name(preferred, kind)
        ref = self.layout.define(kind, name, a.cast(num.sql, a.decimal_type(precision, scale)), faults)
        den = value.den
        if isinstance(den, Dec):
            den_ref = self.layout.define(
                kind, self.layout.name(f"{name}_den", kind), a.cast(den.sql, a.decimal_type(den.tight, 0))
            )
            den = Dec(den_ref, 0, den.bound, den.tight)
        return Num(Dec(ref, scale, num.bound, precision), den)

    def cents(self, amount: Num) -> Num:
        d = self.numbers.decimals
        rounded = self._exact(lambda: self.numbers.round_half_away(amount, 2))
        result = rounded
        if rounded.num.bound >= MAX_EUROS:  # only where the bounds do not already exclude it
            over = d.compare(">=", d.absolute(rounded.num), d.literal(Fraction(MAX_EUROS)))
            result = rounded.with_faults(rounded.faults + ((over, "limite"),))
        self.rounded[id(result)] = result
        return result

    def total(self, amounts: list[Num]) -> Num:
        result = self._sum(amounts)
        return self._materialize("total", "total", result, [], OUTPUT_SCALE, named=True)

    def _sum(self, values: list[Num]) -> Num:
        """The running sum of the lines, each term copied once: the tree of the sum so far is ours alone once an
        addition has made it (linear in the number of lines, where copying it at each term was quadratic)."""
        result, owned = self.numbers.constant(0), False
        lines = self.plan.paying if len(self.plan.paying) == len(values) else [None] * len(values)
        for line, value in zip(lines, values, strict=True):
            before = result
            result = self._exact(partial(self.numbers.add, before, value, owned=owned), line)
            made = result.num.sql is not before.num.sql and result.num.sql is not value.num.sql
            owned = made or owned and result.num.sql is before.num.sql
        return result

    def total_points(self, points: list[Num]) -> Num:
        d = self.numbers.decimals
        result = self._sum(points)
        faults = []
        if result.value is None and result.num.bound >= MAX_POINTS:
            over = self._exact(
                lambda: d.compare(
                    ">=",
                    d.absolute(result.num),
                    d.multiply(d.literal(Fraction(MAX_POINTS)), self.numbers.as_decimal(result.den)),
                )
            )
            faults = [(over, "nombre de points hors des limites garanties (10^12 en valeur absolue)")]
        rounded = self._exact(lambda: self.numbers.round_half_away(result, POINTS_SCALE))
        return self._materialize("total", "total_points", rounded, faults, POINTS_SCALE, named=True)


# ---- the query -----------------------------------------------------------------------------------------------


@frozen
class Query:
    """The SQL query of a version, as a sqlglot tree, for one dialect."""

    tree: exp.Select
    dialect: str
    lines: tuple[str, ...]  # the line columns, in order (paying critères and briques)
    inputs: tuple[str, ...]  # the columns the table must have: id, then the données read

    def sql(self, pretty: bool = True) -> str:
        return self.tree.sql(dialect=self.dialect, pretty=pretty)


def compile_query(
    program,
    dialect: str,
    table: str = "structures",
    supplied=frozenset(),
    header=(),
    checks: bool = True,
    scales: dict[str, int] | None = None,
    extra: tuple[str, ...] = (),
    absent=frozenset(),
) -> Query:
    """The query computing `program` (a compiled version, paramètres bound, scenarios applied) over a table.

    `supplied`: données the scenarios compute, absent from the table; `header`: comment lines put at
    the top; `checks`: check every input (missing values, ranges, ids) in SQL; `scales`: the decimals of
    numeric columns, when they are known to be fewer than the 9 an input may have; `extra`: columns of
    the table passed through to the result; `absent`: données with a default (`par défaut`) that the table
    has no column for — the query reads their default. Raises `SqlProblem`."""
    if dialect not in DIALECTS:
        raise ValueError(dialect)
    model: Model = program.model
    numbers = Rationals(dialect)
    scales = {
        id: min(INPUT_SCALES[d.type.kind], (scales or {}).get(id, MAX_DECIMALS))
        for id, d in model.donnees.items()
        if d.type.kind in INPUT_SCALES
    }
    read = [id for id in model.donnees if id not in supplied and id not in absent]
    layout = Layout(dialect, taken=model.donnees)
    try:
        parametres = {
            id: literal_of(value, model.parametres[id].type, numbers) for id, value in program.parametres.items()
        }
        donnees = {
            id: donnee_value(
                model.donnees[id], id, scales.get(id, 0) + (2 * (model.donnees[id].type.kind == "pourcentage"))
            )
            for id in read
        }
        donnees |= {id: default_value(model.donnees[id], numbers) for id in absent if id not in supplied}
        translator = Translator(numbers, donnees, parametres, draw_function(dialect, numbers))
        error = layout.error_column("entrees") if checks else None
        ctes = [("entrees", entrees(model, read, table, scales, error, extra))]
        carried = ["id", *read, *extra, *layout.errors]
        for number, (scenario, id, expr) in enumerate(scenario_lines(program), start=1):
            name = "scenario" if len(program.stage) == 1 else f"scenario_{number}"
            select, carried = scenario_stage(translator, model, scenario, id, expr, ctes[-1][0], carried, name, layout)
            ctes.append((name, select))
        settlement = settle(program.plan, SqlBackend(translator, layout, program.plan))
    except Unguaranteed as problem:
        raise SqlProblem(str(problem), getattr(problem, "node", None), line=getattr(problem, "line", None)) from None
    for name, columns in layout.stages():
        select = exp.select(exp.Star(), *(c.sql.as_(identifier(c.name)) for c in columns)).from_(
            ctes[-1][0], copy=False
        )
        failed = first_fault([f for c in columns for f in c.faults])
        if failed is not None:
            select = select.select(failed.as_(identifier(layout.error_column(name))))
        ctes.append((name, select))
    errors = layout.errors
    lines = tuple(settlement.amounts)
    final = final_select(settlement, lines, errors, ctes[-1][0], numbers)
    final = final.select(*(column(name) for name in extra), copy=False)
    for name, select in ctes:
        final = final.with_(identifier(name), as_=select, copy=False)  # built here: no copy of what is built
    with_ = final.args.get("with_") or final.args.get("with")
    assert with_ is not None  # the query has its CTEs, under either key (sqlglot renamed it)
    for cte in with_.expressions:
        comment = COMMENTS.get(re.sub(r"_[0-9]+$", "", cte.alias))  # a stage in levels: each level says what it is
        if cte.alias.startswith("scenario"):
            comment = "une ligne de scénario : une donnée calculée pour chaque structure"
        if comment:
            cte.add_comments([comment])
    with_.add_comments([line.replace("*/", "* /") for line in header])
    return Query(final, dialect, lines, ("id", *read))


def scenario_lines(program):
    """(scenario id, donnée id, IR expression) for each line of the scenarios applied, in order."""
    return [(scenario.id, id, expr) for scenario in program.scenarios for id, expr in scenario.donnees]


def scenario_stage(
    translator: Translator,
    model: Model,
    scenario: str,
    id: str,
    expr: ir.Expr,
    source: str,
    carried: list[str],
    name: str,
    layout: Layout,
):
    """One scenario line: the donnée computed for every structure (checked against its type and range)."""
    donnee = model.donnees[id]
    value = translator.expr(expr)
    where = f"dans le scénario « {scenario} », donnée « {id} »"
    faults = [(f, f"{FAULTS[why]} {where}") for f, why in value.faults]
    columns: list[exp.Expr] = [column(c) for c in carried if c != id and c != f"{id}_den"]
    if isinstance(value, Num):
        value, outside = checked_number(translator.numbers, donnee, value)
        faults += [(f, f"le scénario « {scenario} » donne « {id} » {why}") for f, why in outside]
        guard = a.or_(*(f for f, _ in faults))
        d = translator.numbers.decimals
        bound = value.num.bound
        if value.den == 1 and donnee.low is not None and donnee.high is not None:
            bound = min(bound, input_bound(donnee))
        precision = a.int_digits(bound) + value.num.scale
        d.check(precision, "une donnée calculée")
        typed = a.cast(value.num.sql, a.decimal_type(precision, value.num.scale))
        columns.append((typed if guard is None else a.case(guard, exp.Null(), typed)).as_(identifier(id)))
        den = value.den
        if isinstance(den, Dec):
            den_name = layout.name(f"{id}_den", "scenario")
            columns.append(a.cast(den.sql, a.decimal_type(den.tight, 0)).as_(identifier(den_name)))
            den = Dec(column(den_name), 0, den.bound, den.tight)
        translator.donnees[id] = Num(Dec(column(id), value.num.scale, bound, precision), den)
        extra = [id] + ([den_name] if isinstance(value.den, Dec) else [])
    else:
        columns.append(value.sql.as_(identifier(id)))
        translator.donnees[id] = type(value)(column(id))
        extra = [id]
    failed = first_fault(faults)
    error_columns = []
    if failed is not None:
        error_columns = [layout.error_column(name)]
        columns.append(failed.as_(identifier(error_columns[0])))
    carried = [c for c in carried if c not in extra] + extra + error_columns
    return exp.select(*columns).from_(source, copy=False), carried


def checked_number(numbers: Rationals, donnee, value: Num) -> tuple[Num, list]:
    """Rows where a computed number is not one the donnée may take: outside its range, not an integer."""
    outside = []
    if donnee.type.kind == "entier":
        remainder = a.binary(
            exp.Mod, value.num.sql, numbers.as_decimal(value.den).sql if value.den != 1 else exp.Literal.number(1)
        )
        if value.den != 1 or value.num.scale > 0:
            outside.append((a.binary(exp.NEQ, remainder, exp.Literal.number(0)), "qui n'est pas un nombre entier"))
    for bound, op in ((donnee.low, "<"), (donnee.high, ">")):
        if bound is not None:
            outside.append((numbers.compare(op, value, numbers.constant(Fraction(bound))), "hors de son intervalle"))
    return value, outside


def final_select(settlement, lines: tuple[str, ...], errors: list[str], source: str, numbers: Rationals) -> exp.Select:
    d = numbers.decimals
    checks = []
    if settlement.total.num.bound >= MAX_EUROS:
        over = a.binary(exp.GTE, a.call("ABS", settlement.total.num.sql), d.literal(Fraction(MAX_EUROS)).sql)
        check = first_fault([(over, "total hors des limites garanties (10^15 € en valeur absolue)")])
        assert check is not None  # a fault given, a fault found
        checks.append(check)
    faults = [column(e) for e in errors] + checks
    error = (
        exp.Null()
        if not faults
        else faults[0]
        if len(faults) == 1
        else exp.Coalesce(this=faults[0], expressions=faults[1:])
    )
    columns = [column("id"), named(settlement.eligible.sql, "eligible")]
    for id in lines:
        columns.append(named(money(settlement.amounts[id], numbers), id))
    columns += [
        named(money(settlement.total, numbers), "total"),
        named(settlement.total_points.num.sql, "total_points"),
        named(error, "erreur"),
    ]
    return exp.select(*columns).from_(source, copy=False)


def named(sql: exp.Expression, name: str) -> exp.Expr:
    """An output column: its expression, under its name (no `x AS x`)."""
    if isinstance(sql, exp.Column) and sql.name == name:
        return sql.copy()
    if isinstance(sql, exp.Null):
        sql = a.cast(sql, "VARCHAR")
    return sql.copy().as_(identifier(name))


def money(amount: Num, numbers: Rationals) -> exp.Expression:
    """A line's amount: its column, or a constant (a line that never pays) as DECIMAL(…, 2)."""
    if amount.value is None:
        return amount.num.sql.copy()
    return a.cast(numbers.decimals.literal(amount.value).sql, a.decimal_type(a.int_digits(abs(amount.value)) + 2, 2))


def header_lines(convention, dialect: str, table: str, absent=()) -> list[str]:
    """The comment at the top of a query: what it computes, from which files, under which hypotheses (`absent`:
    the données the table has no column for, read at their default)."""
    model = convention.model
    version = f", version « {model.version} »" if model.version else ""
    lines = [
        f"convcheck sql : « {model.label or model.id} » ({model.id}){version}",
        f"fichiers : {' + '.join(convention.chain)}",
        f"dialecte : {dialect} ; table lue : {table} (une colonne id et une colonne par donnée, typées ; "
        "un pourcentage en pour cent)",
    ]
    hypotheses = convention.hypotheses()
    if not hypotheses:
        lines.append("hypothèses : aucune (paramètres de la version)")
    for title, items in hypotheses:
        lines.append(f"hypothèses {title} : {' ; '.join(items)}")
    values = convention.program.parametres
    types = convention.program.parametre_types
    lines.append("paramètres : " + " ; ".join(f"{id} = {conv_text(values[id], types[id])}" for id in values))
    defaults = [d for d in model.donnees.values() if d.default is not None]
    if defaults:
        lines.append(
            "valeurs par défaut (une cellule NULL la prend) : "
            + " ; ".join(f"{d.id} = {conv_text(d.default.value, d.type)}" for d in defaults)
        )
    if absent:
        lines.append(
            f"colonnes absentes de {table} : {', '.join(absent)} (chaque structure prend la valeur par défaut)"
        )
    lines += [
        "nombres : DECIMAL exacts ; aucun arrondi sinon celui de chaque ligne au centime (une moitié de centime "
        "s'arrondit en s'éloignant de zéro)",
        "résultat : id, eligible, une colonne par ligne (en euros), total, total_points, erreur (NULL, ou pourquoi "
        "la structure ne peut pas être évaluée : ses montants ne comptent pas)",
    ]
    return lines


def sql_diagnostic(problem, code: str | None = None, consequence: str = "", model: Model | None = None) -> Diagnostic:
    """A query that cannot be written exactly, said at the expression that needs it — or, for the payment rules' own
    arithmetic (a sum of the lines, the check of a total), at the line being paid, else at the convention's name."""
    source = getattr(problem.node, "source", None)
    span = getattr(source, "span", None)
    if span is None and model is not None:
        line = model.line(problem.line) if getattr(problem, "line", None) else None
        span = getattr(getattr(line, "node", None), "id_span", None) or model.file.id_span
    what = f"« {print_expr(source)} » " if source is not None else ""
    message = f"{what}ne peut pas être calculé exactement en SQL : {problem.reason}{consequence}"
    hints = {
        "sql-tirage": "utilisez --dialecte duckdb, ou calculez la donnée tirée au sort hors de la requête",
        "sql-non-garanti": "réduisez l'intervalle des données en cause, ou utilisez --dialecte postgres "
        "(NUMERIC garde tous les chiffres)",
    }
    return Diagnostic(code or problem.code, message, span=span, suggestion=hints.get(problem.code))
