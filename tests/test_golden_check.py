"""Golden tests: `convcheck check` on small cases, compared with their expected output."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from dsl.diagnostics import CODES
from interpreter.cli import cli
from tests.conftest import GOLDEN, assert_golden

CASES = GOLDEN / "check"
CONV_FILES = sorted(CASES.glob("*.conv"))


def run_check(path: Path, *options: str) -> tuple[str, int]:
    """Run `convcheck check` from the case folder, so that paths in the output are short."""
    runner = CliRunner()
    cwd = os.getcwd()
    os.chdir(path.parent)
    try:
        result = runner.invoke(cli, ["check", *options, path.name])
    finally:
        os.chdir(cwd)
    return result.output, result.exit_code


@pytest.mark.parametrize("case", CONV_FILES, ids=[p.stem for p in CONV_FILES])
def test_check_output(case: Path, update_golden: bool):
    output, code = run_check(case)
    assert_golden(case.with_suffix(".expected"), f"{output}[exit {code}]\n", update_golden)


def test_every_code_has_a_golden_case():
    shown = set()
    for expected in GOLDEN.glob("*/*.expected"):
        shown |= set(re.findall(r"(?:erreur|avertissement)\[([a-z-]+)\]", expected.read_text(encoding="utf-8")))
    missing = set(CODES) - shown
    assert not missing, f"codes without a golden case: {sorted(missing)}"
