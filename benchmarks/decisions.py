"""Benchmark: decisions, whole processes (`convcheck …` started afresh, median of several runs).

Prints, with the targets of this 2-core machine:
1. `calibre` of Avenant 1's valeur_point to the France Santé proposal's budget, on the example
   population (2,300 structures) — ≤ 3 s;
2. a 200-value `balaye` on the example population — ≤ 10 s;
3. a 20-value `balaye` on 100,000 structures — ≤ 20 s;
4. `simulate` of Avenant 1 on 1,000,000 structures from Parquet, without and with a scenario of
   three données lines — the scenario adds ≤ 25 %.

    python benchmarks/decisions.py [--runs 3] [--large 1000000]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "examples" / "population"))

from generate import generate  # noqa: E402

A1 = ROOT / "conventions" / "aci-msp-avenant-1.conv"
A2 = ROOT / "conventions" / "aci-msp-avenant-2-france-sante.conv"
POPULATION = ROOT / "examples" / "population" / "population.csv"
SCENARIO = """scénario trois_lignes "Trois hypothèses"
données {
  nb_protocoles = si tirage(40 %) alors min(nb_protocoles + 2, 100) sinon nb_protocoles
  samedi_matin = samedi_matin ou amplitude_quotidienne >= 12
  ipa = ipa ou tirage(10 %)
}
"""


def timed(arguments: list[str], runs: int) -> float:
    """Median wall time of a whole `convcheck` process."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "interpreter.cli", *arguments], capture_output=True, text=True, cwd=ROOT
        )
        times.append(time.perf_counter() - start)
        assert done.returncode == 0, done.stdout + done.stderr
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--large", type=int, default=1_000_000)
    arguments = parser.parse_args()
    runs = arguments.runs
    seconds = timed(
        ["calibre", str(A1), "--population", str(POPULATION), "--parametre", "valeur_point", "--budget-de", str(A2)],
        runs,
    )
    print(f"1. calibre sur la population d'exemple : {seconds:.2f} s (objectif ≤ 3 s)")
    seconds = timed(
        [
            "balaye",
            str(A1),
            "--population",
            str(POPULATION),
            "--parametre",
            "valeur_point",
            "--de",
            "6",
            "--a",
            "7.99",
            "--pas",
            "0.01",
            "--reference",
            str(A2),
        ],
        runs,
    )
    print(f"2. balaye de 200 valeurs sur la population d'exemple : {seconds:.2f} s (objectif ≤ 10 s)")
    with tempfile.TemporaryDirectory() as folder:
        hundred = Path(folder) / "cent-mille.parquet"
        generate(100_000, seed=5).write_parquet(hundred)
        seconds = timed(
            [
                "balaye",
                str(A1),
                "--population",
                str(hundred),
                "--parametre",
                "valeur_point",
                "--de",
                "7",
                "--a",
                "7.95",
                "--pas",
                "0.05",
            ],
            runs,
        )
        print(f"3. balaye de 20 valeurs sur 100 000 structures : {seconds:.2f} s (objectif ≤ 20 s)")
        large = Path(folder) / "grande.parquet"
        generate(arguments.large, seed=13).write_parquet(large)
        scenario = Path(folder) / "trois-lignes.conv"
        scenario.write_text(SCENARIO, encoding="utf-8")
        plain = timed(["simulate", str(A1), str(large)], runs)
        with_scenario = timed(["simulate", str(A1), str(large), "--scenario", str(scenario)], runs)
        print(
            f"4. simulate de {arguments.large:,} structures : {plain:.2f} s sans scénario, {with_scenario:.2f} s avec "
            f"un scénario de trois lignes, soit +{(with_scenario / plain - 1) * 100:.0f} % (objectif ≤ +25 %)"
        )


if __name__ == "__main__":
    main()
