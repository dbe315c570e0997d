"""Benchmark: vectorised simulation of populations.

Prints three figures (targets on a 2-core machine):
1. `convcheck simulate` of Avenant 1 on 1,000,000 structures read from Parquet, in a fresh
   process: wall time (reading and writing included) and peak memory — ≤ 5 s, ≤ 2 GB;
2. the vectorised evaluator against the per-structure evaluator on 20,000 structures —
   at least 100 times faster;
3. the vectorised evaluator against a hand-written numpy implementation of the same
   convention (float64, rounded per line: what one would write by hand) — at most 2 times
   its time.

    python benchmarks/simulate.py [--structures 1000000]
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "examples" / "population"))

from dsl.driver import check_file  # noqa: E402
from generate import generate  # noqa: E402
from interpreter.backends.scalar import compile_model  # noqa: E402
from interpreter.backends.scalar import evaluate  # noqa: E402
from interpreter.backends.vector import VectorProgram, simulate  # noqa: E402
from interpreter.io.tables import read_population  # noqa: E402

AVENANT_1 = ROOT / "conventions" / "aci-msp-avenant-1.conv"


def hand_written(columns: dict) -> np.ndarray:
    """Avenant 1 written directly in numpy (float64), the baseline: total per structure in cents."""
    c = columns
    p = c["patientele"] / 4000.0

    def euros(points):
        return np.floor(np.abs(points * 7.0) * 100 + 0.5) * np.sign(points)

    hours = np.minimum.reduce([
        np.where(c["amplitude_quotidienne"] >= 12, 800.0, np.where(c["amplitude_quotidienne"] >= 10, 740.0, 650.0)),
        np.where(c["samedi_matin"], 800.0, 680.0),
        np.where(c["fermeture_conges"] == "aucune", 800.0,
                 np.where(c["fermeture_conges"] == "trois_semaines_au_plus", 780.0, 650.0)),
    ])
    lines = {
        "horaires": ((c["amplitude_quotidienne"] >= 8) & c["soins_non_programmes"], hours),
        "fonction_coordination": (c["coordination"], 1000 - 600 * np.maximum(c["patientele"] - 8000, 0) / 4000 + 1700 * p),
        "si_standard": (c["si_label_standard"], 500 + 200 * np.minimum(c["nb_ps_associes"], 16)
                        + 150 * np.maximum(c["nb_ps_associes"] - 16, 0)),
        "crise_sanitaire": (c["plan_crise"], 100 + np.where(c["crise_sanitaire_declaree"], 350.0, 0.0) * p),
        "protocoles": (c["nb_protocoles"] >= 1, (100 + np.where(c["ipa"], 40, 0)) * np.minimum(c["nb_protocoles"], 8)),
        "rcp": (c["nb_reunions_rcp"] >= 6, (1000 + np.where(c["ipa"], 200, 0)) * p),
        "diversite_offre": (c["diversite_niveau"] >= 1, 300.0 * c["diversite_niveau"]),
        "second_recours": (c["second_recours_niveau"] >= 1, 300.0 * c["second_recours_niveau"]),
        "accueil_cstm": (c["medecin_cstm"], np.full(len(p), 200.0)),
        "missions_sante_publique": (c["nb_missions_sante_publique"] >= 1,
                                    np.where(c["ipa"] & (c["nb_missions_sante_publique"] >= 2), 200, 0)
                                    + 350 * np.minimum(c["nb_missions_sante_publique"], 2) * p),
        "formation": (c["nb_stagiaires"] >= 2, 450 + 225 * np.minimum(np.maximum(c["nb_stagiaires"] - 2, 0), 2)),
        "coordination_externe": (c["coordination_externe"], 200 * p),
        "si_avance": (c["si_label_avance"] & c["si_label_standard"], np.full(len(p), 100.0)),
        "implication_usagers": (c["usagers_niveau"] >= 1, 200 + np.where(c["usagers_niveau"] >= 2, 300.0, 0.0) * p),
        "sas": ((c["part_medecins_sas"] >= 50) | c["traite_demandes_sas"],
                np.where((c["part_medecins_sas"] >= 100) | c["traite_demandes_sas"], 200.0, 100.0)),
        "demarche_qualite": (c["qualite_niveau"] >= 1, 100 + np.where(c["qualite_niveau"] >= 3, 500.0,
                                                                     np.where(c["qualite_niveau"] >= 2, 200.0, 0.0)) * p),
        "protocoles_cooperation": (c["nb_protocoles_cooperation"] >= 1, 100 * np.minimum(c["nb_protocoles_cooperation"], 6)),
        "parcours_ic": (c["parcours_insuffisance_cardiaque"], 100 * p),
        "parcours_mrtc": (c["parcours_mrtc"], np.full(len(p), 100.0)),
    }
    eligible = lines["horaires"][0] & lines["fonction_coordination"][0] & lines["si_standard"][0] \
        & lines["crise_sanitaire"][0]
    total = np.zeros(len(p))
    for condition, points in lines.values():
        total += np.where(eligible & condition, euros(points), 0)
    return total.astype(np.int64)


def plain_columns(frame) -> dict:
    return {name: frame[name].to_numpy() for name in frame.columns if name != "id"}


def timed(function, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best


def simulate_million(folder: Path, count: int) -> None:
    parquet = folder / "population.parquet"
    generate(count, seed=7).write_parquet(parquet)
    command = [sys.executable, "-m", "interpreter.cli", "simulate", str(AVENANT_1), str(parquet),
               "-o", str(folder / "resultats.parquet")]
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    assert done.returncode == 0, done.stderr
    print(f"1. simulate Avenant 1 sur {count:,} structures (Parquet) : {wall:.2f} s de bout en bout, "
          f"mémoire de pointe {peak:,.0f} Mo (objectifs ≤ 5 s, ≤ 2 048 Mo)")


def vectorised_against_scalar(folder: Path, model, program, compiled) -> None:
    path = folder / "vingt-mille.parquet"
    generate(20_000, seed=11).write_parquet(path)
    population = read_population(str(path), model, other_columns=frozenset(generate(1).columns))
    inputs = population.exact_inputs(model)
    structures = [inputs(i) for i in range(population.size)]

    def vectorised():
        return simulate(program, population, vector=compiled)

    def scalar():
        return [evaluate(program, s, explain=False) for s in structures]

    fast, slow = timed(vectorised, 5), timed(scalar, 1)
    result = vectorised()
    assert all(int(e.total * 100) == t for e, t in zip(scalar(), result.total))
    print(f"2. 20 000 structures : vectorisé {fast * 1000:.1f} ms, structure par structure {slow * 1000:.0f} ms, "
          f"soit {slow / fast:.0f} fois plus rapide (objectif ≥ 100)")


def vectorised_against_numpy(model, program, compiled, count: int) -> None:
    frame = generate(count, seed=13)
    columns = plain_columns(frame)
    import polars as pl

    path = Path(tempfile.mkdtemp()) / "p.parquet"
    frame.write_parquet(path)
    population = read_population(str(path), model, other_columns=frozenset(frame.columns))

    def ours():
        return simulate(program, population, vector=compiled)

    def baseline():
        return hand_written(columns)

    mine, theirs = timed(ours), timed(baseline)
    same = float(np.mean(ours().total == baseline()))
    print(f"3. {count:,} structures : vectorisé exact {mine * 1000:.0f} ms, numpy écrit à la main (float64) "
          f"{theirs * 1000:.0f} ms, rapport {mine / theirs:.2f} (objectif ≤ 2) ; mêmes totaux au centime pour "
          f"{same:.2%} des structures")
    del pl


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--structures", type=int, default=1_000_000)
    arguments = parser.parse_args()
    model = check_file(str(AVENANT_1)).model
    program = compile_model(model)
    compiled = VectorProgram.of(model)
    with tempfile.TemporaryDirectory() as folder:
        simulate_million(Path(folder), arguments.structures)
        vectorised_against_scalar(Path(folder), model, program, compiled)
    vectorised_against_numpy(model, program, compiled, arguments.structures)


if __name__ == "__main__":
    main()
