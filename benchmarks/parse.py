"""Benchmark: `convcheck check` against bare Lark LALR on the same grammar and file, whole processes.

For generated conventions of about 10 k, 20 k and 50 k lines: the wall time (median of several
runs) of `convcheck check FILE` and of `benchmarks/bare_lark.py FILE` — Lark LALR with its default
options (contextual lexer, no positions, the grammar cached on disk as convcheck's is) — and, to be
honest about what convcheck needs, of the same with positions (`propagate_positions`). Prints each
ratio (Lark's time / convcheck's) and the time per line, to see that checking is linear.

Targets: ratio ≥ 0.5 against bare Lark at 10 k lines; linear up to 50 k lines.
Processes run with bytecode caching on (PYTHONDONTWRITEBYTECODE unset), as an installed tool does.

    python benchmarks/parse.py [--runs 5]
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


DONNEES = 200


def generate(criteres: int = 1_500) -> str:
    """A convention with `criteres` critères spread over the three sections and some briques."""
    lines = [
        'convention grande "Convention générée pour le banc d\'essai"',
        'version : "bench"',
        "",
        "paramètres {",
        "  valeur_point = 7 €",
        "  patientele_reference = 4000",
        "}",
        "",
        "données {",
        '  patientele : entier entre 0 et 100_000 "Patientèle"',
    ]
    lines += [f'  d{i} : entier entre 0 et 50 "Donnée {i}"' for i in range(DONNEES)]
    lines += [f'  b{i} : booléen "Booléen {i}"' for i in range(DONNEES)]
    lines += ["}", ""]
    sections = ["prérequis", "socle", "options"]
    per_section = criteres // 3
    for s, section in enumerate(sections):
        lines.append(f"{section} {{")
        for i in range(s * per_section, (s + 1) * per_section):
            lines += [
                f'  critère c{i} "Critère numéro {i}" {{',
                "    axe : acces_aux_soins",
                f'    référence : "Art. {i}"',
                f"    condition : d{i % DONNEES} >= 2 et b{i % DONNEES} ou (d{i % DONNEES} dans (1, 3, 5) et non b{i % DONNEES})",
                f"    points fixes : 100 * min(d{i % DONNEES}, 8) + (si b{i % DONNEES} alors 40 sinon 0)",
                "    points variables : 1_100",
                "  }",
            ]
        lines += ["}", ""]
    return "\n".join(lines) + "\n"


def median_time(command: list[str], runs: int) -> float:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run(command, capture_output=True, cwd=ROOT, env=env)  # warm caches (bytecode, grammar)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, cwd=ROOT, env=env)
        times.append(time.perf_counter() - start)
        assert done.returncode == 0, done.stdout + done.stderr
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    arguments = parser.parse_args()
    bare = [sys.executable, str(ROOT / "benchmarks" / "bare_lark.py")]
    print(
        f"{'lignes':>7}  {'convcheck check':>15}  {'Lark seul':>9}  {'rapport':>7}  {'Lark + positions':>16}  "
        f"{'rapport':>7}  {'µs/ligne':>8}"
    )
    with tempfile.TemporaryDirectory() as folder:
        for criteres in (1_500, 3_000, 7_500):
            text = generate(criteres)
            lines = text.count("\n")
            path = Path(folder) / f"grande-{lines}.conv"
            path.write_text(text, encoding="utf-8")
            ours = median_time([sys.executable, "-m", "interpreter.cli", "check", str(path)], arguments.runs)
            floor = median_time([*bare, str(path)], arguments.runs)
            positions = median_time([*bare, str(path), "--positions"], arguments.runs)
            print(
                f"{lines:>7,}  {ours:>14.2f}s  {floor:>8.2f}s  {floor / ours:>7.2f}  {positions:>15.2f}s  "
                f"{positions / ours:>7.2f}  {ours / lines * 1e6:>8.0f}",
                flush=True,
            )
    print("Objectifs : rapport au Lark seul ≥ 0,5 à 10 000 lignes ; temps par ligne constant jusqu'à 50 000 lignes.")


if __name__ == "__main__":
    main()
