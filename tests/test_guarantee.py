"""Who is protected: every impact gives the total of losses and the losers; `diff --garantie` costs topping them up
(all of each loss, or a share), in all and by group — checked against sums made independently from the results of
two `simulate` runs."""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import numpy as np
import polars as pl
import pytest
from click.testing import CliRunner
from hypothesis import example, given, settings
from hypothesis import strategies as st

from interpreter.cli import cli
from interpreter.compare.guarantee import top_ups
from interpreter.compare.sums import exact_row_sums, exact_sum
from tests.conftest import ROOT

AV1 = str(ROOT / "conventions" / "aci-msp-avenant-1.conv")
AV2 = str(ROOT / "conventions" / "aci-msp-avenant-2-france-sante.conv")
POPULATION = str(ROOT / "examples" / "population" / "population.csv")


def run(*arguments) -> str:
    result = CliRunner().invoke(cli, [str(a) for a in arguments], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def losses(tmp_path_factory) -> pl.DataFrame:
    """Per structure, the loss from avenant 1 to avenant 2 (in euros, Decimal), from two separate simulations."""
    folder = tmp_path_factory.mktemp("garantie")
    for name, version in (("avant", AV1), ("apres", AV2)):
        run("simulate", version, POPULATION, "-o", folder / f"{name}.csv")
    before = pl.read_csv(folder / "avant.csv", schema_overrides={"total": pl.String}, comment_prefix="#")
    after = pl.read_csv(folder / "apres.csv", schema_overrides={"total": pl.String}, comment_prefix="#")
    before, after = before.select("id", "total"), after.select("id", "total")
    population = pl.read_csv(POPULATION, infer_schema=False).select("id", "zone")
    joined = before.join(after, on="id", suffix="_apres").join(population, on="id")
    return joined.with_columns(
        pl.struct("total", "total_apres")
        .map_elements(
            lambda r: max(Decimal(r["total"]) - Decimal(r["total_apres"]), Decimal(0)), return_dtype=pl.Object
        )
        .alias("perte")
    )


def test_the_cost_of_the_guarantee_is_the_sum_of_the_losses_computed_apart(losses):
    data = json.loads(
        run("diff", AV1, AV2, "--population", POPULATION, "--garantie", "--par", "zone", "--format", "json")
    )
    impact = data["impact"]
    expected = sum(losses["perte"].to_list(), Decimal(0))
    losers = sum(1 for loss in losses["perte"].to_list() if loss > 0)
    assert expected > 0 and losers == impact["perdent"]
    assert Decimal(impact["pertes"]) == expected
    assert Decimal(impact["garantie"]["cout"]) == expected and impact["garantie"]["structures"] == losers
    assert Decimal(impact["garantie"]["budget_apres_garantie"]) == Decimal(impact["budget"]["apres"]) + expected
    for group in impact["par_groupe"][0]["groupes"]:
        inside = [
            loss
            for loss, zone in zip(losses["perte"].to_list(), losses["zone"].to_list(), strict=True)
            if zone == group["groupe"]
        ]
        assert Decimal(group["pertes"]) == Decimal(group["garantie"]) == sum(inside, Decimal(0))


def test_a_partial_guarantee_pays_that_share_of_each_loss_rounded_to_the_cent(losses):
    data = json.loads(run("diff", AV1, AV2, "--population", POPULATION, "--garantie", "33,3 %", "--format", "json"))
    expected = sum(
        (loss * Decimal("0.333")).quantize(Decimal("0.01"), ROUND_HALF_UP) for loss in losses["perte"].to_list()
    )
    assert Decimal(data["impact"]["garantie"]["cout"]) == expected
    assert data["impact"]["garantie"]["taux"] == "33,3 %"


def test_every_impact_report_says_the_losses_and_the_losers_in_its_verdict(losses, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a report printed in Markdown writes its charts in the current folder
    total = sum(losses["perte"].to_list(), Decimal(0))
    text = run("diff", AV1, AV2, "--population", POPULATION, "--garantie", "50 %").replace("\u202f", " ")
    verdict = next(line for line in text.splitlines() if line.startswith("» "))
    assert (
        "259 perdent 371 416 € en tout" in verdict and "les garantir (50 % de chaque perte) coûte 185 708 €" in verdict
    )
    assert round(total) == 371_416
    for form in ("markdown", "html"):
        assert "371 415,89 €" in run("diff", AV1, AV2, "--population", POPULATION, "--format", form).replace(
            "\u202f", " "
        )
    run("diff", AV1, AV2, "--population", POPULATION, "--garantie", "--par", "zone", "-o", tmp_path / "r.xlsx")
    import openpyxl

    book = openpyxl.load_workbook(tmp_path / "r.xlsx", read_only=True)
    synthesis = {row[0]: row[1] for row in book["Synthèse"].iter_rows(values_only=True)}
    assert Decimal(str(synthesis["Total des pertes (€)"])) == total
    assert Decimal(str(synthesis["Coût de la garantie (100 %) (€)"])) == total
    groups = list(book["Par groupe"].iter_rows(values_only=True))
    assert groups[0][-2:] == ("Pertes", "Coût de la garantie")


def test_the_per_structure_table_has_the_population_s_columns_to_pivot_on_and_the_top_up(tmp_path, losses):
    run("diff", AV1, AV2, "--population", POPULATION, "--garantie", "--par-structure", tmp_path / "s.csv")
    table = pl.read_csv(tmp_path / "s.csv", infer_schema=False, comment_prefix="#")
    assert table.columns[:3] == ["id", "region", "zone"]
    assert "garantie" in table.columns and "ecart_protocoles" in table.columns
    assert sum((Decimal(v) for v in table["garantie"].to_list()), Decimal(0)) == sum(
        losses["perte"].to_list(), Decimal(0)
    )
    by_zone = table.group_by("zone").len().sort("zone")
    assert by_zone["zone"].to_list() == ["periurbaine", "rurale", "urbaine"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(-(10**17), 10**17), max_size=30), st.fractions(0, 1).filter(lambda f: f > 0))
@example([-1, -3, 0, 5], Fraction(1, 2))
@example([-(10**17)] * 3, Fraction(999_999, 1_000_000))
def test_a_top_up_is_the_share_of_the_loss_rounded_half_away_from_zero(changes, share):
    paid = top_ups(np.array(changes, dtype=np.int64), share)
    for change, top in zip(changes, paid, strict=True):
        loss = Fraction(max(-change, 0)) * share
        assert int(top) == int(loss) + (loss - int(loss) >= Fraction(1, 2))
    assert exact_sum(np.asarray(paid)) == sum(int(p) for p in paid)


def test_sums_never_wrap():
    large = np.array([2**62, 2**62, 2**62], dtype=np.int64)
    assert exact_sum(large) == 3 * 2**62
    assert exact_row_sums(np.array([[2**62, 2**62], [1, -1]], dtype=np.int64)) == [2**63, 0]
