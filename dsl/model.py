"""The checked model of a convention: names resolved, types known, avenants applied.

The model holds the IR (`dsl.ir`): every expression of a paramètre, a critère, a brique or a
cas is a typed node whose references are resolved. Each element also keeps its AST node,
for spans, printing and diffs. Surface AST and IR are the only two representations.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from dsl import ir
from dsl import nodes as n
from dsl.ir import BOOLEEN, DATE, MONTANT, NOMBRE, Type  # noqa: F401 (re-exported)
from dsl.kinds import PAYING, SUPPLEMENT_KINDS
from dsl.records import field, frozen

SECTIONS = ("prerequis", "socle", "options")
SECTION_TITLES = {"prerequis": "Prérequis", "socle": "Socle", "options": "Options"}

# Names that only `attendu` blocks may use, with the type of what they give.
ATTENDU_NAMES = {"eligible": "booleen", "total": "montant", "total_points": "nombre", "avance": "montant"}
ATTENDU_FUNCTIONS = {"points": "nombre", "montant": "montant"}
# The columns every results file, the SQL query and the reports give beside one column per line (critère,
# brique, majoration, minimum): no line may be named so, nor a donnée `id` (a population's column of ids).
RESULT_COLUMNS = ("id", "eligible", "total", "total_points", "erreur")


@frozen
class Parametre:
    """A named constant of the convention, overridable at run time."""

    id: str
    label: str | None
    value: ir.Expr
    type: Type
    node: n.Parametre = field(eq=False, repr=False)


@frozen
class Donnee:
    """What a structure declares, with its type and range."""

    id: str
    label: str | None
    type: Type
    low: Decimal | None
    high: Decimal | None
    node: n.Donnee = field(eq=False, repr=False)
    default: ir.Const | None = None  # `par défaut …`: what a structure that does not declare it takes


@frozen
class Critere:
    """A critère, in a section or inside a brique."""

    id: str
    label: str | None
    section: str | None  # prerequis | socle | options, or None inside a brique
    brique: str | None
    condition: ir.Expr
    points_fixes: ir.Expr | None
    points_variables: ir.Expr | None
    montant: ir.Expr | None
    axe: str | None
    reference: str | None
    node: n.Critere = field(eq=False, repr=False)
    prorata: ir.Expr | None = None  # its own share of the year, instead of the version's (`prorata : …`)

    @property
    def remunerated(self) -> bool:
        return any(x is not None for x in (self.points_fixes, self.points_variables, self.montant))


@frozen
class Brique:
    """An all-or-nothing block: paid when its condition and all its critères hold."""

    id: str
    label: str | None
    condition: ir.Expr
    points_fixes: ir.Expr | None
    points_variables: ir.Expr | None
    montant: ir.Expr | None
    axe: str | None
    reference: str | None
    criteres: tuple[str, ...]
    node: n.Brique = field(eq=False, repr=False)
    prorata: ir.Expr | None = None  # its own share of the year, instead of the version's (`prorata : …`)

    @property
    def remunerated(self) -> bool:
        return any(x is not None for x in (self.points_fixes, self.points_variables, self.montant))


@frozen
class Majoration:
    """A rate of a part of the lines paid (`assiette`), paid as a line of its own to eligible structures."""

    id: str
    label: str | None
    condition: ir.Expr
    taux: ir.Expr
    part: str  # points_variables | points_fixes | points | total
    sections: tuple[str, ...]  # the sections whose critères make the assiette (all three unless restricted)
    reference: str | None
    node: n.Majoration = field(eq=False, repr=False)


@frozen
class Minimum:
    """A minimum total, prorated: when its condition holds, an eligible structure's total is topped up to
    `montant × prorata`, as a line of its own."""

    id: str
    label: str | None
    condition: ir.Expr
    montant: ir.Expr
    prorata: ir.Expr | None
    reference: str | None
    node: n.Minimum = field(eq=False, repr=False)


@frozen
class Prorata:
    """The version's `prorata : …`: the share of the year by which every line's amount is multiplied, before it is
    rounded to the cent (a critère or a brique may have its own instead; majorations and minimums are not
    prorated: a majoration is a rate of lines already prorated, a minimum has its own `prorata`)."""

    value: ir.Expr
    node: n.Prorata = field(eq=False, repr=False)
    id = "prorata"  # how diffs and histories name it
    label = "Prorata de la version"


@frozen
class Cas:
    """A worked example: a structure's données and the assertions about its result."""

    id: str
    label: str | None
    donnees: dict[str, ir.Const]
    attendu: tuple[ir.Expr, ...]
    node: n.Cas = field(eq=False, repr=False)


@frozen
class Model:
    """One consolidated, checked version of a convention."""

    id: str
    label: str | None
    version: str | None
    en_vigueur: datetime.date | None
    parametres: dict[str, Parametre]
    donnees: dict[str, Donnee]
    criteres: dict[str, Critere]  # sections first (prérequis, socle, options), then briques' critères
    briques: dict[str, Brique]
    cas: tuple[Cas, ...]
    file: n.File = field(eq=False, repr=False)  # the consolidated AST it was checked from
    path: str | None = field(default=None, eq=False)  # the file the user named (convention or avenant)
    statut: str | None = None  # signe | proposition (`statut :` header, the last along the chain), None if unsaid
    majorations: dict[str, Majoration] = field(factory=dict)
    minimums: dict[str, Minimum] = field(factory=dict)
    prorata: Prorata | None = None  # the version's `prorata : …`, None when its lines are paid for the whole year
    exercices: dict[int, tuple[n.Exercice, ...]] = field(factory=dict)  # years with rules of their own → their
    # `exercice` blocks, along the chain of bases (`--exercice` applies them)
    exercice: int | None = None  # the exercise whose rules this model holds; None: the version's general rules
    exercice_rules: tuple[n.Exercice, ...] = field(default=(), eq=False)  # the blocks applied for that exercise

    @property
    def unsigned(self) -> bool:
        """A proposal under negotiation, not a signed text."""
        return self.statut == "proposition"

    def section(self, kind: str) -> list[Critere]:
        """The critères of a section, in order."""
        return [c for c in self.criteres.values() if c.section == kind]

    def element(self, id: str) -> Critere | Brique | None:
        return self.criteres.get(id) or self.briques.get(id)

    def elements(self) -> list:
        """Every critère, brique, majoration and minimum: whatever holds expressions to compute (the paying
        kinds of `dsl.kinds`, in their order)."""
        return [e for kind in PAYING for e in getattr(self, kind.table).values()]

    def supplement(self, id: str) -> Majoration | Minimum | None:
        """A majoration or a minimum: a line computed from the others."""
        return next((getattr(self, k.table)[id] for k in SUPPLEMENT_KINDS if id in getattr(self, k.table)), None)

    def line(self, id: str) -> Critere | Brique | Majoration | Minimum | None:
        """Whatever a line of a result is: a critère, a brique, a majoration or a minimum."""
        return self.element(id) or self.supplement(id)

    def line_kind(self, id: str) -> str:
        """The kind of a line (`dsl.kinds`): critere | brique | majoration | minimum."""
        return next((kind.name for kind in PAYING if id in getattr(self, kind.table)), "critere")

    @property
    def uses_points(self) -> bool:
        elements: tuple[Critere | Brique, ...] = (*self.criteres.values(), *self.briques.values())
        return any(e.points_fixes is not None or e.points_variables is not None for e in elements)


def expressions(element) -> list[ir.Expr]:
    """The IR expressions of a critère, a brique, a majoration or a minimum."""
    names = ("condition", "points_fixes", "points_variables", "montant", "taux", "prorata")
    return [e for e in (getattr(element, name, None) for name in names) if e is not None]
