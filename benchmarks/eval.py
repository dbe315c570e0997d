"""Benchmark: structures evaluated per second, one at a time, on Avenant 1.

Two sets of structures: the example population (`examples/population/population.csv`, 95 %
eligible, as real MSPs are) and varied random structures (seeded, fewer eligible). Prints
structures per second for evaluating Avenant 1 with explanations and without, on one core.
Target: at least 25,000 structures per second with explanations on the example population.
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
from interpreter.backends.scalar import compile_model, evaluate  # noqa: E402


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


def example_population(model) -> list[dict]:
    """The example population's structures, as the scalar backend reads them."""
    from interpreter.io.tables import read_population

    path = ROOT / "examples" / "population" / "population.csv"
    population = read_population(str(path), model, other_columns=frozenset(_columns(path)))
    inputs = population.exact_inputs(model)
    return [inputs(i) for i in range(population.size)]


def _columns(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").split("\n", 1)[0].split(",")


def measure(program, structures: list[dict], name: str) -> None:
    rate(program, structures[:1000], True)  # warm-up
    with_explanations = max(rate(program, structures, True) for _ in range(3))
    without = max(rate(program, structures, False) for _ in range(3))
    eligible = 100 * sum(evaluate(program, s, explain=False).eligible for s in structures) / len(structures)
    print(f"{name} : {len(structures):,} structures ({eligible:.0f} % éligibles)")
    print(f"  avec explications : {with_explanations:10,.0f} structures/s (objectif ≥ 25 000)")
    print(f"  sans explications : {without:10,.0f} structures/s")


def main(count: int = 20_000) -> None:
    model = check_file(str(ROOT / "conventions" / "aci-msp-avenant-1.conv")).model
    program = compile_model(model)
    print(f"Avenant 1 : {len(model.criteres)} critères, {len(model.donnees)} données")
    measure(program, example_population(model), "population d'exemple")
    rng = random.Random(2026)
    measure(program, [random_structure(model, rng) for _ in range(count)], "structures aléatoires")


if __name__ == "__main__":
    main()
