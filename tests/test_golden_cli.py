"""Golden tests of whole commands: each `tests/golden/cli/*.cmd` holds the arguments of one
`convcheck` run (from that folder); its `.expected` holds what the user sees and the exit code."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from interpreter.cli import cli
from tests.conftest import GOLDEN, assert_golden

CASES = sorted((GOLDEN / "cli").glob("*.cmd"))


def run_command(cmd: Path, monkeypatch) -> str:
    monkeypatch.chdir(cmd.parent)
    monkeypatch.setenv("NO_COLOR", "1")
    args = shlex.split(cmd.read_text(encoding="utf-8"))
    result = CliRunner().invoke(cli, args, catch_exceptions=False, prog_name="convcheck")
    return f"$ convcheck {' '.join(shlex.quote(a) for a in args)}\n{result.output}[exit {result.exit_code}]\n"


@pytest.mark.parametrize("cmd", CASES, ids=[c.stem for c in CASES])
def test_command_output(cmd: Path, update_golden: bool, monkeypatch):
    assert_golden(cmd.with_suffix(".expected"), run_command(cmd, monkeypatch), update_golden)
