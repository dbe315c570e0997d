"""`dsl.check.expressions`: an expression typed, its names resolved, lowered to the IR — what it may read in each
scope (a clause, a paramètre, an `attendu`, a scenario), units as types, and no cascade of errors."""

from __future__ import annotations

from decimal import Decimal

import pytest

from dsl import ir
from dsl.check.environment import Scope
from dsl.check.expressions import expect_condition, infer
from dsl.model import BOOLEEN, MONTANT, NOMBRE, Type
from tests.check import codes, environment, expression, messages

NAMES = """paramètres {
  valeur_point = 7 €
  part = 40 %
  montant_rcp = 5_000 €
  nombre = 3
}
données {
  nb : entier entre 0 et 10 "Nombre"
  ca : montant "Chiffre"
  ouvert : booléen "Ouvert"
  zone : choix(metropole, drom) "Zone"
  debut : date "Début"
  taux_c2s : pourcentage entre 0 % et 100 % "Part C2S"
}
socle {
  critère rcp "RCP" { condition : ouvert  montant : 1 € }
}
majoration m "Majoration" { taux : 5 % }
"""


def lowered(text: str, mode: str = "clause"):
    """(the IR, the diagnostics' codes, the scope) of an expression over NAMES."""
    env = environment(NAMES)
    env.diagnostics.clear()
    scope = Scope(mode)
    return infer(env, expression(text), scope), codes(env), scope, env


@pytest.mark.parametrize(
    "text, value, type_",
    [
        ("4000", Decimal(4000), NOMBRE),
        ("50 %", Decimal("0.5"), NOMBRE),
        ("7 €", Decimal(7), MONTANT),
        ("vrai", True, BOOLEEN),
    ],
)
def test_literals_are_constants_normalised(text, value, type_):
    assert lowered(text)[0] == ir.Const(value, type_)


def test_names_resolve_to_what_they_name_and_the_scope_records_them():
    expr, problems, scope, _ = lowered("nb * valeur_point >= ca")
    assert problems == [] and expr.type == BOOLEEN
    assert isinstance(expr, ir.Comparison) and isinstance(expr.right, ir.DonneeRef)
    assert scope.uses_donnees == {"nb", "ca"} and scope.uses_parametres == {"valeur_point"}


def test_a_parametre_is_read_with_its_lowered_type():
    expr, problems, _, env = lowered("montant_rcp / nombre")
    assert problems == [] and expr.type == MONTANT
    assert set(env.parametre_values) == {"montant_rcp", "nombre"}


@pytest.mark.parametrize(
    "text, kind",
    [
        ("ca + ca", "montant"),
        ("ca * nb", "montant"),
        ("ca / nb", "montant"),
        ("ca / ca", "nombre"),
        ("nb + 1", "nombre"),
        ("si ouvert alors 1 € sinon 2 €", "montant"),
        ("min(debut, 2020-01-01)", "date"),
        ("arrondi(ca / 3, 2)", "montant"),
        ("taux_c2s * 2", "nombre"),
    ],
)
def test_arithmetic_follows_the_units(text, kind):
    expr, problems, _, _ = lowered(text)
    assert problems == [] and expr.type.value_kind == kind


@pytest.mark.parametrize(
    "text", ["ca + 1", "ca * ca", "debut + 1", "ca > 1", "min(ca, 1)", "si ouvert alors 1 € sinon 2"]
)
def test_mixed_units_are_refused(text):
    expr, problems, _, _ = lowered(text)
    assert expr is None or isinstance(expr, ir.Comparison)
    assert problems == ["type-incompatible"]


def test_a_number_beside_a_montant_is_the_operand_underlined_and_the_fix_is_its_unit():
    env = environment(NAMES)
    env.diagnostics.clear()
    infer(env, expression("ca + 5"), Scope("clause"))
    [diagnostic] = env.diagnostics
    assert diagnostic.message == "« + » entre un montant et un nombre n'a pas de sens : « 5 » est un nombre, sans unité"
    assert diagnostic.suggestion.startswith("écrivez l'unité : « 5 € »")


def test_a_choix_compares_with_its_own_values():
    expr, problems, _, _ = lowered("zone = drom")
    assert problems == [] and expr.right == ir.Const("drom", Type("choix", ("metropole", "drom")))
    assert lowered("zone dans (metropole, drom)")[1] == []
    assert lowered("zone = corse")[1] == ["valeur-choix-inconnue"]


def test_an_unknown_name_is_said_once_with_a_suggestion_and_nothing_cascades():
    env = environment(NAMES)
    env.diagnostics.clear()
    infer(env, expression("(nbr + 1) * 2 > 3 et ouvert"), Scope("clause"))
    assert codes(env) == ["donnee-inconnue"] and env.diagnostics[0].suggestion == "vouliez-vous dire « nb » ?"


def test_a_name_an_avenant_removed_says_where():
    env = environment(NAMES)
    env.removed = {"ancien": env.file.id_span}
    infer(env, expression("ancien > 1"), Scope("clause"))
    [diagnostic] = env.diagnostics
    assert diagnostic.notes[0].message == "un avenant supprime « ancien » ici"


def test_a_parametre_reads_no_donnee_and_no_critere():
    assert lowered("nb + 1", "parametre")[1] == ["parametre-non-constant"]
    assert lowered("atteint(rcp)", "parametre")[1] == ["parametre-non-constant"]


def test_atteint_names_a_critere_or_a_brique_and_is_recorded():
    expr, problems, scope, _ = lowered("atteint(rcp)")
    assert problems == [] and expr == ir.Met("rcp") and [t for t, _ in scope.atteint] == ["rcp"]
    assert lowered("atteint(m)")[1] == ["critere-inconnu"]
    assert lowered("atteint(rcpp)")[1] == ["critere-inconnu"]
    assert lowered("atteint(rcp)", "scenario")[1] == ["atteint-dans-scenario"]


def test_results_are_read_in_attendu_only():
    assert lowered("total > 1 €", "attendu")[1] == []
    assert lowered("montant(m) > 1 €", "attendu")[1] == []
    assert lowered("total > 1 €")[1] == ["attendu-seulement"]
    assert lowered("montant(rcp) > 1 €")[1] == ["attendu-seulement"]


@pytest.mark.parametrize(
    "text, problems",
    [
        ("tirage(40 %)", []),
        ("tirage(part)", []),
        ("tirage(taux_c2s)", []),
        ("tirage(si ouvert alors 40 % sinon 10 %)", []),
        ("tirage(40)", ["tirage-part"]),
        ("tirage(140 %)", ["tirage-part"]),
        ("tirage(nombre)", ["tirage-part"]),
        ("tirage(nb)", ["tirage-part"]),
        ("tirage(ca)", ["type-incompatible"]),
        ("tirage(1 %, 2 %)", ["arguments"]),
    ],
)
def test_tirage_draws_a_share_written_as_one_in_a_scenario(text, problems):
    assert lowered(text, "scenario")[1] == problems


def test_tirage_outside_a_scenario():
    assert lowered("tirage(40 %)")[1] == ["tirage-hors-scenario"]


def test_functions_and_their_arguments():
    assert lowered("maxi(nb, 1)")[1] == ["fonction-inconnue"]
    assert lowered("min(nb)")[1] == ["arguments"]
    assert lowered("arrondi(nb, 2.5)")[1] == ["arguments"]
    assert lowered("arrondi(ouvert)")[1] == ["type-incompatible"]


def test_a_condition_must_be_true_or_false():
    env = environment(NAMES)
    env.diagnostics.clear()
    assert expect_condition(env, expression("nb"), Scope("clause"), "la condition") is not None
    assert messages(env, "condition-non-booleenne") == ["la condition doit être vraie ou fausse, or c'est un nombre"]
    assert lowered("non nb")[1] == ["condition-non-booleenne"]
    assert lowered("si nb alors 1 sinon 2")[1] == ["condition-non-booleenne"]
