"""The benchmark scripts still run (on tiny inputs): figures are measured there, not here."""

from __future__ import annotations

import importlib.util
import random

from dsl.checker import check
from dsl.driver import check_file
from dsl.parser import lark_parser, parse_text
from interpreter.backends.scalar import compile_model
from interpreter.backends.scalar import evaluate
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


def test_hand_written_baseline_agrees_with_the_convention_mostly():
    import sys

    sys.path.insert(0, str(ROOT / "examples" / "population"))
    bench = load("simulate")
    frame = bench.generate(500, seed=3)
    totals = bench.hand_written(bench.plain_columns(frame))
    assert len(totals) == 500 and totals.max() > 0


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


def test_sql_benchmark_generates_the_queries(capsys):
    load("sql").generation()
    assert capsys.readouterr().out.count("requête de la proposition 2026") == 3
