"""`dsl.check.usage`: what the other passes recorded — no cycle through `atteint` (a brique also depends on its
critères), and a warning for each donnée or paramètre nobody reads, said at the avenant operation that stopped
reading it when there is one."""

from __future__ import annotations

from dsl.check.elements import check_elements
from dsl.check.parametres import check_parametres
from dsl.check.usage import check_cycles, warn_unused
from tests.check import codes, environment, messages, parse

DONNEES = """paramètres {
  inutile = 3
}
données {
  ouvert : booléen "Ouvert"
  oubliee : booléen "Oubliée"
}
"""


def usage(body: str, **dropped):
    env = environment(DONNEES + body)
    env.dropped = dropped
    check_parametres(env)
    check_elements(env)
    env.diagnostics.clear()
    check_cycles(env)
    warn_unused(env)
    return env


def test_a_cycle_through_atteint_is_found_at_the_call_that_closes_it():
    env = usage(
        'socle {\n  critère a "A" { condition : atteint(b)  montant : 1 € }\n'
        '  critère b "B" { condition : atteint(a) et ouvert  montant : 1 € }\n}\n'
    )
    assert messages(env, "cycle") == ["dépendance circulaire : a → b → a"]


def test_a_critere_of_a_brique_that_reads_its_brique_loops():
    env = usage(
        'brique b "B" {\n  condition : ouvert\n  montant : 1 €\n  critère dedans "D" { condition : atteint(b) }\n}\n'
    )
    assert messages(env, "cycle") == ["dépendance circulaire : b → dedans → b"]


def test_no_cycle_in_a_chain():
    env = usage(
        'socle {\n  critère a "A" { condition : ouvert  montant : 1 € }\n'
        '  critère b "B" { condition : atteint(a)  montant : 1 € }\n}\n'
    )
    assert "cycle" not in codes(env)


def test_what_nobody_reads():
    env = usage('socle {\n  critère a "A" { condition : ouvert  montant : 1 € }\n}\n')
    assert codes(env) == ["donnee-inutilisee", "parametre-inutilise"]
    assert messages(env, "parametre-inutilise") == ["le paramètre « inutile » n'est utilisé nulle part"]


def test_what_an_avenant_stopped_reading_is_said_at_its_operation():
    operation = next(
        i for i in parse('avenant av "Av"\nbase : "t.conv"\nversion : "2"\nsupprime critère x\n', "avenant.conv").items
    )
    env = usage('socle {\n  critère a "A" { condition : ouvert  montant : 1 € }\n}\n', oubliee=operation)
    [dropped, unused] = env.diagnostics
    assert dropped.span.file == "avenant.conv"
    assert (
        dropped.message == "la donnée « oubliee » n'est plus utilisée par aucun critère ni aucune brique depuis "
        "la suppression de « x »"
    )
    assert dropped.suggestion == "supprimez-la aussi : « supprime donnée oubliee »"
    assert unused.code == "parametre-inutilise" and unused.span.file == "t.conv"
