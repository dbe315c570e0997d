"""Benchmark: structures evaluated per second, one at a time, on Avenant 1.

Generates varied structures (seeded), then prints structures per second for evaluating
Avenant 1 with explanations and without, on one core. Target: at least 5,000 structures
per second with explanations.
"""

from __future__ import annotations

import random
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dsl.driver import check_file  # noqa: E402
from interpreter.backends.scalar import compile_model  # noqa: E402
from interpreter.backends.scalar import evaluate  # noqa: E402


def random_structure(model, rng: random.Random) -> dict:
    """Valid données for every donnée of the model, most engagements met."""
    values = {}
    for id, donnee in model.donnees.items():
        kind = donnee.type.kind
        if kind == "booleen":
            values[id] = rng.random() < 0.8
        elif kind == "choix":
            values[id] = rng.choice(donnee.type.choices)
        elif kind == "pourcentage":
            values[id] = Decimal(rng.randint(0, 100)) / 100
        else:
            low = int(donnee.low if donnee.low is not None else 0)
            high = int(min(donnee.high if donnee.high is not None else 10_000, 12_000))
            values[id] = Decimal(rng.randint(low, high))
    return values


def rate(program, structures, explain: bool) -> float:
    start = time.perf_counter()
    for donnees in structures:
        evaluate(program, donnees, explain=explain)
    return len(structures) / (time.perf_counter() - start)


def main(count: int = 20_000) -> None:
    model = check_file(str(ROOT / "conventions" / "aci-msp-avenant-1.conv")).model
    program = compile_model(model)
    rng = random.Random(2026)
    structures = [random_structure(model, rng) for _ in range(count)]
    rate(program, structures[:1000], True)  # warm-up
    with_explanations = max(rate(program, structures, True) for _ in range(2))
    without = max(rate(program, structures, False) for _ in range(2))
    eligible = sum(evaluate(program, s, explain=False).eligible for s in structures[:2000]) / 20
    print(f"Avenant 1 : {len(model.criteres)} critères, {len(model.donnees)} données, {count} structures "
          f"({eligible:.0f} % éligibles)")
    print(f"avec explications : {with_explanations:10,.0f} structures/s (objectif ≥ 5 000)")
    print(f"sans explications : {without:10,.0f} structures/s")


if __name__ == "__main__":
    main()
