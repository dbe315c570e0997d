"""The scalar backend: one structure at a time, exact, with the values the explanations show.

Values are plain Python: `Decimal` for numbers, montants and pourcentages (a pourcentage is
its fraction), `bool`, `datetime.date`, and `str` for `choix` values. Arithmetic is exact: a
decimal operation that would have to round (a division such as 1 / 3, or more digits than the
context holds) is redone with `Fraction`, so `n / 3 * 3 = n` always — as in the vector backend.
Nothing is rounded but by `arrondi` and by the payment rules (each line to the cent).

Each IR node is compiled once into a closure (`compile_expr`: the meaning of each node, the
only scalar place where it is written); evaluating a structure calls closures and the payment
rules (`dsl.payment.settle`), never the AST. Paramètres are inputs: their values are worked out
once per set of overrides (`parametre_values`) and read by the closures.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_HALF_UP, Context, Decimal, DivisionByZero, Inexact, InvalidOperation, Overflow, localcontext
from fractions import Fraction
from typing import Any

from attrs import field, frozen

from dsl import ir
from dsl import nodes as n
from dsl.model import Model, Type
from dsl.payment import MAX_CENTS, MAX_POINTS, Plan, settle
from interpreter.backends.draw import drawn

# Exact or trapped: an operation that would round raises `Inexact`, and is redone with fractions.
EXACT = Context(prec=60, rounding=ROUND_HALF_UP, traps=[Inexact, InvalidOperation, DivisionByZero, Overflow])
ZERO = Decimal(0)
NO_MONEY = Decimal("0.00")

Fn = Callable[["Context_"], Any]


class EvaluationError(Exception):
    """A structure makes an expression impossible to compute (a division by zero, an amount too large)."""


class Context_:
    """What closures read: the structure's données, the paramètres, critères met so far, and (in
    `attendu`) the result."""

    __slots__ = ("donnees", "parametres", "met", "result", "structure")

    def __init__(self, donnees: dict, parametres: dict, met: dict | None = None, result=None, structure: str = ""):
        self.structure = structure  # the structure's id (for `tirage`)
        self.donnees = donnees
        self.parametres = parametres
        self.met = {} if met is None else met
        self.result = result


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


def round_half_away(value, digits: int) -> Decimal:
    """The value rounded to `digits` decimals, half away from zero, as a Decimal."""
    if type(value) is Decimal:
        try:
            return value.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
        except (Inexact, InvalidOperation):
            pass
    fraction = exact(value) * 10**digits
    units, rest = divmod(abs(fraction.numerator), fraction.denominator)
    units += 2 * rest >= fraction.denominator
    return Decimal(-units if fraction < 0 else units).scaleb(-digits)


def to_cents(amount) -> Decimal:
    """An amount rounded to the cent, half away from zero; beyond the guaranteed limit, an error."""
    cents = round_half_away(amount, 2)
    if abs(cents) * 100 >= MAX_CENTS:
        raise EvaluationError("montant hors des limites garanties (10^15 € en valeur absolue)")
    return cents


# ---- the meaning of each IR node, in one place -----------------------------------------------------------


def compile_expr(expr: ir.Expr) -> Fn:
    """A closure computing the expression for a context (structure, paramètres, critères met)."""
    match expr:
        case ir.Const(value=v):
            return lambda c: v
        case ir.DonneeRef(id=id):
            return lambda c: c.donnees[id]
        case ir.ParametreRef(id=id):
            return lambda c: c.parametres[id]
        case ir.Met(id=id):
            return lambda c: c.met[id]
        case ir.ResultRef(name=name):
            return lambda c: getattr(c.result, name)
        case ir.LineRef(func=func, id=id):
            return lambda c: getattr(c.result.line(id), func)
        case ir.Negate(operand=o):
            f = compile_expr(o)
            return lambda c: negate(f(c))
        case ir.Not(operand=o):
            f = compile_expr(o)
            return lambda c: not f(c)
        case ir.Arithmetic(op=op, left=left, right=right):
            a, b = compile_expr(left), compile_expr(right)
            operation = ARITHMETIC[op]
            return lambda c: operation(a(c), b(c))
        case ir.Comparison(op=op, left=left, right=right):
            a, b = compile_expr(left), compile_expr(right)
            compare = COMPARISONS[op]
            return lambda c: compare(a(c), b(c))
        case ir.Logic(op="et", left=left, right=right):
            a, b = compile_expr(left), compile_expr(right)
            return lambda c: a(c) and b(c)
        case ir.Logic(op="ou", left=left, right=right):
            a, b = compile_expr(left), compile_expr(right)
            return lambda c: a(c) or b(c)
        case ir.Within(operand=operand, choices=choices):
            f, options = compile_expr(operand), [compile_expr(choice) for choice in choices]
            return lambda c: f(c) in [g(c) for g in options]
        case ir.Choose(condition=condition, then=then, otherwise=otherwise):
            t, a, b = compile_expr(condition), compile_expr(then), compile_expr(otherwise)
            return lambda c: a(c) if t(c) else b(c)
        case ir.Extremum(func=func, args=args):
            pick = min if func == "min" else max
            functions = [compile_expr(a) for a in args]
            return lambda c: pick([f(c) for f in functions])
        case ir.Round(operand=o, digits=digits):
            f = compile_expr(o)
            return lambda c: round_half_away(f(c), digits)
        case ir.Draw(share=share, salt=salt):
            p = compile_expr(share)
            return lambda c: drawn(salt, c.structure, p(c))
    raise AssertionError(f"unknown IR node {expr!r}")


ARITHMETIC = {"+": add, "-": subtract, "*": multiply, "/": divide}
COMPARISONS = {
    "=": lambda a, b: a == b, "!=": lambda a, b: a != b, "<": lambda a, b: a < b, "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b, ">=": lambda a, b: a >= b,
}


# ---- paramètres ------------------------------------------------------------------------------------------


class ParametreError(Exception):
    """A paramètre that cannot be computed (a division by zero): the id and why."""

    def __init__(self, id: str, message: str):
        super().__init__(f"{id}: {message}")
        self.id = id
        self.message = message


def parametre_values(model: Model, overrides: dict[str, ir.Expr] | None = None) -> dict[str, Any]:
    """The value of every paramètre, with `overrides` (IR values of `--set` or a scenario) in place."""
    expressions = {id: p.value for id, p in model.parametres.items()} | dict(overrides or {})
    values: dict[str, Any] = {}

    def value(id: str):
        if id not in values:
            expr = expressions[id]
            for used in sorted(ir.parametres_read(expr)):
                value(used)
            try:
                with localcontext(EXACT):
                    values[id] = compile_expr(expr)(Context_({}, values))
            except EvaluationError as error:
                raise ParametreError(id, str(error)) from None
        return values[id]

    for id in expressions:
        value(id)
    return values


# ---- one structure ---------------------------------------------------------------------------------------


@frozen
class LineResult:
    """One line of a result: a critère or a brique."""

    id: str
    label: str | None
    kind: str  # critere | brique
    section: str | None
    brique: str | None
    met: bool  # its condition holds (for a brique: condition and all its critères)
    paid: bool
    points: Decimal
    montant: Decimal  # in euros, rounded to the cent
    explanation: str | None = None


@frozen
class Evaluation:
    """The result for one structure."""

    convention: str
    version: str | None
    eligible: bool
    total: Decimal
    total_points: Any  # Decimal, or Fraction when the points are not a decimal
    lines: tuple[LineResult, ...]
    met: dict[str, bool]
    explanation: str | None = None
    _by_id: dict[str, LineResult] = field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self):
        object.__setattr__(self, "_by_id", {line.id: line for line in self.lines})

    def line(self, id: str) -> LineResult:
        return self._by_id[id]


@frozen
class Program:
    """A checked model compiled for the scalar backend, with its paramètre values bound."""

    model: Model
    plan: Plan
    parametres: dict[str, Any]
    functions: dict[int, Fn] = field(eq=False, repr=False)  # id(IR node) → closure, for the model's expressions
    places: dict[int, str] = field(eq=False, repr=False)  # id(IR node) → where it is, for error messages
    parametre_types: dict[str, Type] = field(eq=False, repr=False)  # how to write each value (50 % stays a %)
    explanations: dict = field(factory=dict, eq=False, repr=False)  # the explainer's cache, by id(IR node)

    def function(self, expr: ir.Expr) -> Fn:
        """The closure of an expression of the model (compiled once), or of any other IR expression."""
        found = self.functions.get(id(expr))
        return found if found is not None else compile_expr(expr)

    def context(self, donnees: dict, met: dict | None = None, result=None) -> Context_:
        return Context_(donnees, self.parametres, met, result)

    def evaluate_expr(self, expr: ir.Expr, context: Context_):
        with localcontext(EXACT):
            return self.function(expr)(context)


def compile_model(model: Model, overrides: dict[str, ir.Expr] | None = None,
                  parametres: dict[str, Any] | None = None) -> Program:
    """Compile a checked model; `overrides` replace paramètres' expressions (`--set`), or
    `parametres` gives their values directly (a sweep). Raises `ParametreError`."""
    functions: dict[int, Fn] = {}
    places: dict[int, str] = {}
    for element in (*model.criteres.values(), *model.briques.values()):
        for expr in (element.condition, element.points_fixes, element.points_variables, element.montant):
            if expr is not None:
                functions[id(expr)] = compile_expr(expr)
                what = "la condition" if expr is element.condition else "la rémunération"
                places[id(expr)] = f"dans {what} de « {element.id} »"
    values = parametres if parametres is not None else parametre_values(model, overrides)
    return Program(model, Plan.of(model), values, functions, places, display_types(model, overrides))


def display_types(model: Model, overrides: dict[str, ir.Expr] | None) -> dict[str, Type]:
    """How to write each paramètre's value: as its type, but a pourcentage written `50 %` stays one."""
    result = {}
    for id, parametre in model.parametres.items():
        expr = (overrides or {}).get(id, parametre.value)
        result[id] = Type("pourcentage") if isinstance(expr.source, n.Percent) else parametre.type
    return result


class ScalarBackend:
    """The arithmetic of the payment rules, for one structure."""

    def __init__(self, program: Program, context: Context_):
        self.program = program
        self.context = context
        self.place = ""  # where the last expression computed is: errors name it

    def value(self, expr: ir.Expr):
        self.place = self.program.places.get(id(expr), "")
        try:
            return self.program.function(expr)(self.context)
        except EvaluationError as error:
            raise EvaluationError(f"{error} {self.place}".strip()) from None

    def met(self, id: str, holds) -> None:
        self.context.met[id] = holds

    def number(self, value: Decimal):
        return value

    def donnee(self, id: str):
        return self.context.donnees[id]

    def parametre(self, id: str):
        return self.context.parametres[id]

    add = staticmethod(add)
    multiply = staticmethod(multiply)
    divide = staticmethod(divide)

    def every(self, conditions: list) -> bool:
        return all(conditions)

    def when(self, condition: bool, compute: Callable[[], Any]):
        return compute() if condition else ZERO

    def cents(self, amount) -> Decimal:
        try:
            return to_cents(amount)
        except EvaluationError as error:
            raise EvaluationError(f"{error} {self.place}".strip()) from None

    def total(self, amounts: list) -> Decimal:
        result = sum(amounts, NO_MONEY)
        if abs(result) * 100 >= MAX_CENTS:
            raise EvaluationError("total hors des limites garanties (10^15 € en valeur absolue)")
        return result

    def total_points(self, points: list):
        result = ZERO
        for value in points:
            result = add(result, value)
        if abs(result) >= MAX_POINTS:
            raise EvaluationError("nombre de points hors des limites garanties (10^12 en valeur absolue)")
        return result


def evaluate(program: Program, donnees: dict, explain: bool = True) -> Evaluation:
    """Evaluate one structure's données (already validated and converted). Raises `EvaluationError`."""
    from interpreter.backends.explain import eligibility_text, line_text

    context = program.context(donnees)
    with localcontext(EXACT):
        settlement = settle(program.plan, ScalarBackend(program, context))
        model = program.model
        lines = []
        for id in program.plan.lines:
            element = model.element(id)
            paid = id in settlement.amounts and settlement.eligible and settlement.met[id]
            lines.append(LineResult(
                id, element.label, "brique" if id in model.briques else "critere", getattr(element, "section", None),
                getattr(element, "brique", None), settlement.met[id], bool(paid), settlement.points.get(id, ZERO),
                settlement.amounts.get(id, NO_MONEY),
                line_text(program, element, context, settlement.eligible) if explain else None))
        return Evaluation(model.id, model.version, settlement.eligible, settlement.total, settlement.total_points,
                          tuple(lines), settlement.met,
                          eligibility_text(program, context) if explain and not settlement.eligible else None)
