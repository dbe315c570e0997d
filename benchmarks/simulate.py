"""Benchmark: `convcheck simulate` against the exact polars program an analyst writes, side by side.

For each size (100 k, 1 M, 5 M structures of the example generator) and each format (Parquet, CSV),
whole processes, median of 3 runs (the two programs' runs alternating): `convcheck simulate` of Avenant 1 and
`benchmarks/avenant1_polars.py` (one lazy polars query, exact Int64 cents: it matches convcheck to the
cent on every structure and every line — checked here on the first size, and in the test suite). Prints
the time of each, the ratio, the time per structure and the peak memory of each process and its ratio;
with `--duckdb`, also `convcheck simulate --moteur duckdb` and its ratio to the default engine.

Both run with bytecode caching on, after one warm-up run each (convcheck's caches of the grammar and of
checked versions are then warm, as for an analyst who runs a version more than once; the file is in the
page cache for both). The machine's load (`os.getloadavg`) is printed with each line: figures taken
while other processes run are not comparable.

Targets on this 2-core machine: ≤ 1.2 × the polars program at 1 M and 5 M from Parquet, ≤ 1.5 × from
CSV, ≤ 1.5 × at 100 k (start-up included); peak memory ≤ 1.5 × the program's.

    python benchmarks/simulate.py [--sizes 100000,1000000,5000000] [--runs 3] [--formats parquet,csv]
                                  [--duckdb] [--dossier FOLDER] [--racine CHECKOUT] [--avant CHECKOUT]

`--dossier` keeps the generated populations in FOLDER and reuses them (the 5 M CSV file takes minutes to write);
`--racine` measures the convcheck of another checkout (its own `.venv`) instead of this one; `--avant` measures
another checkout's too, in the same alternating runs, and prints its time and its ratio to the polars program: a
before/after table from one run.
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

ROOT = Path(__file__).resolve().parent.parent
AVENANT_1 = ROOT / "conventions" / "aci-msp-avenant-1.conv"
POLARS = ROOT / "benchmarks" / "avenant1_polars.py"


def run(command: list[str], cwd: Path) -> tuple[float, float]:
    """Wall time (s) and peak resident memory (MiB) of one process (run in `cwd`: `python -m interpreter.cli` runs
    the convcheck of the checkout it is run in)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}  # as an installed tool runs
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    assert process.returncode == 0, process.stderr.read().decode()
    return wall, usage.ru_maxrss / 1024


def measured(commands: list[tuple[list[str], Path]], runs: int) -> list[tuple[float, float]]:
    """Each command's (and its folder's) median wall time and largest peak memory over `runs` runs, after a warm-up
    run each; the commands' runs alternate (a, b, a, b…), so that a burst of load on this shared machine weighs on
    all alike."""
    for command, cwd in commands:
        run(command, cwd)  # warm: bytecode, the grammar's and the checked version's caches, the file in the page cache
    results: list[list[tuple[float, float]]] = [[] for _ in commands]
    for _ in range(runs):
        for (command, cwd), found in zip(commands, results, strict=True):
            found.append(run(command, cwd))
    return [(statistics.median(r[0] for r in found), max(r[1] for r in found)) for found in results]


CHECKOUT = {"root": ROOT, "python": sys.executable}  # whose convcheck is measured (`--racine`: another checkout's)


def ours(path: Path, engine: str = "defaut", checkout: dict | None = None) -> list[str]:
    checkout = checkout or CHECKOUT
    convention = checkout["root"] / AVENANT_1.relative_to(ROOT)
    return [checkout["python"], "-m", "interpreter.cli", "simulate", str(convention), str(path), "--moteur", engine]


def other(root: str) -> dict:
    """Another checkout, run with its own `.venv`."""
    resolved = Path(root).resolve()
    return {"root": resolved, "python": str(resolved / ".venv" / "bin" / "python")}


def polars_program(path: Path) -> list[str]:
    return [sys.executable, str(POLARS), str(path)]


def write(folder: Path, size: int, kind: str) -> Path:
    """The population (reused when the folder holds it), written by a process of its own: this one stays small,
    so that the peak memory of the processes it starts is theirs."""
    path = folder / f"population-{size}.{kind}"
    if not path.exists():
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "examples" / "population" / "generate.py"),
                "--structures",
                str(size),
                "--seed",
                "7",
                "-o",
                str(path),
            ],
            check=True,
            capture_output=True,
        )
    return path


def same_cents(path: Path, folder: Path) -> None:
    """The polars program and convcheck give the same cents for every structure and every line (compared by
    a process of its own: this one never imports polars)."""
    lines, results = folder / "lignes.parquet", folder / "resultats.parquet"
    subprocess.run([*polars_program(path), "--lines", str(lines)], check=True, capture_output=True)
    subprocess.run([*ours(path), "-o", str(results)], check=True, capture_output=True, cwd=CHECKOUT["root"])
    subprocess.run([sys.executable, str(POLARS), "--compare", str(lines), str(results)], check=True)


def load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000,5000000")
    parser.add_argument("--formats", default="parquet,csv")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--duckdb", action="store_true", help="also time `--moteur duckdb`")
    parser.add_argument("--dossier", help="keep the populations in this folder, and reuse them")
    parser.add_argument("--racine", help="measure the convcheck of another checkout (with its .venv): before/after")
    parser.add_argument("--avant", help="also measure, in the same alternating runs, another checkout's convcheck")
    arguments = parser.parse_args()
    if arguments.racine:
        CHECKOUT.update(other(arguments.racine))
    before = other(arguments.avant) if arguments.avant else None
    sizes = [int(s) for s in arguments.sizes.split(",")]
    print(
        f"{'structures':>10}  {'format':7}  {'convcheck':>9}  {'polars':>7}  {'rapport':>7}  {'µs/structure':>12}  "
        f"{'mémoire convcheck':>17}  {'mémoire polars':>14}  {'rapport':>7}"
        + (f"  {'duckdb':>7}  {'duckdb/défaut':>13}" if arguments.duckdb else "")
        + (f"  {'avant':>7}  {'rapport avant':>13}" if before else "")
        + "  charge (1/5/15 min)"
    )
    with tempfile.TemporaryDirectory() as name:
        folder = Path(arguments.dossier or name)
        folder.mkdir(parents=True, exist_ok=True)
        checked = bool(arguments.racine)  # another checkout (an older version of Avenant 1, maybe): measured only
        for kind in arguments.formats.split(","):
            for size in sizes:
                path = write(folder, size, kind)
                if not checked:
                    same_cents(path, folder)
                    checked = True
                here = CHECKOUT["root"]
                commands = [
                    (ours(path), here),
                    (polars_program(path), here),
                    *([(ours(path, "duckdb"), here)] if arguments.duckdb else []),
                    *([(ours(path, checkout=before), before["root"])] if before else []),
                ]
                (mine, my_memory), (theirs, their_memory), *more = measured(commands, arguments.runs)
                line = (
                    f"{size:>10,}  {kind:7}  {mine:>8.2f}s  {theirs:>6.2f}s  {mine / theirs:>6.2f}×  "
                    f"{mine / size * 1e6:>12.2f}  {my_memory:>13,.0f} Mio  {their_memory:>10,.0f} Mio  "
                    f"{my_memory / their_memory:>6.2f}×"
                )
                if arguments.duckdb:
                    duck = more.pop(0)[0]
                    line += f"  {duck:>6.2f}s  {duck / mine:>12.2f}×"
                if before:
                    earlier = more.pop(0)[0]
                    line += f"  {earlier:>6.2f}s  {earlier / theirs:>12.2f}×"
                print(f"{line}  {load()}", flush=True)
                if not arguments.dossier:
                    path.unlink()
    print(
        "Objectifs : ≤ 1,2 × le programme polars à 1 M et 5 M en Parquet, ≤ 1,5 × en CSV, ≤ 1,5 × à 100 k ; "
        "mémoire ≤ 1,5 ×. Les deux programmes donnent les mêmes centimes, structure par structure et ligne par "
        "ligne (vérifié sur la première taille)."
    )


if __name__ == "__main__":
    main()
