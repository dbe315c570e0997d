"""The typed, resolved IR: what the checker lowers every expression into, and what every backend reads.

Each node knows its type; every reference is resolved to what it names (`DonneeRef`,
`ParametreRef`, `Met` of a critère or brique) — no backend ever looks a name up again;
constants are normalised (a pourcentage is its fraction: `50 %` is `Const(0.5)`, money a
`Decimal`, a `choix` value the string of its id, typed with its list of choices). Each node
keeps the surface expression it came from (`source`, out of equality) for printing and
explanations, so that two expressions that mean the same thing compare equal wherever and
however they were written.

The meaning of each node lives in one scalar place (`interpreter.backends.scalar`), one
vector place (`interpreter.backends.vector`) and one SQL place (`interpreter.backends.sql`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from dsl.records import field, frozen


@frozen
class Type:
    """The type of a donnée, a paramètre or an expression."""

    kind: str  # booleen | entier | nombre | pourcentage | montant | date | choix
    choices: tuple[str, ...] = ()

    @property
    def value_kind(self) -> str:
        """The kind expressions see: entier and pourcentage behave as nombre."""
        return "nombre" if self.kind in ("entier", "pourcentage") else self.kind

    def is_numeric(self) -> bool:
        return self.value_kind == "nombre"

    def __str__(self) -> str:
        if self.kind == "choix":
            return f"choix({', '.join(self.choices)})"
        return {"booleen": "booléen"}.get(self.kind, self.kind)


BOOLEEN = Type("booleen")
NOMBRE = Type("nombre")
MONTANT = Type("montant")
DATE = Type("date")


def _source():
    return field(default=None, eq=False, repr=False, kw_only=True)


@frozen
class Const:
    """A constant: a number or montant (`Decimal`), a boolean, a date, or a `choix` value (its id)."""

    value: Any
    type: Type
    source: Any = _source()


@frozen
class DonneeRef:
    """The value a structure declares for a donnée."""

    id: str
    type: Type
    source: Any = _source()


@frozen
class ParametreRef:
    """The value of a paramètre: an input of the compiled program (`--set`, scenarios, sweeps vary it)."""

    id: str
    type: Type
    source: Any = _source()


@frozen
class Met:
    """`atteint(id)`: whether the critère or brique `id` is met."""

    id: str
    type: Type = BOOLEEN
    source: Any = _source()


@frozen
class ResultRef:
    """`éligible`, `total` or `total_points`, in `attendu` blocks only."""

    name: str
    type: Type
    source: Any = _source()


@frozen
class LineRef:
    """`points(id)` or `montant(id)`, in `attendu` blocks only."""

    func: str  # points | montant
    id: str
    type: Type
    source: Any = _source()


@frozen
class Negate:
    """Unary minus."""

    operand: Expr
    type: Type
    source: Any = _source()


@frozen
class Not:
    """`non x`."""

    operand: Expr
    type: Type = BOOLEEN
    source: Any = _source()


@frozen
class Arithmetic:
    """`+`, `-`, `*`, `/` — exact: a division is a rational, never rounded."""

    op: str
    left: Expr
    right: Expr
    type: Type
    source: Any = _source()


@frozen
class Comparison:
    """`=`, `!=`, `<`, `<=`, `>`, `>=` between two values of the same kind."""

    op: str
    left: Expr
    right: Expr
    type: Type = BOOLEEN
    source: Any = _source()


@frozen
class Logic:
    """`et` or `ou`; the right side is only computed when the left does not decide."""

    op: str
    left: Expr
    right: Expr
    type: Type = BOOLEEN
    source: Any = _source()


@frozen
class Within:
    """`x dans (a, b, …)`."""

    operand: Expr
    choices: tuple[Expr, ...]
    type: Type = BOOLEEN
    source: Any = _source()


@frozen
class Choose:
    """`si C alors A sinon B`; only the branch taken is computed."""

    condition: Expr
    then: Expr
    otherwise: Expr
    type: Type
    source: Any = _source()


@frozen
class Extremum:
    """`min(…)` or `max(…)` of values of one kind."""

    func: str  # min | max
    args: tuple[Expr, ...]
    type: Type
    source: Any = _source()


@frozen
class Round:
    """`arrondi(x, n)`: x rounded to n decimals, half away from zero."""

    operand: Expr
    digits: int
    type: Type
    source: Any = _source()


@frozen
class Draw:
    """`tirage(p)`, in scenario données only: true for a share p of the structures, drawn by a hash
    of (scenario id, donnée id, structure id) — the same structures in every run and every version."""

    share: Expr
    salt: str  # "scenario id/donnée id"
    type: Type = BOOLEEN
    source: Any = _source()


Expr = (
    Const
    | DonneeRef
    | ParametreRef
    | Met
    | ResultRef
    | LineRef
    | Negate
    | Not
    | Arithmetic
    | Comparison
    | Logic
    | Within
    | Choose
    | Extremum
    | Round
    | Draw
)
NODES: tuple[type, ...] = (
    Const,
    DonneeRef,
    ParametreRef,
    Met,
    ResultRef,
    LineRef,
    Negate,
    Not,
    Arithmetic,
    Comparison,
    Logic,
    Within,
    Choose,
    Extremum,
    Round,
    Draw,
)


def children(expr: Expr) -> tuple[Expr, ...]:
    """The direct sub-expressions of a node."""
    match expr:
        case Negate(operand=o) | Not(operand=o) | Round(operand=o):
            return (o,)
        case Arithmetic(left=a, right=b) | Comparison(left=a, right=b) | Logic(left=a, right=b):
            return (a, b)
        case Within(operand=o, choices=c):
            return (o, *c)
        case Choose(condition=c, then=t, otherwise=o):
            return (c, t, o)
        case Extremum(args=args):
            return args
        case Draw(share=s):
            return (s,)
    return ()


def walk(expr: Expr) -> Iterator[Expr]:
    """Every sub-expression, the expression itself included (iteratively: nesting may be deep)."""
    stack = [expr]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(children(node))


def reads_structure(expr: Expr) -> bool:
    """Whether the value may differ between structures: it reads a donnée, a critère, a result or a draw."""
    return any(isinstance(e, (DonneeRef, Met, ResultRef, LineRef, Draw)) for e in walk(expr))


def donnees_read(expr: Expr) -> set[str]:
    return {e.id for e in walk(expr) if isinstance(e, DonneeRef)}


def parametres_read(expr: Expr) -> set[str]:
    return {e.id for e in walk(expr) if isinstance(e, ParametreRef)}


def met_read(expr: Expr) -> set[str]:
    return {e.id for e in walk(expr) if isinstance(e, Met)}
