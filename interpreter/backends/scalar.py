"""The scalar backend: one structure at a time, exact, with the values the explanations show.

Values are plain Python: `Decimal` for numbers, montants and pourcentages (a pourcentage is
its fraction), `bool`, `datetime.date`, and `str` for `choix` values. Arithmetic is exact
(`interpreter.numbers`): a decimal operation that would have to round (a division such as 1 / 3,
or more digits than the context holds) is redone with `Fraction`, so `n / 3 * 3 = n` always — as in
the vector backend. Nothing is rounded but by `arrondi` and by the payment rules (each line to the
cent).

Each IR node is compiled once into a closure (`compile_expr`: the meaning of each node, the
only scalar place where it is written); evaluating a structure calls closures and the payment
rules (`dsl.payment.settle`), never the AST. Paramètres are inputs: their values are worked out
once per set of overrides (`parametre_values`) and read by the closures.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, localcontext
from typing import Any, NamedTuple

from dsl import ir
from dsl import nodes as n
from dsl.errors import ConvcheckError
from dsl.model import Model, Type, expressions
from dsl.payment import MAX_CENTS, MAX_EUROS, MAX_POINTS, Plan, settle
from dsl.payment import advance as advance_rule
from dsl.records import evolve, field, frozen
from interpreter.backends import pysource
from interpreter.backends.draw import drawn
from interpreter.backends.explain import WORDS, eligibility_text, line_text, prorata_text
from interpreter.numbers import (
    EXACT,
    NO_MONEY,
    ZERO,
    EvaluationError,
    add,
    conv_text,
    divide,
    exact,
    french_number,
    multiply,
    negate,
    round_half_away,
    subtract,
)

Fn = Callable[["Context_"], Any]


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


# ---- the limits of the payment rules ----------------------------------------------------------------

LIMIT_EUROS = MAX_EUROS


def to_cents(amount) -> Decimal:
    """An amount rounded to the cent, half away from zero; beyond the guaranteed limit, an error."""
    cents = round_half_away(amount, 2)
    if abs(cents) >= LIMIT_EUROS:
        raise EvaluationError("montant hors des limites garanties (10^15 € en valeur absolue)")
    return cents


def total_cents(amounts) -> Decimal:
    """The sum of the lines, already rounded to the cent; beyond the guaranteed limit, an error."""
    result = sum(amounts, NO_MONEY)
    if abs(result) * 100 >= MAX_CENTS:
        raise EvaluationError("total hors des limites garanties (10^15 € en valeur absolue)")
    return result


def total_points(points):
    """The sum of the points of the lines; beyond the guaranteed limit, an error."""
    result = ZERO
    for value in points:
        result = add(result, value)
    if abs(result) >= MAX_POINTS:
        raise EvaluationError("nombre de points hors des limites garanties (10^12 en valeur absolue)")
    return result


# The names the generated code (`interpreter.backends.pysource`) calls.
HELPERS = {
    "add": add,
    "subtract": subtract,
    "multiply": multiply,
    "divide": divide,
    "negate": negate,
    "round_half_away": round_half_away,
    "drawn": drawn,
    "to_cents": to_cents,
    "total_cents": total_cents,
    "total_points": total_points,
    "ZERO": ZERO,
    "EvaluationError": EvaluationError,
}


def compile_expr(expr: ir.Expr) -> Fn:
    """A function computing one expression for a context (structure, paramètres, critères met)."""
    return _on_context(pysource.compile_exprs([expr], HELPERS)[0])


def _on_context(function) -> Fn:
    return lambda c: function(c.donnees, c.parametres, c.met, c.result, c.structure)


# ---- paramètres ------------------------------------------------------------------------------------------


class ParametreError(ConvcheckError):
    """A paramètre that cannot be computed (a division by zero): the id and why."""

    def __init__(self, id: str, message: str, hint: str | None = None):
        super().__init__(f"{id}: {message}")
        self.id = id
        self.message = message
        self.hint = hint


def parametre_values(model: Model, overrides: dict[str, ir.Expr] | None = None) -> dict[str, Any]:
    """The value of every paramètre, with `overrides` (IR values of `--set` or a scenario) in place."""
    expressions = {id: p.value for id, p in model.parametres.items()} | dict(overrides or {})
    functions = dict(zip(expressions, pysource.compile_exprs(list(expressions.values()), HELPERS), strict=False))
    values: dict[str, Any] = {}

    def value(id: str):
        if id not in values:
            for used in sorted(ir.parametres_read(expressions[id])):
                value(used)
            try:
                with localcontext(EXACT):
                    values[id] = functions[id]({}, values, None, None, "")
            except EvaluationError as error:
                raise ParametreError(id, str(error)) from None
        return values[id]

    for id in expressions:
        value(id)
    return values


def check_draws(scenarios, values: dict[str, Any]) -> None:
    """A `tirage` whose share is the same for every structure draws a share between 0 % and 100 %. The checker
    refuses any other literal; a paramètre it reads may still be set out of range (`--set`, a sweep): refused
    here, at the paramètre. Raises `ParametreError`."""
    for scenario in scenarios:
        for _, expr in scenario.donnees:
            for draw in (e for e in ir.walk(expr) if isinstance(e, ir.Draw) and not ir.reads_structure(e.share)):
                share = pysource.compile_exprs([draw.share], HELPERS)[0]({}, values, None, None, "")
                if not 0 <= share <= 1:
                    read = sorted(ir.parametres_read(draw.share))
                    raise ParametreError(
                        read[0] if read else "",
                        f"« tirage » tire une part entre 0 % et 100 %, "
                        f"pas {french_number(exact(share) * 100, 2)} % (scénario « {scenario.id} »)",
                        "donnez-lui une part entre 0 % et 100 %, par exemple « 40 % »",
                    )


# ---- one structure ---------------------------------------------------------------------------------------


class LineResult(NamedTuple):
    """One line of a result: a critère, a brique, a majoration or a minimum."""

    id: str
    label: str | None
    kind: str  # critere | brique | majoration | minimum | majoration | minimum
    section: str | None
    brique: str | None
    met: bool  # its condition holds (for a brique: condition and all its critères)
    paid: bool
    points: Decimal
    montant: Decimal  # in euros, rounded to the cent
    explanation: str | None = None
    prorata: Any = None  # the share of the year its amount was multiplied by, where it is paid and prorated


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
    defaults: tuple[str, ...] = ()  # the données the declaration did not give, taken at their default
    _by_id: dict[str, LineResult] | None = field(init=False, default=None, repr=False, eq=False)

    def line(self, id: str) -> LineResult:
        by_id = self._by_id
        if by_id is None:  # made on first use: most evaluations are only read line after line
            by_id = {line.id: line for line in self.lines}
            object.__setattr__(self, "_by_id", by_id)
        return by_id[id]


@frozen
class Line:
    """What a result says of one line, known before any structure: where it is and what it is."""

    id: str
    label: str | None
    kind: str  # critere | brique
    section: str | None
    brique: str | None
    element: Any


@frozen
class Program:
    """A checked model compiled for the scalar backend, with its paramètre values bound."""

    model: Model
    plan: Plan
    parametres: dict[str, Any]
    code: ModelCode = field(eq=False, repr=False)  # the generated Python, compiled on first use
    parametre_types: dict[str, Type] = field(eq=False, repr=False)  # how to write each value (50 % stays a %)
    lines: tuple[Line, ...] = field(eq=False, repr=False)
    stage: tuple = field(default=(), eq=False, repr=False)  # scenario données: (scenario, donnée id, function)
    scenarios: tuple = field(default=(), eq=False, repr=False)  # the scenarios applied (`dsl.scenarios.Scenario`)
    overrides: dict = field(factory=dict, eq=False, repr=False)  # paramètre id → IR value (scenarios, --set)
    explanations: dict = field(factory=dict, eq=False, repr=False)  # the explainer's cache, by id(IR node)

    def with_parametre(self, id: str, value) -> Program:
        """The same program with one paramètre set to a value (those computed from it follow): a sweep
        or a calibration evaluates many values without compiling again. Raises `ParametreError`."""
        constant = ir.Const(value, self.model.parametres[id].type)
        overrides = {**self.overrides, id: constant}
        values = parametre_values(self.model, overrides)
        check_draws(self.scenarios, values)
        return evolve(self, parametres=values, overrides=overrides, explanations={})

    def inputs(self, donnees: dict, structure: str = "") -> dict:
        """The données the rules see: the input's, then each scenario line in order. Raises `EvaluationError`."""
        if not self.stage:
            return donnees
        values = dict(donnees)
        with localcontext(EXACT):
            for scenario, id, function in self.stage:
                try:
                    value = function(Context_(values, self.parametres, structure=structure))
                except EvaluationError as error:
                    raise EvaluationError(
                        SCENARIO_WORDS["erreur"].format(erreur=error, scenario=scenario, donnee=id)
                    ) from None
                problem = value_problem(self.model.donnees[id], value)
                if problem is not None:
                    raise EvaluationError(
                        SCENARIO_WORDS["valeur"].format(scenario=scenario, donnee=id, probleme=problem)
                    )
                values[id] = value
        return values

    @property
    def run(self) -> Callable:
        """The generated function: données, paramètres, structure id → settlement."""
        return self.code.run

    @property
    def places(self) -> dict[int, str]:
        return self.code.places

    def function(self, expr: ir.Expr) -> Fn:
        """The function of an expression of the model, compiled once (IR nodes live as long as the model)."""
        return self.code.function(expr)

    def context(self, donnees: dict, met: dict | None = None, result=None) -> Context_:
        return Context_(donnees, self.parametres, met, result)

    def evaluate_expr(self, expr: ir.Expr, context: Context_):
        with localcontext(EXACT):
            return self.function(expr)(context)


# What is said of a scenario line that cannot give its donnée (the JavaScript modules carry these words).
SCENARIO_WORDS = {
    "erreur": "{erreur} dans le scénario « {scenario} », donnée « {donnee} »",
    "valeur": "le scénario « {scenario} » donne « {donnee} » = {probleme}",
    "pasEntier": "{valeur} : ce n'est pas un nombre entier",
    "horsIntervalle": "{valeur} : hors de l'intervalle (entre {bas} et {haut})",
}


def value_problem(donnee, value) -> str | None:
    """Why a computed value cannot be the donnée's — « 8 : hors de l'intervalle (entre 0 et 7) » — or None."""
    shown = conv_text(value, donnee.type)
    if donnee.type.kind == "entier" and exact(value).denominator != 1:
        return SCENARIO_WORDS["pasEntier"].format(valeur=shown)
    if (donnee.low is not None and value < donnee.low) or (donnee.high is not None and value > donnee.high):
        return SCENARIO_WORDS["horsIntervalle"].format(
            valeur=shown, bas=conv_text(donnee.low, donnee.type), haut=conv_text(donnee.high, donnee.type)
        )
    return None


def line_of(model: Model, id: str) -> Line:
    """What a result says of the line `id`: a critère, a brique, a majoration or a minimum."""
    element = model.line(id)
    assert element is not None  # a line of the model's own plan
    return Line(
        id,
        element.label,
        model.line_kind(id),
        getattr(element, "section", None),
        getattr(element, "brique", None),
        element,
    )


def compile_model(
    model: Model,
    overrides: dict[str, ir.Expr] | None = None,
    parametres: dict[str, Any] | None = None,
    scenarios: tuple = (),
) -> Program:
    """Compile a checked model; `overrides` replace paramètres' expressions (`--set`, scenarios), or
    `parametres` gives their values directly (a sweep); `scenarios` compute données first (their
    paramètres must already be in `overrides`). Raises `ParametreError`."""
    plan = Plan.of(model)
    values = parametres if parametres is not None else parametre_values(model, overrides)
    check_draws(scenarios, values)
    lines = tuple(line_of(model, id) for id in plan.lines)
    steps = [(scenario, id, expr) for scenario in scenarios for id, expr in scenario.donnees]
    stage = tuple(
        (scenario.id, id, _on_context(f))
        for (scenario, id, _), f in zip(
            steps, pysource.compile_exprs([expr for *_, expr in steps], HELPERS), strict=False
        )
    )
    return Program(
        model,
        plan,
        values,
        ModelCode(model, plan),
        display_types(model, overrides),
        lines,
        stage,
        tuple(scenarios),
        dict(overrides or {}),
    )


class ModelCode:
    """A model's generated Python — the whole version as one function (`run`) and each expression of
    its critères and briques — compiled once, on first use: a simulation that never needs the scalar
    backend never compiles it. Shared by the programs of one model (a sweep rebinds paramètres only)."""

    def __init__(self, model: Model, plan: Plan):
        self.model, self.plan = model, plan
        self._run: Callable | None = None
        self._functions: dict[int, Fn] | None = None
        self.places: dict[int, str] = {}
        for element in model.elements():
            for expr in expressions(element):
                what = (
                    "la condition"
                    if expr is element.condition
                    else "le prorata"
                    if expr is getattr(element, "prorata", None)
                    else "la rémunération"
                )
                self.places[id(expr)] = f"dans {what} de « {element.id} »"
        if model.prorata is not None:
            self.places[id(model.prorata.value)] = "dans le prorata de la version"

    @property
    def run(self) -> Callable:
        if self._run is None:
            backend = pysource.CodeBackend(self.places)
            self._run = backend.function(settle(self.plan, backend), HELPERS)
        return self._run

    def function(self, expr: ir.Expr) -> Fn:
        if self._functions is None:
            exprs = [e for element in self.model.elements() for e in expressions(element)]
            exprs += [self.model.prorata.value] if self.model.prorata is not None else []
            self._functions = {
                id(e): _on_context(f) for e, f in zip(exprs, pysource.compile_exprs(exprs, HELPERS), strict=True)
            }
        found = self._functions.get(id(expr))
        if found is None:
            found = self._functions[id(expr)] = compile_expr(expr)
        return found


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
    minimum = staticmethod(min)
    maximum = staticmethod(max)

    def every(self, conditions: list) -> bool:
        return all(conditions)

    def when(self, condition: bool, compute: Callable[[], Any], name: str | None = None):
        return compute() if condition else ZERO

    def cents(self, amount) -> Decimal:
        try:
            return to_cents(amount)
        except EvaluationError as error:
            raise EvaluationError(f"{error} {self.place}".strip()) from None

    total = staticmethod(total_cents)
    total_points = staticmethod(total_points)


def evaluate(program: Program, donnees: dict, explain: bool = True, structure: str = "") -> Evaluation:
    """Evaluate one structure's données (already validated and converted). Raises `EvaluationError`."""
    donnees = program.inputs(donnees, structure)
    with localcontext(EXACT):
        eligible, met, points, amounts, total, points_total, bases, factors = program.run(
            donnees, program.parametres, structure
        )
        if explain:
            return _explained(
                program,
                Context_(donnees, program.parametres, met, None, structure),
                eligible,
                points,
                amounts,
                total,
                points_total,
                bases,
                factors,
            )
        lines = []
        for line in program.lines:
            paid = line.id in amounts and eligible and met[line.id]
            lines.append(
                LineResult(
                    line.id,
                    line.label,
                    line.kind,
                    line.section,
                    line.brique,
                    met[line.id],
                    paid,
                    points.get(line.id, ZERO),
                    amounts.get(line.id, NO_MONEY),
                    None,
                    factors.get(line.id) if paid else None,
                )
            )
        return Evaluation(program.model.id, program.model.version, eligible, total, points_total, tuple(lines), met)


def advance(program: Program, donnees: dict, structure: str = "") -> Decimal:
    """The advance of a structure (`dsl.payment.advance`); the version must define `taux_avance`. Raises
    `EvaluationError`."""
    donnees = program.inputs(donnees, structure)
    with localcontext(EXACT):
        return advance_rule(ScalarBackend(program, program.context(donnees)), program.plan)


def _line_facts(program: Program) -> list[tuple]:
    """What `_explained` reads of each line, once per program: its fields, whether it is a critère, and for a
    minimum the lines paid before it."""
    found = program.explanations.get(("lignes",))
    if found is None:
        paying = program.plan.paying
        found = program.explanations[("lignes",)] = [
            (
                line.id,
                line.label,
                line.kind,
                line.section,
                line.brique,
                line.element,
                line.kind == "critere",
                tuple(paying[: paying.index(line.id)]) if line.kind == "minimum" else None,
            )
            for line in program.lines
        ]
    return found


def _explained(
    program: Program,
    context: Context_,
    eligible: bool,
    points: dict,
    amounts: dict,
    total,
    points_total,
    bases: dict,
    factors: dict,
):
    met = context.met
    backend = ScalarBackend(program, context)
    results = []
    new = tuple.__new__
    for id, label, kind, section, brique, element, plain, before in _line_facts(program):
        holds = met[id]
        if holds and plain and (eligible or brique is not None):
            text = WORDS["met"]  # most lines: said without asking why
        else:
            text = line_text(
                program,
                backend,
                element,
                context,
                eligible,
                None if before is None else [amounts[i] for i in before],
                bases.get(id),
            )
        paid = eligible and holds and id in amounts
        factor = factors.get(id) if paid else None
        if factor is not None and factor != 1:
            text += WORDS["and"] + prorata_text(backend, element, points.get(id, ZERO), factor)
        results.append(
            new(
                LineResult,
                (
                    id,
                    label,
                    kind,
                    section,
                    brique,
                    holds,
                    paid,
                    points.get(id, ZERO),
                    amounts.get(id, NO_MONEY),
                    text,
                    factor,
                ),
            )
        )
    lines = tuple(results)
    return Evaluation(
        program.model.id,
        program.model.version,
        eligible,
        total,
        points_total,
        lines,
        met,
        eligibility_text(program, context) if not eligible else None,
    )
