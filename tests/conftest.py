"""Shared test helpers: the golden-file option and paths."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"


# The date every output gives in its provenance (`interpreter.report.provenance`), fixed for the goldens and
# the example reports (examples/reports/regenerate.sh sets the same).
os.environ.setdefault("SOURCE_DATE_EPOCH", "1796601600")


@pytest.fixture(autouse=True, scope="session")
def private_cache(tmp_path_factory):
    """The disk cache of checked versions (`dsl.cache`) in a folder of the test session's own."""
    import os

    previous = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("cache"))
    yield
    if previous is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = previous


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
