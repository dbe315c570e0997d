"""`dsl.check.declarations`: the headers, the declarations gathered by id (each once in its namespace), the
données typed with their ranges and defaults, and the literal values a cas or a default gives a donnée."""

from __future__ import annotations

from decimal import Decimal

import pytest

from dsl import ir
from dsl.check.declarations import check_headers, literal_value
from dsl.check.environment import Environment
from dsl.model import BOOLEEN
from tests.check import HEADER, codes, environment, expression, messages, parse

# ---- headers -------------------------------------------------------------------------------------------------------


def headers(text: str) -> Environment:
    env = Environment(parse(text))
    check_headers(env)
    return env


def test_well_formed_headers_say_nothing():
    assert headers(HEADER + "statut : signé\nen vigueur : 2017-08-05\n").diagnostics == []


def test_a_header_given_twice_and_a_missing_version():
    assert codes(headers('convention t "T"\nstatut : signé\nstatut : proposition\n')) == [
        "en-tete-duplique",
        "en-tete-manquant",
    ]


def test_an_unknown_status_suggests_the_close_one():
    env = headers(HEADER + "statut : signe_\n")
    assert codes(env) == ["statut-inconnu"] and env.diagnostics[0].suggestion == "vouliez-vous dire « signé » ?"


def test_a_base_belongs_to_an_avenant():
    assert codes(headers(HEADER + 'base : "x.conv"\n')) == ["en-tete-invalide"]


# ---- declarations by id --------------------------------------------------------------------------------------------

DECLARATIONS = """paramètres {
  valeur_point = 7 €
}
données {
  nb : entier entre 0 et 10 "Nombre"
}
prérequis {
  critère gate "Porte" { condition : nb > 0 }
}
brique b "Brique" {
  condition : vrai
  critère dedans "Dedans" { condition : nb > 1 }
}
majoration m "Majoration" { taux : 5 % }
cas c "Cas" { données { nb = 1 } }
"""


def test_declarations_are_gathered_by_id_with_where_they_sit():
    env = environment(DECLARATIONS)
    assert env.diagnostics == []
    assert list(env.parametre_nodes) == ["valeur_point"] and list(env.donnees) == ["nb"]
    assert {id: (section, brique) for id, (_, section, brique) in env.criteres.items()} == {
        "gate": ("prerequis", None),
        "dedans": (None, "b"),
    }
    assert list(env.briques) == ["b"] and list(env.supplements) == ["m"] and list(env.cas_nodes) == ["c"]


@pytest.mark.parametrize(
    "body, what",
    [
        ('paramètres {\n  x = 1\n}\ndonnées {\n  x : entier "X"\n}\n', "donnée ou paramètre"),
        ('socle {\n  critère x "X" { condition : vrai }\n}\nbrique x "X" { condition : vrai }\n', "critère ou brique"),
        ('socle {\n  critère x "X" { condition : vrai }\n}\nminimum x "X" { montant : 1 € }\n', "identifiant"),
    ],
)
def test_an_id_is_declared_once_in_its_namespace(body, what):
    assert messages(environment(body), "id-duplique") == [f"{what} « x » défini deux fois"]


def test_namespaces_are_apart_a_donnee_and_a_critere_may_share_an_id():
    env = environment('données {\n  x : booléen "X"\n}\nsocle {\n  critère x "X" { condition : x }\n}\n')
    assert env.diagnostics == [] and "x" in env.donnees and "x" in env.criteres


def test_an_avenant_operation_in_a_convention():
    assert codes(environment("supprime critère x\n")) == ["operation-hors-avenant"]


# ---- données: types, ranges, defaults ------------------------------------------------------------------------------


def donnee(declaration: str):
    env = environment(f"données {{\n  {declaration}\n}}\n")
    return env.donnees.get("x"), codes(env)


def test_a_range_is_kept_as_decimals_a_pourcentage_as_its_fraction():
    assert donnee('x : entier entre 0 et 10 "X"')[0].high == 10
    found, problems = donnee('x : pourcentage entre 0 % et 50 % "X"')
    assert (found.low, found.high, problems) == (0, Decimal("0.5"), [])


@pytest.mark.parametrize(
    "declaration, code",
    [
        ('x : entier entre 10 et 0 "X"', "intervalle-vide"),
        ('x : booléen entre 0 et 1 "X"', "intervalle-invalide"),
        ('x : montant entre 0 et 10 "X"', "type-incompatible"),
        ('x : entier entre 0 € et 10 € "X"', "type-incompatible"),
        ('x : entier entre 0 et 2.5 "X"', "type-incompatible"),
        ('x : choix(a, b, a) "X"', "id-duplique"),
    ],
)
def test_a_range_or_a_choice_that_cannot_be(declaration, code):
    assert code in donnee(declaration)[1]


def test_a_default_is_a_literal_of_the_donnee_s_type_within_its_range():
    found, problems = donnee('x : entier entre 0 et 10 "X" par défaut 3')
    assert problems == [] and found.default == ir.Const(Decimal(3), found.type)
    found, problems = donnee('x : entier entre 0 et 10 "X" par défaut 30')
    assert problems == ["hors-intervalle"] and found.default is None


# ---- literal values ------------------------------------------------------------------------------------------------

VALUES = """données {
  n : entier entre -5 et 10 "N"
  p : pourcentage "P"
  m : montant "M"
  b : booléen "B"
  z : choix(metropole, drom) "Z"
}
"""


@pytest.mark.parametrize(
    "id, written, value",
    [
        ("n", "-3", Decimal(-3)),
        ("p", "50 %", Decimal("0.5")),
        ("m", "7.5 €", Decimal("7.5")),
        ("b", "vrai", True),
        ("z", "drom", "drom"),
    ],
)
def test_a_literal_becomes_a_constant_of_the_donnee_s_type(id, written, value):
    env = environment(VALUES)
    const = literal_value(env, env.donnees[id], expression(written))
    assert env.diagnostics == [] and const == ir.Const(value, env.donnees[id].type)


@pytest.mark.parametrize(
    "id, written, code",
    [
        ("n", "2.5", "type-incompatible"),
        ("n", "11", "hors-intervalle"),
        ("n", "1 + 1", "type-incompatible"),
        ("m", "7", "type-incompatible"),
        ("b", "1", "type-incompatible"),
        ("z", "corse", "valeur-choix-inconnue"),
        ("z", "1", "type-incompatible"),
    ],
)
def test_a_literal_that_does_not_fit_is_refused(id, written, code):
    env = environment(VALUES)
    assert literal_value(env, env.donnees[id], expression(written)) is None and codes(env) == [code]


def test_where_the_value_is_written_is_said():
    env = environment(VALUES)
    literal_value(env, env.donnees["b"], expression("b"), "après « par défaut »")
    assert messages(env, "type-incompatible") == [
        "la valeur d'une donnée après « par défaut » doit être écrite littéralement"
    ]
    assert env.donnees["b"].type == BOOLEEN
