"""`dsl.check.elements`: the clauses that pay — critères, briques, majorations, minimums — each with the
attributes its kind allows, lowered; what a brique's critères may not carry; the warnings on what was written."""

from __future__ import annotations

from decimal import Decimal

from dsl import ir
from dsl.check.elements import check_elements, check_supplements
from dsl.model import MONTANT, NOMBRE, SECTIONS
from tests.check import codes, environment, messages

DONNEES = """paramètres {
  valeur_point = 7 €
}
données {
  nb : entier entre 0 et 10 "Nombre"
  ouvert : booléen "Ouvert"
}
"""


def elements(body: str):
    env = environment(DONNEES + body)
    criteres, briques = check_elements(env)
    return criteres, briques, env


def test_a_critere_is_lowered_with_its_section_and_its_amounts():
    criteres, _, env = elements(
        'socle {\n  critère c "C" {\n    condition : nb >= 2\n    points fixes : 100 * nb\n'
        '    montant : 50 €\n    axe : acces\n    référence : "Art. 1"\n  }\n}\n'
    )
    c = criteres["c"]
    assert env.diagnostics == []
    assert (c.section, c.brique, c.axe, c.reference) == ("socle", None, "acces", "Art. 1")
    assert c.points_fixes.type == NOMBRE and c.montant == ir.Const(Decimal(50), MONTANT)
    assert c.points_variables is None and c.prorata is None
    assert env.used_donnees == {"nb"} and env.dependencies["c"] == []


def test_critères_come_section_by_section_then_those_of_each_brique():
    criteres, briques, _ = elements(
        'options {\n  critère o "O" { condition : ouvert  montant : 1 € }\n}\n'
        'brique b "B" {\n  condition : vrai\n  montant : 1 €\n  critère dedans "D" { condition : ouvert }\n}\n'
        'prérequis {\n  critère p "P" { condition : ouvert }\n}\n'
    )
    assert list(criteres) == ["p", "o", "dedans"] and [c.section for c in criteres.values()] == [*SECTIONS[::2], None]
    assert briques["b"].criteres == ("dedans",)


def test_a_brique_depends_on_its_criteres_which_carry_no_payment_of_their_own():
    _, _, env = elements(
        'brique b "B" {\n  condition : ouvert\n  montant : 1 €\n'
        '  critère dedans "D" { condition : ouvert  points fixes : 10 }\n}\n'
    )
    assert codes(env) == ["remuneration-dans-brique"]
    assert env.dependencies["b"] == [("dedans", None)]


def test_attributes_each_once_and_allowed_a_condition_required():
    _, _, env = elements('socle {\n  critère c "C" {\n    montant : 1 €\n    montant : 2 €\n    taux : 5 %\n  }\n}\n')
    assert codes(env) == ["attribut-duplique", "attribut-invalide", "condition-manquante"]
    assert env.diagnostics[1].suggestion == "« taux » s'écrit dans une majoration"


def test_amounts_are_points_or_euros():
    _, _, env = elements(
        'socle {\n  critère c "C" {\n    condition : ouvert\n    points fixes : 10 €\n'
        "    montant : 10\n    prorata : vrai\n  }\n}\n"
    )
    assert codes(env) == ["type-incompatible", "type-incompatible", "type-incompatible"]
    assert env.diagnostics[0].suggestion == "pour une somme en euros, utilisez « montant : … »"


def test_warnings_on_what_was_written():
    _, _, env = elements(
        "socle {\n  critère sans_libelle { condition : ouvert  montant : 1 € }\n"
        '  critère gratuit "G" { condition : ouvert }\n'
        '  critère constant "K" { condition : valeur_point > 1 €  montant : 1 € }\n}\n'
        'prérequis {\n  critère porte "P" { condition : ouvert }\n}\n'
    )
    assert codes(env) == ["libelle-manquant", "sans-remuneration", "condition-constante"]
    assert messages(env, "condition-constante")[0].startswith("la condition du critère « constant »")


# ---- majorations and minimums ------------------------------------------------------------------------------------

LINES = (
    DONNEES
    + """socle {
  critère c "C" { condition : ouvert  points fixes : 100  montant : 5 € }
}
"""
)


def supplements(body: str):
    env = environment(LINES + body)
    criteres, _ = check_elements(env)
    tables = check_supplements(env, criteres)
    return tables["majorations"], tables["minimums"], env


def test_a_majoration_takes_a_part_of_the_lines_of_some_sections():
    majorations, _, env = supplements(
        'majoration m "M" {\n  condition : ouvert\n  assiette : points fixes dans (socle)\n  taux : 5 %\n}\n'
    )
    m = majorations["m"]
    assert env.diagnostics == []
    assert (m.part, m.sections, m.taux) == ("points_fixes", ("socle",), ir.Const(Decimal("0.05"), NOMBRE))


def test_a_majoration_needs_its_rate_and_an_assiette_some_line_can_pay():
    _, _, env = supplements('majoration m "M" { assiette : points variables }\n')
    assert codes(env) == ["attribut-manquant", "assiette-vide"]
    assert messages(env, "attribut-manquant") == ["la majoration « m » n'a pas de « taux »"]


def test_a_majoration_is_not_prorated_and_its_sections_are_known():
    _, _, env = supplements('majoration m "M" {\n  assiette : total dans (soclee)\n  taux : 5 €\n  prorata : 1\n}\n')
    assert codes(env) == ["attribut-invalide", "type-incompatible", "section-inconnue"]
    assert env.diagnostics[0].suggestion.startswith("une majoration n'est pas proratisée")


def test_a_minimum_is_a_montant_with_its_own_prorata():
    _, minimums, env = supplements('minimum plancher "P" {\n  montant : 1_000 €\n  prorata : nb / 12\n}\n')
    assert env.diagnostics == [] and minimums["plancher"].prorata.type == NOMBRE
    assert minimums["plancher"].condition == ir.Const(True, ir.BOOLEEN)
    _, _, env = supplements("minimum plancher { montant : 1_000 }\n")
    assert codes(env) == ["type-incompatible", "libelle-manquant"]
