"""The surface AST of `.conv` files: what was written, as frozen records (`dsl.records`).

Children are tuples; every node has a `span` that equality ignores, so that two trees
that say the same thing compare equal wherever they were written (the printer round
trip and the diff rely on it). Number literals also keep their spelling (`1_100`) out of
equality, so that formatting does not rewrite the user's figures.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from decimal import Decimal
from typing import cast

from dsl.records import field, frozen
from dsl.source import Span


def _span():
    return field(default=None, eq=False, repr=False, kw_only=True)


def parsed_span(span: Span | None) -> Span:
    """The span of a node the parser built: the parser gives every node its span; only nodes built by hand
    (tests) have none, and no diagnostic note is made from those."""
    return cast(Span, span)


def _spelling():
    return field(default=None, eq=False, repr=False, kw_only=True)


# ---- expressions ------------------------------------------------------------------------


@frozen
class Number:
    """A plain number: `4000`, `7.5`, `1_100`."""

    value: Decimal
    text: str | None = _spelling()
    span: Span | None = _span()


@frozen
class Money:
    """An amount in euros: `7 €`, `2_000 EUR`."""

    value: Decimal
    text: str | None = _spelling()
    span: Span | None = _span()


@frozen
class Percent:
    """A percentage as written: `Percent(50)` is `50 %`, which means 0.5."""

    value: Decimal
    text: str | None = _spelling()
    span: Span | None = _span()


@frozen
class DateLit:
    """An ISO date: `2017-08-05`."""

    value: datetime.date
    span: Span | None = _span()


@frozen
class Bool:
    """`vrai` or `faux`."""

    value: bool
    span: Span | None = _span()


@frozen
class Name:
    """A reference to a donnée, a paramètre, a `choix` value, or an `attendu` name."""

    id: str
    span: Span | None = _span()


@frozen
class Call:
    """A function call: `min(a, b)`, `atteint(rcp)`, `points(rcp)`."""

    func: str
    args: tuple[Expr, ...]
    span: Span | None = _span()


@frozen
class Neg:
    """Unary minus."""

    operand: Expr
    span: Span | None = _span()


@frozen
class Not:
    """`non x`."""

    operand: Expr
    span: Span | None = _span()


@frozen
class BinOp:
    """Arithmetic: `+`, `-`, `*`, `/`."""

    op: str
    left: Expr
    right: Expr
    span: Span | None = _span()


@frozen
class Compare:
    """A comparison: `=`, `!=`, `<`, `<=`, `>`, `>=`."""

    op: str
    left: Expr
    right: Expr
    span: Span | None = _span()


@frozen
class Logic:
    """`et` or `ou` between two booleans."""

    op: str
    left: Expr
    right: Expr
    span: Span | None = _span()


@frozen
class Within:
    """`x dans (a, b, …)`."""

    operand: Expr
    choices: tuple[Expr, ...]
    span: Span | None = _span()


@frozen
class If:
    """`si C alors A sinon B`."""

    condition: Expr
    then: Expr
    otherwise: Expr
    span: Span | None = _span()


Expr = Number | Money | Percent | DateLit | Bool | Name | Call | Neg | Not | BinOp | Compare | Logic | Within | If
LITERALS = (Number, Money, Percent, DateLit, Bool)


def children(expr: Expr) -> tuple[Expr, ...]:
    """The direct sub-expressions of an expression."""
    match expr:
        case Call(args=args):
            return args
        case Neg(operand=o) | Not(operand=o):
            return (o,)
        case BinOp(left=a, right=b) | Compare(left=a, right=b) | Logic(left=a, right=b):
            return (a, b)
        case Within(operand=o, choices=c):
            return (o, *c)
        case If(condition=c, then=t, otherwise=o):
            return (c, t, o)
    return ()


def walk(expr: Expr) -> Iterator[Expr]:
    """Every sub-expression of an expression, itself included (iteratively: nesting may be deep)."""
    stack = [expr]
    while stack:
        e = stack.pop()
        yield e
        stack.extend(children(e))


# ---- declarations -------------------------------------------------------------------------


@frozen
class Header:
    """`version : "…"`, `en vigueur : 2017-08-05`, `base : "…"`, `statut : signé`."""

    key: str  # version | en_vigueur | base | pour | statut
    value: str | datetime.date
    span: Span | None = _span()


@frozen
class TypeSpec:
    """The type of a donnée, with its `entre A et B` range or its `choix` list."""

    name: str  # booleen | entier | nombre | montant | pourcentage | date | choix
    choices: tuple[str, ...] = ()
    low: Expr | None = None
    high: Expr | None = None
    span: Span | None = _span()


@frozen
class Parametre:
    """`id = expression ["label"]` in a `paramètres` block."""

    id: str
    value: Expr
    label: str | None = None
    span: Span | None = _span()
    id_span: Span | None = _span()


@frozen
class Donnee:
    """`id : type ["label"] [par défaut value]` in a `données` block."""

    id: str
    type: TypeSpec
    label: str | None = None
    default: Expr | None = None  # `par défaut …`: what a structure that does not declare it takes
    span: Span | None = _span()
    id_span: Span | None = _span()


@frozen
class ParametresBlock:
    """A `paramètres { … }` block (`ajoute paramètres { … }` in an avenant: `added`)."""

    parametres: tuple[Parametre, ...]
    added: bool = False
    span: Span | None = _span()


@frozen
class DonneesBlock:
    """A `données { … }` block (`ajoute données { … }` in an avenant: `added`)."""

    donnees: tuple[Donnee, ...]
    added: bool = False
    span: Span | None = _span()


@frozen
class Attribute:
    """One attribute of a critère or brique: `condition : …`, `axe : …`."""

    name: str  # condition | points_fixes | points_variables | montant | axe | reference | assiette | taux | prorata
    value: Expr | str | Assiette
    span: Span | None = _span()


@frozen
class Critere:
    """`critère id "label" { attributes }`."""

    id: str
    label: str | None
    attributes: tuple[Attribute, ...]
    span: Span | None = _span()
    id_span: Span | None = _span()


@frozen
class Section:
    """`prérequis { … }`, `socle { … }` or `options { … }`."""

    kind: str  # prerequis | socle | options
    criteres: tuple[Critere, ...]
    span: Span | None = _span()


@frozen
class Brique:
    """`brique id "label" { attributes and critères }`: paid all or nothing."""

    id: str
    label: str | None
    attributes: tuple[Attribute, ...]
    criteres: tuple[Critere, ...]
    span: Span | None = _span()
    id_span: Span | None = _span()


@frozen
class Assiette:
    """The value of `assiette :` — `points variables dans (socle, options)`: which part of the lines paid."""

    part: str  # points_variables | points_fixes | points | total
    sections: tuple[str, ...] = ()  # folded section names; () means every section
    span: Span | None = _span()


@frozen
class Majoration:
    """`majoration id "label" { assiette, taux, condition }`: a rate of a part of the lines paid."""

    id: str
    label: str | None
    attributes: tuple[Attribute, ...]
    span: Span | None = _span()
    id_span: Span | None = _span()


@frozen
class Minimum:
    """`minimum id "label" { condition, montant, prorata }`: the total topped up to a prorated amount."""

    id: str
    label: str | None
    attributes: tuple[Attribute, ...]
    span: Span | None = _span()
    id_span: Span | None = _span()


Supplement = Majoration | Minimum


@frozen
class Prorata:
    """`prorata : expression`: the share of the year every line's amount is multiplied by."""

    value: Expr
    span: Span | None = _span()


@frozen
class Exercice:
    """`exercice 2022 { operations }`: the version's rules for that exercise only — avenant operations (and
    paramètres, données, a prorata, cas) applied to the version when it computes that exercise."""

    year: int
    items: tuple[Item, ...]
    span: Span | None = _span()
    year_span: Span | None = _span()


@frozen
class Assignment:
    """`id = value` in the `données` of a `cas`."""

    id: str
    value: Expr
    span: Span | None = _span()
    id_span: Span | None = _span()


@frozen
class Cas:
    """A worked example: the données of a structure and the results expected."""

    id: str
    label: str | None
    donnees: tuple[Assignment, ...] | None
    attendu: tuple[Expr, ...] | None
    base: str | None = None  # `comme id`: the cas whose données it starts from
    span: Span | None = _span()
    id_span: Span | None = _span()
    donnees_span: Span | None = _span()
    attendu_span: Span | None = _span()
    base_span: Span | None = _span()


@frozen
class ScenarioDonnees:
    """The `données { id = expression }` block of a scenario: a value computed for every structure — every year, or in
    a projection only the year a structure joins (`nouvelles structures { … }`) or the years after its first
    (`années suivantes { … }`)."""

    assignments: tuple[Assignment, ...]
    span: Span | None = _span()
    years: str = "toujours"  # toujours | nouvelles | suivantes


@frozen
class Growth:
    """`croissance : 250 par an` (new structures each year) or `croissance : 3 % par an` (of the year before)."""

    amount: Expr  # a Number, or a Percent
    span: Span | None = _span()


# ---- avenant operations -------------------------------------------------------------------


@frozen
class AddCriteres:
    """`ajoute dans <section> { critères }`."""

    section: str
    criteres: tuple[Critere, ...]
    span: Span | None = _span()
    section_span: Span | None = _span()


@frozen
class AddToBrique:
    """`ajoute dans brique id { critères }`."""

    brique: str
    criteres: tuple[Critere, ...]
    span: Span | None = _span()
    id_span: Span | None = _span()


@frozen
class AddBrique:
    """`ajoute brique id "label" { … }`."""

    brique: Brique
    span: Span | None = _span()


@frozen
class AddSupplement:
    """`ajoute majoration id "label" { … }` or `ajoute minimum id "label" { … }`."""

    element: Majoration | Minimum
    span: Span | None = _span()


@frozen
class Modify:
    """`modifie critère|brique|majoration|minimum id ["label"] { attributes }`: listed attributes only."""

    kind: str  # critere | brique | majoration | minimum | donnee | parametre
    id: str
    label: str | None
    attributes: tuple[Attribute, ...]
    criteres: tuple[Critere, ...]
    span: Span | None = _span()
    id_span: Span | None = _span()


@frozen
class Replace:
    """`remplace critère|brique id ["label"] { body }`: the whole body."""

    kind: str
    id: str
    label: str | None
    attributes: tuple[Attribute, ...]
    criteres: tuple[Critere, ...]
    span: Span | None = _span()
    id_span: Span | None = _span()


@frozen
class Move:
    """`déplace critère id vers <section>`."""

    kind: str
    id: str
    section: str
    span: Span | None = _span()
    id_span: Span | None = _span()
    section_span: Span | None = _span()


@frozen
class Remove:
    """`supprime critère|brique|donnée|paramètre id`; `supprime prorata` (kind and id `prorata`); `supprime exercice
    2022` (kind `exercice`, id the year)."""

    kind: str
    id: str
    span: Span | None = _span()
    id_span: Span | None = _span()


Operation = AddCriteres | AddToBrique | AddBrique | AddSupplement | Modify | Replace | Move | Remove
Item = (
    ParametresBlock
    | DonneesBlock
    | Section
    | Brique
    | Majoration
    | Minimum
    | Cas
    | ScenarioDonnees
    | Growth
    | Prorata
    | Exercice
    | Operation
)


@frozen
class File:
    """A whole `.conv` file: a convention, an avenant or a scenario."""

    kind: str  # convention | avenant | scenario
    id: str
    label: str | None
    headers: tuple[Header, ...]
    items: tuple[Item, ...]
    span: Span | None = _span()
    id_span: Span | None = _span()
    # The cas of the bases along an avenant's chain: `comme` may name them; they are not run.
    inherited: tuple[Cas, ...] = field(default=(), eq=False, repr=False, kw_only=True)

    def header(self, key: str):
        """The value of the first header with this key, or None."""
        return next((h.value for h in self.headers if h.key == key), None)
