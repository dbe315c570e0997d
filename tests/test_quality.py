"""Lint and types: `ruff check` on the whole project and `mypy` on the whole package, `dsl` and `interpreter`
(their settings are in pyproject.toml), report nothing."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT


def run(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *arguments], cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_ruff_finds_nothing():
    result = run("ruff", "check", "--no-fix", ".")
    assert result.returncode == 0, f"ruff check:\n{result.stdout}{result.stderr}"


def test_mypy_finds_nothing():
    result = run("mypy")  # the files and options of [tool.mypy]
    assert result.returncode == 0, f"mypy:\n{result.stdout}{result.stderr}"
