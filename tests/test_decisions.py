"""Calibration and sweeps give, for each value, exactly what `simulate --set ID=value` gives, and find
the value where the budget crosses its target."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from interpreter import api
from interpreter.cli import cli
from interpreter.compare.calibration import Sweeper, calibrate
from tests.conftest import ROOT

AVENANT_1 = ROOT / "conventions" / "aci-msp-avenant-1.conv"
PROPOSAL = ROOT / "conventions" / "aci-msp-avenant-2-france-sante.conv"
POPULATION = ROOT / "examples" / "population" / "population.csv"
SMALL = ROOT / "tests" / "golden" / "cli" / "population.csv"
CONVENTION = ROOT / "tests" / "golden" / "cli" / "convention.conv"

VERSION = api.load(AVENANT_1)
TABLE = VERSION.population(str(POPULATION))
SWEEPER = Sweeper(VERSION.program, TABLE, "valeur_point")


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.decimals(min_value=0, max_value=20, places=2))
def test_each_value_of_a_sweep_is_what_simulate_with_set_gives(value):
    expected = api.load(AVENANT_1, {"valeur_point": f"{value}€"}).simulation(TABLE).summary().budget
    assert SWEEPER.point(value).budget == expected


@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.integers(150_000_000, 260_000_000))
def test_calibration_finds_the_first_value_that_reaches_the_target(euros):
    target = euros * 100
    found = calibrate(SWEEPER, target)
    assert found.reached and found.monotone
    assert found.found.budget >= target > found.before.budget
    assert found.found.value - found.before.value == Decimal("0.01")
    again = api.load(AVENANT_1, [f"valeur_point={found.written}"]).simulation(TABLE).summary().budget
    assert again == found.found.budget


def test_a_budget_that_does_not_depend_on_the_parametre_says_so(tmp_path):
    text = CONVENTION.read_text(encoding="utf-8").replace(
        "  patientele_reference = 4000\n", "  patientele_reference = 4000\n  inutile = 3\n"
    )
    (tmp_path / "c.conv").write_text(text, encoding="utf-8")
    flat = api.load(tmp_path / "c.conv")
    found = calibrate(Sweeper(flat.program, flat.population(str(SMALL)), "inutile"), 10**12)
    assert not found.reached and found.direction == 0
    assert "ne dépend pas de ce paramètre" in found.note


def test_a_value_that_makes_a_division_by_zero_is_reported_with_it():
    flat = api.load(CONVENTION)
    result = CliRunner().invoke(
        cli,
        [
            "calibre",
            str(CONVENTION),
            "--population",
            str(SMALL),
            "--parametre",
            "patientele_reference",
            "--budget",
            "1 000 000 €",
        ],
    )
    assert result.exit_code == 1
    assert "à 0, structure « msp_a » : division par zéro" in result.output
    assert flat is not None


def test_calibre_json_carries_the_value_and_the_budgets_around_the_target():
    result = CliRunner().invoke(
        cli,
        [
            "calibre",
            str(AVENANT_1),
            "--population",
            str(POPULATION),
            "--parametre",
            "valeur_point",
            "--budget-de",
            str(PROPOSAL),
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["parametre"] == "valeur_point" and data["valeur"] == "7.71€"
    assert Decimal(data["budget_en_dessous"]) < Decimal(data["cible"]) <= Decimal(data["budget_au_dessus"])
    assert data["budget"] == data["budget_au_dessus"] and data["monotone"] is True
    assert data["impact"]["structures"] == 2300


def test_balaye_json_has_a_value_and_a_budget_per_value(tmp_path):
    result = CliRunner().invoke(
        cli,
        [
            "balaye",
            str(AVENANT_1),
            "--population",
            str(POPULATION),
            "--parametre",
            "valeur_point",
            "--de",
            "7",
            "--a",
            "8",
            "--pas",
            "0.5",
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    values = json.loads(result.output)["valeurs"]
    assert [v["valeur"] for v in values] == ["7€", "7.5€", "8€"]
    assert values[0]["budget"] == "181668258.21"


@pytest.mark.parametrize(
    "options, message",
    [
        (["--de", "8", "--a", "7", "--pas", "1"], "« --a » doit être au moins « --de »"),
        (["--valeurs", "7,huit"], "--valeurs"),
        (["--de", "7"], "donnez les valeurs"),
    ],
)
def test_balaye_refuses_values_it_cannot_use(options, message):
    result = CliRunner().invoke(
        cli, ["balaye", str(AVENANT_1), "--population", str(POPULATION), "--parametre", "valeur_point", *options]
    )
    assert result.exit_code in (1, 2) and message in result.output
