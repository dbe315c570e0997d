"""A plausible population of MSPs, seeded and deterministic, for simulations and impact reports.

Writes `population.csv` beside this script: one row per MSP with the données of the ACI MSP
(Avenant 1) and of the 2026 France Santé proposal (avenant 2). The distributions are
assumptions, documented in README.md, calibrated so that simulating Avenant 1 gives a mean
payment per paid structure (eligible, total > 0) within 3 % of the published 2024 figure of
81,102 € per paid MSP — like for like: the Cnam's figure divides by the MSPs it paid.

    python examples/population/generate.py [--structures 2300] [--seed 2024] [-o FILE]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import polars as pl

HERE = Path(__file__).resolve().parent

# The calibrated assumptions (README.md, « Calibration »).
PS_MEDIAN, PS_SIGMA, PS_MAX = 14, 0.65, 120  # associated professionals per MSP (log-normal)
GP_SHARE = (0.2, 0.36)  # share of GPs among them (uniform)
PATIENTS_PER_GP = 1_040  # patients « médecin traitant » per GP (normal, sd 220)
CLOSURE = [0.72, 0.275, 0.005]  # closed in the school holidays: never, 3 weeks at most, longer
YOUNG_SI, YOUNG_PLAN = 0.95, 0.9  # of the recently opened MSPs, those with a labelled SI, a crisis plan
FIRST_YEAR_PS_MIN, FIRST_YEAR_PS_EXTRA = 3, 3  # first-year teams: 3 professionals + Poisson(3)
FIRST_YEAR_PATIENTS_PER_GP = 800  # their GPs' patientèle « médecin traitant », still being built (sd 200)
FIRST_YEAR_SI_LATER = 0.5  # share of the first-year MSPs that bought their labelled software after the contract began
FIRST_YEAR_OPTIONS_SHARE = 0.3  # share of the first-year MSPs that already meet each option they would meet later
FIRST_YEAR_OPTIONS = (
    "diversite_niveau",
    "second_recours_niveau",
    "medecin_cstm",
    "nb_missions_sante_publique",
    "coordination_externe",
    "si_label_avance",
    "usagers_niveau",
    "qualite_niveau",
    "nb_protocoles_cooperation",
    "parcours_insuffisance_cardiaque",
    "parcours_mrtc",
    "nb_stagiaires",
    "part_medecins_sas",
    "traite_demandes_sas",
)


def generate(structures: int = 2300, seed: int = 2024) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    n = structures

    def chance(p: float) -> np.ndarray:
        return rng.random(n) < p

    def levels(probabilities) -> np.ndarray:
        return rng.choice(len(probabilities), size=n, p=probabilities)

    # Size: teams from 3 associated professionals (an MSP has at least two GPs and one other
    # profession), about 17 on average (Cnam, 2024), with a long tail of large multi-site MSPs
    # (log-normal); 20 to 36 % of them are GPs, each with about 1,000 patients « médecin traitant ».
    nb_ps = np.clip(np.rint(rng.lognormal(np.log(PS_MEDIAN), PS_SIGMA, n)), 3, PS_MAX).astype(int)
    doctors = np.clip(np.rint(nb_ps * rng.uniform(*GP_SHARE, n)), 2, None).astype(int)
    patientele = np.clip(np.rint(doctors * rng.normal(PATIENTS_PER_GP, 220, n)), 600, 60_000).astype(int)
    young = chance(0.05)  # recently opened structures: fewer engagements met yet

    data = {
        "id": [f"msp_{i:04d}" for i in range(1, n + 1)],
        "patientele": patientele,
        "nb_ps_associes": nb_ps,
        "amplitude_quotidienne": np.round(rng.choice([10, 11, 11.5, 12, 12, 12, 12.5, 13], size=n), 1),
        "samedi_matin": chance(0.88),
        "fermeture_conges": rng.choice(
            ["aucune", "trois_semaines_au_plus", "plus_de_trois_semaines"], size=n, p=CLOSURE
        ),
        "soins_non_programmes": chance(0.997),
        "coordination": chance(0.997),
        "si_label_standard": ~young | chance(YOUNG_SI),
        "si_label_avance": chance(0.35),
        "nb_protocoles": np.clip(rng.poisson(np.where(young, 2, 6)), 0, 20),
        "nb_reunions_rcp": np.clip(rng.poisson(10, n), 0, 60),
        "diversite_niveau": levels([0.3, 0.35, 0.35]),
        "second_recours_niveau": levels([0.45, 0.3, 0.25]),
        "medecin_cstm": chance(0.12),
        "nb_missions_sante_publique": levels([0.3, 0.3, 0.4]),
        "nb_stagiaires": np.clip(rng.poisson(2.6, n), 0, 10),
        "coordination_externe": chance(0.6),
        "ipa": chance(0.14),
        "plan_crise": ~young | chance(YOUNG_PLAN),
        "crise_sanitaire_declaree": np.zeros(n, dtype=bool),
        "part_medecins_sas": np.rint(
            rng.choice([0, 25, 50, 60, 75, 100], size=n, p=[0.25, 0.1, 0.15, 0.15, 0.15, 0.2])
        ),
        "traite_demandes_sas": chance(0.1),
        "usagers_niveau": levels([0.25, 0.5, 0.25]),
        "qualite_niveau": levels([0.35, 0.3, 0.2, 0.15]),
        "nb_protocoles_cooperation": np.clip(rng.poisson(1.2, n), 0, 10),
        "parcours_insuffisance_cardiaque": chance(0.25),
        "parcours_mrtc": chance(0.18),
        # données of the 2026 France Santé proposal
        "jours_ouverture": rng.choice([4, 5, 5, 5, 6, 6], size=n),
        "demande_france_sante": chance(0.45),
        "medecin_traitant": chance(0.98),
        "infirmier_proximite": chance(0.9),
        "tarifs_opposables": chance(0.85),
        "rendez_vous_48h": chance(0.8),
        "participation_pdsa": chance(0.55),
        "service_sanitaire": chance(0.3),
        "engagement_environnemental": chance(0.22),
        "taux_file_active_ald": np.rint(rng.uniform(10, 85, n)),
        "action_ald_sans_mt": chance(0.3),
    }
    for brique in ("acces", "prevention", "precarite", "parcours", "populationnelle"):
        data[f"fs_{brique}_engagement"] = chance(0.3)
        data[f"fs_{brique}_objectif"] = chance(0.6)
    data |= places(n, seed)
    data |= precarity_and_first_year(n, seed, young)
    data |= guide_donnees(n, seed, data)
    data |= first_year_teams(n, seed, data)
    return pl.DataFrame(data)


# Shares of MSPs by region: an assumption of the order of magnitude (see README.md).
REGIONS = {
    "auvergne_rhone_alpes": 0.14,
    "nouvelle_aquitaine": 0.11,
    "occitanie": 0.10,
    "grand_est": 0.09,
    "hauts_de_france": 0.08,
    "bourgogne_franche_comte": 0.07,
    "pays_de_la_loire": 0.07,
    "bretagne": 0.07,
    "centre_val_de_loire": 0.06,
    "normandie": 0.06,
    "provence_alpes_cote_d_azur": 0.05,
    "ile_de_france": 0.05,
    "corse": 0.01,
    "outre_mer": 0.04,
}
ZONES = {"rurale": 0.55, "periurbaine": 0.25, "urbaine": 0.20}


def places(n: int, seed: int) -> dict:
    """Where each MSP is — columns no version reads, for breakdowns (`--par region`). Drawn from a
    generator of their own, so that adding them changed none of the other columns."""
    rng = np.random.default_rng([seed, 1])
    return {
        "region": rng.choice(list(REGIONS), size=n, p=list(REGIONS.values())),
        "zone": rng.choice(list(ZONES), size=n, p=list(ZONES.values())),
    }


def precarity_and_first_year(n: int, seed: int, young: np.ndarray) -> dict:
    """The données of the majoration précarité and of the first-year minimum (see README.md). Drawn from a
    generator of their own, so that adding them changed none of the other columns."""
    rng = np.random.default_rng([seed, 2])
    first_year = young & (rng.random(n) < 0.6)  # of the recently opened structures, those in their first year
    return {
        "taux_c2s": np.round(np.clip(rng.gamma(3.0, 3.0, n), 0, 60), 1),
        "taux_ame": np.round(np.clip(rng.gamma(0.6, 0.8, n), 0, 20), 1),
        "premiere_annee": first_year,
        "mois_adhesion": np.where(first_year, rng.integers(1, 13, n), 12),
    }


def guide_donnees(n: int, seed: int, data: dict) -> dict:
    """The données added with the Cnam's indicator guide (see README.md): closure outside the school
    holidays, the ARS's dérogation to the opening hours (only with PDSA participation), the theme of a
    single mission de santé publique, the rate of patients' files reviewed in concertation. Drawn from a
    generator of their own, so that adding them changed none of the other columns."""
    rng = np.random.default_rng([seed, 3])
    missions = np.asarray(data["nb_missions_sante_publique"])
    # of the MSPs with a mission, those in the MRTC pathway chose the childhood-obesity theme more often
    obesity_share = np.where(np.asarray(data["parcours_mrtc"]), 0.6, 1 / 8)
    below_target = rng.random(n) < 0.2  # a fifth of the MSPs review fewer files than 5 % of their ALD/75+ patients
    rate = np.where(below_target, rng.uniform(1, 5, n), rng.uniform(5, 15, n))
    return {
        "fermeture_hors_conges": rng.random(n) < 0.003,
        "derogation_horaires": np.asarray(data["participation_pdsa"]) & (rng.random(n) < 0.15),
        "mission_obesite_enfant": (missions >= 1) & (rng.random(n) < obesity_share),
        "taux_dossiers_rcp": np.round(rate, 1),
    }


def first_year_teams(n: int, seed: int, data: dict) -> dict:
    """The MSPs in the first year of their contract, redrawn as the young teams they are (see README.md):
    3 to about 12 associated professionals, GPs still building their patientèle, options not yet in place
    (the engagements are met « progressively », Cnam guide p. 3), concertation meetings held over the months
    of the contract only, and, for half of them, a labelled software bought after the contract's start (the
    SI is prorated to its acquisition date, guide p. 44, 46, 48). Drawn from a generator of their own; only
    the first-year rows change."""
    rng = np.random.default_rng([seed, 4])
    first_year = np.asarray(data["premiere_annee"])
    months = np.asarray(data["mois_adhesion"])
    nb_ps = np.clip(FIRST_YEAR_PS_MIN + rng.poisson(FIRST_YEAR_PS_EXTRA, n), 3, 20)
    doctors = np.clip(np.rint(nb_ps * rng.uniform(0.3, 0.5, n)), 2, None)
    patientele = np.clip(np.rint(doctors * rng.normal(FIRST_YEAR_PATIENTS_PER_GP, 200, n)), 300, None)
    meetings = rng.poisson(10 * months / 12)
    bought_later = first_year & np.asarray(data["si_label_standard"]) & (rng.random(n) < FIRST_YEAR_SI_LATER)
    mois_si = np.where(bought_later, rng.integers(1, 13, n) % months + 1, 12)  # 1 to mois_adhesion months
    redrawn = {"nb_ps_associes": nb_ps, "patientele": patientele, "nb_reunions_rcp": meetings}
    for option in FIRST_YEAR_OPTIONS:  # not yet in place: no level, no engagement
        value = np.asarray(data[option])
        redrawn[option] = np.where(rng.random(n) < FIRST_YEAR_OPTIONS_SHARE, value, np.zeros_like(value))
    changed = {
        name: np.where(first_year, value, data[name]).astype(np.asarray(data[name]).dtype)
        for name, value in redrawn.items()
    }
    return changed | {"mois_si": mois_si, "mois_si_avance": mois_si}


def as_text(frame: pl.DataFrame) -> pl.DataFrame:
    """Booleans written « vrai »/« faux », as a French spreadsheet would (for CSV)."""
    booleans = [name for name, dtype in frame.schema.items() if dtype == pl.Boolean]
    return frame.with_columns(
        [pl.when(pl.col(b)).then(pl.lit("vrai")).otherwise(pl.lit("faux")).alias(b) for b in booleans]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--structures", type=int, default=2300)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("-o", "--output", default=str(HERE / "population.csv"))
    arguments = parser.parse_args()
    frame = generate(arguments.structures, arguments.seed)
    if arguments.output.endswith(".parquet"):
        frame.write_parquet(arguments.output)
    else:
        as_text(frame).write_csv(arguments.output)
    print(f"{frame.height} structures écrites dans {arguments.output}")


if __name__ == "__main__":
    main()
