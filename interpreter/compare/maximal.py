"""The maximal structure of a convention (« structure maximale »), and what each line is worth for it.

To compare two versions clause by clause in euros, each critère and brique is valued for
one structure, derived from the convention itself: `patientele` at `patientele_reference`,
every booléen true, every countable at the value where a `min(…)` caps it (the largest such
value if several do), other numbers at the top of their range. Each line is valued as if
met: `(points fixes + points variables × patientele / patientele_reference) × valeur_point
+ montant`, prorated as the version says (`prorata`), rounded to the cent — so that points and euros
compare like with like.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, localcontext

from dsl import ir
from dsl.model import Brique, Critere, Donnee, Model
from dsl.payment import line_alone, prorata_factors
from interpreter.backends.scalar import Program, ScalarBackend
from interpreter.numbers import EXACT, NO_MONEY, EvaluationError, round_half_away

UNBOUNDED_SEARCH = Decimal(100_000)


def maximal_structure(program: Program) -> dict:
    """Données of the reference structure (see the module docstring)."""
    model = program.model
    values = {id: _default(model, donnee, program) for id, donnee in model.donnees.items()}
    capping = _capping_calls(model)
    with localcontext(EXACT):
        for id, donnee in model.donnees.items():
            if id == "patientele" or not donnee.type.is_numeric() and donnee.type.kind != "montant":
                continue
            caps = [cap for cap in _caps(program, id, donnee, values, capping.get(id, ())) if cap is not None]
            if caps:
                values[id] = max(caps)
    return values


def _default(model: Model, donnee: Donnee, program: Program):
    kind = donnee.type.kind
    if donnee.id == "patientele" and "patientele_reference" in program.parametres:
        return program.parametres["patientele_reference"]
    if kind == "booleen":
        return True
    if kind == "choix":
        return donnee.type.choices[0]
    if kind == "date":
        return model.en_vigueur or datetime.date(2000, 1, 1)
    if donnee.high is not None:
        return donnee.high
    return Decimal(0)


def _amount_expressions(model: Model):
    elements: list[Critere | Brique] = [*model.criteres.values(), *model.briques.values()]
    for element in elements:
        for expr in (element.points_fixes, element.points_variables, element.montant):
            if expr is not None:
                yield expr


def _capping_calls(model: Model) -> dict[str, list[ir.Extremum]]:
    """The `min(…)` calls of the amounts, by donnée read in their arguments: the amounts are walked once (not
    once per donnée: a convention of 10 000 critères and 1 000 données stays linear)."""
    found: dict[str, list[ir.Extremum]] = {}
    for expr in _amount_expressions(model):
        for call in ir.walk(expr):
            if isinstance(call, ir.Extremum) and call.func == "min":
                for id in dict.fromkeys(d for a in call.args for d in ir.donnees_read(a)):
                    found.setdefault(id, []).append(call)
    return found


def _caps(program: Program, id: str, donnee: Donnee, values: dict, calls):
    """For each `min(…)` that caps the donnée in an amount: the smallest value reaching the cap."""
    for call in calls:
        capped = [a for a in call.args if id in ir.donnees_read(a)]
        constants = [a for a in call.args if a not in capped and not ir.donnees_read(a)]
        if len(capped) == 1 and constants:
            limit = min(program.evaluate_expr(c, program.context(values)) for c in constants)
            yield _solve(program, capped[0], id, donnee, values, limit)


def _solve(program: Program, expr: ir.Expr, id: str, donnee: Donnee, values: dict, limit) -> Decimal | None:
    """The smallest value of the donnée for which `expr` reaches `limit` (assumed non-decreasing)."""
    low = donnee.low if donnee.low is not None else Decimal(0)
    high = donnee.high if donnee.high is not None else UNBOUNDED_SEARCH

    def reaches(value: Decimal) -> bool:
        try:
            return program.evaluate_expr(expr, program.context({**values, id: value})) >= limit
        except EvaluationError:
            return False

    if not reaches(high):
        return None
    places = 0 if donnee.type.kind == "entier" else 2
    step = Decimal(1).scaleb(-places)
    while high - low > step:
        middle = round_half_away((low + high) / 2, places)
        if reaches(middle):
            high = middle
        else:
            low = middle
    return low if reaches(low) else high


def line_values(program: Program, structure: dict) -> dict[str, Decimal]:
    """What each paying line is worth for a structure, as if met: section critères and briques; then each
    majoration (of the lines as if met) and each minimum (what it adds to them)."""
    result: dict[str, Decimal] = {}
    plan = program.plan
    with localcontext(EXACT):
        backend = ScalarBackend(program, program.context(structure, met={id: True for id in plan.decided}))
        try:
            factors = prorata_factors(backend, plan, True)
        except EvaluationError:
            factors = {}
        for id in plan.paying:
            try:
                result[id] = _line_value(backend, program, id, result, factors)
            except EvaluationError:
                result[id] = NO_MONEY
    return result


def _line_value(backend: ScalarBackend, program: Program, id: str, before: dict, factors: dict) -> Decimal:
    return line_alone(backend, program.plan, id, backend.context.met, list(before.values()), factors)
