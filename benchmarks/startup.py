"""Benchmark: how long convcheck takes to start, command by command, and what its imports cost.

For each command (`--help`, `check` of a small file and of Avenant 1, `simulate` of the 2,300 structures of
the example population), whole processes, median of several runs after a warm-up run (bytecode and the
checked versions' cache warm, as for an installed tool run a second time). Then, from
`python -X importtime`, the import time of each command summed by package (self times: the sum is the
command's whole import time), largest first.

Targets on this 2-core machine: `convcheck --help` ≤ 0.15 s, `convcheck check` of a small file ≤ 0.25 s.

    python benchmarks/startup.py [--runs 5] [--top 6] [--racine CHECKOUT]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = {
    "--help": ["--help"],
    "check (19 lignes)": ["check", "examples/faute-de-frappe.conv"],
    "check (Avenant 1)": ["check", "conventions/aci-msp-avenant-1.conv"],
    "simulate (2 300)": ["simulate", "conventions/aci-msp-avenant-1.conv", "examples/population/population.csv"],
}
TARGETS = {"--help": 0.15, "check (19 lignes)": 0.25}
IMPORT_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \| ( *)(\S+)")


CHECKOUT = {"root": ROOT, "python": sys.executable}  # whose convcheck is measured (`--racine`: another checkout's)


def convcheck(args: list[str], *options: str) -> list[str]:
    return [CHECKOUT["python"], *options, "-m", "interpreter.cli", *args]


def wall(command: list[str]) -> float:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}  # as an installed tool runs
    start = time.perf_counter()
    subprocess.run(command, cwd=CHECKOUT["root"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def timed(args: list[str], runs: int) -> float:
    wall(convcheck(args))  # warm-up
    return statistics.median(wall(convcheck(args)) for _ in range(runs))


def import_costs(args: list[str]) -> Counter:
    """Seconds of import, by package (the first part of the module's name), from `-X importtime`."""
    found = subprocess.run(
        convcheck(args, "-X", "importtime"), cwd=CHECKOUT["root"], capture_output=True, text=True
    ).stderr
    costs: Counter = Counter()
    for match in IMPORT_LINE.finditer(found):
        costs[match.group(4).split(".")[0]] += int(match.group(1)) / 1e6
    return costs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--top", type=int, default=6)
    parser.add_argument("--racine", help="measure the convcheck of another checkout (with its .venv): before/after")
    arguments = parser.parse_args()
    if arguments.racine:
        root = Path(arguments.racine).resolve()
        CHECKOUT.update(root=root, python=str(root / ".venv" / "bin" / "python"))
    print(f"charge (1/5/15 min) : {'/'.join(f'{x:.1f}' for x in os.getloadavg())}")
    for name, args in COMMANDS.items():
        seconds = timed(args, arguments.runs)
        target = f"  (objectif ≤ {TARGETS[name]:.2f} s)" if name in TARGETS else ""
        costs = import_costs(args)
        print(f"{name:20} {seconds:6.3f} s{target}")
        top = ", ".join(f"{package} {cost * 1000:.0f} ms" for package, cost in costs.most_common(arguments.top))
        print(f"{'':20} imports {sum(costs.values()) * 1000:.0f} ms : {top}")


if __name__ == "__main__":
    main()
