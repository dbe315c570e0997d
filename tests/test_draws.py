"""How sure a figure is: repeated draws of the scénarios' `tirage` (`--tirages N --graine S`).

The fast way (the population evaluated once per combination of outcomes) gives, draw by draw and structure by
structure, the cents of a whole simulation under that draw's salted scénarios; intervals are reproducible by seed;
the default single draw is untouched; a combination no draw selects is never an error."""

from __future__ import annotations

import json
import textwrap

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import example, given, settings
from hypothesis import strategies as st

from interpreter import api
from interpreter.backends import vector
from interpreter.backends.scalar import compile_model
from interpreter.cli import cli
from interpreter.compare import draws as d
from tests.conftest import ROOT

AV2 = str(ROOT / "conventions" / "aci-msp-avenant-2-france-sante.conv")
AV3 = str(ROOT / "examples" / "avenant-3" / "aci-msp-avenant-3.conv")
COMITE = str(ROOT / "examples" / "avenant-3" / "comite-usagers.conv")
POPULATION = str(ROOT / "examples" / "population" / "population.csv")


def each_draw(program, population, seed: int, count: int) -> list[np.ndarray]:
    """The slow, obvious way: one whole simulation per draw, under that draw's salted scénarios."""
    totals = []
    for number in range(1, count + 1):
        drawn = compile_model(
            program.model,
            program.overrides,
            parametres=program.parametres,
            scenarios=d.salted(program.scenarios, seed, number),
        )
        result = vector.simulate(drawn, population)
        assert not result.errors
        totals.append(result.total.astype(np.int64))
    return totals


def test_the_combinations_give_each_draw_s_cents_as_a_whole_simulation():
    version = api.load(AV3, scenarios=[COMITE])
    table = version.population(POPULATION)
    draws = d.Draws(version.program, table, 12, seed=5)
    assert draws.slow is None and len(draws.nodes) == 1
    totals, _ = draws.block(0, 12)
    budgets, _, lines = draws.sums(0, 12, lines=True)
    for j, expected in enumerate(each_draw(version.program, table, 5, 12)):
        assert (totals[j] == expected).all()
        assert budgets[j] == int(expected.sum())
    assert len(set(lines["comite_usagers"])) > 1  # the drawn line moves from one draw to another
    assert (draws.result(3).total == totals[3]).all()


SCENARIO = textwrap.dedent("""\
    scénario essai "Deux tirages, l'un à une part propre à chaque structure"
    données {
      engagement_france_sante = tirage(si zone = drom alors 90 % sinon si taux_rcp >= 20 % alors 60 % sinon 15 %)
      samedi_matin = tirage(30 %) ou jours_ouverture >= 6
      nb_protocoles = si engagement_france_sante alors nb_protocoles + 1 sinon nb_protocoles
    }
""")


@pytest.fixture
def small(tmp_path):
    """The small convention of the CLI goldens, a population of 300 structures, and a scénario with two draws."""
    from tests.conftest import GOLDEN

    rng = np.random.default_rng(3)
    lines = [
        "id,patientele,jours_ouverture,samedi_matin,coordination,nb_protocoles,taux_rcp,zone,engagement_france_sante"
    ]
    for i in range(300):
        lines.append(
            f"s{i},{rng.integers(500, 9000)},{rng.integers(3, 8)},faux,{'vrai' if i % 7 else 'faux'},"
            f"{rng.integers(0, 9)},{rng.integers(0, 40)},{'drom' if i % 5 == 0 else 'metropole'},faux"
        )
    (tmp_path / "population.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "essai.conv").write_text(SCENARIO, encoding="utf-8")
    return str(GOLDEN / "cli" / "convention.conv"), str(tmp_path / "population.csv"), str(tmp_path / "essai.conv")


def test_shares_of_each_structure_and_several_draws_by_combination(small):
    convention, population, scenario = small
    version = api.load(convention, scenarios=[scenario])
    table = version.population(population)
    draws = d.Draws(version.program, table, 30, seed=11)
    assert draws.slow is None and len(draws.nodes) == 2
    totals, _ = draws.block(0, 30)
    for j, expected in enumerate(each_draw(version.program, table, 11, 30)):
        assert (totals[j] == expected).all(), j


def test_a_share_that_reads_a_drawn_donnee_is_simulated_draw_by_draw(small, tmp_path):
    convention, population, _ = small
    chained = tmp_path / "chaine.conv"
    chained.write_text(
        textwrap.dedent("""\
        scénario chaine "Un tirage dont la part dépend d'un autre"
        données {
          samedi_matin = tirage(50 %)
          engagement_france_sante = tirage(si samedi_matin alors 80 % sinon 10 %)
        }
    """),
        encoding="utf-8",
    )
    version = api.load(convention, scenarios=[str(chained)])
    draws = d.Draws(version.program, version.population(population), 8, seed=2)
    assert draws.slow is not None and "dépend d'un autre tirage" in draws.slow
    totals, _ = draws.block(0, 8)
    for j, expected in enumerate(each_draw(version.program, version.population(population), 2, 8)):
        assert (totals[j] == expected).all()


def test_the_same_seed_gives_the_same_intervals_and_another_seed_other_draws():
    def run(seed: str) -> dict:
        result = CliRunner().invoke(
            cli,
            [
                "diff",
                AV2,
                AV3,
                "--population",
                POPULATION,
                "--scenario",
                COMITE,
                "--tirages",
                "300",
                "--graine",
                seed,
                "--format",
                "json",
            ],
        )
        assert result.exit_code == 0, result.output
        return json.loads(result.output)["impact"]["tirages"]

    first, again, other = run("4"), run("4"), run("5")
    assert first == again
    assert first["ecarts"] != other["ecarts"]
    assert first["ecart"]["p5"] <= first["ecart"]["mediane"] <= first["ecart"]["p95"]
    assert first["ecart"]["p5"] < first["ecart"]["p95"]  # 40 % of the MSP: which ones changes the cost


def test_without_tirages_the_single_default_draw_is_unchanged(small):
    convention, population, scenario = small
    version = api.load(convention, scenarios=[scenario])
    table = version.population(population)
    plain = vector.simulate(version.program, table)
    again = compile_model(
        version.model, version.program.overrides, parametres=version.parametres, scenarios=version.scenarios
    )
    assert (vector.simulate(again, table).total == plain.total).all()
    assert d.salted(version.scenarios, 1, 1) != version.scenarios  # a draw's salt is its own


def test_both_versions_of_a_diff_see_the_same_draws(small):
    convention, population, scenario = small
    old, new = api.load_pair(convention, convention, [scenario])
    impact = api.impact_draws(old, new, population, 50, 3)
    assert set(impact.draws.deltas) == {0} and impact.draws.gain.high == impact.draws.lose.high == 0


def test_a_combination_no_draw_selects_is_no_error_and_one_that_is_says_the_draw(tmp_path):
    convention = tmp_path / "c.conv"
    convention.write_text(
        textwrap.dedent("""\
        convention c "Essai"
        version : "1"
        paramètres { valeur_point = 7 € }
        données {
          part : pourcentage entre 0 % et 100 % "Part"
          n : entier entre 0 et 5 "Nombre"
        }
        socle {
          critère un "Un" { condition : n >= 1  points fixes : 100 * n }
        }
    """),
        encoding="utf-8",
    )
    (tmp_path / "s.conv").write_text(
        'scénario s "Essai"\ndonnées {\n  n = si tirage(part) alors 10 sinon n\n}\n', encoding="utf-8"
    )
    (tmp_path / "p.csv").write_text("id,part,n\na,0,1\nb,0,2\n", encoding="utf-8")
    version = api.load(str(convention), scenarios=[str(tmp_path / "s.conv")])
    spread = d.simulation_draws(d.Draws(version.program, version.population(str(tmp_path / "p.csv")), 40, 1))
    assert spread.budget.certain and spread.budget.median == 2100 * 100  # never drawn: n stays 1 and 2
    (tmp_path / "p.csv").write_text("id,part,n\na,0,1\nb,50,2\n", encoding="utf-8")
    table = version.population(str(tmp_path / "p.csv"))
    with pytest.raises(api.ConvError) as raised:
        d.simulation_draws(d.Draws(version.program, table, 40, 1))
    message = str(raised.value.diagnostics[0].message)
    assert message.startswith("au tirage n° ") and "structure « b »" in message and "n" in message


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(-(10**15), 10**15), min_size=1, max_size=60), st.sampled_from([5, 50, 95]))
@example([3, 1, 2, 4], 50)
def test_quantiles_are_the_nearest_rank_observed_values(values, percent):
    found = d.nearest_rank(values, percent)
    assert found == int(np.percentile(np.array(values, dtype=np.int64), percent, method="inverted_cdf"))
    assert found in values
    assert sum(v <= found for v in values) * 100 >= percent * len(values)


def test_an_impact_s_figures_from_the_combinations_are_those_of_every_structure_s_totals(small, tmp_path):
    from fractions import Fraction

    convention, population, scenario = small
    other = tmp_path / "autre.conv"
    other.write_text(
        textwrap.dedent(f"""\
        avenant autre "Un avenant qui fait gagner les uns et perdre les autres"
        base : "{convention}"
        version : "autre"
        paramètres {{ valeur_point = 6.5 € }}
        modifie brique france_sante {{ montant : 25_000 € }}
    """),
        encoding="utf-8",
    )
    old, new = api.load_pair(convention, str(other), [scenario])
    before, after = api.read_once(population, old, new)
    drawn = d.Draws(old.program, before, 40, 9), d.Draws(new.program, after, 40, 9)
    every = np.ones(before.size, dtype=bool)
    positions = np.arange(before.size)
    for share in (None, Fraction(1), Fraction(1, 3)):
        combined = d._changes_combined(*drawn, 0, 40, every, positions, share)
        assert combined == d._changes_picked(*drawn, 0, 40, every, positions, share)
    assert len(set(combined["gain"])) > 1 and max(combined["lose"]) > 0


def run_json(*arguments) -> dict:
    result = CliRunner().invoke(cli, [str(a) for a in arguments], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_a_sweep_under_draws_gives_at_each_value_what_simulate_gives_under_the_same_draws():
    common = ["--scenario", COMITE, "--tirages", "200", "--graine", "3", "--format", "json"]
    sweep = run_json(
        "balaye",
        AV3,
        "--population",
        POPULATION,
        "--parametre",
        "montant_comite_usagers",
        "--valeurs",
        "2000; 3500",
        "--reference",
        AV2,
        *common,
    )
    for point in sweep["valeurs"]:
        alone = run_json("simulate", AV3, POPULATION, "--set", f"montant_comite_usagers={point['valeur']}", *common)
        assert point["budget"] == alone["tirages"]["budget"]["mediane"]
        assert point["budget_p5"] == alone["tirages"]["budget"]["p5"]
        assert point["budget_p95"] == alone["tirages"]["budget"]["p95"]
        assert point["ecart"]["p5"] < point["ecart"]["p95"]


def test_a_calibration_under_draws_reaches_the_target_with_the_median_and_gives_the_values_interval():
    data = run_json(
        "calibre",
        AV3,
        "--population",
        POPULATION,
        "--scenario",
        COMITE,
        "--parametre",
        "coordination_montant_variable",
        "--budget-de",
        AV2,
        "--tirages",
        "100",
        "--format",
        "json",
    )
    assert data["atteinte"]
    assert float(data["budget_en_dessous"]) < float(data["cible"]) <= float(data["budget_au_dessus"])
    low, high = (float(v.rstrip("€")) for v in data["tirages"]["valeurs"])
    assert low < float(data["valeur"].rstrip("€")) < high
