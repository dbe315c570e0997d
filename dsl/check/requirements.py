"""What the payment rules (`dsl.payment`) read from a version besides its clauses.

`valeur_point` for points; `patientele`, `patientele_reference` and the cap for points variables;
`taux_avance` for `eval --avance`: each must be there, and of its type.
"""

from __future__ import annotations

from dsl import ir
from dsl import nodes as n
from dsl.check.elements import attribute_span, writes
from dsl.check.environment import Environment
from dsl.check.expressions import parametre_value
from dsl.check.wording import an, plain
from dsl.model import MONTANT, NOMBRE, Brique, Critere, Type
from dsl.payment import ADVANCE, CAP
from dsl.printer import print_expr


def check_point_requirements(env: Environment, criteres: dict[str, Critere], briques: dict[str, Brique]) -> None:
    """Points need `valeur_point` (a montant); points variables also need the donnée `patientele` and the
    paramètre `patientele_reference` (and `plafond_patientele`, when written, is a nombre)."""
    elements: list[Critere | Brique] = [*criteres.values(), *briques.values()]
    with_points = [e for e in elements if writes(e, "points_fixes") or writes(e, "points_variables")]
    if with_points:
        _require_parametre(
            env,
            "valeur_point",
            MONTANT,
            with_points[0],
            "des points",
            "ajoutez dans « paramètres » : valeur_point = 7 €",
            "valeur-point-manquante",
        )
    variable = [e for e in elements if writes(e, "points_variables")]
    if not variable:
        return
    first = variable[0]
    if "patientele" not in env.donnees:
        env.error(
            "points-variables-sans-patientele",
            f"« {first.id} » a des points variables, mais la donnée « patientele » n'est pas déclarée",
            attribute_span(first.node, "points_variables"),
            suggestion='ajoutez dans « données » : patientele : entier "Patientèle médecin traitant"',
        )
    else:
        env.used_donnees.add("patientele")
        if not env.donnees["patientele"].type.is_numeric():
            env.error(
                "type-incompatible",
                "la donnée « patientele » doit être un nombre de patients",
                env.donnees["patientele"].node.span,
            )
    _require_parametre(
        env,
        "patientele_reference",
        NOMBRE,
        first,
        "des points variables",
        "ajoutez dans « paramètres » : patientele_reference = 4000",
        "points-variables-sans-patientele",
    )
    if CAP in env.parametre_nodes:  # read by the payment rules: the ratio of every points variables is capped
        _require_parametre(env, CAP, NOMBRE, first, "des points variables", "", "points-variables-sans-patientele")


def check_advance(env: Environment) -> None:
    """`taux_avance`, read by `eval --avance`: a share (a nombre)."""
    if ADVANCE not in env.parametre_nodes:
        return
    env.used_parametres.add(ADVANCE)
    value = parametre_value(env, ADVANCE)
    if value is not None and value.type.value_kind != "nombre":
        env.error(
            "type-incompatible",
            f"le paramètre « {ADVANCE} » est la part de l'avance : un pourcentage, pas {an(value.type)}",
            env.parametre_nodes[ADVANCE].value.span,
            suggestion="par exemple « taux_avance = 60 % »",
        )
    elif isinstance(value, ir.Const) and not 0 <= value.value <= 1:  # `60` for `60 %`: an advance of 6 000 %
        written = env.parametre_nodes[ADVANCE].value
        env.error(
            "hors-intervalle",
            f"le paramètre « {ADVANCE} » vaut {plain(value.value * 100)} % : la part de "
            "l'avance est entre 0 % et 100 %",
            written.span,
            suggestion=f"écrivez « {ADVANCE} = {print_expr(written)} % »"
            if isinstance(written, n.Number)
            else "donnez une part entre 0 % et 100 %",
        )


def _require_parametre(env: Environment, id: str, type_: Type, element, what: str, fix: str, code: str) -> None:
    if id not in env.parametre_nodes:
        attribute = "points_variables" if id == "patientele_reference" else None
        span = attribute_span(element.node, attribute) if attribute else element.node.id_span
        env.error(code, f"« {element.id} » a {what}, mais le paramètre « {id} » n'est pas défini", span, suggestion=fix)
        return
    env.used_parametres.add(id)
    actual = env.parametre_values.get(id)
    if actual is not None and actual.type.value_kind != type_.value_kind:
        env.error(
            "type-incompatible",
            f"le paramètre « {id} » doit être {an(type_)}, pas {an(actual.type)}",
            env.parametre_nodes[id].value.span,
        )
