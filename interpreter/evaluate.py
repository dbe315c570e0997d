"""Evaluation of one structure: who is eligible, what each line earns, and why.

The meaning is LANGUAGE.md's "Meaning": prérequis gate everything; socle and options pay
critère by critère (`points fixes + points variables × patientele / patientele_reference`,
converted at `valeur_point`, plus any `montant`); briques pay all or nothing, only to
eligible structures; each line is rounded to the cent and the total is their sum.
"""

from __future__ import annotations

from decimal import Decimal, localcontext

from attrs import field, frozen

from interpreter.compiler import CompiledElement, Context, EvaluationError, Program
from interpreter.values import EXACT, NO_MONEY, ZERO, to_cents


@frozen
class LineResult:
    """One critère or brique of a result."""

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
    total_points: Decimal
    lines: tuple[LineResult, ...]
    met: dict[str, bool]
    explanation: str | None = None
    _by_id: dict[str, LineResult] = field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self):
        object.__setattr__(self, "_by_id", {line.id: line for line in self.lines})

    def line(self, id: str) -> LineResult:
        return self._by_id[id]


def evaluate(program: Program, donnees: dict, explain: bool = True) -> Evaluation:
    """Evaluate one structure's données (already validated and converted)."""
    with localcontext(EXACT):
        context = Context(donnees)
        for id in program.order:
            context.met[id] = _met(program.elements[id], context)
        eligible = all(context.met[id] for id in program.prerequis)
        lines = tuple(_line(program, program.elements[id], context, eligible, explain) for id in program.lines)
        paid = [line for line in lines if line.paid]
        return Evaluation(
            convention=program.model.id,
            version=program.model.version,
            eligible=eligible,
            total=sum((line.montant for line in paid), NO_MONEY),
            total_points=sum((line.points for line in paid), ZERO),
            lines=lines,
            met=context.met,
            explanation=_eligibility(program, context) if explain and not eligible else None,
        )


def _met(element: CompiledElement, context: Context) -> bool:
    try:
        met = bool(element.condition(context))
    except EvaluationError as error:
        raise EvaluationError(f"{error} dans la condition de « {element.id} »") from None
    if element.kind == "brique":
        met = met and all(context.met[id] for id in element.criteres)
    return met


def _line(program: Program, element: CompiledElement, context: Context, eligible: bool, explain: bool) -> LineResult:
    met = context.met[element.id]
    paid = eligible and met and element.brique is None
    points, amount = ZERO, NO_MONEY
    if paid and element.remunerated:
        try:
            points, amount = line_amount(program, element, context)
        except EvaluationError as error:
            raise EvaluationError(f"{error} dans la rémunération de « {element.id} »") from None
    explanation = _explain_line(program, element, context, eligible) if explain else None
    return LineResult(element.id, element.label, element.kind, element.section, element.brique, met, paid,
                      points, amount, explanation)


def line_amount(program: Program, element: CompiledElement, context: Context) -> tuple[Decimal, Decimal]:
    """Points earned, and the line's amount in euros rounded to the cent."""
    points = element.points_fixes(context) if element.points_fixes is not None else ZERO
    if element.points_variables is not None:
        points += element.points_variables(context) * context.donnees["patientele"] / program.patientele_reference
    money = points * program.valeur_point if points else ZERO
    if element.montant is not None:
        money += element.montant(context)
    return points, to_cents(money)


# ---- explanations ---------------------------------------------------------------------------------


def _explain_line(program: Program, element: CompiledElement, context: Context, eligible: bool) -> str:
    met = context.met[element.id]
    if element.kind == "brique":
        return _explain_brique(program, element, context, eligible)
    if not met:
        return "condition non remplie : " + " ; ".join(element.reasons(context))
    if element.brique is None and not eligible:
        return "condition remplie, mais la structure n'est pas éligible : rien n'est versé"
    return "condition remplie"


def _explain_brique(program: Program, brique: CompiledElement, context: Context, eligible: bool) -> str:
    if not brique.condition(context):
        return "la structure n'a pas demandé à entrer dans la brique : " + " ; ".join(brique.reasons(context))
    blocking = [program.elements[id] for id in brique.criteres if not context.met[id]]
    if blocking:
        parts = [f"« {c.label or c.id} » ({' ; '.join(c.reasons(context))})" for c in blocking]
        return "brique bloquée par " + ", ".join(parts)
    if not eligible:
        return "brique débloquée, mais la structure n'est pas éligible : rien n'est versé"
    return "brique débloquée : tous ses critères sont atteints"


def _eligibility(program: Program, context: Context) -> str:
    failing = [program.elements[id] for id in program.prerequis if not context.met[id]]
    parts = [f"« {c.label or c.id} » ({' ; '.join(c.reasons(context))})" for c in failing]
    word = "le prérequis" if len(failing) == 1 else "les prérequis"
    verb = "n'est pas atteint" if len(failing) == 1 else "ne sont pas atteints"
    return f"Structure non éligible : {word} {', '.join(parts)} {verb}. Aucune rémunération n'est versée."
