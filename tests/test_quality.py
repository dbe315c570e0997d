"""Lint, layout and types: `ruff check` and `ruff format --check` on the whole project and `mypy` on the whole
package, `dsl` and `interpreter` (their settings are in pyproject.toml), report nothing."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT


def run(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *arguments], cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_ruff_finds_nothing():
    result = run("ruff", "check", "--no-fix", ".")
    assert result.returncode == 0, f"ruff check:\n{result.stdout}{result.stderr}"


def test_the_code_is_formatted():
    result = run("ruff", "format", "--check", ".")
    assert result.returncode == 0, f"run `ruff format .` (ruff format --check):\n{result.stdout}{result.stderr}"


def test_mypy_finds_nothing():
    result = run("mypy")  # the files and options of [tool.mypy]
    assert result.returncode == 0, f"mypy:\n{result.stdout}{result.stderr}"


def test_hypothesis_is_derandomized_and_has_no_deadline_by_default():
    """The suite cannot fail at random nor on a loaded machine: the `ci` profile of `tests/conftest.py` draws the
    same examples on every run and measures no time (a test took over hypothesis' default 200 ms once, and failed)."""
    from hypothesis import settings

    if settings.get_current_profile_name() == "ci":  # not when a run asks for `--hypothesis-profile thorough`
        assert settings.default.derandomize is True and settings.default.database is None
    assert settings.default.deadline is None
