"""The payment rules of LANGUAGE.md « Meaning », written once: every backend calls `settle`.

1. Prérequis gate everything: a structure is eligible when every prérequis critère is met.
2. Socle and options pay critère by critère; a brique pays only when its condition holds and
   every critère inside it is met; nothing is paid to a structure that is not eligible.
3. A line earns `points fixes + points variables × patientele / patientele_reference` points,
   converted at `valeur_point`, plus its `montant`. When the version defines the paramètre
   `plafond_ratio_patientele`, the ratio `patientele / patientele_reference` is capped by it (a
   named choice: whether the text caps the patientèle is not known, see the conventions).
4. Arithmetic is exact; each line's amount is rounded to the cent, half away from zero, and the
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

from attrs import frozen

from dsl import ir
from dsl.model import Brique, Critere, Model

CAP = "plafond_ratio_patientele"
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

    def every(self, conditions: list[B]) -> B: ...

    def when(self, condition: B, compute: Callable[[], V]) -> V:
        """`compute()` where the condition holds, zero elsewhere (computed only where it holds, if possible)."""

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
    lines: tuple[str, ...]  # as listed in a result: section critères, then each brique and its critères
    paying: tuple[str, ...]  # the lines that may pay: section critères and briques
    capped: bool = False  # the version caps the patientèle ratio of points variables (`plafond_ratio_patientele`)

    @classmethod
    def of(cls, model: Model) -> Plan:
        lines = [c.id for c in model.criteres.values() if c.section is not None]
        for brique in model.briques.values():
            lines += [brique.id, *brique.criteres]
        paying = [id for id in lines if not isinstance(model.element(id), Critere) or model.criteres[id].brique is None]
        return cls(model, tuple(evaluation_order(model)), tuple(c.id for c in model.section("prerequis")),
                   tuple(lines), tuple(paying), CAP in model.parametres)


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


def settle(plan: Plan, backend: Backend) -> Settlement:
    """Decide eligibility, each line and the total: the payment rules, for any backend."""
    met: dict[str, Any] = {}
    for id in plan.order:
        element = plan.model.element(id)
        assert element is not None  # the plan's ids are the model's own
        holds = backend.value(element.condition)
        if isinstance(element, Brique):
            holds = backend.every([holds, *(met[c] for c in element.criteres)])
        met[id] = holds
        backend.met(id, holds)
    eligible = backend.every([met[id] for id in plan.prerequis])
    points, amounts = {}, {}
    zero = backend.number(Decimal(0))
    for id in plan.paying:
        element = plan.model.element(id)
        assert element is not None  # the plan's ids are the model's own
        paid = backend.every([eligible, met[id]])
        earned = zero
        if element.points_fixes is not None or element.points_variables is not None:
            earned = backend.when(paid, partial(line_points, backend, element, plan.capped))
        points[id] = earned
        amounts[id] = zero
        if earned is not zero or element.montant is not None:
            amounts[id] = backend.when(paid, partial(_line_cents, backend, element, earned))
    return Settlement(eligible, met, points, amounts, backend.total(list(amounts.values())),
                      backend.total_points(list(points.values())))


def line_points(backend: Backend, element: Critere | Brique, capped: bool = False):
    """`points fixes + points variables × patientele / patientele_reference` (zero without points), the
    ratio capped by `plafond_ratio_patientele` when the version has it."""
    result = backend.number(Decimal(0))
    if element.points_fixes is not None:
        result = backend.value(element.points_fixes)
    if element.points_variables is not None:
        ratio = backend.divide(backend.donnee("patientele"), backend.parametre("patientele_reference"))
        if capped:
            ratio = backend.minimum(ratio, backend.parametre(CAP))
        result = backend.add(result, backend.multiply(backend.value(element.points_variables), ratio))
    return result


def _line_cents(backend: Backend, element: Critere | Brique, points):
    return backend.cents(line_euros(backend, element, points))


def line_euros(backend: Backend, element: Critere | Brique, points):
    """A line's amount before rounding: its points at `valeur_point`, plus its montant."""
    result = backend.number(Decimal(0))
    if element.points_fixes is not None or element.points_variables is not None:
        result = backend.multiply(points, backend.parametre("valeur_point"))
    if element.montant is not None:
        result = backend.add(result, backend.value(element.montant))
    return result
