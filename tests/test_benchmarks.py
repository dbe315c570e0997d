"""The benchmark scripts still run (on tiny inputs): figures are measured there, not here."""

from __future__ import annotations

import importlib.util
import random

import pytest

from dsl.checker import check
from dsl.driver import check_file
from dsl.lexing import lark_parser
from dsl.parser import parse_text
from interpreter.backends.scalar import compile_model, evaluate
from tests.conftest import ROOT


def load(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_parse_benchmark_input_parses_and_checks():
    text = load("parse").generate(criteres=30)
    lark_parser().parse(text, start="start")
    model, diagnostics = check(parse_text(text).file)
    assert model is not None


def test_eval_benchmark_structures_evaluate():
    bench = load("eval")
    model = check_file(str(ROOT / "conventions" / "aci-msp-avenant-1.conv")).model
    program = compile_model(model)
    structure = bench.random_structure(model, random.Random(1))
    evaluate(program, structure)


@pytest.mark.parametrize("kind", ["csv", "parquet"])
def test_the_polars_program_gives_convcheck_s_cents(tmp_path, kind):
    """The baseline of `benchmarks/simulate.py` is exact: on a few thousand structures, the same eligibility
    and the same cents as convcheck for every structure and every line of Avenant 1."""
    import subprocess
    import sys

    import polars as pl

    from interpreter import api

    bench = load("avenant1_polars")
    population = tmp_path / f"population.{kind}"
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "examples" / "population" / "generate.py"),
            "--structures",
            "3000",
            "--seed",
            "11",
            "-o",
            str(population),
        ],
        check=True,
        capture_output=True,
    )
    result = api.load(ROOT / "conventions" / "aci-msp-avenant-1.conv").simulation(str(population)).result
    frame = bench.lines(bench.scan(str(population))).collect()
    assert frame["id"].to_list() == [str(id) for id in result.ids]
    assert frame["eligible"].to_list() == result.eligible.tolist()
    assert set(result.lines) == set(bench.LINES)
    for name in bench.LINES:
        assert frame[bench.paid(name)].to_list() == result.lines[name].tolist(), name
    assert frame["total"].to_list() == result.total.tolist()
    assert frame.select(pl.col("total").sum()).item() > 0


def test_simulate_benchmark_runs_on_a_small_population(capfd):
    import sys

    bench = load("simulate")
    sys.argv = ["simulate.py", "--sizes", "300", "--runs", "1", "--formats", "parquet", "--duckdb"]
    bench.main()
    out = capfd.readouterr().out  # the comparison is printed by a process of its own
    assert "300  parquet" in out and "mêmes centimes : 300 structures" in out


def test_startup_benchmark_times_each_command(capsys):
    import sys

    bench = load("startup")
    sys.argv = ["startup.py", "--runs", "1", "--top", "3"]
    bench.main()
    out = capsys.readouterr().out
    assert all(name in out for name in bench.COMMANDS) and out.count("imports ") == len(bench.COMMANDS)


def test_large_inputs_benchmark_files_are_valid(tmp_path):
    bench = load("inputs")
    path = bench.write_input(tmp_path, 0.02)
    assert 10_000 < path.stat().st_size < 40_000
    assert min(bench.time_check(path)) > 0


def test_declarations_benchmark_reads_every_format():
    bench = load("declarations")
    model = check_file(str(bench.CONVENTION)).model
    for fmt in ("json", "toml", "yaml"):
        seconds, size, problems = bench.measure(200, fmt, model)
        assert problems == 200 and size > 0


def test_editor_benchmark_runs_against_the_language_server(capsys):
    figures = load("editor").main(rounds=2)
    assert all(len(times) == 2 and min(times) > 0 for times in figures.values())
    assert "modification → diagnostics" in capsys.readouterr().out


def test_openfisca_benchmark_says_when_openfisca_is_missing(capsys):
    import sys

    bench = load("versus_openfisca")
    sys.argv = ["versus_openfisca.py", "--sizes", "500", "--runs", "1", "--python-openfisca", sys.executable]
    if bench.openfisca_available(sys.executable):  # an environment with OpenFisca runs both
        bench.main()
        assert "centimes différents" in capsys.readouterr().out
        return
    bench.main()
    out = capsys.readouterr().out
    assert "OpenFisca n'est pas installé" in out and "       500" in out


def test_the_mini_convention_pays_what_its_openfisca_twin_computes_exactly():
    """The two writings of the mini convention agree: convcheck's totals match the same rules written
    with exact integers (the cents OpenFisca should find)."""
    import numpy as np

    bench = load("versus_openfisca")
    arrays = bench.population(2_000, seed=3)
    _, totals = bench.convcheck_compute(arrays, 1)
    capped = np.minimum(arrays["patientele"], 8_000)  # the ratio patientele / 4 000, capped at 2
    lines = (
        np.where(arrays["si_labellise"], 350_000 + 35 * capped, 0)  # (500 + 200 × ratio) × 7 € in cents
        + np.where(arrays["horaires_etendus"], 560_000, 0)
        + np.where(arrays["nb_protocoles"] >= 1, 70_000 * np.minimum(arrays["nb_protocoles"], 8), 0)
        + np.where(arrays["nb_reunions"] >= 6, 175 * capped, 0)
        + np.where(arrays["part_sas"] >= 50, 35 * capped, 0)
    )
    assert (totals == np.where(arrays["si_labellise"] & arrays["horaires_etendus"], lines, 0)).all()


def test_sql_benchmark_generates_the_queries(capsys):
    load("sql").generation()
    assert capsys.readouterr().out.count("requête de la proposition 2026") == 3


def test_criteres_benchmark_measures_check_sql_and_diff(capsys):
    """`benchmarks/criteres.py` on small sizes: the figures of `check`, `sql` and `diff` by number of critères."""
    load("criteres").main(["--tailles", "20,40"])
    out = capsys.readouterr().out
    assert out.count("s  ") >= 2 and "µs par critère" in out


def test_the_draws_benchmark_runs():
    load("draws").main(["--runs", "1", "--draws", "3"])
