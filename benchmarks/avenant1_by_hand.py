"""Avenant 1 written by hand for one population: the exact baseline of `benchmarks/simulate.py`.

The kind of script an analyst writes for one convention, with polars and numpy — but exact: every
line is computed in integers (and for the paramètres as they are: the patientèle cap of 50 × 4,000
never binds within the donnée's range, so it is left out) (points variables over the 4,000 patients of reference, euros at 7 €
the point, rounded to the cent half away from zero), so that it matches convcheck to the cent on
every structure. It reads a population (CSV or Parquet), prints the budget, the number of eligible
structures and the mean payment, and with `--totals FILE` writes each structure's total in cents.
The majoration précarité (its rate in tenths of a percent, over the points variables paid) and the
first-year minimum are written the same way; the concertation's dossier rate is read in hundredths of a
percent, truncated, as the Cnam's guide computes it. Every line is paid for the months of the contract
(× mois_adhesion / 12 before its rounding; the SI standard and avancé for the months since their software,
min(mois_si, mois_adhesion) / 12), and the majoration's assiette is that of the prorated lines.
It validates nothing: what convcheck does on top (types, ranges, missing values, with a message per
structure) is part of what the benchmark measures.

    python benchmarks/avenant1_by_hand.py POPULATION [--totals FILE.npy]
"""

from __future__ import annotations

import argparse

import numpy as np
import polars as pl

REFERENCE, POINT_CENTS = 4_000, 700


def read(path: str) -> dict[str, np.ndarray]:
    if path.endswith(".csv"):
        frame = pl.read_csv(path)
        booleans = [c for c, t in frame.schema.items() if t == pl.String and c not in ("id", "fermeture_conges", "region", "zone")]
        frame = frame.with_columns([pl.col(c).eq("vrai") for c in booleans])
    else:
        frame = pl.read_parquet(path)
    return {c: frame[c].to_numpy() for c in frame.columns if c != "id"}


def cents(numerator: np.ndarray, denominator: int) -> np.ndarray:
    """numerator / denominator euros-points × 7 €, in cents, half away from zero (exact integers)."""
    x = numerator.astype(np.int64) * POINT_CENTS
    q = (2 * np.abs(x) + denominator) // (2 * denominator)
    return np.where(x < 0, -q, q)


def totals(c: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """(eligible, total in cents) per structure. Points are kept over the denominator 4,000 (times 500
    for the concertation's dossier rate, times 1,000 for the précarité rate) so that every line is one
    exact integer division."""
    p = c["patientele"].astype(np.int64)
    ipa = c["ipa"]
    # the dossier rate in hundredths of a percent, truncated, at most 500 (5 %): the concertation's points
    # are × rate / 500
    rate_rcp = np.minimum(np.floor(np.round(np.asarray(c["taux_dossiers_rcp"], dtype=float) * 100, 6)), 500).astype(np.int64)
    rcp = (2 * c["nb_reunions_rcp"] >= c["mois_adhesion"]) & (np.asarray(c["taux_dossiers_rcp"], dtype=float) > 0)
    missions = c["nb_missions_sante_publique"]

    months = c["mois_adhesion"].astype(np.int64)  # each line × months / 12, before its rounding

    def fixed(points, share=months):  # points as integers
        return cents(np.asarray(points, dtype=np.int64) * REFERENCE * share, REFERENCE * 12)

    def mixed(fixed_points, variable_points):  # fixed + variable × patientele / 4 000
        return cents((np.asarray(fixed_points, dtype=np.int64) * REFERENCE + np.asarray(variable_points) * p) * months,
                     REFERENCE * 12)

    si_months = np.minimum(c["mois_si"].astype(np.int64), months)  # the SI from its software's acquisition
    si_avance_months = np.minimum(c["mois_si_avance"].astype(np.int64), months)

    amplitude, derogation, closed = c["amplitude_quotidienne"], c["derogation_horaires"], c["fermeture_conges"]
    hours = (800 - np.where(derogation | (amplitude >= 12), 0, np.where(amplitude >= 10, 60, 150))
             - np.where(c["samedi_matin"], 0, 120) - np.where(closed == "trois_semaines_au_plus", 20, 0))
    open_enough = (c["soins_non_programmes"] & ((amplitude >= 8) | derogation) & (closed != "plus_de_trois_semaines")
                   & ~c["fermeture_hors_conges"])
    sas_share = c["part_medecins_sas"]
    quality = c["qualite_niveau"]
    variable = [  # (condition, points variables × patientèle: over 4 000 × 500) of the lines that have some
        (c["coordination"], 500 * 1700 * p),
        (c["plan_crise"], 500 * np.where(c["crise_sanitaire_declaree"], 350, 0) * p),
        (rcp, (1000 + np.where(ipa, 200, 0)) * rate_rcp * p),
        (missions >= 1, 500 * 350 * np.minimum(missions, 2) * p),
        (c["coordination_externe"], 500 * 200 * p),
        (c["usagers_niveau"] >= 1, 500 * np.where(c["usagers_niveau"] >= 2, 300, 0) * p),
        (quality >= 1, 500 * np.where(quality >= 3, 500, np.where(quality >= 2, 200, 0)) * p),
        (c["parcours_insuffisance_cardiaque"], 500 * 100 * p),
    ]
    lines = [
        (open_enough, fixed(hours)),
        (c["coordination"], cents((1000 * REFERENCE - 600 * np.maximum(p - 8000, 0) + 1700 * p) * months, REFERENCE * 12)),
        (c["si_label_standard"], fixed(500 + 200 * np.minimum(c["nb_ps_associes"], 16)
                                       + 150 * np.maximum(c["nb_ps_associes"] - 16, 0), si_months)),
        (c["plan_crise"], mixed(100, np.where(c["crise_sanitaire_declaree"], 350, 0))),
        (c["nb_protocoles"] >= 1, fixed((100 + np.where(ipa, 40, 0)) * np.minimum(c["nb_protocoles"], 8))),
        (rcp, cents((1000 + np.where(ipa, 200, 0)) * rate_rcp * p * months, 500 * REFERENCE * 12)),
        (c["diversite_niveau"] >= 1, fixed(300 * c["diversite_niveau"])),
        (c["second_recours_niveau"] >= 1, fixed(300 * c["second_recours_niveau"])),
        (c["medecin_cstm"], fixed(np.full(len(p), 200))),
        (missions >= 1, mixed(np.where(ipa & (missions >= 2), 200, 0), 350 * np.minimum(missions, 2))),
        (c["nb_stagiaires"] >= 2, fixed(450 + 225 * np.minimum(np.maximum(c["nb_stagiaires"] - 2, 0), 2))),
        (c["coordination_externe"], mixed(0, np.full(len(p), 200))),
        (c["si_label_avance"] & c["si_label_standard"], fixed(np.full(len(p), 100), si_avance_months)),
        (c["usagers_niveau"] >= 1, mixed(200, np.where(c["usagers_niveau"] >= 2, 300, 0))),
        ((sas_share >= 50) | c["traite_demandes_sas"],
         fixed(np.where((sas_share >= 100) | c["traite_demandes_sas"], 200, 100))),
        (quality >= 1, mixed(100, np.where(quality >= 3, 500, np.where(quality >= 2, 200, 0)))),
        (c["nb_protocoles_cooperation"] >= 1, fixed(100 * np.minimum(c["nb_protocoles_cooperation"], 6))),
        (c["parcours_insuffisance_cardiaque"], mixed(0, np.full(len(p), 100))),
        (c["parcours_mrtc"] & ((missions >= 2) | ((missions >= 1) & c["mission_obesite_enfant"])),
         fixed(np.full(len(p), 100))),
    ]
    eligible = lines[0][0] & lines[1][0] & lines[2][0] & lines[3][0]
    total = np.zeros(len(p), dtype=np.int64)
    for condition, amount in lines:
        total += np.where(eligible & condition, amount, 0)
    # Majoration précarité: rate in tenths of a percent, min(max(C2S − 8 %, 0) + max(AME − 0.5 %, 0), 25 %).
    tenths = lambda column: np.rint(np.asarray(c[column], dtype=float) * 10).astype(np.int64)  # noqa: E731
    rate = np.minimum(np.maximum(tenths("taux_c2s") - 80, 0) + np.maximum(tenths("taux_ame") - 5, 0), 250)
    base = sum(np.where(eligible & condition, points, 0) for condition, points in variable)
    total += cents(rate * base * months, 1000 * 500 * REFERENCE * 12)
    # First-year minimum: 20 000 € × months / 12, to the cent half away from zero, topping the total up.
    floor = (2 * 2_000_000 * c["mois_adhesion"].astype(np.int64) + 12) // 24
    total += np.where(eligible & c["premiere_annee"], np.maximum(floor - total, 0), 0)
    return eligible, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("population")
    parser.add_argument("--totals")
    arguments = parser.parse_args()
    eligible, total = totals(read(arguments.population))
    budget = int(total.sum())
    print(f"structures : {len(total)} ; éligibles : {int(eligible.sum())} ; budget : {budget / 100:.2f} € ; "
          f"moyenne : {budget / 100 / max(len(total), 1):.2f} €")
    if arguments.totals:
        np.save(arguments.totals, total)


if __name__ == "__main__":
    main()
