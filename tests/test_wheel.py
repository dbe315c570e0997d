"""The installed tool, not the checkout: build a wheel from a copy of the sources, install it in a
fresh virtualenv outside the checkout, and run every command there on the bundled files.

Every other test imports the packages from the checkout, so a file missing from the wheel (a
subpackage, the grammar) would go unseen without this one."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

from tests.conftest import ROOT

IGNORED = shutil.ignore_patterns(
    ".git",
    ".venv",
    "build",
    "dist",
    "*.egg-info",
    "__pycache__",
    ".hypothesis",
    ".pytest_cache",
    ".mypy_cache",
    ".ruff_cache",
)


PIP = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]


def build_wheel(work: Path) -> Path:
    """The wheel of a copy of the sources (what `pip wheel` makes of them)."""
    source = work / "source"
    shutil.copytree(ROOT, source, ignore=IGNORED)
    subprocess.run(
        [*PIP, "wheel", "--no-deps", "-w", str(work / "dist"), str(source)], check=True, capture_output=True, cwd=work
    )
    wheels = list((work / "dist").glob("convcheck-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The `bin` folder of a fresh virtualenv where the wheel is installed.

    Its dependencies are those of the tests' own environment, seen through a `.pth` file (installing them
    again took most of this module's time), and `pip check` says they are the ones the wheel declares. The
    checkout itself is not seen: a `.pth` file of a folder named by a `.pth` file is not read, so the
    editable install's finder is not there. `test_the_wheel_installs_with_its_dependencies` (`-m slow`)
    installs everything afresh."""
    work = tmp_path_factory.mktemp("wheel")
    wheel = build_wheel(work)
    env_dir = work / "venv"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    Path(purelib, "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    subprocess.run(
        [*PIP, "--python", str(python), "install", "--no-deps", str(wheel)], check=True, capture_output=True, cwd=work
    )
    checked = subprocess.run([*PIP, "--python", str(python), "check"], capture_output=True, text=True, cwd=work)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    return env_dir / "bin"


def run(bin_dir: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run(
        [str(bin_dir / "convcheck"), *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=120
    )


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> Path:
    """Copies of the bundled conventions and examples, in a folder outside the checkout."""
    work = tmp_path_factory.mktemp("files")
    for name in ("conventions", "examples"):
        shutil.copytree(ROOT / name, work / name, ignore=IGNORED)
    return work


def test_packages_come_from_the_wheel(installed: Path, files: Path):
    probe = "import dsl, grammar, interpreter, interpreter.cli; print(interpreter.__file__)"
    out = subprocess.run(
        [str(installed / "python"), "-c", probe], capture_output=True, text=True, cwd=files, check=True
    ).stdout
    assert "site-packages" in out and str(ROOT) not in out


COMMANDS = {
    "check": [
        "check",
        "--strict",
        "conventions/aci-msp-2017.conv",
        "conventions/aci-msp-avenant-1.conv",
        "conventions/aci-msp-avenant-2-france-sante.conv",
    ],
    "eval": ["eval", "conventions/aci-msp-2017.conv", "examples/declarations/msp-reference-2017.yaml"],
    "test": [
        "test",
        "conventions/aci-msp-2017.conv",
        "conventions/aci-msp-avenant-1.conv",
        "conventions/aci-msp-avenant-2-france-sante.conv",
    ],
    "diff": [
        "diff",
        "conventions/aci-msp-avenant-1.conv",
        "conventions/aci-msp-avenant-2-france-sante.conv",
        "--format",
        "html",
        "-o",
        "rapport.html",
    ],
    "simulate": [
        "simulate",
        "conventions/aci-msp-avenant-1.conv",
        "examples/population/population.csv",
        "-o",
        "resultats.parquet",
    ],
    "fmt": [
        "fmt",
        "--check",
        "conventions/aci-msp-2017.conv",
        "conventions/aci-msp-avenant-1.conv",
        "conventions/aci-msp-avenant-2-france-sante.conv",
    ],
    "projette": [
        "projette",
        "conventions/aci-msp-avenant-2-france-sante.conv",
        "--population",
        "examples/population/population.csv",
        "--de",
        "2026",
        "--a",
        "2027",
        "-o",
        "enveloppe.html",
    ],
    "js": ["js", "conventions/aci-msp-avenant-2-france-sante.conv", "-o", "moteur.mjs"],
    "simulateur": [
        "simulateur",
        "conventions/aci-msp-avenant-1.conv",
        "conventions/aci-msp-avenant-2-france-sante.conv",
        "-o",
        "simulateur",
    ],
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


@pytest.mark.slow
def test_the_wheel_installs_with_its_dependencies(tmp_path):
    """The wheel in a virtualenv of its own, its dependencies installed by pip from what it declares."""
    wheel = build_wheel(tmp_path)
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    subprocess.run(
        [str(env_dir / "bin" / "python"), "-m", "pip", "--disable-pip-version-check", "-q", "install", str(wheel)],
        check=True,
        capture_output=True,
        cwd=tmp_path,
    )
    result = run(env_dir / "bin", "check", str(ROOT / "conventions" / "aci-msp-2017.conv"), cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
