"""The installed tool, not the checkout: build a wheel from a copy of the sources, install it in a
fresh virtualenv outside the checkout, and run every command there on the bundled files.

Every other test imports the packages from the checkout, so a file missing from the wheel (a
subpackage, the grammar) would go unseen without this one."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from tests.conftest import ROOT

IGNORED = shutil.ignore_patterns(".git", ".venv", "build", "dist", "*.egg-info", "__pycache__",
                                 ".hypothesis", ".pytest_cache", ".mypy_cache", ".ruff_cache")


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The `bin` folder of a fresh virtualenv where the wheel (with its dependencies) is installed."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    shutil.copytree(ROOT, source, ignore=IGNORED)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "wheel", "--no-deps", "-w", str(work / "dist"), str(source)],
                   check=True, capture_output=True, cwd=work)
    wheels = list((work / "dist").glob("convcheck-*.whl"))
    assert len(wheels) == 1, wheels
    env_dir = work / "venv"
    venv.create(env_dir, with_pip=True)
    bin_dir = env_dir / "bin"
    subprocess.run([str(bin_dir / "python"), "-m", "pip", "--disable-pip-version-check", "-q",
                    "install", str(wheels[0])], check=True, capture_output=True, cwd=work)
    return bin_dir


def run(bin_dir: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run([str(bin_dir / "convcheck"), *args], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=120)


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> Path:
    """Copies of the bundled conventions and examples, in a folder outside the checkout."""
    work = tmp_path_factory.mktemp("files")
    for name in ("conventions", "examples"):
        shutil.copytree(ROOT / name, work / name, ignore=IGNORED)
    return work


def test_packages_come_from_the_wheel(installed: Path, files: Path):
    probe = "import dsl, grammar, interpreter, interpreter.cli; print(interpreter.__file__)"
    out = subprocess.run([str(installed / "python"), "-c", probe], capture_output=True, text=True,
                         cwd=files, check=True).stdout
    assert "site-packages" in out and str(ROOT) not in out


COMMANDS = {
    "check": ["check", "--strict", "conventions/aci-msp-2017.conv", "conventions/aci-msp-avenant-1.conv",
              "conventions/aci-msp-avenant-2-france-sante.conv"],
    "eval": ["eval", "conventions/aci-msp-2017.conv", "examples/declarations/msp-reference-2017.yaml"],
    "test": ["test", "conventions/aci-msp-2017.conv", "conventions/aci-msp-avenant-1.conv",
             "conventions/aci-msp-avenant-2-france-sante.conv"],
    "diff": ["diff", "conventions/aci-msp-avenant-1.conv", "conventions/aci-msp-avenant-2-france-sante.conv",
             "--format", "html", "-o", "rapport.html"],
    "simulate": ["simulate", "conventions/aci-msp-avenant-1.conv", "examples/population/population.csv",
                 "-o", "resultats.parquet"],
    "fmt": ["fmt", "--check", "conventions/aci-msp-2017.conv", "conventions/aci-msp-avenant-1.conv",
            "conventions/aci-msp-avenant-2-france-sante.conv"],
    "js": ["js", "conventions/aci-msp-avenant-2-france-sante.conv", "-o", "moteur.mjs"],
    "simulateur": ["simulateur", "conventions/aci-msp-avenant-1.conv", "conventions/aci-msp-avenant-2-france-sante.conv",
                   "-o", "simulateur"],
}


@pytest.mark.parametrize("command", COMMANDS)
def test_command_runs_from_the_wheel(installed: Path, files: Path, command: str):
    result = run(installed, *COMMANDS[command], cwd=files)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    if command == "diff":
        assert "<html" in (files / "rapport.html").read_text(encoding="utf-8")
    if command == "simulate":
        assert (files / "resultats.parquet").stat().st_size > 0
    if command == "js":
        assert "export const evaluer" in (files / "moteur.mjs").read_text(encoding="utf-8")
    if command == "simulateur":  # the runtime, the page's script and styles are package data
        engine = (files / "simulateur" / "moteurs" / "aci-msp-avenant-2-france-sante.js").read_text(encoding="utf-8")
        assert "function structureHash" in engine and "convcheckMoteurs" in engine
        assert all((files / "simulateur" / name).stat().st_size > 0 for name in ("simulateur.js", "simulateur.css"))
