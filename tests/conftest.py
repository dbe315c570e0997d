"""Shared test helpers: the golden-file option and paths, and hypothesis' profiles.

Hypothesis runs with the `ci` profile unless told otherwise: derandomized (each test draws the same examples on
every run, whatever the machine: the suite cannot fail at random), no example database, no deadline (no test
depends on the machine's speed: a loaded machine is slow, not wrong). The `thorough` profile draws new random
examples at each run and keeps the failing ones in `.hypothesis/`: for long runs (the `slow` tests run each long
property on hundreds of examples where the default run takes a sample),
`pytest -m slow --hypothesis-profile thorough` (or `HYPOTHESIS_PROFILE=thorough`). A failure it finds becomes an
explicit `@example` of its test, so that the `ci` profile runs it from then on.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

settings.register_profile("ci", derandomize=True, database=None, deadline=None, print_blob=True)
settings.register_profile("thorough", derandomize=False, deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"


# The date every output gives in its provenance (`interpreter.report.provenance`), fixed for the goldens and
# the example reports (examples/reports/regenerate.sh sets the same).
os.environ.setdefault("SOURCE_DATE_EPOCH", "1796601600")


@pytest.fixture(autouse=True, scope="session")
def private_cache(tmp_path_factory):
    """The disk cache of checked versions (`dsl.cache`) in a folder of the test session's own."""
    previous = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("cache"))
    yield
    if previous is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = previous


def pytest_addoption(parser):
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite golden files from the current output (review the diff before committing)",
    )


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
