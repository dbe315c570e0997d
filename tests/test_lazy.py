"""The lazy backend (the IR as polars expressions) and the certified reading of population files: on random
conventions and random structures, in CSV and Parquet, one query gives, to the cent, what the reader and the
vector backend give — and what the scalar backend gives; a file with any cell the certified reading cannot
vouch for is read by convcheck's reader, whose values and diagnostics are the only ones."""

from __future__ import annotations

import datetime
from decimal import Decimal
from fractions import Fraction

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, assume, event, example, given, settings
from hypothesis import strategies as st

from dsl import ir
from interpreter import api
from interpreter.backends import lazy, lazy_engine, vector
from interpreter.io import certified
from interpreter.io.number_columns import Scaled
from interpreter.io.tables import LazyArray, TableError, read_population
from tests.conftest import ROOT
from tests.conventions import conventions
from tests.test_backends import SAMPLES, cell, structures_for


@pytest.mark.parametrize("node", ir.NODES, ids=[c.__name__ for c in ir.NODES])
def test_the_lazy_backend_handles_every_node(node):
    translator = lazy.Translator({"n": lazy.Num(pl.col("n"), 1, 100, 1)}, {"p": lazy.Num.constant(2)})
    translator.met["c"] = lazy.Flag(pl.col("c"))
    if node in (ir.ResultRef, ir.LineRef):  # `attendu` only: the scalar backend runs the cas
        with pytest.raises(AssertionError, match="attendu-only"):
            translator.expr(SAMPLES[node])
    else:
        assert isinstance(translator.expr(SAMPLES[node]), (lazy.Num, lazy.Flag, lazy.Code))


def exactly_rounded(value: Fraction, digits: int) -> Fraction:
    """`value` rounded half away from zero to `digits` decimals."""
    scaled = abs(value) * 10**digits
    whole = scaled.numerator // scaled.denominator
    whole += 2 * (scaled - whole) >= 1
    return Fraction(whole if value >= 0 else -whole, 10**digits)


@st.composite
def near_halves(draw) -> tuple[list[int], int | list[int]]:
    """Numerators around the halves of their denominators (where rounding decides), over one denominator for
    every row or one for each row."""
    shared = draw(st.booleans())
    dens = (
        [draw(st.integers(1, 10**7))] * 6 if shared else draw(st.lists(st.integers(1, 10**7), min_size=6, max_size=6))
    )
    numerators = []
    for den in dens[: draw(st.integers(1, 6))]:
        rest = draw(st.sampled_from([0, 1, den // 2 - 1, den // 2, (den + 1) // 2, den - 1]))
        numerators.append(draw(st.sampled_from([1, -1])) * (draw(st.integers(0, 10**8)) * den + max(rest, 0)))
    return numerators, (dens[0] if shared else dens)


@given(near_halves(), st.sampled_from([10**15, 10**20]), st.integers(0, 3))
@example(([5, -5, 15, -15, 0, 25], 10), 10**15, 1)  # halves, an even denominator
@example(([2, -2, 3, -3, 9, -9], 6), 10**15, 0)  # over 6: ⌊(|x| + 3) / 6⌋
@example(([5, -5, 15, -15, 0, 25], 5), 10**15, 0)  # an odd denominator
@example(([10**15, -(10**15)], [7, 2, 1, 1, 1, 1]), 10**20, 2)  # an Int128 bound: the sign chosen, not multiplied
def test_the_lazy_rounding_is_half_away_from_zero(values, bound, digits):
    """Every numerator over a constant denominator, or over a denominator of its own row, rounded half away
    from zero as Python's fractions round it: the sign of the numerator given back by a product (Int64) or by a
    choice (Int128), an even denominator halved first."""
    numerators, denominator = values
    rows = len(numerators)
    dens = denominator[:rows] if isinstance(denominator, list) else [denominator] * rows
    frame = pl.DataFrame({"n": numerators, "d": dens}, schema={"n": pl.Int64, "d": pl.Int64})
    den = pl.col("d") if isinstance(denominator, list) else denominator
    value = lazy.Num(pl.col("n"), den, max(bound, *map(abs, numerators)), max(dens))
    rounded = lazy.round_half_away(value, digits)
    found = frame.select(lazy.typed(rounded.num, rounded.nb, rounded.nb).alias("r"))["r"].to_list()
    assert rounded.den == 10**digits
    assert found == [
        exactly_rounded(Fraction(n, d), digits) * 10**digits for n, d in zip(numerators, dens, strict=True)
    ]


# ---- random conventions: lazy = vector = scalar -------------------------------------------------------------


def typed_frame(model, structures: list[dict]) -> pl.DataFrame:
    """The structures as a Parquet file holds them: numbers as integers or floats, booléens, dates."""
    columns: dict[str, pl.Series] = {"id": pl.Series([f"s{i}" for i in range(len(structures))])}
    for id, donnee in model.donnees.items():
        values = [s[id] for s in structures]
        kind = donnee.type.kind
        if kind == "entier":
            columns[id] = pl.Series(id, [int(v) for v in values], dtype=pl.Int64)
        elif kind in ("nombre", "montant", "pourcentage"):
            factor = 100 if kind == "pourcentage" else 1
            columns[id] = pl.Series(id, [float(str(v * factor)) for v in values], dtype=pl.Float64)
        elif kind == "date":
            columns[id] = pl.Series(id, values, dtype=pl.Date)
        else:
            columns[id] = pl.Series(id, values)
    return pl.DataFrame(columns)


def text_frame(model, structures: list[dict]) -> pl.DataFrame:
    return pl.DataFrame(
        {"id": [f"s{i}" for i in range(len(structures))]}
        | {
            id: [None if d.default is not None and i % 3 == 0 else cell(s[id], d) for i, s in enumerate(structures)]
            for id, d in model.donnees.items()
        }
    )


def same_results(a, b) -> None:
    assert list(a.ids) == list(b.ids)
    assert dict(a.errors) == dict(b.errors)
    assert a.eligible.tolist() == b.eligible.tolist()
    assert a.total.tolist() == b.total.tolist()
    assert a.total_points.tolist() == b.total_points.tolist()
    assert a.lines.keys() == b.lines.keys()
    for id in a.lines:
        assert a.lines[id].tolist() == b.lines[id].tolist(), id


def same_columns(lazy_columns, read) -> None:
    """The exact columns of the lazy path are the reader's values (their denominators may differ)."""
    assert set(lazy_columns) == set(read)
    for id, column in read.items():
        mine = lazy_columns[id]
        if isinstance(column, Scaled):
            assert [Fraction(int(n), mine.den) for n in mine.num] == [Fraction(int(n), column.den) for n in column.num]
        else:
            assert [int(v) for v in mine] == [int(v) for v in column], id


def compare(tmp_path_factory, text: str, structures: list[dict], kind: str):
    folder = tmp_path_factory.mktemp("l")
    (folder / "c.conv").write_text(text, encoding="utf-8")
    try:
        convention = api.load(folder / "c.conv")
    except api.ConvError as error:  # e.g. a paramètre that divides by zero: never a crash
        assert all(d.code == "parametre-incalculable" for d in error.diagnostics), str(error)
        assume(False)
    model = convention.model
    path = folder / f"p.{kind}"
    if kind == "csv":
        text_frame(model, structures).write_csv(path)
    else:
        typed_frame(model, structures).write_parquet(path)
    found = lazy_engine.simulate(convention, str(path))
    assert found is not None, "every cell is written plainly: the certified reading reads them all"
    table, result, _ = found
    read = convention.population(str(path))
    same_results(result, vector.simulate(convention.program, read))
    same_columns(table.columns, read.columns)
    assert table.defaults == read.defaults


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_lazy_equals_vector_on_random_conventions_from_csv(tmp_path_factory, data):
    text = data.draw(conventions())
    compare(tmp_path_factory, text, data.draw(structures_for(text)), "csv")


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_lazy_equals_vector_on_random_conventions_from_parquet(tmp_path_factory, data):
    text = data.draw(conventions())
    compare(tmp_path_factory, text, data.draw(structures_for(text)), "parquet")


@pytest.mark.slow
@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.data(), st.sampled_from(["csv", "parquet"]))
def test_lazy_equals_vector_on_many_random_conventions(tmp_path_factory, data, kind):
    text = data.draw(conventions())
    compare(tmp_path_factory, text, data.draw(structures_for(text)), kind)


# ---- the certified reading: the reader's values, or the reader ------------------------------------------------


READ = """convention lecture "Lecture"
version : "1"
paramètres {
  valeur_point = 7 €
}
données {
  n : entier entre -1_000 et 1_000_000 "N"
  x : nombre entre -1_000_000 et 1_000_000 "X"
  m : montant "M"
  t : pourcentage entre 0 % et 100 % "T"
  b : booléen "B"
  z : choix(metropole, reunion) "Z"
  d : date "D"
  e : entier entre 0 et 10 "E" par défaut 3
}
socle {
  critère c "C" { condition : b ou z = reunion  montant : m + x * 1 € + n * t * 1 € + e * 1 € }
}
"""

CELLS = {
    "n": ["12", "-7", "+3", "007", "12.0", "12.5", "1e3", "1 234", "", " ", "abc", "2000000", "-0"],
    "x": [
        "1.5",
        "-0.25",
        "7,5",
        "4.000",
        "12.500",
        "0.500",
        ".5",
        "5.",
        "1e3",
        "3",
        "1.123456789",
        "1.1234567891",
        " 2",
        "1_000.5",
        "999999.9",
    ],
    "m": ["100", "7 €", "99999999999999", "1000000000000000", "0.005", "-3.5"],
    "t": ["5", "12.5", "100", "101", "75 %", "0.001"],
    "b": ["vrai", "faux", "oui", "non", "VRAI", "true", "1", "", "peut-être"],
    "z": ["metropole", "reunion", "Metropole", "guadeloupe"],
    "d": ["2024-01-31", "2024-1-31", "31/01/2024", " 2024-01-31", "2024-02-30"],
    "e": ["", "4", "11"],
    "id": ["a", "b", " c", "", "a"],
}
PLAIN = {"n": "12", "x": "1.5", "m": "100", "t": "5", "b": "vrai", "z": "metropole", "d": "2024-01-31", "e": "4"}


@st.composite
def odd_populations(draw) -> list[dict]:
    """Rows mostly written plainly, some cells written otherwise: valid or not, as the reader judges."""
    rows = []
    for index in range(draw(st.integers(1, 6))):
        row = {"id": f"s{index}", **PLAIN}
        for column in draw(st.lists(st.sampled_from(sorted(CELLS)), max_size=3)):
            row[column] = draw(st.sampled_from(CELLS[column]))
        rows.append(row)
    return rows


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(odd_populations())
@example([{"id": "a", **PLAIN, "x": "4.000"}])
@example([{"id": "a", **PLAIN}, {"id": "a", **PLAIN}])
@example([{"id": "a", **PLAIN, "e": ""}, {"id": "b", **PLAIN, "b": "oui"}])
def test_a_file_is_read_with_the_reader_s_values_or_by_the_reader(tmp_path_factory, rows):
    folder = tmp_path_factory.mktemp("r")
    (folder / "c.conv").write_text(READ, encoding="utf-8")
    convention = api.load(folder / "c.conv")
    path = folder / "p.csv"
    pl.DataFrame(rows, schema={c: pl.String for c in ["id", *PLAIN]}).write_csv(path)
    found = lazy_engine.simulate(convention, str(path))
    try:
        read = read_population(str(path), convention.model)
    except TableError:
        assert found is None  # an invalid file is always read, and reported, by the reader
        return
    event("lu par la lecture certifiée" if found is not None else "lu par le lecteur")
    if found is None:
        return
    table, result, _ = found
    same_columns(table.columns, read.columns)
    same_results(result, vector.simulate(convention.program, read))
    assert table.defaults == read.defaults


def test_plain_cells_are_read_by_the_certified_reading(tmp_path):
    (tmp_path / "c.conv").write_text(READ, encoding="utf-8")
    path = tmp_path / "p.csv"
    pl.DataFrame([{"id": "a", **PLAIN}, {"id": "b", **PLAIN, "e": ""}]).write_csv(path)
    table, _, _ = lazy_engine.simulate(api.load(tmp_path / "c.conv"), str(path))
    assert table.defaults == {"e": 1}


floats = st.one_of(
    st.decimals(-999_999, 999_999, places=3).map(lambda d: float(str(d))),
    st.floats(-1e6, 1e6, allow_nan=False),
    st.sampled_from([0.1, 0.7, 1e-9, 123456.789012, 2.0**-30, -0.0, 999_999.999_999_999]),
)


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(floats, min_size=1, max_size=8), st.integers(0, 3))
@example([0.1, 0.25, 1 / 3], 0)
@example([12.5] * 3 + [0.125], 0)
def test_parquet_floats_are_their_shortest_decimal_or_read_by_the_reader(tmp_path_factory, values, first):
    """A float is the decimal that gives it back with fewest digits, exactly as the reader reads it — or, when it
    has none within the bounds, the reader reads (and reports) it."""
    folder = tmp_path_factory.mktemp("f")
    (folder / "c.conv").write_text(READ, encoding="utf-8")
    convention = api.load(folder / "c.conv")
    rows = len(values)
    frame = pl.DataFrame(
        {
            "id": [f"s{i}" for i in range(rows)],
            "n": [1] * rows,
            "x": values,
            "m": [float(v) for v in values],
            "t": [50.0] * rows,
            "b": [True] * rows,
            "z": ["reunion"] * rows,
            "d": [datetime.date(2024, 1, 1)] * rows,
            "e": [first] * rows,
        }
    )
    path = folder / "p.parquet"
    frame.write_parquet(path)
    found = lazy_engine.simulate(convention, str(path))
    try:
        read = read_population(str(path), convention.model)
    except TableError:
        assert found is None
        return
    event("lu par la lecture certifiée" if found is not None else "lu par le lecteur")
    if found is not None:
        same_columns(found[0].columns, read.columns)
        same_results(found[1], vector.simulate(convention.program, read))


def test_more_decimals_further_down_are_read_exactly(tmp_path):
    """The first rows say one decimal, a later one needs four: the file is read again with the decimals its
    donnée's range allows, still by the certified reading."""
    (tmp_path / "c.conv").write_text(READ, encoding="utf-8")
    convention = api.load(tmp_path / "c.conv")
    first = certified.SAMPLE + 2_000  # beyond the rows read to choose the decimals
    rows = [{"id": f"s{i}", **PLAIN} for i in range(first)] + [{"id": "last", **PLAIN, "x": "1.1255"}]
    path = tmp_path / "p.csv"
    pl.DataFrame(rows).write_csv(path)
    table, result, _ = lazy_engine.simulate(convention, str(path))
    assert table.columns["x"].value(first) == Decimal("1.1255")
    same_results(result, vector.simulate(convention.program, read_population(str(path), convention.model)))


def test_the_default_engine_reads_a_french_csv_with_the_reader(tmp_path):
    """A CSV file written with `;` and decimal commas is not one the certified reading vouches for: the reader
    reads it, and the figures are the same."""
    (tmp_path / "c.conv").write_text(READ, encoding="utf-8")
    convention = api.load(tmp_path / "c.conv")
    plain, french = tmp_path / "p.csv", tmp_path / "fr.csv"
    pl.DataFrame([{"id": "a", **PLAIN}]).write_csv(plain)
    french.write_text("id;n;x;m;t;b;z;d;e\na;12;1,5;100;5;vrai;metropole;2024-01-31;4\n", encoding="utf-8")
    fast, slow = convention.simulation(str(plain)), convention.simulation(str(french))
    assert isinstance(fast.population.columns, lazy_engine.ExactColumns)
    assert isinstance(slow.population.columns, dict)
    same_results(fast.result, slow.result)


def test_a_summary_leaves_the_results_in_polars(tmp_path):
    """The summary of a simulation (what `simulate` prints) sums and counts each line in polars: only the totals
    become a numpy array (for the median and the deciles); the ids and the lines stay polars' columns, and give the
    same figures as the reader and the vector backend."""
    version = api.load(str(ROOT / "conventions" / "aci-msp-avenant-1.conv"))
    population = str(ROOT / "examples" / "population" / "population.csv")
    simulation = version.simulation(population)
    result = simulation.result
    assert all(isinstance(c, LazyArray) for c in (result.ids, result.total, *result.lines.values()))
    summary = simulation.summary()
    assert [c for c in (result.ids, *result.lines.values()) if "array" in vars(c)] == []
    read = version.simulation(version.population(pl.read_csv(population, infer_schema=False)))  # the reader's
    assert not isinstance(read.result.total, LazyArray)
    assert summary == read.summary()


def test_a_lazy_array_behaves_as_the_array_it_becomes():
    """`LazyArray`: what numpy code does with an array gives the same with the column polars computed — operators,
    comparisons, numpy's functions, indexing, methods — and what is ambiguous for an array stays an error."""
    values = [3, -1, 0, 7]
    lazy_column, array = LazyArray(pl.Series(values, dtype=pl.Int32)), np.array(values, dtype=np.int32)
    assert len(lazy_column) == 4 and "array" not in vars(lazy_column)
    for found, expected in [
        (lazy_column != 0, array != 0),
        (lazy_column - array, array - array),
        (array - lazy_column, array - array),
        (lazy_column[np.array([True, False, True, False])], array[[0, 2]]),
        (lazy_column[1:3], array[1:3]),
        (np.concatenate([lazy_column, lazy_column]), np.concatenate([array, array])),
        (np.asarray(lazy_column, dtype=np.int64), array.astype(np.int64)),
        (lazy_column.astype(object), array.astype(object)),
        (lazy_column == 0, array == 0),
        ((lazy_column < 1) & (lazy_column >= -1), (array < 1) & (array >= -1)),
        (~(lazy_column != 0) | (lazy_column > 5), ~(array != 0) | (array > 5)),
        (-lazy_column, -array),
        (abs(lazy_column), abs(array)),
        (2 * lazy_column + lazy_column // 2, 2 * array + array // 2),
        (lazy_column % 3, array % 3),
    ]:
        assert np.array_equal(found, expected) and np.asarray(found).dtype == np.asarray(expected).dtype
    assert lazy_column.sum() == 9 and lazy_column.dtype == np.int32 and list(lazy_column) == values
    with pytest.raises(ValueError, match="ambiguous"):
        bool(lazy_column)
    with pytest.raises(TypeError, match="unhashable"):
        hash(lazy_column)
