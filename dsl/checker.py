"""The checker: a consolidated convention AST → a checked `Model`, and diagnostics.

It resolves every name, infers and checks the type of every expression (LANGUAGE.md,
"Expressions"), and enforces the rules of "Meaning" that can be known before any
structure is evaluated. It never mutates the AST; it reports everything it finds rather
than stopping at the first problem, taking care not to cascade (an expression whose type
could not be known is not reported again by the expressions around it).

This module is the driver: it runs the passes of `dsl.check`, in order, over one shared
`Environment` (the declarations by id, what each clause uses, the diagnostics), and builds the model.
"""

from __future__ import annotations

from dsl import keywords
from dsl import nodes as n
from dsl.check.cases import check_cas
from dsl.check.declarations import check_headers, collect
from dsl.check.elements import check_elements, check_supplements
from dsl.check.environment import Environment
from dsl.check.parametres import check_parametres
from dsl.check.requirements import check_advance, check_point_requirements
from dsl.check.usage import check_cycles, warn_unused
from dsl.check.version import check_exercices, check_prorata
from dsl.diagnostics import Diagnostic
from dsl.kinds import MINIMUM
from dsl.model import Model


def check(
    file: n.File, path: str | None = None, removed: dict | None = None, dropped: dict | None = None
) -> tuple[Model | None, list[Diagnostic]]:
    """Check a convention (an avenant must be consolidated first). The model is None on errors.

    `removed` maps ids that avenants removed to the span of the removal, so that a name
    left dangling by a `supprime` can say where it was removed; `dropped` maps données and
    paramètres to the avenant operation that dropped a use of them, so that one left unused
    by it is reported there rather than at its declaration in a base.
    """
    env = Environment(file, removed, dropped)
    check_headers(env)
    collect(env)
    parametres = check_parametres(env)
    criteres, briques = check_elements(env)
    supplements = check_supplements(env, criteres)  # by the model's table of each kind
    prorata = check_prorata(env, supplements[MINIMUM.table])
    exercices = check_exercices(env)
    check_cycles(env)
    check_point_requirements(env, criteres, briques)
    check_advance(env)
    cas = check_cas(env)
    warn_unused(env)
    model = Model(
        id=file.id,
        label=file.label,
        version=file.header("version"),
        en_vigueur=file.header("en_vigueur"),
        statut=file.header("statut") if file.header("statut") in keywords.STATUTS else None,
        parametres=parametres,
        donnees=dict(env.donnees),
        criteres=criteres,
        briques=briques,
        cas=tuple(cas),
        file=file,
        path=path,
        **supplements,
        prorata=prorata,
        exercices=exercices,
    )
    return (None if env.has_error else model), env.diagnostics
