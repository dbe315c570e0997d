"""SIGTERM ends convcheck as Ctrl+C does: the file being written keeps its old content, and no temporary is left —
neither the `.convcheck-*.tmp` beside it (SIGTERM at the end of `simulate -o` left it behind), nor the UTF-8 copy
of a Windows-1252 population, nor DuckDB's folder.

The signal is sent by the process to itself at the moment the results are on the disk but not yet renamed
into place (`os.fsync` of the temporary, wrapped): deterministic, whatever the machine's speed."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import ROOT

SIGNALLED = """
import os, signal, sys
real = os.fsync
def fsync(descriptor):
    os.kill(os.getpid(), signal.SIGTERM)
    return real(descriptor)
os.fsync = fsync
sys.argv = ["convcheck", *sys.argv[1:]]
from interpreter.cli import main
main()
"""


@pytest.mark.parametrize("engine", ["defaut", "duckdb"])
def test_sigterm_while_writing_results_leaves_no_temporary(tmp_path, engine):
    temporaries = tmp_path / "tmp"
    temporaries.mkdir()
    population = tmp_path / "population.csv"
    text = (ROOT / "examples" / "population" / "population.csv").read_text(encoding="utf-8")
    population.write_bytes(text.replace("msp_0001", "msp_é001").encode("cp1252"))  # read through a UTF-8 copy
    results = tmp_path / "resultats.csv"
    results.write_text("ancien\n", encoding="utf-8")
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            SIGNALLED,
            "simulate",
            str(ROOT / "conventions" / "aci-msp-avenant-1.conv"),
            str(population),
            "-o",
            str(results),
            "--moteur",
            engine,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PYTHONPATH": str(ROOT), "TMPDIR": str(temporaries), "NO_COLOR": "1", "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 143, done.stderr[-2000:]
    assert results.read_text(encoding="utf-8") == "ancien\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["population.csv", "resultats.csv", "tmp"]
    assert [p.name for p in temporaries.iterdir() if not p.name.startswith(".lark_cache")] == []  # Lark's grammar
    # cache stays: it is a cache, kept on purpose
