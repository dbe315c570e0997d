"""Avenant 1 as an analyst writes it in polars: the exact baseline of `benchmarks/simulate.py`.

One lazy query: `scan_parquet` or `scan_csv` of only the columns used, one expression per line of the
convention, in Int64 (points over a common denominator, euros in cents, each line paid for the months of
the contract — × mois_adhesion / 12, the SI from its software's acquisition — and rounded to the cent half
away from zero as convcheck does), then the figures convcheck's simulation report prints — the
budget, the eligible structures, the mean, median and deciles of the payment, and each line's budget
and paid structures — and one `collect()`, which polars runs multi-threaded with projection pushdown.

It is exact for this population, not in general: the decimal columns of the example generator have
one decimal at most (the analyst knows their data), so `(x * 10).round()` is their value in tenths;
the patientèle cap of 50 × 4,000 never binds within the donnée's range. It validates nothing: what
convcheck does on top (types, ranges, decimal exactness, missing values, a message per structure) is
part of what the benchmark measures. `tests/test_benchmarks.py` checks it to the cent against
convcheck, structure by structure and line by line, and so does `benchmarks/simulate.py` (`--lines FILE`
writes the cents of every structure, `--compare` compares them with convcheck's results file).

    python benchmarks/avenant1_polars.py POPULATION [--lines FILE.parquet]
    python benchmarks/avenant1_polars.py --compare LINES.parquet RESULTS.parquet
"""

from __future__ import annotations

import argparse

import polars as pl

REFERENCE, POINT = 4_000, 700  # patientèle of reference; the point in cents
CLOSURES = ("aucune", "trois_semaines_au_plus")
BOOLEANS = (
    "samedi_matin",
    "fermeture_hors_conges",
    "derogation_horaires",
    "soins_non_programmes",
    "coordination",
    "si_label_standard",
    "si_label_avance",
    "medecin_cstm",
    "coordination_externe",
    "ipa",
    "plan_crise",
    "crise_sanitaire_declaree",
    "traite_demandes_sas",
    "parcours_insuffisance_cardiaque",
    "parcours_mrtc",
    "mission_obesite_enfant",
    "premiere_annee",
)
INTEGERS = (
    "patientele",
    "nb_ps_associes",
    "nb_protocoles",
    "nb_reunions_rcp",
    "diversite_niveau",
    "second_recours_niveau",
    "nb_missions_sante_publique",
    "nb_stagiaires",
    "usagers_niveau",
    "qualite_niveau",
    "nb_protocoles_cooperation",
    "mois_adhesion",
    "mois_si",
    "mois_si_avance",
)
TENTHS = ("amplitude_quotidienne", "part_medecins_sas", "taux_c2s", "taux_ame", "taux_dossiers_rcp")  # one decimal
COLUMNS = ("id", *BOOLEANS, *INTEGERS, *TENTHS, "fermeture_conges")


def c(name: str) -> pl.Expr:
    return pl.col(name)


def paid(line: str) -> str:
    """The column of a line's amount where it is paid (a line may have a donnée's name)."""
    return f"{line} €"


def cents(numerator: pl.Expr, denominator: int, months: pl.Expr | None = None) -> pl.Expr:
    """numerator / denominator points at 7 €, paid for `months` of the twelve (the contract's by default), in
    cents, rounded half away from zero."""
    x = numerator.cast(pl.Int64) * (c("mois_adhesion") if months is None else months) * POINT
    denominator *= 12
    return ((2 * x.abs() + denominator) // (2 * denominator)) * x.sign()


def scan(path: str) -> pl.LazyFrame:
    """The columns used, typed: booleans (« vrai » in a CSV), integers, decimals in tenths."""
    if path.endswith(".csv"):
        schema = {name: pl.String for name in BOOLEANS} | {name: pl.Float64 for name in TENTHS}
        frame = pl.scan_csv(path, schema_overrides=schema).select(COLUMNS)
        frame = frame.with_columns(c(name) == "vrai" for name in BOOLEANS)
    else:
        frame = pl.scan_parquet(path).select(COLUMNS)
    return frame.with_columns((c(name) * 10).round().cast(pl.Int64) for name in TENTHS)


def lines(frame: pl.LazyFrame) -> pl.LazyFrame:
    """Each line of Avenant 1 in cents where it is paid, then the majoration, the minimum and the total."""
    p, ipa, missions = c("patientele"), c("ipa"), c("nb_missions_sante_publique")
    amplitude, closure = c("amplitude_quotidienne"), c("fermeture_conges")  # amplitude in tenths of an hour
    rate = pl.min_horizontal(c("taux_dossiers_rcp") * 10, 500)  # hundredths of a percent, truncated, at most 5 %
    quality, users = c("qualite_niveau"), c("usagers_niveau")
    frame = frame.with_columns(
        horaires_ok=c("soins_non_programmes")
        & ((amplitude >= 80) | c("derogation_horaires"))
        & closure.is_in(CLOSURES)
        & ~c("fermeture_hors_conges"),
        horaires_points=800
        - pl.when(c("derogation_horaires") | (amplitude >= 120)).then(0).when(amplitude >= 100).then(60).otherwise(150)
        - pl.when(c("samedi_matin")).then(0).otherwise(120)
        - pl.when(closure == CLOSURES[1]).then(20).otherwise(0),
        rcp_ok=(2 * c("nb_reunions_rcp") >= c("mois_adhesion")) & (c("taux_dossiers_rcp") > 0),
        # points variables × 500 × 4 000 (the denominator of the concertation's dossier rate, of the patientèle)
        crise_variables=pl.when(c("crise_sanitaire_declaree")).then(350).otherwise(0) * 500 * p,
        rcp_variables=(1_000 + pl.when(ipa).then(200).otherwise(0)) * rate * p,
        missions_variables=350 * pl.min_horizontal(missions, 2) * 500 * p,
        usagers_variables=pl.when(users >= 2).then(300).otherwise(0) * 500 * p,
        qualite_variables=pl.when(quality >= 3).then(500).when(quality >= 2).then(200).otherwise(0) * 500 * p,
    )
    frame = frame.with_columns(eligible=c("horaires_ok") & c("coordination") & c("si_label_standard") & c("plan_crise"))
    amounts = dict(
        horaires=cents(c("horaires_points"), 1),
        fonction_coordination=cents(1_000 * REFERENCE - 600 * pl.max_horizontal(p - 8_000, 0) + 1_700 * p, REFERENCE),
        si_standard=cents(
            500
            + 200 * pl.min_horizontal(c("nb_ps_associes"), 16)
            + 150 * pl.max_horizontal(c("nb_ps_associes") - 16, 0),
            1,
            pl.min_horizontal(c("mois_si"), c("mois_adhesion")),
        ),  # from the software's acquisition
        crise_sanitaire=cents(100 * 500 * REFERENCE + c("crise_variables"), 500 * REFERENCE),
        protocoles=cents((100 + pl.when(ipa).then(40).otherwise(0)) * pl.min_horizontal(c("nb_protocoles"), 8), 1),
        rcp=cents(c("rcp_variables"), 500 * REFERENCE),
        diversite_offre=cents(300 * c("diversite_niveau"), 1),
        second_recours=cents(300 * c("second_recours_niveau"), 1),
        accueil_cstm=cents(pl.lit(200), 1),
        missions_sante_publique=cents(
            pl.when(ipa & (missions >= 2)).then(200 * 500 * REFERENCE).otherwise(0) + c("missions_variables"),
            500 * REFERENCE,
        ),
        formation=cents(450 + 225 * pl.min_horizontal(pl.max_horizontal(c("nb_stagiaires") - 2, 0), 2), 1),
        coordination_externe=cents(200 * p, REFERENCE),
        si_avance=cents(pl.lit(100), 1, pl.min_horizontal(c("mois_si_avance"), c("mois_adhesion"))),
        implication_usagers=cents(200 * 500 * REFERENCE + c("usagers_variables"), 500 * REFERENCE),
        sas=cents(pl.when((c("part_medecins_sas") >= 1_000) | c("traite_demandes_sas")).then(200).otherwise(100), 1),
        demarche_qualite=cents(100 * 500 * REFERENCE + c("qualite_variables"), 500 * REFERENCE),
        protocoles_cooperation=cents(100 * pl.min_horizontal(c("nb_protocoles_cooperation"), 6), 1),
        parcours_ic=cents(100 * p, REFERENCE),
        parcours_mrtc=cents(pl.lit(100), 1),
    )
    conditions = {
        "horaires": c("horaires_ok"),
        "fonction_coordination": c("coordination"),
        "si_standard": c("si_label_standard"),
        "crise_sanitaire": c("plan_crise"),
        "protocoles": c("nb_protocoles") >= 1,
        "rcp": c("rcp_ok"),
        "diversite_offre": c("diversite_niveau") >= 1,
        "second_recours": c("second_recours_niveau") >= 1,
        "accueil_cstm": c("medecin_cstm"),
        "missions_sante_publique": missions >= 1,
        "formation": c("nb_stagiaires") >= 2,
        "coordination_externe": c("coordination_externe"),
        "si_avance": c("si_label_avance") & c("si_label_standard"),
        "implication_usagers": users >= 1,
        "sas": (c("part_medecins_sas") >= 500) | c("traite_demandes_sas"),
        "demarche_qualite": quality >= 1,
        "protocoles_cooperation": c("nb_protocoles_cooperation") >= 1,
        "parcours_ic": c("parcours_insuffisance_cardiaque"),
        "parcours_mrtc": c("parcours_mrtc") & ((missions >= 2) | ((missions >= 1) & c("mission_obesite_enfant"))),
    }
    frame = frame.with_columns(
        pl.when(c("eligible") & conditions[name]).then(amount).otherwise(0).alias(paid(name))
        for name, amount in amounts.items()
    )
    # Majoration précarité: its rate in tenths of a percent, over the points variables of the lines paid.
    variables = {
        "fonction_coordination": 1_700 * 500 * p,
        "crise_sanitaire": c("crise_variables"),
        "rcp": c("rcp_variables"),
        "missions_sante_publique": c("missions_variables"),
        "coordination_externe": 200 * 500 * p,
        "implication_usagers": c("usagers_variables"),
        "demarche_qualite": c("qualite_variables"),
        "parcours_ic": 100 * 500 * p,
    }
    base = pl.sum_horizontal(
        pl.when(c("eligible") & conditions[name]).then(points).otherwise(0) for name, points in variables.items()
    )
    tenths = pl.min_horizontal(pl.max_horizontal(c("taux_c2s") - 80, 0) + pl.max_horizontal(c("taux_ame") - 5, 0), 250)
    frame = frame.with_columns(
        pl.when(c("eligible"))
        .then(cents(tenths * base, 1_000 * 500 * REFERENCE))
        .otherwise(0)
        .alias(paid("precarite")),
        pl.lit(0, pl.Int64).alias(paid("precarite_points_fixes")),
    )
    before = pl.sum_horizontal(paid(name) for name in LINES[:-1])
    floor = (2 * 2_000_000 * c("mois_adhesion") + 12) // 24  # 20 000 € × months / 12, in cents
    frame = frame.with_columns(
        pl.when(c("eligible") & c("premiere_annee"))
        .then(pl.max_horizontal(floor - before, 0))
        .otherwise(0)
        .alias(paid("premiere_annee"))
    )
    return frame.with_columns(total=before + c(paid("premiere_annee")))


LINES = (
    "horaires",
    "fonction_coordination",
    "si_standard",
    "crise_sanitaire",
    "protocoles",
    "rcp",
    "diversite_offre",
    "second_recours",
    "accueil_cstm",
    "missions_sante_publique",
    "formation",
    "coordination_externe",
    "si_avance",
    "implication_usagers",
    "sas",
    "demarche_qualite",
    "protocoles_cooperation",
    "parcours_ic",
    "parcours_mrtc",
    "precarite",
    "precarite_points_fixes",
    "premiere_annee",
)


def figures(frame: pl.LazyFrame) -> pl.LazyFrame:
    """What the simulation report prints: counts, budget, mean, median, deciles, each line's budget and payees."""
    total = c("total")
    return frame.select(
        structures=pl.len(),
        eligible=c("eligible").sum(),
        budget=total.sum(),
        median=total.median(),
        deciles=pl.concat_list(total.quantile(q / 10, "lower") for q in range(1, 10)),
        **{f"{name}_budget": c(paid(name)).sum() for name in LINES},
        **{f"{name}_paid": (c(paid(name)) != 0).sum() for name in LINES},
    )


def same_cents(lines: str, results: str) -> None:
    """Fails unless this program's lines (`--lines`) and convcheck's results (`simulate -o FILE.parquet`) give
    the same eligibility and the same cents, structure by structure and line by line."""
    ours = pl.read_parquet(lines)
    theirs = pl.read_parquet(results).select(
        "id", "eligible", *((c(name) * 100).cast(pl.Int64) for name in (*LINES, "total"))
    )
    assert ours.columns == theirs.columns and ours.height == theirs.height, (ours.columns, theirs.columns)
    different = {name: int((ours[name] != theirs[name]).sum()) for name in ours.columns}
    assert not any(different.values()), f"different structures, by column: {different}"
    print(f"mêmes centimes : {ours.height} structures, {len(LINES)} lignes et le total")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("population", nargs="?")
    parser.add_argument("--lines", help="write each structure's lines and total, in cents, to this Parquet file")
    parser.add_argument(
        "--compare",
        nargs=2,
        metavar=("LINES", "RESULTS"),
        help="compare the lines written by --lines with convcheck's results (simulate -o FILE.parquet)",
    )
    arguments = parser.parse_args()
    if arguments.compare:
        same_cents(*arguments.compare)
        return
    computed = lines(scan(arguments.population))
    if arguments.lines:
        computed.select("id", "eligible", *(c(paid(name)).alias(name) for name in LINES), "total").sink_parquet(
            arguments.lines
        )
        return
    found = figures(computed).collect().row(0, named=True)
    budget, structures = found["budget"], found["structures"]
    print(
        f"structures : {structures} ; éligibles : {found['eligible']} ; budget : {budget / 100:.2f} € ; "
        f"moyenne : {budget / 100 / max(structures, 1):.2f} € ; médiane : {(found['median'] or 0) / 100:.2f} €"
    )
    print("déciles : " + " ".join(f"{d / 100:.2f}" for d in found["deciles"] or ()))
    for name in LINES:
        print(f"  {name:24} {found[f'{name}_paid']:>9} {found[f'{name}_budget'] / 100:>18.2f} €")


if __name__ == "__main__":
    main()
