"""Benchmark: `check`, `sql` and `diff` as the number of critères grows — all three must stay linear.

A convention of N critères (a donnée per ten critères, points fixes, some points variables, a cas) and an
avenant of it that changes one critère in ten are generated; for N = 1 000, 5 000 and 10 000 (by default), it
prints the time of:

- `check` of the convention (parse, consolidate, check);
- `sql`: the query for DuckDB, generated and rendered (what `convcheck sql --dialecte duckdb` writes);
- `diff` of the convention and its avenant (matching, field-by-field changes, amounts at the maximal
  structure) — the report the CLI renders included;

each in the same process, after the convention is loaded (`check` excepted), best of `--repetitions`. Linear means
the time per critère stays flat from one size to the next (the last column). Before they were made linear,
`sql` took 43 s for 1 000 critères and more than 300 s for 5 000, and `diff` 87 s for 10 000 (now 3.4 / 19 / 35 s
and 0.3 / 1.3 / 3.2 s at 1 000 / 5 000 / 10 000 on a 2-core machine shared with other work).

    python benchmarks/criteres.py [--tailles 1000,5000,10000] [--repetitions 1]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def convention(size: int) -> str:
    """The text of a convention of `size` critères."""
    donnees = max(1, size // 10)
    lines = [
        'convention grande "Convention de nombreux critères"',
        'version : "1"',
        "",
        "paramètres {",
        "  valeur_point = 7 €",
        "  patientele_reference = 4_000",
        "}",
        "",
        "données {",
        '  patientele : entier entre 0 et 200_000 "Patientèle"',
    ]
    lines += [f'  d{i} : entier entre 0 et 100 "Donnée {i}"' for i in range(donnees)]
    lines += ["}", "", "socle {"]
    for i in range(size):
        points = f"points variables : {i % 7 + 1}" if i % 5 == 0 else f"points fixes : {i % 13 + 1}"
        lines += [
            f'  critère c{i} "Critère {i}" {{',
            f"    condition : d{i % donnees} >= {i % 50}",
            f"    {points}",
            "  }",
        ]
    lines += ["}", "", 'cas exemple "Un exemple" {', "  données {", "    patientele = 4_000"]
    lines += [f"    d{i} = {i % 100}" for i in range(donnees)]
    lines += ["  }", "  attendu {", "    éligible = vrai", "  }", "}", ""]
    return "\n".join(lines)


def avenant(size: int) -> str:
    """An avenant of the convention that changes one critère in ten."""
    lines = ['avenant grande_v2 "Avenant"', 'version : "2"', 'base : "grande.conv"', ""]
    for i in range(0, size, 10):
        lines += [f"modifie critère c{i} {{", f"  points fixes : {i % 11 + 2}", "}"]
    return "\n".join(lines) + "\n"


def best(action, repetitions: int) -> float:
    fastest = float("inf")
    for _ in range(repetitions):
        start = time.perf_counter()
        action()
        fastest = min(fastest, time.perf_counter() - start)
    return fastest


def measure(size: int, folder: Path, repetitions: int) -> dict[str, float]:
    from interpreter import api
    from interpreter.report.diff import diff_document
    from interpreter.report.document import render_text

    (folder / "grande.conv").write_text(convention(size), encoding="utf-8")
    (folder / "grande-v2.conv").write_text(avenant(size), encoding="utf-8")
    figures = {"check": best(lambda: api.check_version(str(folder / "grande.conv")), repetitions)}
    old, new = api.load(folder / "grande.conv"), api.load(folder / "grande-v2.conv")
    figures["sql"] = best(lambda: old.sql("duckdb"), repetitions)
    figures["diff"] = best(lambda: render_text(diff_document(api.diff(old, new), None, None, [])), repetitions)
    return figures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tailles", default="1000,5000,10000")
    parser.add_argument("--repetitions", type=int, default=1)
    arguments = parser.parse_args(argv)
    sizes = [int(size) for size in arguments.tailles.split(",")]
    print(f"{'critères':>9}  {'check':>8}  {'sql':>8}  {'diff':>8}  {'µs par critère (check / sql / diff)':>36}")
    with tempfile.TemporaryDirectory() as folder:
        for size in sizes:
            figures = measure(size, Path(folder), arguments.repetitions)
            per = " / ".join(f"{figures[k] / size * 1e6:,.0f}" for k in ("check", "sql", "diff"))
            print(
                f"{size:>9,}  {figures['check']:>7.2f}s  {figures['sql']:>7.2f}s  {figures['diff']:>7.2f}s  {per:>36}".replace(
                    ",", "\u202f"
                )
            )


if __name__ == "__main__":
    main()
