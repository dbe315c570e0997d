"""Who uses what: no cycle through `atteint`, and a warning for what nobody reads.

Read from what the other passes recorded in the environment: a brique also depends on each of its
critères; a donnée or a paramètre nobody reads is said at the avenant operation that stopped reading it,
when one did.
"""

from __future__ import annotations

from dsl import nodes as n
from dsl.check.environment import Environment
from dsl.diagnostics import Note

# What an avenant operation did to the last use of a donnée or paramètre of its base.
DROPPING = {
    n.Remove: "la suppression",
    n.Modify: "la modification",
    n.Replace: "le remplacement",
    n.Parametre: "la nouvelle valeur",
    n.Prorata: "la nouvelle valeur",
}


def check_cycles(env: Environment) -> None:
    """`atteint` must not loop (a brique also depends on each of its critères)."""
    state: dict[str, int] = {}  # 1 = being visited, 2 = done
    path: list[str] = []

    def visit(id: str):
        state[id] = 1
        path.append(id)
        for target, call in env.dependencies.get(id, ()):
            if target not in env.dependencies:
                continue
            if state.get(target) == 1:
                cycle = path[path.index(target) :] + [target]
                span = call.span if call is not None else env.element_span(id)
                env.error(
                    "cycle",
                    f"dépendance circulaire : {' → '.join(cycle)}",
                    span,
                    suggestion="un critère ne peut pas dépendre, même indirectement, de lui-même",
                )
            elif state.get(target) is None:
                visit(target)
        path.pop()
        state[id] = 2

    for id in env.dependencies:
        if id not in state:
            visit(id)


def warn_unused(env: Environment) -> None:
    """A donnée or a paramètre that no expression reads."""
    for id, donnee in env.donnees.items():
        if id in env.used_donnees:
            continue
        if not _warn_dropped(env, id, donnee.node, "la donnée", "donnée", "supprimez-la"):
            env.warn(
                "donnee-inutilisee",
                f"la donnée « {id} » n'est utilisée par aucun critère ni aucune brique",
                donnee.node.id_span,
                suggestion="supprimez-la, ou utilisez-la dans une condition",
            )
    for id, node in env.parametre_nodes.items():
        if id in env.used_parametres:
            continue
        if not _warn_dropped(env, id, node, "le paramètre", "paramètre", "supprimez-le"):
            env.warn(
                "parametre-inutilise",
                f"le paramètre « {id} » n'est utilisé nulle part",
                node.id_span,
                suggestion="supprimez-le, ou utilisez-le dans une condition ou un montant",
            )


def _warn_dropped(env: Environment, id: str, node, what: str, keyword: str, remove: str) -> bool:
    """An unused donnée or paramètre of a base that an avenant operation stopped using: reported at that
    operation, which is where the avenant should remove it too."""
    op = env.dropped.get(id)
    if op is None or node.id_span is None or op.span is None or op.span.file == node.id_span.file:
        return False
    code = "donnee-inutilisee" if keyword == "donnée" else "parametre-inutilise"
    cause = DROPPING.get(type(op), "la modification")
    if isinstance(op, (n.Remove, n.Prorata)):
        span = op.span
    else:
        span = op.id_span
    env.warn(
        code,
        f"{what} « {id} » n'est plus utilisé{'e' if keyword == 'donnée' else ''} par aucun critère "
        f"ni aucune brique depuis {cause} de « {getattr(op, 'id', 'prorata')} »",
        span,
        notes=[Note(f"{what} « {id} » est déclaré{'e' if keyword == 'donnée' else ''} ici", node.id_span)],
        suggestion=f"{remove} aussi : « supprime {keyword} {id} »",
    )
    return True
