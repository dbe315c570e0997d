"""Benchmark: convcheck's compute step against OpenFisca's, on the same mini convention.

The mini convention is written twice: `openfisca/mini.conv` for convcheck, `openfisca/openfisca_mini.py`
for OpenFisca (as its users write one: float32 variables, parameters by period, numpy rounding). For
each size, both compute the same random population; the figure compared is the *compute step*: the
population already in memory (validated columns for convcheck, `set_input` arrays for OpenFisca),
the time to compute every structure's total. Median of several runs, each in its own process for
OpenFisca (one process per run, so that no cache of a previous run helps it). Prints the times, the
ratio, and how many structures OpenFisca pays a different amount, to the cent, than convcheck's
exact computation (float32 gets cents wrong).

OpenFisca runs when `openfisca-core` is importable by `--python-openfisca` (by default this Python,
or $CONVCHECK_OPENFISCA_PYTHON); when it is not, the benchmark says so and measures convcheck alone.

    python benchmarks/versus_openfisca.py [--sizes 100000,1000000] [--runs 3] [--python-openfisca PATH]

Target on this 2-core machine: convcheck's compute step faster than OpenFisca's at 1 M structures.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
HERE = Path(__file__).resolve().parent / "openfisca"


def population(size: int, seed: int = 7) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {
        "patientele": rng.integers(0, 30_001, size),
        "si_labellise": rng.random(size) < 0.95,
        "horaires_etendus": rng.random(size) < 0.95,
        "nb_protocoles": rng.integers(0, 21, size),
        "nb_reunions": rng.integers(0, 51, size),
        "part_sas": rng.integers(0, 101, size),  # in %, as a population file writes it (OpenFisca gets / 100)
    }


def convcheck_compute(arrays: dict[str, np.ndarray], runs: int) -> tuple[float, np.ndarray]:
    """Median compute time (s) and the totals in cents."""
    import polars as pl

    from interpreter.api import load
    from interpreter.backends.vector import simulate

    convention = load(HERE / "mini.conv")
    frame = pl.DataFrame({"id": [f"s{i}" for i in range(len(arrays["patientele"]))], **arrays})
    table = convention.population(frame)  # validated, exact columns: what OpenFisca's set_input holds
    simulate(convention.program, table)  # warm: the vector program is compiled once per version
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = simulate(convention.program, table)
        times.append(time.perf_counter() - start)
    return statistics.median(times), result.total


def openfisca_available(python: str) -> bool:
    return subprocess.run([python, "-c", "import openfisca_core"], capture_output=True).returncode == 0


def openfisca_compute(python: str, path: Path, runs: int) -> tuple[float, np.ndarray, str]:
    """Median compute time (s), the totals in cents and the dtype OpenFisca computed in."""
    times, cents, dtype = [], None, ""
    for _ in range(runs):
        output = path.with_suffix(".openfisca.npz")
        subprocess.run([python, str(HERE / "openfisca_mini.py"), str(path), str(output)], check=True)
        with np.load(output) as found:
            times.append(float(found["compute"]))
            cents, dtype = found["cents"], str(found["dtype"])
    return statistics.median(times), cents, dtype


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--python-openfisca", default=os.environ.get("CONVCHECK_OPENFISCA_PYTHON", sys.executable))
    args = parser.parse_args()
    available = openfisca_available(args.python_openfisca)
    if not available:
        print(
            f"OpenFisca n'est pas installé pour {args.python_openfisca} : seul convcheck est mesuré. "
            "Installez-le (pip install openfisca-core), au besoin dans un autre environnement, et passez "
            "--python-openfisca CHEMIN_DU_PYTHON.\n"
        )
    print(f"{'structures':>10}  {'convcheck':>10}  {'OpenFisca':>10}  {'rapport':>8}  {'centimes différents':>20}")
    with tempfile.TemporaryDirectory() as folder:
        for size in (int(s) for s in args.sizes.split(",")):
            arrays = population(size)
            ours, exact = convcheck_compute(arrays, args.runs)
            if not available:
                print(f"{size:>10,}  {ours:>9.3f}s  {'—':>10}  {'—':>8}  {'—':>20}")
                continue
            path = Path(folder) / f"population-{size}.npz"
            np.savez(path, **{**arrays, "part_sas": arrays["part_sas"] / 100})
            theirs, cents, dtype = openfisca_compute(args.python_openfisca, path, args.runs)
            wrong = int(np.count_nonzero(cents != exact))
            print(
                f"{size:>10,}  {ours:>9.3f}s  {theirs:>9.3f}s  {ours / theirs:>7.2f}×  "
                f"{wrong:>11,} ({100 * wrong / size:.1f} %)"
            )
    if available:
        print(
            f"\nOpenFisca calcule en {dtype} ; convcheck est exact (rationnels entiers, arrondi au centime "
            "ligne à ligne). Rapport < 1 : convcheck calcule plus vite."
        )
    print("Objectif : étape de calcul de convcheck plus rapide que celle d'OpenFisca à 1 M de structures.")


if __name__ == "__main__":
    main()
