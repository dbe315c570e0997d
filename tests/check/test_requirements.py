"""`dsl.check.requirements`: what the payment rules read besides the clauses — `valeur_point` for points,
`patientele` and `patientele_reference` (and the cap) for points variables, `taux_avance` — there, and typed."""

from __future__ import annotations

import pytest

from dsl.check.elements import check_elements
from dsl.check.parametres import check_parametres
from dsl.check.requirements import check_advance, check_point_requirements
from tests.check import codes, environment


def requirements(parametres: str, donnees: str, amount: str):
    body = (
        f'paramètres {{\n{parametres}\n}}\ndonnées {{\n  ouvert : booléen "Ouvert"\n{donnees}\n}}\n'
        f'socle {{\n  critère c "C" {{ condition : ouvert  {amount} }}\n}}\n'
    )
    env = environment(body)
    check_parametres(env)
    criteres, briques = check_elements(env)
    env.diagnostics.clear()
    check_point_requirements(env, criteres, briques)
    check_advance(env)
    return env


FULL = "  valeur_point = 7 €\n  patientele_reference = 4000"
PATIENTELE = '  patientele : entier "Patientèle"'


def test_points_variables_with_everything_they_read():
    env = requirements(FULL, PATIENTELE, "points variables : 100")
    assert env.diagnostics == []
    assert env.used_parametres == {"valeur_point", "patientele_reference"} and "patientele" in env.used_donnees


def test_a_montant_needs_nothing():
    assert requirements("  x = 1", "", "montant : 1 €").diagnostics == []


@pytest.mark.parametrize(
    "parametres, donnees, amount, expected",
    [
        ("  x = 1", "", "points fixes : 10", ["valeur-point-manquante"]),
        ("  valeur_point = 7", "", "points fixes : 10", ["type-incompatible"]),
        (
            "  valeur_point = 7 €",
            "",
            "points variables : 10",
            ["points-variables-sans-patientele", "points-variables-sans-patientele"],
        ),
        (FULL, '  patientele : booléen "P"', "points variables : 10", ["type-incompatible"]),
        (FULL + "\n  plafond_ratio_patientele = 1 €", PATIENTELE, "points variables : 10", ["type-incompatible"]),
        (FULL + "\n  taux_avance = 60 €", PATIENTELE, "points variables : 10", ["type-incompatible"]),
    ],
)
def test_what_is_missing_or_of_the_wrong_type(parametres, donnees, amount, expected):
    assert codes(requirements(parametres, donnees, amount)) == expected


def test_taux_avance_is_read():
    env = requirements(FULL + "\n  taux_avance = 60 %", PATIENTELE, "points variables : 10")
    assert env.diagnostics == [] and "taux_avance" in env.used_parametres
