"""`dsl.check.parametres`: every paramètre lowered once (a cycle among them said once), and a new value — by
`--set`, a scenario, an avenant — checked against the version's: known, of the same type, in the same unit."""

from __future__ import annotations

from decimal import Decimal

from dsl import ir
from dsl.check.parametres import check_overrides, check_parametres, close_parametre, unit_mismatch, written_unit
from dsl.checker import check
from dsl.model import MONTANT, NOMBRE
from tests.check import HEADER, codes, environment, expression, parse

PARAMETRES = """paramètres {
  valeur_point = 7 €
  taux = 8 % "Taux de la majoration"
  seuil = 2 * plancher
  plancher = 10
}
"""


def test_every_paramètre_is_lowered_with_its_type_wherever_it_is_read_first():
    env = environment(PARAMETRES)
    parametres = check_parametres(env)
    assert env.diagnostics == []
    assert {id: p.type for id, p in parametres.items()} == {
        "valeur_point": MONTANT,
        "taux": NOMBRE,
        "seuil": NOMBRE,
        "plancher": NOMBRE,
    }
    assert parametres["taux"].value == ir.Const(Decimal("0.08"), NOMBRE)
    assert isinstance(parametres["seuil"].value, ir.Arithmetic)
    assert env.used_parametres == {"plancher"}  # read by another paramètre's value


def test_a_cycle_among_parametres_is_said_once_and_none_of_them_is_lowered():
    env = environment("paramètres {\n  a = b + 1\n  b = c\n  c = a\n  d = 1\n}\n")
    assert list(check_parametres(env)) == ["d"]
    assert codes(env) == ["cycle"] and "a → b → c → a" in env.diagnostics[0].message


def version():
    model, diagnostics = check(parse(HEADER + PARAMETRES))
    assert model is not None, diagnostics
    return model


def test_a_new_value_of_the_same_type_is_lowered():
    lowered, diagnostics = check_overrides(
        version(), {"valeur_point": expression("7.5 €"), "plancher": expression("3")}
    )
    assert diagnostics == []
    assert lowered == {"valeur_point": ir.Const(Decimal("7.5"), MONTANT), "plancher": ir.Const(Decimal(3), NOMBRE)}


def test_an_unknown_paramètre_a_wrong_unit_and_a_wrong_type_are_said():
    _, diagnostics = check_overrides(
        version(), {"valeur_pont": expression("7 €"), "taux": expression("8"), "plancher": expression("3 €")}
    )
    assert [d.code for d in diagnostics] == ["parametre-inconnu", "unite-parametre", "type-incompatible"]
    assert diagnostics[0].suggestion == "vouliez-vous dire « valeur_point » ?"
    assert diagnostics[1].suggestion == "écrivez « 8 % »"


def test_a_new_value_must_be_a_constant_over_known_names():
    model, _ = check(parse(HEADER + PARAMETRES + 'données {\n  n : entier "N"\n}\n'))
    assert model is not None  # an unused donnée is only a warning
    _, diagnostics = check_overrides(model, {"plancher": expression("n + 1"), "seuil": expression("inconnu")})
    assert [d.code for d in diagnostics] == ["parametre-non-constant", "donnee-inconnue"]


def test_how_a_constant_is_written():
    assert [written_unit(expression(t)) for t in ("40 %", "40", "-40", "7 €", "a")] == [
        "%",
        "nombre",
        "nombre",
        None,
        None,
    ]


def test_a_unit_dropped_or_added_is_a_mismatch_zero_is_zero():
    assert unit_mismatch(expression("8 %"), expression("8"), "taux")[1] == "écrivez « 8 % »"
    assert unit_mismatch(expression("8 %"), expression("0.08"), "taux")[1] == "écrivez « 8 % »"
    assert unit_mismatch(expression("4000"), expression("40 %"), "n")[1] == "écrivez « 40 » sans « % »"
    assert unit_mismatch(expression("8 %"), expression("0"), "taux") is None
    assert unit_mismatch(expression("8 %"), expression("9 %"), "taux") is None


def test_the_closest_existing_parametre_by_name_or_by_the_words_of_its_label():
    existing = environment(PARAMETRES).parametre_nodes
    new = environment('paramètres {\n  taux_majoration = 9 % "Taux de majoration"\n}\n').parametre_nodes
    assert close_parametre(new["taux_majoration"], existing) == "taux"
    new = environment("paramètres {\n  valeur_du_point = 7 €\n}\n").parametre_nodes
    assert close_parametre(new["valeur_du_point"], existing) == "valeur_point"
    new = environment('paramètres {\n  forfait_structure = 1 € "Forfait"\n}\n').parametre_nodes
    assert close_parametre(new["forfait_structure"], existing) is None
