"""A CSV population is read and validated a batch of rows at a time (`tables.BATCH`): the result is the
one of a whole read — values, their denominators, problems and the lines they name, blank rows."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dsl.driver import check_file
from interpreter.io import tables
from interpreter.io.tables import TableError, read_population
from tests.conftest import ROOT

MODEL = check_file(str(ROOT / "conventions" / "aci-msp-avenant-1.conv")).model
POPULATION = ROOT / "examples" / "population" / "population.csv"

SMALL = """\
convention petite "Petite"
version : "1"
paramètres {
  valeur_point = 7 €
}
données {
  taux : pourcentage entre 0 % et 100 % "Taux"
  heures : nombre entre 0 et 100_000_000_000_000 "Heures"
  ouverte : booléen "Ouverte"
}
prérequis {
}
socle {
  critère c "C" {
    condition : ouverte
    montant : heures * taux * 1 €
  }
}
options {
}
"""


def whole_and_batched(path, model, monkeypatch, batch: int, **options):
    found = []
    for size in (10**9, batch):
        monkeypatch.setattr(tables, "BATCH", size)
        try:
            found.append(read_population(str(path), model, **options))
        except TableError as error:
            found.append([d.message for d in error.diagnostics])
    return found


def same(a, b) -> None:
    if isinstance(a, list) or isinstance(b, list):
        assert a == b
        return
    assert list(a.ids) == list(b.ids) and a.problems == b.problems
    assert a.columns.keys() == b.columns.keys()
    for id, column in a.columns.items():
        other = b.columns[id]
        if isinstance(column, tables.Scaled):
            # the denominator is a representation: the values are what must agree
            assert [Fraction(int(n), column.den) for n in column.num] == [
                Fraction(int(n), other.den) for n in other.num
            ], id
        else:
            assert list(column) == list(other), id
    assert a.frame.equals(b.frame)
    assert a.rejected.equals(b.rejected)


def test_the_example_population_in_batches_of_seven(monkeypatch):
    whole, batched = whole_and_batched(POPULATION, MODEL, monkeypatch, 7, keep=frozenset({"region"}))
    same(whole, batched)
    assert whole.size == 2300 and whole.frame.columns == ["id", "region"]


def test_a_parquet_population_in_batches_is_read_as_a_whole(monkeypatch, tmp_path):
    import polars as pl

    frame = pl.read_csv(POPULATION, infer_schema_length=None)
    frame = frame.with_columns(
        pl.when(pl.int_range(pl.len()) == 1000).then(-5).otherwise(pl.col("patientele")).alias("patientele")
    )  # one row out of range: its problem keeps its row
    path = tmp_path / "population.parquet"
    frame.write_parquet(path, row_group_size=100)
    whole, batched = whole_and_batched(path, MODEL, monkeypatch, 7, keep=frozenset({"region"}), keep_invalid=True)
    same(whole, batched)
    assert whole.size == 2299 and [p.row for p in whole.problems] == [1000]


@pytest.fixture
def small(tmp_path):
    from dsl.checker import check
    from dsl.parser import parse_text

    return check(parse_text(SMALL).file)[0]


def test_denominators_grow_from_one_batch_to_the_next(small, tmp_path, monkeypatch):
    path = tmp_path / "p.csv"
    path.write_text(
        "id,taux,heures,ouverte\na,50,1,vrai\nb,12.5,2,faux\nc,1,0.125,vrai\nd,99,3,vrai\n", encoding="utf-8"
    )
    whole, batched = whole_and_batched(path, small, monkeypatch, 1)
    same(whole, batched)
    assert batched.columns["heures"].den == 1000 and list(batched.columns["heures"].num) == [1000, 2000, 125, 3000]


def test_problems_name_the_lines_of_the_file_and_cross_batches(small, tmp_path, monkeypatch):
    path = tmp_path / "p.csv"
    path.write_text(
        "id,taux,heures,ouverte\na,50,1,vrai\nb,12.5,2,faux\na,1,x,vrai\nd,101,3,peut-être\n", encoding="utf-8"
    )
    whole, batched = whole_and_batched(path, small, monkeypatch, 2)
    same(whole, batched)
    text = " | ".join(batched)
    assert "ligne 4" in text and "ligne 5" in text and "en double" in text


def test_blank_lines_at_the_end_are_dropped_and_in_the_middle_refused(small, tmp_path, monkeypatch):
    path = tmp_path / "p.csv"
    path.write_text("id,taux,heures,ouverte\na,50,1,vrai\nb,10,2,faux\n,,,\n,,,\n", encoding="utf-8")
    whole, batched = whole_and_batched(path, small, monkeypatch, 2)
    same(whole, batched)
    assert batched.size == 2
    path.write_text("id,taux,heures,ouverte\na,50,1,vrai\n,,,\nb,10,2,faux\n", encoding="utf-8")
    whole, batched = whole_and_batched(path, small, monkeypatch, 2)
    assert whole == batched and "ligne 3 vide au milieu des structures" in batched[0]


CELLS = st.one_of(
    st.integers(-5, 2_000).map(str),
    st.decimals(0, 1_000, places=3).map(str),
    st.sampled_from(["", " ", "vrai", "faux", "1e3", "4.000", "12,5", "x", "100 %"]),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(["a", "b", "c", "d", "e", ""]), CELLS, CELLS, st.sampled_from(["vrai", "faux", "", "oui"])
        ),
        max_size=12,
    ),
    batch=st.integers(1, 5),
)
def test_any_small_file_reads_the_same_in_batches(small, tmp_path, monkeypatch, rows, batch):
    path = tmp_path / "p.csv"
    path.write_text(
        "id,taux,heures,ouverte\n" + "".join(",".join(f'"{c}"' for c in row) + "\n" for row in rows), encoding="utf-8"
    )
    whole, batched = whole_and_batched(path, small, monkeypatch, batch, keep_invalid=True)
    same(whole, batched)


def test_a_large_numerator_joins_as_python_integers(small, tmp_path, monkeypatch):
    path = tmp_path / "p.csv"
    path.write_text("id,taux,heures,ouverte\na,50,100000000000000,vrai\nb,10,0.000000001,vrai\n", encoding="utf-8")
    whole, batched = whole_and_batched(path, small, monkeypatch, 1)
    same(whole, batched)
    assert batched.columns["heures"].num[0] == 10**23 and batched.columns["heures"].den == 10**9
    assert batched.columns["heures"].num.dtype == object and batched.aside[0]
