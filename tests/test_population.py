"""The vectorised evaluator gives, to the cent, what the one-structure evaluator gives."""

from __future__ import annotations

import datetime
from decimal import Decimal

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dsl.checker import check
from dsl.driver import check_file
from dsl.parser import parse_text
from interpreter.backends.results import to_micro
from interpreter.backends.scalar import compile_model, evaluate
from interpreter.backends.vector import simulate
from interpreter.io.tables import TableError, read_population
from tests import strategies as s
from tests.conftest import GOLDEN, ROOT

# A convention made to catch the hard cases: halves of a cent, percentages, dates, choix, divisions.
HARD = parse_text("""convention dur "Cas difficiles"
version : "1"
paramètres {
  valeur_point = 7 €
  patientele_reference = 4000
  seuil = 12.5 %
}
données {
  patientele : entier entre 0 et 200_000 "Patientèle"
  taux : pourcentage entre 0 % et 100 % "Taux"
  budget : montant entre -1_000 € et 1_000_000 € "Budget"
  nb : entier entre 0 et 40 "Effectif"
  ouverture : date "Ouverture"
  zone : choix(metropole, guadeloupe, reunion) "Zone"
  ouverte : booléen "Ouverte"
  heures : nombre entre 0 et 24 "Heures"
}
prérequis {
  critère base "Base" { condition : ouverte ou heures >= 8.25  points fixes : 10 }
}
options {
  critère variable "Points variables" { condition : nb >= 1  points variables : 1_100 }
  critère pourcent "Pourcentage" { condition : taux >= seuil  montant : budget * taux }
  critère ratio "Division" { condition : nb > 0 et budget / nb > 100 €  montant : arrondi(budget / (nb + 3), 1) }
  critère date_zone "Date et zone" {
    condition : ouverture < 2020-01-01 et zone dans (guadeloupe, reunion)
    points fixes : si zone = reunion alors 333.335 sinon min(nb, 7) * 1.005
  }
  critère negatif "Montant négatif" { condition : budget < 0 €  montant : budget / 3 }
}
brique b "Brique" { condition : zone != metropole  montant : 1_000.005 €  critère c "C" { condition : heures > 10 } }
""").file
HARD_MODEL = check(HARD)[0]
MODELS = {
    "dur": HARD_MODEL,
    "2017": check_file(str(ROOT / "conventions" / "aci-msp-2017.conv")).model,
    "avenant 1": check_file(str(ROOT / "conventions" / "aci-msp-avenant-1.conv")).model,
    "avenant 2": check_file(str(ROOT / "conventions" / "aci-msp-avenant-2-france-sante.conv")).model,
    "langage": check_file(str(GOLDEN / "language" / "convention.conv")).model,
}


def cell(value, donnee) -> str:
    """A runtime value as a CSV cell."""
    if isinstance(value, bool):
        return "vrai" if value else "faux"
    if isinstance(value, datetime.date):
        return value.isoformat()
    if donnee.type.kind == "pourcentage":  # 12.5, not 12.500: three decimals would be ambiguous
        return format((value * 100).normalize(), "f")
    return str(value)


def write(tmp_path, model, structures, kind: str):
    data = {"id": [f"s{i}" for i in range(len(structures))]}
    for id, donnee in model.donnees.items():
        values = [structure[id] for structure in structures]
        if kind == "csv":
            data[id] = [cell(v, donnee) for v in values]
        elif donnee.type.kind in ("booleen", "choix", "date"):
            data[id] = values
        elif donnee.type.kind == "pourcentage":
            data[id] = [float(v * 100) for v in values]
        else:
            data[id] = [float(v) if donnee.type.kind != "entier" else int(v) for v in values]
    path = tmp_path / f"population.{kind}"
    frame = pl.DataFrame(data)
    frame.write_csv(path) if kind == "csv" else frame.write_parquet(path)
    return str(path)


def check_batch_equals_scalar(model, structures, path):
    program = compile_model(model)
    population = read_population(path, model)
    result = simulate(program, population, chunk=7)
    failed = dict(result.errors)
    for index, structure in enumerate(structures):
        exact = population.exact_inputs(model)(index)
        try:
            evaluation = evaluate(program, exact, explain=False)
        except Exception as error:  # the vectorised path must report the same rows as impossible
            assert f"s{index}" in failed, error
            continue
        assert result.eligible[index] == evaluation.eligible
        assert result.total[index] == int(evaluation.total * 100), (index, structure)
        assert result.total_points[index] == int(to_micro(evaluation.total_points))
        for id, cents in result.lines.items():
            assert cents[index] == int(evaluation.line(id).montant * 100), (index, id)


CASES = [(name, "csv") for name in sorted(MODELS)] + [("dur", "parquet"), ("avenant 1", "parquet")]


@pytest.mark.parametrize("name, kind", CASES, ids=[f"{name}-{kind}" for name, kind in CASES])
def test_batch_equals_scalar(name, kind, tmp_path_factory):
    """Random populations (bounds of ranges included) give the scalar result, row by row, to the cent."""
    model = MODELS[name]

    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.lists(s.structures(model), min_size=1, max_size=25))
    def run(structures):
        folder = tmp_path_factory.mktemp("p")
        check_batch_equals_scalar(model, structures, write(folder, model, structures, kind))

    run()


def test_rounding_halves_are_exact(tmp_path):
    """1 100 × 3 333 / 4 000 = 916,575 points; × 7 € = 6 416,025 €, rounded away from zero."""
    model = MODELS["dur"]
    base = {
        "patientele": Decimal(3333),
        "taux": Decimal("0.125"),
        "budget": Decimal("-0.015"),
        "nb": Decimal(1),
        "ouverture": datetime.date(2019, 1, 1),
        "zone": "reunion",
        "ouverte": True,
        "heures": Decimal("8.25"),
    }
    path = write(tmp_path, model, [base], "csv")
    program = compile_model(model)
    population = read_population(path, model)
    result = simulate(program, population)
    assert result.lines["variable"][0] == 641603  # 6 416,03 €
    assert result.lines["negatif"][0] == -1  # -0,005 € → -0,01 €
    assert result.total[0] == int(evaluate(program, population.exact_inputs(model)(0), explain=False).total * 100)


def test_invalid_rows_are_all_listed_with_id_donnee_and_reason(tmp_path):
    model = MODELS["langage"]
    path = tmp_path / "p.csv"
    path.write_text(
        "id,patientele,jours_ouverture,samedi_matin,coordination,nb_protocoles,taux_rcp,zone,engagement_france_sante\n"
        "a,4000,6,vrai,vrai,3,10,metropole,faux\n"
        "b,4000,9,vrai,vrai,3,10,metropol,faux\n"
        "c,quatre,6,peut-être,vrai,,10 %,drom,faux\n",
        encoding="utf-8",
    )
    with pytest.raises(TableError) as raised:
        read_population(str(path), model)
    messages = [d.message for d in raised.value.diagnostics]
    assert len(messages) == 5
    assert (
        messages[0]
        == "structure « b », donnée « jours_ouverture » (ligne 3) : « jours_ouverture » = 9 est hors de l'intervalle (entre 0 et 7)"
    )
    assert any(
        "« zone » ne peut pas valoir « metropol »" in m and "vouliez-vous dire « metropole »" in m for m in messages
    )
    assert any("structure « c », donnée « nb_protocoles »" in m and "valeur manquante" in m for m in messages)
    kept = read_population(str(path), model, keep_invalid=True)
    assert list(kept.ids) == ["a"] and kept.rejected.height == 2


def test_unknown_and_missing_columns(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("id,patientel,jours_ouverture\na,1,2\n", encoding="utf-8")
    with pytest.raises(TableError) as raised:
        read_population(str(path), MODELS["langage"])
    codes = {d.code for d in raised.value.diagnostics}
    assert codes == {"population-colonnes", "donnee-non-fournie"}
    assert any(d.suggestion == "vouliez-vous dire « patientele » ?" for d in raised.value.diagnostics)


WIDE = check(
    parse_text("""convention large "Grandes valeurs"
version : "1"
paramètres {
  valeur_point = 7 €
  patientele_reference = 4000
}
données {
  budget : montant "Budget"
  taux : pourcentage "Taux"
}
options {
  critère c "C" { condition : budget > 0 €  montant : budget * taux }
}
""").file
)[0]


def test_values_too_wide_for_int64_at_the_column_scale_are_exact(tmp_path):
    """999 999 999 999 999,5 € beside 0,000000001 €: the column's scale (10⁹) makes numerators beyond
    int64; they are held as Python ints, and the rows are computed exactly."""
    path = tmp_path / "p.csv"
    path.write_text(
        "id,budget,taux\na,999999999999999.5,33.333333333\nb,0.000000001,100\nc,12,50 %\n", encoding="utf-8"
    )
    population = read_population(str(path), WIDE)
    budget = population.columns["budget"]
    assert budget.den == 10**9 and budget.num.dtype == object
    assert budget.value(0) == Decimal("999999999999999.5") and budget.value(1) == Decimal("0.000000001")
    assert population.columns["taux"].value(0) == Decimal("0.33333333333")
    program = compile_model(WIDE)
    result = simulate(program, population)
    for index in range(3):
        expected = evaluate(program, population.exact_inputs(WIDE)(index), explain=False).total
        assert result.total[index] == int(expected * 100)


def test_more_than_nine_decimals_are_refused_not_rounded(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("id,budget,taux\na,100.000000000001,10\nb,1.5000000000000,33.3333333333\n", encoding="utf-8")
    with pytest.raises(TableError) as raised:
        read_population(str(path), WIDE)
    assert [(d.code, d.message) for d in raised.value.diagnostics] == [
        (
            "nombre-hors-limites",
            "structure « a », donnée « budget » (ligne 2) : « budget » = 100.000000000001 a trop "
            "de décimales : 9 au plus",
        ),
        (
            "nombre-hors-limites",
            "structure « b », donnée « taux » (ligne 3) : « taux » = 33.3333333333 a trop de "
            "décimales (écrit en pour cent) : 9 au plus",
        ),
    ]


def test_empty_population(tmp_path):
    path = tmp_path / "p.csv"
    model = MODELS["langage"]
    path.write_text("id," + ",".join(model.donnees) + "\n", encoding="utf-8")
    result = simulate(compile_model(model), read_population(str(path), model))
    assert len(result.total) == 0 and np.sum(result.total) == 0


def test_example_population_is_reproducible_and_calibrated(tmp_path):
    """The generator rewrites the committed file; like for like with the Cnam's 81 102 € per paid MSP in
    2024, Avenant 1 pays within 3 % of it on average per paid structure (eligible, total > 0), and pays
    between 95 % and 99 % of the structures (98 % of the signatory MSPs were paid in 2023)."""
    import sys

    sys.path.insert(0, str(ROOT / "examples" / "population"))
    from generate import as_text, generate

    committed = ROOT / "examples" / "population" / "population.csv"
    regenerated = tmp_path / "population.csv"
    as_text(generate()).write_csv(regenerated)
    assert regenerated.read_bytes() == committed.read_bytes()
    model = MODELS["avenant 1"]
    others = frozenset(MODELS["avenant 2"].donnees)
    population = read_population(str(committed), model, other_columns=others)
    result = simulate(compile_model(model), population)
    paid = result.eligible & (result.total > 0)
    mean = Decimal(int(result.total[paid].sum())) / 100 / int(paid.sum())
    assert abs(mean - Decimal(81_102)) <= Decimal("0.03") * 81_102, mean
    assert 0.95 <= paid.mean() <= 0.99, paid.mean()
    assert pl.read_csv(committed)["nb_ps_associes"].min() == 3  # teams from 3 professionals


# The données the audit (2026) and the Cnam's guide added to the bundled conventions: a population file
# written before them has none of these columns.
ADDED_BY_THE_AUDIT = (
    "fermeture_conges",
    "taux_c2s",
    "taux_ame",
    "premiere_annee",
    "mois_adhesion",
    "fermeture_hors_conges",
    "derogation_horaires",
    "taux_dossiers_rcp",
    "mission_obesite_enfant",
)


def test_an_older_population_file_runs_under_avenant_1_with_its_defaults_announced(tmp_path):
    """Last month's population files keep working: every structure takes the stated default of each donnée
    the file lacks, and simulate says how many did, in the text and in the JSON."""
    import json

    from click.testing import CliRunner

    from interpreter.cli import cli

    older = tmp_path / "population-2025.csv"
    pl.read_csv(ROOT / "examples" / "population" / "population.csv", infer_schema_length=0).drop(
        ADDED_BY_THE_AUDIT
    ).write_csv(older)
    avenant_1 = str(ROOT / "conventions" / "aci-msp-avenant-1.conv")
    result = CliRunner().invoke(cli, ["simulate", avenant_1, str(older), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    taken = {d["id"]: (d["valeur"], d["structures"]) for d in data["valeurs_par_defaut"]}
    assert {id: taken[id] for id in ADDED_BY_THE_AUDIT} == {
        "fermeture_conges": ("aucune", 2300),
        "taux_c2s": ("0 %", 2300),
        "taux_ame": ("0 %", 2300),
        "premiere_annee": ("faux", 2300),
        "mois_adhesion": ("12", 2300),
        "fermeture_hors_conges": ("faux", 2300),
        "derogation_horaires": ("faux", 2300),
        "taux_dossiers_rcp": ("5 %", 2300),
        "mission_obesite_enfant": ("faux", 2300),
    }
    assert data["structures"] == 2300 and data["eligibles"] > 2200
    text = CliRunner().invoke(cli, ["simulate", avenant_1, str(older)]).output
    assert "▸ Valeurs par défaut" in text
    assert "taux_dossiers_rcp = 5 % (Dossiers étudiés en concertation" in text
    assert (
        "mois_adhesion = 12 (Mois de l'année couverts par le contrat (12 hors première année)) : 2\u202f300 "
        "structures sur 2\u202f300" in text
    )


def test_json_lines_population(tmp_path):
    model = MODELS["langage"]
    path = tmp_path / "p.jsonl"
    path.write_text(
        '{"id": "a", "patientele": 3333, "jours_ouverture": 6, "samedi_matin": true, "coordination": true, '
        '"nb_protocoles": 3, "taux_rcp": 10, "zone": "drom", "engagement_france_sante": false}\n',
        encoding="utf-8",
    )
    program = compile_model(model)
    population = read_population(str(path), model)
    result = simulate(program, population)
    assert result.total[0] == int(evaluate(program, population.exact_inputs(model)(0), explain=False).total * 100)
