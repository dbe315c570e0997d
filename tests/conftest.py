"""Shared test helpers: the golden-file option and paths."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="rewrite golden files from the current output (review the diff before committing)")


@pytest.fixture
def update_golden(request) -> bool:
    return request.config.getoption("--update-golden")


def assert_golden(path: Path, actual: str, update: bool) -> None:
    """Compare with a golden file, or rewrite it when --update-golden is given."""
    if update or not path.exists():
        path.write_text(actual, encoding="utf-8")
        if not update:
            pytest.fail(f"golden file {path.name} was missing and has been written: review it")
        return
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, f"output differs from {path.name} (rerun with --update-golden after review)"


def language_examples() -> list[str]:
    """The code blocks of LANGUAGE.md (the normative examples), or bundled copies of them."""
    return [(GOLDEN / "language" / name).read_text(encoding="utf-8") for name in ("convention.conv", "avenant.conv")]


@pytest.fixture
def language_example() -> str:
    return language_examples()[0]
