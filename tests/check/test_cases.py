"""`dsl.check.cases`: each cas gives every donnée a literal value (or leaves it to its default, or takes it from
the cas it starts from with `comme`), and its `attendu` assertions are conditions over the results."""

from __future__ import annotations

from decimal import Decimal

from dsl import ir
from dsl.check.cases import check_cas
from dsl.check.declarations import collect
from dsl.check.environment import Environment
from dsl.records import evolve
from tests.check import HEADER, codes, environment, messages, parse

DONNEES = """données {
  nb : entier entre 0 et 10 "Nombre"
  ouvert : booléen "Ouvert"
  zone : choix(metropole, drom) "Zone" par défaut metropole
}
"""


def cases(body: str):
    env = environment(DONNEES + body)
    return {c.id: c for c in check_cas(env)}, env


def test_a_cas_gives_each_donnee_a_constant_and_a_default_fills_the_rest():
    found, env = cases('cas c "C" {\n  données { nb = 3  ouvert = vrai }\n  attendu { total > 1 € }\n}\n')
    assert env.diagnostics == []
    assert found["c"].donnees == {
        "nb": ir.Const(Decimal(3), env.donnees["nb"].type),
        "ouvert": ir.Const(True, env.donnees["ouvert"].type),
        "zone": ir.Const("metropole", env.donnees["zone"].type),
    }
    assert [a.type for a in found["c"].attendu] == [ir.BOOLEEN]


def test_a_cas_that_misses_a_donnee_names_them_all():
    _, env = cases('cas c "C" { données { zone = drom } }\n')
    assert messages(env, "cas-donnee-manquante") == ["le cas « c » ne donne pas : « nb », « ouvert »"]


def test_a_donnee_given_twice_unknown_or_of_the_wrong_type():
    _, env = cases('cas c "C" { données { nb = 1  nb = 2  ouvert = 1  nbr = 3 } }\n')
    assert codes(env) == ["id-duplique", "type-incompatible", "donnee-inconnue"]


def test_comme_starts_from_another_cas_the_last_written_winning():
    found, env = cases(
        'cas a "A" { données { nb = 1  ouvert = vrai } }\n'
        'cas b "B" comme a { données { nb = 2 } }\n'
        'cas c "C" comme b { données { zone = drom } }\n'
    )
    assert env.diagnostics == []
    assert {id: found["c"].donnees[id].value for id in ("nb", "ouvert", "zone")} == {
        "nb": Decimal(2),
        "ouvert": True,
        "zone": "drom",
    }


def test_comme_names_a_known_cas_and_never_loops():
    _, env = cases('cas a "A" comme inconnu { données { nb = 1 } }\n')
    assert codes(env) == ["cas-inconnu"]
    _, env = cases('cas a "A" comme b { données { nb = 1 } }\ncas b "B" comme a { données { ouvert = vrai } }\n')
    assert codes(env) == ["cycle"]  # said once, not again for the second cas of the loop


def test_a_cas_of_an_avenant_may_start_from_a_cas_of_its_bases():
    base = parse(HEADER + DONNEES + 'cas a "A" { données { nb = 1  ouvert = vrai } }\n', "base.conv")
    file = parse(HEADER + DONNEES + 'cas b "B" comme a { données { nb = 2 } }\n')
    env = Environment(evolve(file, inherited=tuple(i for i in base.items if hasattr(i, "attendu"))))
    collect(env)
    [b] = check_cas(env)
    assert env.diagnostics == [] and b.donnees["ouvert"].value is True


def test_attendu_asserts_conditions_over_the_results():
    _, env = cases('cas c "C" {\n  données { nb = 1  ouvert = vrai }\n  attendu { total }\n}\n')
    assert codes(env) == ["condition-non-booleenne"]
