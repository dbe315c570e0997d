"""Benchmark: the SQL backend — generating the query, and `simulate --moteur duckdb` against the default engine.

Prints (on a 2-core machine):
1. the time to generate the query of the 2026 proposal (`conventions/aci-msp-avenant-2-france-sante.conv`)
   for each dialect — ≤ 0.3 s;
2. `convcheck simulate` of the 2026 proposal on 1,000,000 structures read from Parquet, results
   written to CSV, in a fresh process, with the default engine then with `--moteur duckdb`: wall time
   and peak memory, and whether both wrote the same results file, byte for byte. (No target on DuckDB's
   time: the default engine is faster; `--moteur duckdb` is for trying the query of `convcheck sql` on the
   file before running it where the data lives. `benchmarks/simulate.py --duckdb` compares both on Avenant 1.)

    python benchmarks/sql.py [--structures 1000000] [--population x.parquet]
"""

from __future__ import annotations

import argparse
import filecmp
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "examples" / "population"))

PROPOSAL = ROOT / "conventions" / "aci-msp-avenant-2-france-sante.conv"


def generation() -> None:
    from interpreter import api
    from interpreter.backends.sql import compile_query

    convention = api.load(PROPOSAL)
    for dialect in ("duckdb", "postgres", "spark"):
        best = float("inf")
        for _ in range(5):
            start = time.perf_counter()
            text = compile_query(
                convention.program,
                dialect,
                supplied=convention.supplied,
                header=convention.sql_header(dialect, "structures"),
            ).sql()
            best = min(best, time.perf_counter() - start)
        print(
            f"1. requête de la proposition 2026 pour {dialect} : {best:.3f} s, {len(text.splitlines())} lignes "
            "(objectif ≤ 0,3 s)"
        )


def measured(command: list[str]) -> tuple[float, float]:
    """(wall time, peak memory in MB) of a command, run in a helper process of its own."""
    helper = [sys.executable, __file__, "--mesure", json.dumps(command)]
    done = subprocess.run(helper, cwd=ROOT, capture_output=True, text=True, check=True)
    wall, peak = json.loads(done.stdout.splitlines()[-1])
    return wall, peak


def measure(command: list[str]) -> None:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(done.stderr)
    print(json.dumps([wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024]))


def simulation(folder: Path, population: Path | None, count: int) -> None:
    if population is None:
        from generate import generate

        population = folder / "population.parquet"
        generate(count, seed=7).write_parquet(population)
    figures = {}
    for engine in ("defaut", "duckdb"):
        command = [
            sys.executable,
            "-m",
            "interpreter.cli",
            "simulate",
            str(PROPOSAL),
            str(population),
            "-o",
            str(folder / f"{engine}.csv"),
            "--moteur",
            engine,
        ]
        runs = [measured(command) for _ in range(3)]
        figures[engine] = min(runs)
        wall, peak = figures[engine]
        print(
            f"2. simulate --moteur {engine} sur {population.name} : {wall:.2f} s de bout en bout (meilleur de 3), "
            f"mémoire de pointe {peak:,.0f} Mo"
        )
    ratio = figures["duckdb"][0] / figures["defaut"][0]
    same = filecmp.cmp(folder / "defaut.csv", folder / "duckdb.csv", shallow=False)
    print(
        f"   duckdb / défaut : {ratio:.2f} fois le temps, {figures['duckdb'][1] / figures['defaut'][1]:.2f} fois la "
        f"mémoire ; mêmes résultats octet pour octet : {'oui' if same else 'NON'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--structures", type=int, default=1_000_000)
    parser.add_argument("--population", type=Path, help="a Parquet population (default: generated)")
    parser.add_argument("--mesure", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.mesure:
        measure(json.loads(arguments.mesure))
        return
    generation()
    with tempfile.TemporaryDirectory() as folder:
        simulation(Path(folder), arguments.population, arguments.structures)


if __name__ == "__main__":
    main()
