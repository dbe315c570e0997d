"""`dsl.check.version`: the version's own clauses that are not lines — its `prorata : …` (once, a share of the
year, a warning for each minimum it leaves unprorated) and its `exercice AAAA` blocks (once per file, within
the version's time in force)."""

from __future__ import annotations

from dsl.check.elements import check_elements, check_supplements
from dsl.check.version import check_exercices, check_prorata
from tests.check import codes, environment

DONNEES = """paramètres {
  valeur_point = 7 €
}
données {
  mois : entier entre 1 et 12 "Mois d'adhésion"
  ouvert : booléen "Ouvert"
}
socle {
  critère c "C" { condition : ouvert  montant : 1_200 € }
}
"""


def prorata(body: str):
    env = environment(DONNEES + body)
    criteres, _ = check_elements(env)
    minimums = check_supplements(env, criteres)["minimums"]
    env.diagnostics.clear()
    return check_prorata(env, minimums), env


def test_no_prorata_is_none():
    assert prorata("")[0] is None


def test_the_version_s_prorata_is_a_share_that_reads_donnees():
    found, env = prorata("prorata : mois / 12\n")
    assert env.diagnostics == [] and found.value.type.value_kind == "nombre"
    assert "mois" in env.used_donnees


def test_a_prorata_written_twice_or_in_euros():
    assert codes(prorata("prorata : mois / 12\nprorata : 1\n")[1]) == ["prorata-duplique"]
    assert codes(prorata("prorata : 5 €\n")[1]) == ["type-incompatible"]


def test_a_minimum_left_for_the_whole_year_is_a_warning_naming_the_fix():
    _, env = prorata('minimum plancher "P" { montant : 1_000 € }\nprorata : mois / 12\n')
    [warning] = env.diagnostics
    assert warning.code == "minimum-non-proratise"
    assert warning.suggestion.startswith("ajoutez au minimum « prorata : mois / 12 »")
    _, env = prorata('minimum plancher "P" {\n  montant : 1_000 €\n  prorata : 1\n}\nprorata : mois / 12\n')
    assert env.diagnostics == []


# ---- exercises ------------------------------------------------------------------------------------------------------

HEADER = 'convention t "Test"\nversion : "1"\nen vigueur : 2022-01-01\n'


def exercices(body: str):
    env = environment(DONNEES + body, header=HEADER)
    return check_exercices(env), env


def test_exercises_by_year():
    found, env = exercices("exercice 2023 {\n  supprime critère c\n}\nexercice 2022 {\n  prorata : 1\n}\n")
    assert env.diagnostics == [] and list(found) == [2022, 2023]


def test_a_year_written_twice_in_a_file():
    found, env = exercices("exercice 2022 {\n  prorata : 1\n}\nexercice 2022 {\n  supprime critère c\n}\n")
    assert codes(env) == ["exercice-duplique"] and len(found[2022]) == 2


def test_an_exercise_that_ends_before_the_version_is_in_force():
    _, env = exercices("exercice 2021 {\n  prorata : 1\n}\n")
    assert codes(env) == ["exercice-hors-vigueur"]
