"""The cas: a structure written out and what it must be paid, checked.

Its `données { … }` (possibly `comme` another cas) are literal values of their types, every donnée given
(or taken at its default); its `attendu { … }` assertions are conditions over the results (`total`,
`montant(id)`, `eligible`…).
"""

from __future__ import annotations

from dsl import ir
from dsl import nodes as n
from dsl.check.declarations import literal_value
from dsl.check.environment import Environment, Scope
from dsl.check.expressions import expect_condition, partial
from dsl.diagnostics import Note, suggest
from dsl.model import Cas


def check_cas(env: Environment) -> list[Cas]:
    """Each cas: its données (literal values, those of the cas it starts from, the defaults), its assertions."""
    result = []
    cycles: set[frozenset[str]] = set()  # loops of `comme`, each said once
    for node in env.cas_nodes.values():
        donnees = _donnees(env, node, cycles)
        attendu = tuple(
            expect_condition(env, expr, Scope("attendu"), "une assertion d'« attendu »") for expr in node.attendu or ()
        )
        result.append(Cas(node.id, node.label, donnees, tuple(partial(a) for a in attendu), node))
    return result


def _donnees(env: Environment, node: n.Cas, cycles: set[frozenset[str]]) -> dict[str, ir.Const]:
    """The données of a cas, as IR constants: each given once, known, of its type; none missing."""
    values: dict[str, ir.Const] = {}
    first: dict[str, n.Assignment] = {}
    for assignment in node.donnees or ():
        if assignment.id in first:
            env.error(
                "id-duplique",
                f"la donnée « {assignment.id} » est donnée deux fois dans le cas « {node.id} »",
                assignment.id_span,
                notes=[Note("première valeur", n.parsed_span(first[assignment.id].span))],
            )
            continue
        first[assignment.id] = assignment
    inherited = _inherited_assignments(env, node, (node.id,), cycles) if node.base else []
    if inherited is None:  # the cas it names is unknown or loops: said once, not again as missing données
        return values
    for assignment in [*(a for a in inherited if a.id not in first and a.id in env.donnees), *first.values()]:
        donnee = env.donnees.get(assignment.id)
        if donnee is None:
            env.error(
                "donnee-inconnue",
                f"donnée inconnue « {assignment.id} »",
                assignment.id_span,
                suggestion=suggest(assignment.id, env.donnees) or "déclarez-la dans « données { … } »",
            )
            continue
        value = literal_value(env, donnee, assignment.value)
        if value is not None:
            values[assignment.id] = value
    given = set(first) | {a.id for a in inherited}
    defaults = {id: d.default for id, d in env.donnees.items() if id not in given and d.node.default is not None}
    values.update((id, default) for id, default in defaults.items() if default is not None)
    missing = [d for d in env.donnees if d not in given and d not in defaults]
    if missing:
        listed = ", ".join(f"« {d} »" for d in missing)
        env.error(
            "cas-donnee-manquante",
            f"le cas « {node.id} » ne donne pas : {listed}",
            node.id_span,
            suggestion="un cas décrit une structure entière : donnez une valeur à chaque donnée"
            + ("" if node.base else f", ou partez d'un autre cas : « cas {node.id} comme autre_cas »"),
        )
    return values


def _inherited_assignments(
    env: Environment, node: n.Cas, path: tuple[str, ...], cycles: set[frozenset[str]], own: bool = True
) -> list[n.Assignment] | None:
    """The données `comme` gives a cas: those of the cas it names (itself built so), the last written winning.
    A cas names one of its own file first, then one of the bases; a cas of a base names only the bases'."""
    assert node.base is not None  # called only for a cas written « comme … »
    base = _cas_named(env, node.base, own and node.base != node.id)
    if base is None:
        if len(path) == 1:
            env.error(
                "cas-inconnu",
                f"cas inconnu « {node.base} »",
                node.base_span,
                suggestion=suggest(node.base, [*env.cas_nodes, *(c.id for c in env.file.inherited)]),
            )
        return None
    if base.id in path and own and base is env.cas_nodes.get(base.id):
        cycle = path[path.index(base.id) :]
        if frozenset(cycle) not in cycles:
            cycles.add(frozenset(cycle))
            env.error(
                "cycle",
                f"les cas héritent en boucle : {' → '.join([*cycle, base.id])}",
                node.base_span,
                suggestion="un cas ne peut pas partir, même indirectement, de lui-même",
            )
        return None
    is_own = base is env.cas_nodes.get(base.id)
    inherited = _inherited_assignments(env, base, (*path, base.id), cycles, is_own) if base.base else []
    if inherited is None:
        return None
    written = {a.id for a in base.donnees or ()}
    return [*(a for a in inherited if a.id not in written), *(base.donnees or ())]


def _cas_named(env: Environment, id: str, own: bool) -> n.Cas | None:
    if own and id in env.cas_nodes:
        return env.cas_nodes[id]
    return next((c for c in env.file.inherited if c.id == id), None)
