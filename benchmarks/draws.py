"""Benchmark: repeated draws (`--tirages N`), against the target of 1,000 draws × 2,300 structures ≤ 5 s.

Prints, on this machine:
1. the draws themselves, in process (the population read and the versions loaded beforehand): 1,000 draws of
   the avenant 3 scénario (`tirage(40 %)`) on the example population, for one version (`simulate`) and for
   the diff of two (`diff --population`);
2. the same, whole processes (`convcheck simulate … --tirages 1000`, `convcheck diff … --tirages 1000`),
   start-up, reading and report included;
3. what N simulations would cost: one simulation of the population, times N.

    python benchmarks/draws.py [--runs 3] [--draws 1000]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from interpreter import api  # noqa: E402
from interpreter.backends import vector  # noqa: E402
from interpreter.compare import draws as d  # noqa: E402

AV2 = ROOT / "conventions" / "aci-msp-avenant-2-france-sante.conv"
AV3 = ROOT / "examples" / "avenant-3" / "aci-msp-avenant-3.conv"
COMITE = ROOT / "examples" / "avenant-3" / "comite-usagers.conv"
POPULATION = ROOT / "examples" / "population" / "population.csv"


def median_time(run, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def process(arguments: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "interpreter.cli", *arguments], capture_output=True, text=True, cwd=ROOT
    )
    assert done.returncode == 0, done.stdout + done.stderr


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--draws", type=int, default=1000)
    arguments = parser.parse_args(argv)
    runs, count = arguments.runs, arguments.draws
    old, new = api.load_pair(str(AV2), str(AV3), [str(COMITE)])
    before, after = api.read_once(str(POPULATION), old, new)
    size = after.size

    def one_version():
        d.simulation_draws(d.Draws(new.program, after, count, seed=1))

    def two_versions():
        d.impact_draws(d.Draws(old.program, before, count, 1), d.Draws(new.program, after, count, 1))

    print(f"{count} tirages × {size} structures (médiane de {runs} essais), cible ≤ 5 s :")
    print(f"  une version (simulate), tirages seuls      : {median_time(one_version, runs):.2f} s")
    print(f"  deux versions (diff), tirages seuls        : {median_time(two_versions, runs):.2f} s")
    common = ["--population", str(POPULATION), "--scenario", str(COMITE), "--tirages", str(count)]
    simulate = ["simulate", str(AV3), str(POPULATION), "--scenario", str(COMITE), "--tirages", str(count)]
    print(f"  convcheck simulate --tirages, processus    : {median_time(lambda: process(simulate), runs):.2f} s")
    print(
        f"  convcheck diff --tirages, processus        : "
        f"{median_time(lambda: process(['diff', str(AV2), str(AV3), *common]), runs):.2f} s"
    )
    once = median_time(lambda: vector.simulate(new.program, after), runs)
    print(f"  pour comparer, {count} simulations entières : {once * count:.1f} s ({once * 1000:.1f} ms chacune)")


if __name__ == "__main__":
    main()
