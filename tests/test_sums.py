"""Sums over a population are exact and checked: a budget (of the population, of a group, of a line, at a
point of a sweep, of a reference version) beyond 10^15 € is an error in French (`somme-hors-limites`), never an
int64 wrapped round (200 structures at 999 999 999 999 999,99 € showed a budget of 15 532 559 262 904 481,84 €,
exit 0)."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import polars as pl
import pytest
from click.testing import CliRunner
from hypothesis import example, given
from hypothesis import strategies as st

from dsl.payment import MAX_CENTS
from interpreter.cli import cli
from interpreter.compare.impact import _median_and_deciles
from interpreter.compare.sums import exact_sum, sums_and_counts
from interpreter.io.tables import LazyArray

LARGE = """convention grand "Grand"
version : "1"

paramètres {
  coefficient = 1
}

données {
  m : montant entre 0 € et 999_999_999_999_999.99 € "M"
  region : choix(nord, sud) "R"
}

socle {
  critère a "A" {
    condition : m > 0 € et region dans (nord, sud)
    montant : m * coefficient
  }
}
"""


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "grand.conv").write_text(LARGE, encoding="utf-8")
    rows = "".join(f"s{i},999999999999999.99,{'nord' if i % 2 else 'sud'}\n" for i in range(200))
    (tmp_path / "grand.csv").write_text("id,m,region\n" + rows, encoding="utf-8")
    (tmp_path / "petit.csv").write_text("id,m,region\ns1,999999999999999.99,nord\n", encoding="utf-8")
    return tmp_path


def run(*args: str):
    return CliRunner().invoke(cli, list(args), prog_name="convcheck")


@pytest.mark.parametrize("engine", ["defaut", "duckdb"])
def test_a_population_budget_beyond_the_bound_is_an_error(folder, engine):
    result = run("simulate", "grand.conv", "grand.csv", "--moteur", engine)
    assert result.exit_code == 1, result.output
    assert (
        "grand.csv: erreur[somme-hors-limites]: le budget de la population atteint "
        "199\u202f999\u202f999\u202f999\u202f999\u202f998,00 €" in result.output
    )
    assert "15\u202f532" not in result.output and "Budget total" not in result.output


def test_one_structure_at_the_bound_is_simulated_exactly(folder):
    """A single structure just below 10^15 € is within every bound: its amount is exact (DuckDB's narrow
    products used to overflow there, and the engine failed with an internal error)."""
    for engine in ("defaut", "duckdb"):
        result = run("simulate", "grand.conv", "petit.csv", "--moteur", engine, "-o", f"r-{engine}.csv")
        assert result.exit_code == 0, result.output
        assert "999\u202f999\u202f999\u202f999\u202f999,99 €" in result.output
    assert (folder / "r-defaut.csv").read_bytes() == (folder / "r-duckdb.csv").read_bytes()


def test_a_group_budget_beyond_the_bound_is_an_error(folder):
    result = run("simulate", "grand.conv", "grand.csv", "--par", "region")
    assert result.exit_code == 1 and "somme-hors-limites" in result.output


def test_an_impact_beyond_the_bound_is_an_error(folder):
    result = run("diff", "grand.conv", "grand.conv", "--population", "grand.csv", "--par", "region")
    assert result.exit_code == 1 and "erreur[somme-hors-limites]: le budget avant atteint" in result.output


def test_a_sweep_and_a_calibration_beyond_the_bound_are_errors(folder):
    result = run(
        "balaye", "grand.conv", "--population", "grand.csv", "--parametre", "coefficient", "--valeurs", "1,0.5"
    )
    assert result.exit_code == 1 and "erreur[somme-hors-limites]: à 1, le budget atteint" in result.output
    result = run(
        "calibre", "grand.conv", "--population", "grand.csv", "--parametre", "coefficient", "--budget-de", "grand.conv"
    )
    assert result.exit_code == 1 and "erreur[somme-hors-limites]: le budget de référence atteint" in result.output


@given(st.lists(st.integers(-MAX_CENTS + 1, MAX_CENTS - 1), max_size=400))
@example([MAX_CENTS - 1] * 100)
@example([MAX_CENTS - 1, -(MAX_CENTS - 1)] * 100)
def test_a_checked_sum_is_the_exact_sum_or_says_it_is_too_large(values):
    from interpreter.compare.sums import SumOutOfBounds, checked_sum

    exact = sum(values)
    try:
        found = checked_sum(np.array(values, dtype=np.int64))
    except SumOutOfBounds as error:
        assert abs(exact) >= MAX_CENTS and error.diagnostics[0].code == "somme-hors-limites"
    else:
        assert found == exact and abs(found) < MAX_CENTS


def test_deciles_are_structures_totals_exactly():
    """Deciles were computed through floats: 99 999 999 999 999 999 cents became 10^17."""
    cents = np.array([MAX_CENTS - 1] * 10, dtype=np.int64)
    assert _median_and_deciles(cents)[1] == tuple(Decimal(MAX_CENTS - 1) / 100 for _ in range(9))


@given(st.lists(st.integers(-(MAX_CENTS - 1), MAX_CENTS - 1), max_size=60))
@example([])
@example([5])
@example([3, 1])
def test_median_and_deciles_are_those_of_the_sorted_totals(values):
    """One partial sort gives both: the median (the mean of the two middle totals for an even count) and each
    decile d, the first total at or past d % of the sorted totals."""
    ordered = sorted(values)
    median, deciles = _median_and_deciles(np.array(values, dtype=np.int64))
    if not values:
        assert median == 0 and deciles == (0,) * 9
        return
    middle = len(values) // 2
    expected = Decimal(ordered[middle]) if len(values) % 2 else Decimal(ordered[middle - 1] + ordered[middle]) / 2
    assert median == expected / 100
    assert deciles == tuple(Decimal(ordered[max(0, -(-len(values) * d // 100) - 1)]) / 100 for d in range(10, 100, 10))


@given(st.lists(st.integers(-(2**63) + 1, 2**63 - 1), max_size=40))
@example([2**63 - 1] * 4)
@example([2**31 - 1] * 40)
def test_a_column_polars_computed_is_summed_and_counted_exactly_where_it_is(values):
    """The default engine's results stay in polars (`LazyArray`): their sums are made there in Int128 (polars'
    Int64 sum wraps round: four times 2^63 - 1 gave -4) and equal the numpy array's; nothing is copied out."""
    column = LazyArray(pl.Series(values, dtype=pl.Int64))
    paid = LazyArray(pl.Series([v > 0 for v in values], dtype=pl.Boolean))  # an eligibility: its count
    expected = [(sum(values), sum(1 for v in values if v)), (sum(1 for v in values if v > 0),) * 2]
    assert exact_sum(column) == exact_sum(np.array(values, dtype=np.int64)) == sum(values)
    assert sums_and_counts([column, paid]) == expected
    assert "array" not in vars(column) and "array" not in vars(paid)  # summed and counted by polars, not made arrays
    assert sums_and_counts([np.array(values, dtype=np.int64), np.array([v > 0 for v in values])]) == expected
    narrow = [max(-(2**31), min(v, 2**31 - 1)) for v in values] * 3  # Int32 cells: summed in Int64
    assert sums_and_counts([LazyArray(pl.Series(narrow, dtype=pl.Int32))]) == [
        (sum(narrow), sum(1 for v in narrow if v))
    ]
