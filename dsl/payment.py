"""The payment rules of LANGUAGE.md « Meaning », written once: every backend calls `settle`.

1. Prérequis gate everything: a structure is eligible when every prérequis critère is met.
2. Socle and options pay critère by critère; a brique pays only when its condition holds and
   every critère inside it is met; nothing is paid to a structure that is not eligible.
3. A line earns `points fixes + points variables × patientele / patientele_reference` points,
   converted at `valeur_point`, plus its `montant`. When the version defines the paramètre
   `plafond_ratio_patientele`, the ratio `patientele / patientele_reference` is capped by it (a
   named choice: whether the text caps the patientèle is not known, see the conventions).
4. A majoration pays `taux × assiette`, where the assiette is the sum, in euros and before
   rounding, of one part (points variables, points fixes, points, or the whole amount) of every
   critère paid in its sections; only to eligible structures, and only when its condition holds.
5. A minimum tops the total up: when its condition holds, an eligible structure whose total (lines
   and majorations, and the minimums before it) is below `montant × prorata` (rounded to the cent)
   receives the difference, as a line of its own.
6. Proration: when the version states `prorata : …` (a share of the year, `mois_adhesion / 12`), each
   critère's and brique's amount is multiplied by it before being rounded to the cent; a line may state its
   own `prorata : …` instead (`prorata : 1`: not prorated). Points are not prorated (they say what the
   structure achieved); a majoration's assiette is made of the prorated amounts (the majoration is not
   prorated again); a minimum keeps its own `prorata`. A prorata is computed for every eligible
   structure.
7. Arithmetic is exact; each line's amount is rounded to the cent, half away from zero, and the
   total is the sum of the rounded lines. An amount beyond `MAX_EUROS` (or a total of points
   beyond `MAX_POINTS`) cannot be guaranteed exact by every backend: it is an error for that
   structure, never a wrapped number.

A backend (scalar, vector, SQL) supplies the arithmetic: how to compute an IR expression, add,
multiply, divide, round to the cent, combine conditions, and keep a value only where a condition
holds (computing it only there when it can). The rules themselves are never restated by a backend.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from functools import partial
from typing import Any, Generic, Protocol, TypeVar

from dsl import ir
from dsl.model import Brique, Critere, Majoration, Minimum, Model
from dsl.records import Factory, define, field, frozen

CAP = "plafond_ratio_patientele"
ADVANCE = "taux_avance"  # the share of the prérequis and socle, all met, paid in advance (`eval --avance`)
MAX_EUROS = Decimal(10) ** 15  # every line and every total stays strictly below, in absolute value
MAX_CENTS = 10**17
MAX_POINTS = 10**12  # a total number of points stays strictly below, in absolute value

V = TypeVar("V")  # a number (a Decimal, an array of rationals, a SQL expression…)
B = TypeVar("B")  # a condition


class Backend(Protocol[V, B]):
    """The arithmetic a backend gives the payment rules."""

    def value(self, expr: ir.Expr) -> Any:
        """The value of an IR expression (a condition or an amount), `Met` nodes read from `met`."""

    def met(self, id: str, holds: B) -> None:
        """Record whether a critère or brique is met, for the `atteint(id)` that read it."""

    def number(self, value: Decimal) -> V: ...

    def donnee(self, id: str) -> V: ...

    def parametre(self, id: str) -> V: ...

    def add(self, a: V, b: V) -> V: ...

    def multiply(self, a: V, b: V) -> V: ...

    def divide(self, a: V, b: V) -> V: ...

    def minimum(self, a: V, b: V) -> V: ...

    def maximum(self, a: V, b: V) -> V: ...

    def every(self, conditions: list[B]) -> B: ...

    def when(self, condition: B, compute: Callable[[], V], name: str | None = None) -> V:
        """`compute()` where the condition holds, zero elsewhere (computed only where it holds, if possible).
        `name`: what the value is when the rules name it (`prorata`, `prorata_<line>`), for a backend that names
        what it computes (SQL columns)."""

    def cents(self, amount: V) -> V:
        """The amount rounded to the cent, half away from zero; beyond `MAX_EUROS`, an error for the structure."""

    def total(self, amounts: list[V]) -> V:
        """The sum of amounts already rounded to the cent (beyond `MAX_EUROS`, an error)."""

    def total_points(self, points: list[V]) -> V:
        """The sum of the points of the lines (beyond `MAX_POINTS`, an error)."""


@frozen
class Plan:
    """What the rules need of a model, worked out once: the order in which to decide critères and
    briques, the prérequis, and the lines of a result."""

    model: Model
    order: tuple[str, ...]  # critères and briques, each after every element its condition reads
    prerequis: tuple[str, ...]
    lines: tuple[str, ...]  # as listed in a result: section critères, each brique and its critères, majorations,
    # minimums
    paying: tuple[str, ...]  # the lines that may pay: section critères, briques, majorations and minimums
    capped: bool = False  # the version caps the patientèle ratio of points variables (`plafond_ratio_patientele`)
    split: bool = False  # a majoration's assiette is the points fixes or the points variables: lines keep them apart
    totals: bool = False  # a majoration's assiette is the whole amount: lines keep their montant apart

    @classmethod
    def of(cls, model: Model) -> Plan:
        lines = [c.id for c in model.criteres.values() if c.section is not None]
        for brique in model.briques.values():
            lines += [brique.id, *brique.criteres]
        supplements = [*model.majorations, *model.minimums]
        paying = [id for id in lines if not isinstance(model.element(id), Critere) or model.criteres[id].brique is None]
        parts = {m.part for m in model.majorations.values()}
        return cls(
            model,
            tuple(evaluation_order(model)),
            tuple(c.id for c in model.section("prerequis")),
            tuple(lines + supplements),
            tuple(paying + supplements),
            CAP in model.parametres,
            bool(parts & {"points_fixes", "points_variables"}),
            "total" in parts,
        )

    @property
    def decided(self) -> tuple[str, ...]:
        """Every condition the rules decide before the gate: critères and briques in order, then majorations and
        minimums."""
        return (*self.order, *self.model.majorations, *self.model.minimums)


def evaluation_order(model: Model) -> list[str]:
    """Critères and briques so that each comes after every element its condition reads."""
    order: list[str] = []
    done: set[str] = set()

    def visit(id: str):
        if id in done:
            return
        done.add(id)
        element = model.element(id)
        assert element is not None  # ids from the model's own critères, briques and conditions
        for target in sorted(ir.met_read(element.condition)):
            visit(target)
        for critere in getattr(element, "criteres", ()):
            visit(critere)
        order.append(id)

    for id in [*model.criteres, *model.briques]:
        visit(id)
    return order


@frozen
class Settlement(Generic[V, B]):
    """What the rules decide for one structure (or, in a vector backend, for every structure at once)."""

    eligible: B
    met: dict[str, B]
    points: dict[str, V]  # points earned by each paying line (zero where it is not paid)
    amounts: dict[str, V]  # each paying line, in euros rounded to the cent (zero where it is not paid)
    total: V
    total_points: V
    bases: dict[str, V] = field(factory=dict)  # each majoration's assiette where it is paid (what an explanation shows)
    factors: dict[str, V] = field(factory=dict)  # each prorated line's share of the year (zero where not eligible)


def settle(plan: Plan, backend: Backend) -> Settlement:
    """Decide eligibility, each line and the total: the payment rules, for any backend. The order of the
    calls is part of the contract: every condition first, then the gate, then each paying line in order."""
    met = decide(plan, backend)
    eligible = backend.every([met[id] for id in plan.prerequis])
    lines = Lines(backend.number(Decimal(0)), patientele_ratio(backend, plan), prorata_factors(backend, plan, eligible))
    for id in plan.paying:
        element = plan.model.element(id)
        if element is None:
            break  # majorations and minimums come last
        pay_line(plan, backend, lines, element, backend.every([eligible, met[id]]))
    for majoration in plan.model.majorations.values():
        gate = backend.every([eligible, met[majoration.id]])
        base = lines.bases[majoration.id] = assiette(
            backend, plan, majoration, lines.points, lines.parts, lines.montants, lines.paid, lines.factors
        )
        lines.points[majoration.id] = lines.zero
        lines.amounts[majoration.id] = (
            lines.zero
            if base is lines.zero
            else backend.when(gate, partial(_majoration_cents, backend, majoration, base))
        )
    for minimum in plan.model.minimums.values():
        gate = backend.every([eligible, met[minimum.id]])
        before = list(lines.amounts.values())
        lines.points[minimum.id] = lines.zero
        lines.amounts[minimum.id] = backend.when(gate, partial(top_up, backend, minimum, before))
    return Settlement(
        eligible,
        met,
        lines.points,
        lines.amounts,
        backend.total(list(lines.amounts.values())),
        backend.total_points(list(lines.points.values())),
        lines.bases,
        lines.factors,
    )


def _majoration_cents(backend: Backend, majoration: Majoration, base):
    return backend.cents(backend.multiply(backend.value(majoration.taux), base))


def decide(plan: Plan, backend: Backend) -> dict:
    """Whether each critère and brique is met (in an order where each follows what it reads), then the condition
    of each majoration and minimum."""
    met: dict[str, Any] = {}
    model = plan.model
    for id in plan.order:
        element = model.element(id)
        assert element is not None  # the plan's ids are the model's own
        holds = backend.value(element.condition)
        if isinstance(element, Brique):
            holds = backend.every([holds, *(met[c] for c in element.criteres)])
        met[id] = holds
        backend.met(id, holds)
    supplements: list[Majoration | Minimum] = [*model.majorations.values(), *model.minimums.values()]
    for supplement in supplements:
        id = supplement.id
        met[id] = backend.value(supplement.condition)
        backend.met(id, met[id])
    return met


@define
class Lines:
    """What the paying lines come to, as `settle` works them out (values of the backend)."""

    zero: Any
    ratio: Any  # the patientèle ratio (`patientele_ratio`), None without points variables
    factors: dict = Factory(dict)  # each prorated line's share of the year (`prorata_factors`)
    paid: dict = Factory(dict)  # whether each line is paid (eligible and met)
    points: dict = Factory(dict)
    amounts: dict = Factory(dict)  # rounded to the cent
    parts: dict = Factory(dict)  # (points fixes, points variables) where paid, for majorations that need them
    montants: dict = Factory(dict)  # each line's montant where paid, for majorations on the total
    bases: dict = Factory(dict)  # each majoration's assiette


def pay_line(plan: Plan, backend: Backend, lines: Lines, element: Critere | Brique, paid) -> None:
    """The points and the amount of a section critère or a brique (zero where it is not paid)."""
    id, zero = element.id, lines.zero
    lines.paid[id] = paid
    earned = lines.parts[id] = zero
    if plan.split:
        lines.parts[id] = split_points(backend, element, paid, lines.ratio, zero)
        present = [p for p in lines.parts[id] if p is not zero]
        earned = _sum(backend, present) if present else zero
    elif element.points_fixes is not None or element.points_variables is not None:
        earned = backend.when(paid, lambda: line_points(backend, element, lines.ratio))
    lines.points[id] = earned
    montant = None
    if plan.totals and element.montant is not None:  # computed once, for the line and for the assiette
        montant = lines.montants[id] = backend.when(paid, partial(backend.value, element.montant))
    lines.amounts[id] = zero
    if earned is not zero or element.montant is not None:
        factor = lines.factors.get(id)
        lines.amounts[id] = backend.when(paid, lambda: line_amount(backend, element, earned, factor, montant))


def prorata_factors(backend: Backend, plan: Plan, eligible) -> dict:
    """The share of the year of each paying critère and brique that is prorated: its own `prorata`, else the
    version's — each computed once, for every eligible structure (zero elsewhere). A line whose own prorata is
    the constant 1 is not prorated."""
    model = plan.model
    version = None
    if model.prorata is not None:
        version = backend.when(eligible, partial(backend.value, model.prorata.value), name="prorata")
    factors = {}
    for id in plan.paying:
        element = model.element(id)
        if element is None:
            break  # majorations and minimums come last: they are not prorated
        own = element.prorata
        if own is None:
            if version is not None:
                factors[id] = version
        elif not (isinstance(own, ir.Const) and own.value == 1):
            factors[id] = backend.when(eligible, partial(backend.value, own), name=f"prorata_{id}")
    return factors


def line_amount(backend: Backend, element: Critere | Brique, points, factor=None, montant=None):
    """A line's amount: its euros (`line_euros`), times its share of the year when it is prorated (`factor`),
    rounded to the cent — prorated before the rounding of the line."""
    euros = line_euros(backend, element, points, montant)
    return backend.cents(euros if factor is None else backend.multiply(euros, factor))


def patientele_ratio(backend: Backend, plan: Plan):
    """`patientele / patientele_reference`, capped by `plafond_ratio_patientele` when the version has it: what
    every line's points variables are multiplied by, made once per structure (None when no line has any)."""
    if not any(getattr(plan.model.line(id), "points_variables", None) is not None for id in plan.paying):
        return None
    ratio = backend.divide(backend.donnee("patientele"), backend.parametre("patientele_reference"))
    return backend.minimum(ratio, backend.parametre(CAP)) if plan.capped else ratio


def variable_points(backend: Backend, element: Critere | Brique, ratio):
    """`points variables × ratio`, the ratio being `patientele_ratio`."""
    assert element.points_variables is not None and ratio is not None  # asked only of lines with variable points
    return backend.multiply(backend.value(element.points_variables), ratio)


def line_points(backend: Backend, element: Critere | Brique, ratio):
    """`points fixes + points variables × patientele ratio` (zero without points)."""
    result = backend.number(Decimal(0))
    if element.points_fixes is not None:
        result = backend.value(element.points_fixes)
    if element.points_variables is not None:
        result = backend.add(result, variable_points(backend, element, ratio))
    return result


def split_points(backend: Backend, element: Critere | Brique, paid, ratio, zero) -> tuple:
    """(points fixes, points variables) of a line where it is paid, zero elsewhere — kept apart for a
    majoration whose assiette is one of them (`zero` itself for a part the line does not have)."""
    fixed = zero if element.points_fixes is None else backend.when(paid, partial(backend.value, element.points_fixes))
    variable = (
        zero
        if element.points_variables is None
        else backend.when(paid, lambda: variable_points(backend, element, ratio))
    )
    return fixed, variable


def assiette(
    backend: Backend, plan: Plan, majoration, points: dict, parts: dict, montants: dict, paid: dict, factors: dict
):
    """The sum, in euros and before rounding, of the part the majoration takes of every critère paid in its
    sections (zero where none is paid), each prorated as its line is (`factors`); the number zero itself when
    no critère has that part."""
    model = plan.model
    criteres = [
        model.criteres[id] for id in paid if id in model.criteres and model.criteres[id].section in majoration.sections
    ]
    zero = backend.number(Decimal(0))
    index = {"points_fixes": 0, "points_variables": 1}.get(majoration.part)
    having = {
        0: lambda c: c.points_fixes is not None,
        1: lambda c: c.points_variables is not None,
        None: lambda c: c.points_fixes is not None or c.points_variables is not None,
    }[index]
    counted = [
        (points[c.id] if index is None else parts[c.id][index], factors.get(c.id)) for c in criteres if having(c)
    ]
    result = zero
    if counted:
        result = backend.multiply(_prorated_sum(backend, counted), backend.parametre("valeur_point"))
    if majoration.part == "total":
        counted = [(montants[c.id], factors.get(c.id)) for c in criteres if c.montant is not None]
        if counted:
            total = _prorated_sum(backend, counted)
            result = total if result is zero else backend.add(result, total)
    return result


def _prorated_sum(backend: Backend, terms: list[tuple]):
    """The sum of values each times its line's share of the year (None: not prorated): the values of one share
    are added first, then multiplied by it once — exact arithmetic, the same sum."""
    groups: dict[int, tuple[Any, list]] = {}
    for value, factor in terms:
        groups.setdefault(id(factor), (factor, []))[1].append(value)
    parts = [
        _sum(backend, values) if factor is None else backend.multiply(_sum(backend, values), factor)
        for factor, values in groups.values()
    ]
    return _sum(backend, parts)


def assiette_alone(backend: Backend, plan: Plan, majoration, met: dict, eligible):
    """A majoration's assiette computed on its own, from which critères are met (for explanations)."""
    criteres = [c for c in plan.model.criteres.values() if c.section is not None]
    paid = {c.id: backend.every([eligible, met[c.id]]) for c in criteres}
    zero = backend.number(Decimal(0))
    ratio = patientele_ratio(backend, plan)
    parts = {c.id: split_points(backend, c, paid[c.id], ratio, zero) for c in criteres}
    points = {id: backend.add(*parts[id]) for id in paid}
    montants = {
        c.id: backend.when(paid[c.id], partial(backend.value, c.montant)) for c in criteres if c.montant is not None
    }
    return assiette(backend, plan, majoration, points, parts, montants, paid, prorata_factors(backend, plan, eligible))


def line_alone(backend: Backend, plan: Plan, id: str, met: dict, before: list, factors: dict | None = None):
    """What a paying line pays on its own, its conditions as `met` says (the diff values each line as if met, at
    the maximal structure): a critère or a brique its points and montant (prorated by its share of the year in
    `factors`), a majoration its taux × the assiette of the critères met, a minimum what it adds to the amounts
    `before` it. Rounded to the cent."""
    model = plan.model
    if id in model.majorations:
        majoration = model.majorations[id]
        base = assiette_alone(backend, plan, majoration, met, True)
        return backend.cents(backend.multiply(backend.value(majoration.taux), base))
    if id in model.minimums:
        return top_up(backend, model.minimums[id], before)
    element = model.element(id)
    assert element is not None  # a paying line of the plan
    points = line_points(backend, element, patientele_ratio(backend, plan))
    return line_amount(backend, element, points, (factors or {}).get(id))


def top_up(backend: Backend, minimum, amounts: list):
    """What a minimum adds: its floor less the amounts before it, if positive."""
    shortfall = backend.add(
        floor(backend, minimum), backend.multiply(backend.number(Decimal(-1)), _sum(backend, amounts))
    )
    return backend.cents(backend.maximum(shortfall, backend.number(Decimal(0))))


def floor(backend: Backend, minimum):
    """A minimum's floor: `montant × prorata`, rounded to the cent."""
    amount = backend.value(minimum.montant)
    if minimum.prorata is not None:
        amount = backend.multiply(amount, backend.value(minimum.prorata))
    return backend.cents(amount)


def advance(backend: Backend, plan: Plan):
    """The advance: `taux_avance` × what the prérequis and the socle pay when every one of their critères is met
    (each line prorated and rounded to the cent, as paid), rounded to the cent. The critères' amounts are computed
    with the structure's own données."""
    criteres = [*plan.model.section("prerequis"), *plan.model.section("socle")]
    ratio = patientele_ratio(backend, plan)
    factors = prorata_factors(backend, plan, backend.every([]))
    amounts = [line_amount(backend, c, line_points(backend, c, ratio), factors.get(c.id)) for c in criteres]
    return backend.cents(backend.multiply(backend.parametre(ADVANCE), _sum(backend, amounts)))


def _sum(backend: Backend, values: list):
    result = values[0] if values else backend.number(Decimal(0))
    for value in values[1:]:
        result = backend.add(result, value)
    return result


def line_euros(backend: Backend, element: Critere | Brique, points, montant=None):
    """A line's amount before rounding: its points at `valeur_point`, plus its montant (`montant`: its value
    already computed)."""
    result = backend.number(Decimal(0))
    if element.points_fixes is not None or element.points_variables is not None:
        result = backend.multiply(points, backend.parametre("valeur_point"))
    if element.montant is not None:
        result = backend.add(result, backend.value(element.montant) if montant is None else montant)
    return result
