"""Files that are not files — FIFOs, devices, folders — are refused before anything reads them.

Opening a FIFO waits for a writer and /dev/zero never ends: each case must answer quickly
with a French message (a timeout turns a hang into a failure). An avenant's base must be a
`.conv` file, and no message may show a line of a file that is not one.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from dsl.driver import check_file
from dsl.parser import read_source
from dsl.source import special_kind
from interpreter.cli import cli
from tests.conftest import GOLDEN, ROOT

SECRET = "root:x:0:0:ligne secrète qui ne doit jamais être affichée"


@pytest.fixture
def folder(tmp_path, monkeypatch) -> Path:
    for name in ("convention.conv", "population.csv", "msp.yaml", "petite-v1.conv", "petite-v2.conv"):
        shutil.copy(GOLDEN / "cli" / name, tmp_path / name)
    os.mkfifo(tmp_path / "tube.conv")
    (tmp_path / "zero.conv").symlink_to("/dev/zero")
    monkeypatch.chdir(tmp_path)

    def hung(signum, frame):
        raise TimeoutError("convcheck a bloqué sur un fichier spécial")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(120)  # a hang guard, not a measure: generous for a loaded machine
    yield tmp_path
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def run(*args: str):
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def avenant_on(folder: Path, base: str) -> str:
    (folder / "av.conv").write_text(f'avenant av "Avenant"\nbase : "{base}"\nversion : "2"\n', encoding="utf-8")
    return "av.conv"


def test_special_kind_names_what_a_path_is(folder):
    assert special_kind("convention.conv") is None
    assert special_kind("absent.conv") is None
    assert special_kind("tube.conv") == "un tube nommé (FIFO)"
    assert special_kind("zero.conv") == "un périphérique"
    assert special_kind(str(folder)) == "un dossier"


@pytest.mark.parametrize("name, kind", [("tube.conv", "un tube nommé (FIFO)"), ("zero.conv", "un périphérique")])
def test_check_refuses_a_special_file_in_a_real_process(name, kind, folder):
    result = subprocess.run(
        [sys.executable, "-m", "interpreter.cli", "check", name],
        capture_output=True,
        text=True,
        cwd=folder,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"},
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"« {name} » est {kind}, pas un fichier" in result.stderr


@pytest.mark.parametrize(
    "arguments",
    [
        ["check", "tube.conv"],
        ["check", "zero.conv"],
        ["fmt", "tube.conv"],
        ["fmt", "zero.conv"],
        ["eval", "tube.conv", "msp.yaml"],
        ["eval", "convention.conv", "tube.conv"],
        ["simulate", "convention.conv", "tube.conv"],
        ["simulate", "zero.conv", "population.csv"],
        ["diff", "petite-v1.conv", "petite-v2.conv", "--population", "tube.conv"],
        ["consolidate", "zero.conv"],
        ["test", "tube.conv"],
    ],
    ids=lambda a: " ".join(a),
)
def test_every_command_refuses_special_files_quickly(arguments, folder):
    code, output = run(*arguments)
    assert code == 2 and "pas un fichier" in output, output


@pytest.mark.parametrize("base, kind", [("tube.conv", "un tube nommé (FIFO)"), ("zero.conv", "un périphérique")])
def test_a_base_that_is_a_special_file(base, kind, folder):
    code, output = run("check", avenant_on(folder, base))
    assert code == 1, output
    assert f"av.conv:2:1: erreur[fichier-illisible]: la base « {base} » est {kind}, pas un fichier .conv" in output


def test_a_base_that_is_not_a_conv_is_never_shown(folder):
    (folder / "passwd").write_text(SECRET + "\n", encoding="utf-8")
    for base in ("passwd", str(folder / "passwd"), "/etc/passwd"):
        code, output = run("check", avenant_on(folder, base))
        assert code == 1 and "erreur[base-invalide]" in output and "av.conv:2:1" in output, output
        assert "root:" not in output and "secrète" not in output


def test_readers_refuse_special_files_as_library_calls(folder):
    source, problems = read_source("tube.conv")
    assert source is None and problems[0].code == "fichier-illisible" and "FIFO" in problems[0].message
    checked = check_file(avenant_on(folder, "zero.conv"))
    assert not checked.ok and checked.diagnostics[0].code == "fichier-illisible"
