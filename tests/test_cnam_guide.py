"""The Cnam's indicator guide for Avenant 1 (« guide Cnam 2022 ») is the oracle of the bundled conventions.

Its horaires decision trees (p. 5) are reproduced cell by cell through `convcheck eval`, and every `cas`
written from one of its worked examples carries its page and passes.
"""

from __future__ import annotations

import json
import re

import pytest
import yaml
from click.testing import CliRunner

from interpreter import api
from interpreter.cli import cli
from tests.conftest import ROOT

A1 = ROOT / "conventions" / "aci-msp-avenant-1.conv"
A2 = ROOT / "conventions" / "aci-msp-avenant-2-france-sante.conv"
REFERENCE = ROOT / "examples" / "declarations" / "msp-reference-ipa-avenant-1.yaml"

# The two trees of p. 5, as printed: for each amplitude (one value inside each band of hours) and
# Saturday morning (open, closed), the points when the structure is open all year, closed 3 weeks at
# most during the school holidays, and closed longer (0: the prérequis is not met).
WITHOUT_DEROGATION = {
    (12, True): (800, 780, 0),
    (12, False): (680, 660, 0),
    (11, True): (740, 720, 0),
    (11, False): (620, 600, 0),
    (9, True): (650, 630, 0),
    (9, False): (530, 510, 0),
    (7, True): (0, 0, 0),
    (7, False): (0, 0, 0),
}
WITH_DEROGATION = {
    (hours, saturday): (800, 780, 0) if saturday else (680, 660, 0) for hours, saturday in WITHOUT_DEROGATION
}
CLOSURES = ("aucune", "trois_semaines_au_plus", "plus_de_trois_semaines")
CELLS = [
    (derogation, hours, saturday, closure, points)
    for derogation, tree in ((False, WITHOUT_DEROGATION), (True, WITH_DEROGATION))
    for (hours, saturday), row in tree.items()
    for closure, points in zip(CLOSURES, row, strict=True)
]


# The données the France Santé proposal adds (those of its cas structure_reference_france_sante), and
# those it removes.
FRANCE_SANTE = {
    "jours_ouverture": 6,
    "demande_france_sante": False,
    "medecin_traitant": True,
    "infirmier_proximite": True,
    "tarifs_opposables": True,
    "rendez_vous_48h": True,
    "participation_pdsa": True,
    "service_sanitaire": False,
    "engagement_environnemental": False,
    "taux_file_active_ald": 60,
    "action_ald_sans_mt": False,
}
FRANCE_SANTE |= {
    f"fs_{brique}_{part}": False
    for brique in ("acces", "prevention", "precarite", "parcours", "populationnelle")
    for part in ("engagement", "objectif")
}
REMOVED_BY_FRANCE_SANTE = (
    "medecin_cstm",
    "coordination_externe",
    "nb_protocoles_cooperation",
    "parcours_insuffisance_cardiaque",
)


def evaluate(tmp_path, convention, **changes) -> dict:
    """`convcheck eval --format json` of the reference structure with IPA, with some données changed."""
    declaration = yaml.safe_load(REFERENCE.read_text(encoding="utf-8")) | changes
    if convention == A2:
        declaration = {k: v for k, v in declaration.items() if k not in REMOVED_BY_FRANCE_SANTE} | FRANCE_SANTE
    path = tmp_path / "structure.yaml"
    path.write_text(yaml.safe_dump(declaration, allow_unicode=True), encoding="utf-8")
    result = CliRunner().invoke(cli, ["eval", str(convention), str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def horaires(result: dict) -> dict:
    return next(line for line in result["criteres"] if line["id"] == "horaires")


@pytest.mark.parametrize(
    "derogation, hours, saturday, closure, points",
    CELLS,
    ids=[f"{'derogation' if d else 'sans'}-{h}h-{'samedi' if s else 'ferme'}-{c}" for d, h, s, c, _ in CELLS],
)
def test_eval_reproduces_the_horaires_trees_of_the_guide(tmp_path, derogation, hours, saturday, closure, points):
    result = evaluate(
        tmp_path,
        A1,
        amplitude_quotidienne=hours,
        samedi_matin=saturday,
        fermeture_conges=closure,
        derogation_horaires=derogation,
    )
    line = horaires(result)
    if points:
        assert result["eligible"] and line["atteint"]
        assert line["points"] == str(points) and line["montant"] == f"{points * 7}.00"
    else:  # 0 point: the prérequis is not met, nothing is paid
        assert not line["atteint"] and not result["eligible"] and result["total"] == "0.00"


@pytest.mark.parametrize(
    "changes",
    [
        {"soins_non_programmes": False},
        {"fermeture_hors_conges": True},
        {"fermeture_hors_conges": True, "derogation_horaires": True},
    ],
    ids=["sans-soins-non-programmes", "fermee-hors-conges", "fermee-hors-conges-derogation"],
)
def test_the_other_zero_point_branches_fail_the_prerequis(tmp_path, changes):
    result = evaluate(tmp_path, A1, **changes)
    assert not horaires(result)["atteint"] and not result["eligible"] and result["total"] == "0.00"


@pytest.mark.parametrize(
    "hours, saturday, closure, points",
    [(11, False, "aucune", 620), (9, False, "trois_semaines_au_plus", 510), (12, True, "plus_de_trois_semaines", 0)],
)
def test_the_france_sante_proposal_keeps_the_trees_in_euros(tmp_path, hours, saturday, closure, points):
    result = evaluate(
        tmp_path,
        A2,
        amplitude_quotidienne=hours,
        samedi_matin=saturday,
        fermeture_conges=closure,
        derogation_horaires=False,
    )
    line = horaires(result)
    assert line["atteint"] == bool(points) and result["eligible"] == bool(points)
    if points:
        assert line["montant"] == f"{points * 7}.00"


def test_every_worked_example_of_the_guide_is_a_passing_cas_with_its_page():
    guide = []
    for path in sorted((ROOT / "conventions").glob("*.conv")):
        results = api.load(path).cases()
        assert results and all(r.passed for r in results), [r for r in results if not r.passed]
        guide += [r.cas for r in results if r.cas.id.startswith("guide_")]
    assert len(guide) >= 60
    for cas in guide:
        assert re.match(r"Guide Cnam 2022, p\. \d+", cas.label), cas.label


# ---- the 2022 exercise (guide p. 7) ----------------------------------------------------------------------

YOUNG_WITHOUT_PLAN = ROOT / "examples" / "declarations" / "jeune-msp-sans-plan-crise-avenant-1.yaml"


def test_the_crisis_plan_is_an_option_in_2022_only_and_no_crisis_is_paid_that_year():
    structure = yaml.safe_load(YOUNG_WITHOUT_PLAN.read_text(encoding="utf-8"))
    general, in_2022 = api.load(A1), api.load(A1, exercice=2022)
    assert general.model.criteres["crise_sanitaire"].section == "prerequis"
    assert in_2022.model.criteres["crise_sanitaire"].section == "options"
    assert not general.evaluate(structure).eligible and in_2022.evaluate(structure).eligible
    assert not api.load(A1, exercice=2023).evaluate(structure).eligible
    crisis = yaml.safe_load(REFERENCE.read_text(encoding="utf-8")) | {"crise_sanitaire_declaree": True}
    assert general.evaluate(crisis).line("crise_sanitaire").points == 450
    assert in_2022.evaluate(crisis).line("crise_sanitaire").points == 100


def test_consolidate_at_a_date_of_2022_states_the_2022_rules():
    output = CliRunner().invoke(cli, ["consolidate", str(A1), "--au", "2022-06-01"]).output
    assert (
        output.startswith("# ")
        and "# Exercice 2022 : règles propres à l'exercice — déplace critère "
        "crise_sanitaire vers options ; modifie critère crise_sanitaire { points variables : 0 }."
        in output
    )
    options = output[output.index("\noptions {") : output.index("\n}\n", output.index("\noptions {"))]
    assert 'critère crise_sanitaire "Réponse aux crises sanitaires graves"' in options
    assert "exercice 2022 {" not in output
    later = CliRunner().invoke(cli, ["consolidate", str(A1), "--au", "2023-06-01"]).output
    prerequis = later[later.index("\nprérequis {") : later.index("\n}\n", later.index("\nprérequis {"))]
    assert 'critère crise_sanitaire "Réponse aux crises sanitaires graves"' in prerequis


def test_simulate_and_test_give_the_2022_exercise():
    population = str(ROOT / "examples" / "population" / "population.csv")
    general = json.loads(CliRunner().invoke(cli, ["simulate", str(A1), population, "--format", "json"]).stdout)
    in_2022 = json.loads(
        CliRunner().invoke(cli, ["simulate", str(A1), population, "--exercice", "2022", "--format", "json"]).stdout
    )
    assert in_2022["exercice"]["annee"] == 2022 and general["exercice"] is None
    # the structures without a crisis plan yet are paid in 2022 (and nothing else changes: no crisis declared)
    assert in_2022["eligibles"] > general["eligibles"]
    tested = CliRunner().invoke(cli, ["test", str(A1)])
    assert tested.exit_code == 0 and "aci-msp-avenant-1.conv, exercice 2022 : 2 cas" in tested.output
