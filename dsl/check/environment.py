"""The environment every pass of the checker shares: the declarations by id, their uses, the diagnostics.

`dsl.check.declarations.collect` fills the declarations of one file; the passes read them, add what they
lower (each paramètre's value, once), record what each clause uses, and report. No pass keeps state of its
own.
"""

from __future__ import annotations

from collections.abc import Iterable

from dsl import ir
from dsl import nodes as n
from dsl.diagnostics import Diagnostic, Note
from dsl.model import Donnee
from dsl.records import define, field


@define
class Scope:
    """What an expression may refer to, and what it did refer to."""

    mode: str  # clause | parametre | attendu | scenario
    salt: str = ""  # in a scenario's données: « scenario id/donnée id », what `tirage` draws by
    uses_donnees: set[str] = field(factory=set)
    uses_parametres: set[str] = field(factory=set)
    atteint: list[tuple[str, n.Call]] = field(factory=list)


class Environment:
    """One file's names and their declarations, shared by the passes of one run of the checker.

    `removed` maps ids that avenants removed to the span of the removal, so that a name left dangling
    by a `supprime` can say where it was removed; `dropped` maps données and paramètres to the avenant
    operation that dropped a use of them, so that one left unused by it is reported there.
    """

    def __init__(self, file: n.File, removed: dict | None = None, dropped: dict | None = None):
        self.file = file
        self.removed = removed or {}
        self.dropped = dropped or {}
        self.diagnostics: list[Diagnostic] = []
        # the declarations, by id
        self.donnees: dict[str, Donnee] = {}
        self.parametre_nodes: dict[str, n.Parametre] = {}
        self.criteres: dict[str, tuple[n.Critere, str | None, str | None]] = {}  # id → (node, section, brique)
        self.briques: dict[str, n.Brique] = {}
        self.supplements: dict[str, n.Supplement] = {}
        self.cas_nodes: dict[str, n.Cas] = {}
        self.prorata_nodes: list[n.Prorata] = []
        self.exercice_nodes: list[n.Exercice] = []
        # what the passes lowered and recorded
        self.parametre_values: dict[str, ir.Expr | None] = {}  # each paramètre lowered once (None: wrong)
        self.typing_stack: list[str] = []  # the paramètres being lowered, to find a cycle among them
        self.used_donnees: set[str] = set()
        self.used_parametres: set[str] = set()
        self.dependencies: dict[str, list[tuple[str, n.Call | None]]] = {}  # None: a brique's own critère

    def error(self, code: str, message: str, span, suggestion: str | None = None, notes: Iterable[Note] = ()):
        """Report a problem (its severity comes from the code's registration in `dsl.diagnostics`)."""
        self.diagnostics.append(Diagnostic(code, message, span=span, suggestion=suggestion, notes=tuple(notes)))

    warn = error

    @property
    def has_error(self) -> bool:
        return any(d.is_error for d in self.diagnostics)

    def use(self, scope: Scope) -> None:
        """Note the données and paramètres an expression read."""
        self.used_donnees |= scope.uses_donnees
        self.used_parametres |= scope.uses_parametres

    def record(self, id: str, scope: Scope) -> None:
        """Note what a clause's expressions read, and the critères and briques it depends on (`atteint`)."""
        self.use(scope)
        self.dependencies[id] = list(scope.atteint)

    def removal_note(self, id: str) -> tuple[Note, ...]:
        """Where an avenant removed `id`, for a name left dangling by the removal."""
        span = self.removed.get(id)
        return (Note(f"un avenant supprime « {id} » ici", span),) if span is not None else ()

    def element_span(self, id: str):
        """The span of a critère's or a brique's id."""
        node = self.briques.get(id) or self.criteres[id][0]
        return node.id_span
