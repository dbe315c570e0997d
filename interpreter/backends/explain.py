"""Explanations of the scalar backend: why a critère is met or not, in words, with the values.

For a condition, the smallest parts that decided it are named with the values that did it:
`jours_ouverture >= 5 : faux (jours_ouverture = 4) — il faudrait jours_ouverture ≥ 5`. The
text of each part is its surface expression (`ir` nodes keep it); what does not depend on the
structure (the text, the names shown, the constant side of a comparison) is worked out once per
program and node.

The sentences are written once, in `WORDS` (templates with `{named}` holes): these functions fill
them, and the JavaScript backend (`interpreter.backends.javascript`) carries the same table into the
modules it generates, with each condition described by `condition_tree` — so that `eval` and the
simulator say the same words.

The scalar backend calls these functions with its program, context and backend: this module reads
them through their methods and never imports the backend (its types only, for annotations).
"""

from __future__ import annotations

from operator import itemgetter
from typing import TYPE_CHECKING

from dsl import ir, keywords, payment
from dsl import nodes as n
from dsl.model import Brique, Majoration, Minimum, Type
from dsl.printer import print_expr
from dsl.records import frozen
from interpreter.numbers import EvaluationError, conv_text, euros, reader_text, share_text

if TYPE_CHECKING:  # annotations only: the scalar backend imports this module
    from interpreter.backends.scalar import Context_, Program, ScalarBackend

# Every sentence an explanation is made of, once (the JavaScript modules carry this table).
WORDS = {
    "leaf": "{text} : {value}",  # one part of a condition, and its value (vrai, faux)
    "shown": " ({values})",  # the values it read, each `named`, joined by `comma`
    "named": "{name} = {value}",
    "comma": ", ",
    "hint": " — il faudrait {hint}",
    "true": "vrai",
    "false": "faux",
    "and": " ; ",  # between the reasons of a condition
    "met": "condition remplie",
    "not_met": "condition non remplie : {why}",
    "met_not_eligible": "condition remplie, mais la structure n'est pas éligible : rien n'est versé",
    "not_eligible": "la structure n'est pas éligible : rien n'est versé",
    "minimum_not_eligible": "la structure n'est pas éligible : le minimum de {floor} n'est pas versé",
    "majoration": "taux {rate} × assiette {base} ({words})",
    "assiette": "{part} des critères payés : {sections}",
    "minimum_enough": "minimum {floor} ; les autres lignes font {total} : rien à ajouter",
    "minimum_top_up": "minimum {floor} ; les autres lignes font {total} : complément de {gap}",
    "brique_not_asked": "la structure n'a pas demandé à entrer dans la brique : {reasons}",
    "brique_blocked": "brique bloquée par {parts}",
    "blocking": "« {label} » ({why})",  # a critère that blocks a brique or the eligibility, joined by `comma`
    "brique_not_eligible": "brique débloquée, mais la structure n'est pas éligible : rien n'est versé",
    "brique_met": "brique débloquée : tous ses critères sont atteints",
    "prorated": "proratisé : {share} de {annual}",  # a paid line whose amount is a share of the year's
    "ineligible_one": "Structure non éligible : le prérequis {parts} n'est pas atteint. Aucune rémunération n'est versée.",
    "ineligible_many": "Structure non éligible : les prérequis {parts} ne sont pas atteints. Aucune rémunération n'est "
    "versée.",
}

SYMBOLS = {">=": "≥", "<=": "≤", "!=": "≠", "=": "=", "<": "<", ">": ">"}
FLIPPED = {">=": "<=", "<=": ">=", "<": ">", ">": "<", "=": "=", "!=": "!="}


@frozen
class Leaf:
    """What an explanation says of one part of a condition, worked out once."""

    text: str
    shown: tuple[tuple[str, bool, Type], ...]  # names read (id, whether a donnée, how to write its value)
    hint: str | None  # « jours_ouverture ≥ 5 »: what the varying side would need (constants are bound)


def reasons(program: Program, expr: ir.Expr, context: Context_) -> list[str]:
    """What made a boolean expression true or false, in words."""
    match expr:
        case ir.Logic(op=op, left=left, right=right):
            return _logic_reasons(program, op, left, right, context)
        case ir.Not(operand=operand):
            return reasons(program, operand, context)
    return [_leaf_reason(program, expr, context)]


# At most this many explanations of conditions kept per program (structures alike in what a condition reads
# share its explanation; a condition on a number that every structure has its own value of fills it).
KEPT = 20_000


def why(program: Program, element, context: Context_) -> str:
    """The reasons of an element's condition, joined: the same for every structure with the same values of
    what the condition reads (données, paramètres, critères met), so kept and reused."""
    condition = element.condition
    reads = program.explanations.get(("lit", element.id))
    if reads is None:
        apart = any(isinstance(e, (ir.Draw, ir.ResultRef, ir.LineRef)) for e in ir.walk(condition))
        reads = program.explanations[("lit", element.id)] = (
            ()
            if apart
            else (
                _getter(ir.donnees_read(condition)),
                _getter(ir.parametres_read(condition)),
                _getter(ir.met_read(condition)),
            )
        )
    if not reads:  # a `tirage` reads the structure's id, a result is the structure's own: nothing to share
        return WORDS["and"].join(reasons(program, condition, context))
    donnees, parametres, met = reads
    try:
        key = ("raisons", element.id, donnees(context.donnees), parametres(context.parametres), met(context.met))
    except KeyError:  # a name this context does not hold: said without sharing
        return WORDS["and"].join(reasons(program, condition, context))
    found = program.explanations.get(key)
    if found is None:
        found = WORDS["and"].join(reasons(program, condition, context))
        if len(program.explanations) < KEPT:
            program.explanations[key] = found
    return found


def _getter(names: set[str]):
    """The values of these names in a mapping, as one hashable value."""
    return itemgetter(*sorted(names)) if names else _nothing


def _nothing(values) -> tuple:
    return ()


def _logic_reasons(program: Program, op: str, left: ir.Expr, right: ir.Expr, context: Context_) -> list[str]:
    deciding = (lambda v: v is False) if op == "et" else (lambda v: v is True)
    a, b = _value(program, left, context), _value(program, right, context)
    if deciding(a) and not deciding(b):
        return reasons(program, left, context)
    if deciding(b) and not deciding(a):
        return reasons(program, right, context)
    return reasons(program, left, context) + reasons(program, right, context)


def _value(program: Program, expr: ir.Expr, context: Context_):
    """A part's value, or None when it cannot be computed (the evaluation did not need it)."""
    try:
        return bool(program.function(expr)(context))
    except EvaluationError:
        return None


def _leaf_reason(program: Program, expr: ir.Expr, context: Context_) -> str:
    leaf = _leaf(program, expr)
    value = _value(program, expr, context)
    text = WORDS["leaf"].format(text=leaf.text, value=WORDS["true" if value else "false"])
    if leaf.shown:
        values = WORDS["comma"].join(
            WORDS["named"].format(
                name=name, value=reader_text((context.donnees if donnee else context.parametres)[name], type_)
            )
            for name, donnee, type_ in leaf.shown
        )
        text += WORDS["shown"].format(values=values)
    if value is False and leaf.hint is not None:
        text += WORDS["hint"].format(hint=leaf.hint)
    return text


def _leaf(program: Program, expr: ir.Expr) -> Leaf:
    cache = program.explanations
    found = cache.get(id(expr))
    if found is None:
        found = cache[id(expr)] = Leaf(_describe(program, expr), _shown(program, expr), _hint(program, expr))
    return found


def _describe(program: Program, expr: ir.Expr) -> str:
    if isinstance(expr, ir.Met):
        target = program.model.element(expr.id)
        assert target is not None  # the checker resolved every « atteint »
        return f"atteint({target.id}) « {target.label or target.id} »"
    if expr.source is None and isinstance(expr, ir.Const):  # a condition the text does not write: always true
        return conv_text(expr.value)
    return print_expr(expr.source)


def _shown(program: Program, expr: ir.Expr) -> tuple:
    """The données and paramètres a part reads (none for a bare name: its value is the part's own)."""
    if isinstance(expr, (ir.DonneeRef, ir.ParametreRef)):
        return ()
    found: dict[str, tuple[str, bool, Type]] = {}
    for node in ir.walk(expr):
        if isinstance(node, ir.DonneeRef):
            found.setdefault(node.id, (node.id, True, program.model.donnees[node.id].type))
        elif isinstance(node, ir.ParametreRef):
            found.setdefault(node.id, (node.id, False, program.parametre_types[node.id]))
    return tuple(sorted(found.values(), key=lambda item: item[0]))


def _hint(program: Program, expr: ir.Expr) -> str | None:
    """For a comparison with a constant side: what the other side would need to be."""
    if not isinstance(expr, ir.Comparison) or expr.op == "!=" or expr.left is None or expr.right is None:
        return None
    left_constant, right_constant = not ir.reads_structure(expr.left), not ir.reads_structure(expr.right)
    if right_constant and not left_constant:
        return f"{print_expr(expr.left.source)} {SYMBOLS[expr.op]} {_constant_text(program, expr.right)}"
    if left_constant and not right_constant:
        return f"{print_expr(expr.right.source)} {SYMBOLS[FLIPPED[expr.op]]} {_constant_text(program, expr.left)}"
    return None


def _constant_text(program: Program, expr: ir.Expr) -> str:
    """A side that reads no structure, written once: its value depends only on the paramètres."""
    type_ = {n.Money: Type("montant"), n.Percent: Type("pourcentage")}.get(type(expr.source))
    if isinstance(expr, ir.ParametreRef):
        type_ = program.parametre_types[expr.id]
    try:
        return reader_text(program.evaluate_expr(expr, program.context({})), type_)
    except EvaluationError:
        return print_expr(expr.source)


# ---- lines and eligibility ----------------------------------------------------------------------------


def line_text(
    program: Program, backend: ScalarBackend, element, context: Context_, eligible: bool, before=None, base=None
) -> str:
    """Why a line pays or not (`backend`: the structure's, for the payment rules; `before`: for a minimum, the
    amounts of the lines before it; `base`: for a majoration, its assiette as the rules computed it)."""
    if isinstance(element, Brique):
        return _brique_text(program, element, context, eligible)
    if isinstance(element, (Majoration, Minimum)):
        if not context.met[element.id]:
            return WORDS["not_met"].format(why=why(program, element, context))
        if not eligible and isinstance(element, Minimum):
            return WORDS["minimum_not_eligible"].format(floor=euros(payment.floor(backend, element)))
        if not eligible:
            return WORDS["not_eligible"]
        if isinstance(element, Majoration):
            return _majoration_text(program, element, context, base)
        return _minimum_text(element, backend, before)
    if not context.met[element.id]:
        return WORDS["not_met"].format(why=why(program, element, context))
    if getattr(element, "brique", None) is None and not eligible:  # a section's critère, or another kind of line
        return WORDS["met_not_eligible"]
    return WORDS["met"]


def prorata_text(backend: ScalarBackend, element, points, factor) -> str:
    """« proratisé : 7/12 de 5 600,00 € » — the share of the year a paid line's amount was multiplied by, and
    what the line would pay for the whole year (`backend`: the structure's)."""
    annual = payment.line_amount(backend, element, points)
    return WORDS["prorated"].format(share=share_text(factor), annual=euros(annual))


def _majoration_text(program: Program, majoration: Majoration, context: Context_, base) -> str:
    rate = program.function(majoration.taux)(context)
    return WORDS["majoration"].format(
        rate=reader_text(rate, PERCENT), base=euros(base), words=assiette_words(majoration)
    )


PERCENT = Type("pourcentage")


def assiette_words(majoration: Majoration) -> str:
    """What a majoration's assiette is made of, in words: « points variables des critères payés : socle »."""
    sections = ", ".join(keywords.SECTIONS[s] for s in majoration.sections)
    part = "montants" if majoration.part == "total" else keywords.ASSIETTES[majoration.part]
    return WORDS["assiette"].format(part=part, sections=sections)


def _minimum_text(minimum: Minimum, backend: ScalarBackend, before) -> str:
    floor = payment.floor(backend, minimum)
    total = sum(before or (), start=floor * 0)
    if total >= floor:
        return WORDS["minimum_enough"].format(floor=euros(floor), total=euros(total))
    return WORDS["minimum_top_up"].format(floor=euros(floor), total=euros(total), gap=euros(floor - total))


def _brique_text(program: Program, brique: Brique, context: Context_, eligible: bool) -> str:
    if not _value(program, brique.condition, context):
        return WORDS["brique_not_asked"].format(reasons=WORDS["and"].join(reasons(program, brique.condition, context)))
    blocking = [program.model.criteres[id] for id in brique.criteres if not context.met[id]]
    if blocking:
        parts = [WORDS["blocking"].format(label=c.label or c.id, why=why(program, c, context)) for c in blocking]
        return WORDS["brique_blocked"].format(parts=WORDS["comma"].join(parts))
    if not eligible:
        return WORDS["brique_not_eligible"]
    return WORDS["brique_met"]


def eligibility_text(program: Program, context: Context_) -> str:
    """Why a structure is not eligible: the prérequis it misses, each with its reasons."""
    failing = [program.model.criteres[id] for id in program.plan.prerequis if not context.met[id]]
    parts = [WORDS["blocking"].format(label=c.label or c.id, why=why(program, c, context)) for c in failing]
    return WORDS["ineligible_one" if len(failing) == 1 else "ineligible_many"].format(parts=WORDS["comma"].join(parts))


# ---- the same explanations, described for another backend -------------------------------------------


def condition_tree(program: Program, expr: ir.Expr):
    """How `reasons` reads a condition, worked out once for a backend that explains on its own (JavaScript):
    `("et" | "ou", left, right)`, `("non", operand)`, or `("part", expr, leaf)` — a part with its `Leaf`
    (its text, the names it shows, and what it would need). Paramètres shown are written here: their values
    are the program's."""
    match expr:
        case ir.Logic(op=op, left=left, right=right):
            return (op, condition_tree(program, left), condition_tree(program, right))
        case ir.Not(operand=operand):
            return ("non", condition_tree(program, operand))
    return ("part", expr, _leaf(program, expr))
