"""Benchmark: parsing and checking a generated convention of about 10,000 lines.

Prints lines per second for a bare Lark LALR parse with our grammar, for our parse
(Lark tree → AST), and for parse + check; then the wall time of
`convcheck check conventions/*.conv` in a fresh process (start-up included).
Target: parse + check at least one third of the bare Lark figure; the command under 0.5 s.
"""

from __future__ import annotations

import glob
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dsl.checker import check  # noqa: E402
from dsl.parser import lark_parser, parse_text  # noqa: E402


DONNEES = 200


def generate(criteres: int = 1_500) -> str:
    """A convention with `criteres` critères spread over the three sections and some briques."""
    lines = ['convention grande "Convention générée pour le banc d\'essai"', 'version : "bench"', "",
             "paramètres {", "  valeur_point = 7 €", "  patientele_reference = 4000", "}", "", "données {",
             '  patientele : entier entre 0 et 100_000 "Patientèle"']
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


def best_of(function, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    text = generate()
    lines = text.count("\n")
    parser = lark_parser()
    bare = best_of(lambda: parser.parse(text, start="start"))
    ours = best_of(lambda: parse_text(text))
    tree = parse_text(text).file

    def parse_and_check():
        model, diagnostics = check(parse_text(text).file)
        assert not any(d.is_error for d in diagnostics), diagnostics[:3]

    full = best_of(parse_and_check)
    print(f"convention générée : {lines} lignes, {text.count('critère ')} critères")
    print(f"Lark LALR seul         : {lines / bare:10,.0f} lignes/s ({bare * 1000:7.1f} ms)")
    print(f"analyse (arbre → AST)  : {lines / ours:10,.0f} lignes/s ({ours * 1000:7.1f} ms)")
    print(f"analyse + vérification : {lines / full:10,.0f} lignes/s ({full * 1000:7.1f} ms)")
    print(f"rapport analyse+vérif. / Lark seul : {bare / full:.2f} (objectif ≥ 0,33)")
    assert tree is not None

    files = sorted(glob.glob(str(ROOT / "conventions" / "*.conv")))
    command = [sys.executable, "-m", "interpreter.cli", "check", *files]
    subprocess.run(command, capture_output=True, cwd=ROOT)  # warm the Lark cache
    wall = best_of(lambda: subprocess.run(command, capture_output=True, cwd=ROOT), repeat=5)
    print(f"convcheck check conventions/*.conv : {wall * 1000:.0f} ms, démarrage compris (objectif < 500 ms)")


if __name__ == "__main__":
    main()
