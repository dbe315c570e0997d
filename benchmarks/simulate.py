"""Benchmark: `convcheck simulate` against an exact program written by hand, side by side.

For each size (10 k, 100 k, 1 M, 5 M structures of the example generator) and each format (Parquet,
CSV), whole processes, median of several runs: `convcheck simulate` of Avenant 1 and
`benchmarks/avenant1_by_hand.py` (polars + numpy, exact integers: it matches convcheck to the cent
on every structure — checked here on the smallest size). Prints the time of each, the ratio, the
time per structure and the peak memory of each process.

Both run with bytecode caching on, after one warm-up run each (convcheck's caches of the grammar
and of checked versions are then warm, as for an analyst who runs a version more than once).

Targets on this 2-core machine: ≤ 1.5 × the hand-written program at 100 k, 1 M and 5 M from
Parquet, ≤ 2 × from CSV; peak memory ≤ 1 GB at 1 M and ≤ 2.5 GB at 5 M.

    python benchmarks/simulate.py [--sizes 10000,100000,1000000,5000000] [--runs 3] [--formats parquet,csv]
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
AVENANT_1 = ROOT / "conventions" / "aci-msp-avenant-1.conv"
BY_HAND = ROOT / "benchmarks" / "avenant1_by_hand.py"


def run(command: list[str]) -> tuple[float, float]:
    """Wall time (s) and peak resident memory (MiB) of one process."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}  # as an installed tool runs
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    assert process.returncode == 0, process.stderr.read().decode()
    return wall, usage.ru_maxrss / 1024


def measured(command: list[str], runs: int) -> tuple[float, float]:
    run(command)  # warm: bytecode, the grammar's and the checked version's caches, the file in the page cache
    results = [run(command) for _ in range(runs)]
    return statistics.median(r[0] for r in results), max(r[1] for r in results)


def ours(path: Path) -> list[str]:
    return [sys.executable, "-m", "interpreter.cli", "simulate", str(AVENANT_1), str(path)]


def by_hand(path: Path) -> list[str]:
    return [sys.executable, str(BY_HAND), str(path)]


def write(folder: Path, size: int, kind: str) -> Path:
    """The population, written by a process of its own: this one stays small, so that the peak memory
    of the processes it starts is theirs (a fork copies its parent's pages)."""
    path = folder / f"population-{size}.{kind}"
    subprocess.run([sys.executable, str(ROOT / "examples" / "population" / "generate.py"), "--structures", str(size),
                    "--seed", "7", "-o", str(path)], check=True, capture_output=True)
    return path


def same_totals(path: Path, folder: Path) -> bool:
    """The hand-written program and convcheck give the same total, to the cent, for every structure."""
    import polars as pl

    subprocess.run([sys.executable, str(BY_HAND), str(path), "--totals", str(folder / "totaux.npy")], check=True,
                   capture_output=True, cwd=ROOT)
    subprocess.run([*ours(path), "-o", str(folder / "resultats.parquet")], check=True, capture_output=True, cwd=ROOT)
    mine = (pl.read_parquet(folder / "resultats.parquet")["total"] * 100).cast(pl.Int64).to_numpy()
    return bool(np.array_equal(mine, np.load(folder / "totaux.npy")))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000,5000000")
    parser.add_argument("--formats", default="parquet,csv")
    parser.add_argument("--runs", type=int, default=3)
    arguments = parser.parse_args()
    sizes = [int(s) for s in arguments.sizes.split(",")]
    print(f"{'structures':>10}  {'format':7}  {'convcheck':>9}  {'à la main':>9}  {'rapport':>7}  "
          f"{'µs/structure':>12}  {'mémoire convcheck':>17}  {'mémoire à la main':>17}")
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        for kind in arguments.formats.split(","):
            for size in sizes:
                path = write(folder, size, kind)
                if size == sizes[0]:
                    assert same_totals(path, folder), "the hand-written program and convcheck disagree"
                mine, my_memory = measured(ours(path), arguments.runs)
                theirs, their_memory = measured(by_hand(path), arguments.runs)
                print(f"{size:>10,}  {kind:7}  {mine:>8.2f}s  {theirs:>8.2f}s  {mine / theirs:>6.2f}×  "
                      f"{mine / size * 1e6:>12.2f}  {my_memory:>13,.0f} Mio  {their_memory:>13,.0f} Mio", flush=True)
                path.unlink()
    print("Objectifs : ≤ 1,5 × en Parquet (100 k, 1 M, 5 M), ≤ 2 × en CSV ; ≤ 1 Go à 1 M, ≤ 2,5 Go à 5 M. "
          "Les deux programmes donnent les mêmes totaux au centime (vérifié sur la plus petite taille).")


if __name__ == "__main__":
    main()
