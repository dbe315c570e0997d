"""Scenarios: parsed, printed and checked like a convention; applied the same way by both backends;
`tirage` draws the same structures whatever the row order, in both versions of a diff."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import polars as pl
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dsl.parser import parse_text
from dsl.printer import print_file
from interpreter import api
from interpreter.backends.scalar import evaluate
from interpreter.cli import cli
from tests.conftest import ROOT

AVENANT_1 = ROOT / "conventions" / "aci-msp-avenant-1.conv"
PROPOSAL = ROOT / "conventions" / "aci-msp-avenant-2-france-sante.conv"
POPULATION = ROOT / "examples" / "population" / "population.csv"

SCENARIO = """scénario protocoles "Hypothèse : 40 % des MSP signent deux protocoles de plus"

paramètres {
  valeur_point = 7.5 €
}

données {
  nb_protocoles = si tirage(40 %) alors min(nb_protocoles + 2, 50) sinon nb_protocoles
  samedi_matin = samedi_matin ou amplitude_quotidienne >= 12
}
"""


@pytest.fixture
def scenario(tmp_path):
    path = tmp_path / "protocoles.conv"
    path.write_text(SCENARIO, encoding="utf-8")
    return path


def test_a_scenario_prints_back_to_itself():
    file = parse_text(SCENARIO).file
    assert file.kind == "scenario"
    assert print_file(file) == SCENARIO
    assert parse_text(print_file(file)).file == file


def test_vector_and_scalar_agree_under_a_scenario(scenario):
    version = api.load(AVENANT_1, scenarios=[scenario])
    simulation = version.simulation(POPULATION)
    population = simulation.population
    for index in range(0, population.size, 7):
        expected = evaluate(
            version.program,
            population.exact_inputs(version.model)(index),
            explain=False,
            structure=str(population.ids[index]),
        )
        assert int(simulation.result.total[index]) == int(expected.total * 100)


def test_draws_do_not_depend_on_row_order_and_take_their_share(scenario, tmp_path):
    version = api.load(AVENANT_1, scenarios=[scenario])
    frame = pl.read_csv(POPULATION, infer_schema=False)
    shuffled = frame.sample(fraction=1.0, shuffle=True, seed=7)
    shuffled.write_csv(tmp_path / "melangee.csv")
    first = dict(zip(version.simulate(POPULATION)["id"], version.simulate(POPULATION)["total"], strict=False))
    second = dict(
        zip(*version.simulate(str(tmp_path / "melangee.csv")).select("id", "total").to_dict().values(), strict=False)
    )
    assert first == second
    before = frame["nb_protocoles"].cast(pl.Int64).to_numpy()
    after_inputs = version.simulation(POPULATION).population
    raised = [
        version.program.inputs(after_inputs.exact_inputs(version.model)(i), str(after_inputs.ids[i]))["nb_protocoles"]
        > int(before[i])
        for i in range(after_inputs.size)
        if before[i] < 50
    ]
    share = sum(raised) / len(raised)
    assert abs(share - 0.40) <= 0.03, share


def test_the_same_structures_are_drawn_in_both_versions_of_a_diff(scenario):
    old, new = api.load_pair(AVENANT_1, PROPOSAL, [scenario])
    population = old.simulation(POPULATION, other_columns=frozenset(new.model.donnees)).population
    for index in range(0, population.size, 11):
        structure = str(population.ids[index])
        inputs = population.exact_inputs(old.model)(index)
        assert (
            old.program.inputs(inputs, structure)["nb_protocoles"]
            == new.program.inputs({**inputs}, structure)["nb_protocoles"]
        )


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.integers(0, 100),
    st.lists(st.text("abcdefghij0123456789_é", min_size=1, max_size=12), min_size=1, max_size=30, unique=True),
)
def test_the_draw_is_the_same_one_by_one_and_column_wise(percent, ids):
    from interpreter.backends import draw

    share = Decimal(percent) / 100
    column = draw.hashes("s/d", np.array(ids)) < np.uint64(min(draw.threshold(share), 2**64 - 1))
    if draw.threshold(share) >= 2**64:
        column[:] = True
    assert list(column) == [draw.drawn("s/d", i, share) for i in ids]


def test_a_computed_value_out_of_range_names_the_structure_and_goes_to_the_rejects(tmp_path):
    (tmp_path / "trop.conv").write_text(
        """scénario trop "Trop de protocoles"
données {
  nb_protocoles = nb_protocoles + 95
}
""",
        encoding="utf-8",
    )
    runner = CliRunner()
    failed = runner.invoke(
        cli, ["simulate", str(AVENANT_1), str(POPULATION), "--scenario", str(tmp_path / "trop.conv")]
    )
    assert failed.exit_code == 1
    assert "le scénario « trop » donne « nb_protocoles » = " in failed.output
    assert "hors de l'intervalle (entre 0 et 100)" in failed.output
    kept = runner.invoke(
        cli,
        [
            "simulate",
            str(AVENANT_1),
            str(POPULATION),
            "--scenario",
            str(tmp_path / "trop.conv"),
            "--ignorer-invalides",
            "-o",
            str(tmp_path / "res.csv"),
        ],
    )
    assert kept.exit_code == 0, kept.output
    rejects = pl.read_csv(tmp_path / "res.rejets.csv", infer_schema=False)
    results = pl.read_csv(tmp_path / "res.csv", infer_schema=False, comment_prefix="#")
    assert rejects.height > 0 and results.height + rejects.height == 2_300
    assert rejects["motif"].str.contains("le scénario « trop »").all()
    assert not set(rejects["id"]) & set(results["id"])


def test_a_scenario_supplies_a_donnee_the_population_lacks(tmp_path):
    frame = pl.read_csv(POPULATION, infer_schema=False).drop("ipa")
    frame.write_csv(tmp_path / "sans-ipa.csv")
    with pytest.raises(api.ConvError) as missing:
        api.load(AVENANT_1).simulation(str(tmp_path / "sans-ipa.csv"))
    assert [d.code for d in missing.value.diagnostics if d.is_error] == ["donnee-non-fournie"]
    (tmp_path / "ipa.conv").write_text(
        'scénario ipa "Un quart des MSP ont un IPA"\ndonnées {\n  ipa = tirage(25 %)\n}\n', encoding="utf-8"
    )
    simulation = api.load(AVENANT_1, scenarios=[tmp_path / "ipa.conv"]).simulation(str(tmp_path / "sans-ipa.csv"))
    assert simulation.summary().structures == 2_300


def test_a_scenario_is_not_a_version_for_test_and_eval():
    """`test` passes over a scenario file (it has no cas); `eval` given one as its version says what it is."""
    scenario = str(ROOT / "examples" / "avenant-3" / "comite-usagers.conv")
    version = str(ROOT / "examples" / "avenant-3" / "aci-msp-avenant-3.conv")
    result = CliRunner().invoke(cli, ["test", version, scenario])
    assert result.exit_code == 0, result.output
    assert "comite-usagers.conv : scénario, sans cas" in result.output
    result = CliRunner().invoke(cli, ["eval", scenario, str(ROOT / "examples" / "declarations" / "msp-langage.yaml")])
    assert result.exit_code == 1 and "erreur[version-attendue]" in result.output and "interne" not in result.output
