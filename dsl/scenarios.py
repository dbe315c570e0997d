"""Scenarios: the hypotheses of a simulation, checked against the version they are applied to.

A `scénario` file (LANGUAGE.md, « Scenarios ») overrides paramètres and computes données for
every structure. It is checked like a convention, against a model: each paramètre must be one of
the version's, its value a constant of the same type (as `--set`); each donnée must be one of the
version's, its expression typed over the données (the input's, or those computed by the lines
above), the paramètres, and `tirage(p)` — allowed here only. The result is a `Scenario` holding
the IR of each line; backends apply it as one more input stage, before the payment rules.

In a diff, a scenario applies to both versions, each taking the names it has (`lenient`): the
names a version lacks are listed in `skipped`, and a name that neither version has is an error
(the caller compares the two `skipped` lists).
"""

from __future__ import annotations

from fractions import Fraction

from dsl import ir
from dsl import nodes as n
from dsl.check.declarations import collect
from dsl.check.environment import Environment, Scope
from dsl.check.expressions import infer
from dsl.check.parametres import check_overrides
from dsl.check.wording import an
from dsl.diagnostics import Diagnostic, Note, suggest
from dsl.model import Model
from dsl.printer import print_expr
from dsl.records import field, frozen


@frozen
class Scenario:
    """A scenario checked against one version: paramètre overrides and données computed, as IR."""

    id: str
    label: str | None
    path: str
    parametres: dict[str, ir.Expr]
    donnees: tuple[tuple[str, ir.Expr], ...]  # in order: each line sees the values of the lines above
    skipped: tuple[str, ...] = ()  # names this version does not have (lenient checking, in a diff)
    file: n.File | None = field(default=None, eq=False, repr=False)
    # In a projection (`convcheck projette`) only: new structures per year — a whole number, or a share of the
    # year before (`Fraction`, `percent`) —, and the données of a structure the year it joins and the years after
    # its first, computed before the `données` lines.
    growth: Growth | None = None
    entering: tuple[tuple[str, ir.Expr], ...] = ()
    following: tuple[tuple[str, ir.Expr], ...] = ()

    @property
    def supplied(self) -> frozenset[str]:
        """The données this scenario computes (an input need not have them)."""
        return frozenset(id for id, _ in self.donnees)

    def required(self) -> frozenset[str]:
        """The données the input must have for this scenario's lines: those read before a line supplies them."""
        needed: set[str] = set()
        supplied: set[str] = set()
        for id, expr in self.donnees:
            needed |= ir.donnees_read(expr) - supplied
            supplied.add(id)
        return frozenset(needed)

    def hypotheses(self) -> list[str]:
        """Each hypothesis as written (`montant_rcp = 8_000 €`), for the reports that name the scenario."""
        written = [f"{id} = {print_expr(expr.source)}" for id, expr in (*self.parametres.items(), *self.donnees)]
        return written + self.projection_hypotheses()

    @property
    def title(self) -> str:
        return f"{self.label} ({self.id})" if self.label else self.id

    def projection_hypotheses(self) -> list[str]:
        """What a projection assumes besides `hypotheses()`: the growth and the données of the year blocks."""
        found = [] if self.growth is None else [f"croissance : {self.growth.written} par an"]
        found += [f"nouvelles structures : {id} = {print_expr(e.source)}" for id, e in self.entering]
        found += [f"années suivantes : {id} = {print_expr(e.source)}" for id, e in self.following]
        return found


@frozen
class Growth:
    """`croissance : 250 par an` (`count`) or `croissance : 3 % par an` (`share` of the year before)."""

    count: int | None
    share: Fraction | None
    written: str  # as written: « 250 », « 3 % »


def check_scenario(
    file: n.File, model: Model, path: str, lenient: bool = False
) -> tuple[Scenario | None, list[Diagnostic]]:
    """Check a scenario against a version; the scenario is None on errors."""
    diagnostics: list[Diagnostic] = []
    skipped: list[str] = []
    overrides, id_spans = {}, {}
    for block in (i for i in file.items if isinstance(i, n.ParametresBlock)):
        for p in block.parametres:
            if lenient and p.id not in model.parametres:
                skipped.append(p.id)
            elif p.id in overrides:
                diagnostics.append(_twice(p.id, p.id_span, "paramètre"))
            else:
                overrides[p.id], id_spans[p.id] = p.value, p.id_span
    parametres, problems = check_overrides(model, overrides, id_spans)
    diagnostics += problems
    blocks = {
        years: _check_donnees(file, model, diagnostics, skipped, lenient, years)
        for years in ("nouvelles", "suivantes", "toujours")
    }
    growth = _growth(file, diagnostics)
    diagnostics += _misplaced(file)
    if any(d.is_error for d in diagnostics):
        return None, diagnostics
    return Scenario(
        file.id,
        file.label,
        path,
        parametres,
        tuple(blocks["toujours"]),
        tuple(skipped),
        file,
        growth,
        tuple(blocks["nouvelles"]),
        tuple(blocks["suivantes"]),
    ), diagnostics


def _growth(file: n.File, diagnostics: list) -> Growth | None:
    """`croissance : N par an` (a whole number of structures) or `croissance : P % par an`, once."""
    found = [i for i in file.items if isinstance(i, n.Growth)]
    for extra in found[1:]:
        diagnostics.append(
            Diagnostic(
                "croissance-invalide",
                "« croissance » est donnée deux fois dans le scénario",
                span=extra.span,
                notes=[Note("première ligne", n.parsed_span(found[0].span))],
                suggestion="gardez une seule ligne « croissance : … par an »",
            )
        )
    if not found:
        return None
    amount = found[0].amount
    if isinstance(amount, n.Percent):
        return Growth(None, Fraction(amount.value) / 100, f"{print_expr(amount)}")
    if isinstance(amount, n.Number) and amount.value == amount.value.to_integral_value():
        return Growth(int(amount.value), None, print_expr(amount))
    diagnostics.append(
        Diagnostic(
            "croissance-invalide",
            f"« croissance : {print_expr(amount)} par an » : on attend un nombre entier de structures "
            "par an, ou un pourcentage de l'année précédente",
            span=found[0].span,
            suggestion="par exemple « croissance : 250 par an » ou « croissance : 3 % par an »",
        )
    )
    return None


def _twice(id: str, span, what: str) -> Diagnostic:
    return Diagnostic(
        "id-duplique",
        f"{what} « {id} » donné deux fois dans le scénario",
        span=span,
        suggestion="gardez une seule ligne : la dernière ne remplacerait pas la première",
    )


def _misplaced(file: n.File) -> list[Diagnostic]:
    """Only `paramètres` and `données` blocks belong in a scenario (the grammar allows nothing else)."""
    return [
        Diagnostic(
            "en-tete-invalide",
            f"« {'base' if h.key == 'base' else h.key} » n'a pas de sens dans un scénario",
            span=h.span,
            suggestion='un scénario indique au plus la version visée : « pour : "….conv" »',
        )
        for h in file.headers
        if h.key != "pour"
    ]


def _check_donnees(
    file: n.File, model: Model, diagnostics: list, skipped: list, lenient: bool, years: str = "toujours"
):
    """The lines of the `données` blocks (or of the year blocks `nouvelles structures`, `années suivantes`), checked."""
    env = Environment(model.file)
    collect(env)
    result: list[tuple[str, ir.Expr]] = []
    seen: dict[str, n.Assignment] = {}
    prefix = "" if years == "toujours" else f"{years}/"
    for block in (i for i in file.items if isinstance(i, n.ScenarioDonnees) and i.years == years):
        for assignment in block.assignments:
            donnee = model.donnees.get(assignment.id)
            if donnee is None:
                if lenient:
                    skipped.append(assignment.id)
                else:
                    diagnostics.append(
                        Diagnostic(
                            "donnee-inconnue",
                            f"donnée inconnue « {assignment.id} » : ce n'est pas une donnée de la version",
                            span=assignment.id_span,
                            suggestion=suggest(assignment.id, model.donnees)
                            or "un scénario calcule les données d'une version ; déclarez-la d'abord dans un avenant",
                        )
                    )
                continue
            if assignment.id in seen:
                diagnostics.append(
                    Diagnostic(
                        "id-duplique",
                        f"la donnée « {assignment.id} » est calculée deux fois",
                        span=assignment.id_span,
                        notes=[Note("première ligne", n.parsed_span(seen[assignment.id].span))],
                    )
                )
                continue
            seen[assignment.id] = assignment
            env.diagnostics = []
            value = infer(env, assignment.value, Scope("scenario", salt=f"{file.id}/{prefix}{assignment.id}"))
            diagnostics += env.diagnostics
            if value is not None and _compatible(value.type, donnee.type, assignment, diagnostics):
                _check_constant(value, donnee, assignment, diagnostics)
                result.append((assignment.id, value))
    return result


def _compatible(found: ir.Type, wanted: ir.Type, assignment: n.Assignment, diagnostics: list) -> bool:
    if found.value_kind == wanted.value_kind and (wanted.kind != "choix" or found.choices == wanted.choices):
        return True
    declared = f" ({wanted})" if str(wanted) not in an(wanted) else ""
    diagnostics.append(
        Diagnostic(
            "type-incompatible",
            f"« {assignment.id} » est {an(wanted)}{declared}, l'expression donne {an(found)}",
            span=assignment.value.span,
            suggestion="l'expression doit donner une valeur du type de la donnée",
        )
    )
    return False


def _check_constant(value: ir.Expr, donnee, assignment: n.Assignment, diagnostics: list) -> None:
    """A constant outside the donnée's range is wrong for every structure: said at once."""
    if not isinstance(value, ir.Const) or not (donnee.type.is_numeric() or donnee.type.kind == "montant"):
        return
    number = value.value
    if (donnee.low is not None and number < donnee.low) or (donnee.high is not None and number > donnee.high):
        spec = donnee.node.type
        diagnostics.append(
            Diagnostic(
                "hors-intervalle",
                f"« {assignment.id} » = {print_expr(assignment.value)} est hors de l'intervalle de la "
                f"donnée (entre {print_expr(spec.low)} et {print_expr(spec.high)})",
                span=assignment.value.span,
                suggestion="une valeur calculée doit respecter l'intervalle de la donnée : elle n'est jamais ramenée dedans",
            )
        )
