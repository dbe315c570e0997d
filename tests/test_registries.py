"""One home for each thing: the engines and dialects in one registry (the command line offers its names),
every exception of convcheck under `ConvcheckError`, each name defined once."""

from __future__ import annotations

import ast
import importlib
import inspect

import click
import pytest
from click.testing import CliRunner

from dsl.errors import ConvcheckError
from interpreter.backends.dialects import DIALECTS
from interpreter.backends.engines import DEFAULT, ENGINES
from interpreter.cli.commands import cli  # the commands themselves (the entry point imports them when one runs)
from tests.test_imports import modules


def option_choices(command: str, option: str) -> list[str]:
    parameter = next(p for p in cli.commands[command].params if p.name == option)
    assert isinstance(parameter.type, click.Choice)
    return list(parameter.type.choices)


def test_the_command_line_offers_the_registered_engines():
    for command in ("simulate", "diff"):
        assert option_choices(command, "engine") == list(ENGINES)
        default = next(p for p in cli.commands[command].params if p.name == "engine").default
        assert default == DEFAULT
    assert option_choices("sql", "dialecte") == list(DIALECTS)


def test_an_unknown_engine_is_refused_in_french():
    result = CliRunner().invoke(cli, ["simulate", "a.conv", "p.csv", "--moteur", "spark"])
    assert result.exit_code == 2
    assert "choisissez parmi : " + ", ".join(ENGINES) in result.output


def test_every_exception_of_convcheck_is_a_convcheck_error():
    outside = []
    for name in modules():
        if name.endswith("__main__"):  # running it is the command line itself
            continue
        module = importlib.import_module(name)
        for _, value in inspect.getmembers(module, inspect.isclass):
            if (
                value.__module__ == name
                and issubclass(value, BaseException)
                and not issubclass(value, (ConvcheckError, click.ClickException))
            ):
                outside.append(f"{name}.{value.__name__}")
    assert outside == []


def test_an_error_carries_its_diagnostics():
    from dsl.diagnostics import Diagnostic
    from interpreter.io.writer import WriteError

    diagnostic = Diagnostic("sortie-invalide", "« x » est un dossier", file="x")
    error = WriteError(diagnostic, 2)
    assert isinstance(error, ConvcheckError) and error.diagnostics == [diagnostic] and str(error) == diagnostic.message


def definitions() -> dict[str, list[str]]:
    """Name → the modules that define a class or a function of that name at their top level."""
    found: dict[str, list[str]] = {}
    for name, path in modules().items():
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, (ast.ClassDef, ast.FunctionDef)):
                found.setdefault(node.name, []).append(name)
    return found


def test_no_homonyms_among_the_pipeline_words():
    """`Checked` once; `check`, `evaluate`, `compare` each name one thing (they named two or three)."""
    found = definitions()
    assert {name: found.get(name, []) for name in ("Checked", "check", "evaluate", "compare")} == {
        "Checked": ["dsl.driver"],
        "check": ["dsl.checker"],
        "evaluate": ["interpreter.backends.scalar"],
        "compare": [],
    }


@pytest.mark.parametrize("value", ["99999999999999999999", "deux", "1800"])
def test_a_year_out_of_range_is_refused_in_french(value):
    """Click's own message (« is not in the range 1900<=x<=2200 ») was shown as it is, in English."""
    result = CliRunner().invoke(cli, ["projette", "x.conv", "--population", "p.csv", "--de", "2026", "--a", value])
    assert result.exit_code == 2
    assert "valeur invalide pour --a : un nombre entier de 1900 à 2200 est attendu" in result.output
    assert "range" not in result.output
