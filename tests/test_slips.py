"""No silent wrong figure: each plausible slip fails with a located message, leaves every figure
unchanged, or is named by a warning. One test per slip met when a negotiator costed an avenant 3,
then a campaign of generated slips over the bundled files (`tests/slips.py`)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from interpreter.cli import cli
from tests import slips
from tests.conftest import ROOT

AVENANT_3 = ROOT / "examples/avenant-3/aci-msp-avenant-3.conv"
SCENARIO = ROOT / "examples/avenant-3/comite-usagers.conv"
FRANCE_SANTE = ROOT / "conventions/aci-msp-avenant-2-france-sante.conv"
POPULATION = ROOT / "examples/population/population.csv"


def run(*args: str, cwd: Path | None = None) -> tuple[str, int]:
    previous = os.getcwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    finally:
        os.chdir(previous)
    return result.output, result.exit_code


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A copy of avenant 3 and its scénario, with the base where the copy looks for it."""
    (tmp_path / "aci-msp-avenant-3.conv").write_text(
        AVENANT_3.read_text(encoding="utf-8").replace('"../../conventions/', f'"{ROOT}/conventions/'), encoding="utf-8"
    )
    (tmp_path / "comite-usagers.conv").write_text(SCENARIO.read_text(encoding="utf-8"), encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("written", "fix"),
    [
        ("40", "tirage(40 %)"),
        ("0.4", "tirage(40 %)"),
        ("140 %", "entre 0 %"),
        ("-10 %", "entre 0 %"),
        ("2", "tirage(2 %)"),
    ],
)
def test_a_draw_is_a_percentage_between_0_and_100(folder: Path, written: str, fix: str):
    scenario = folder / "comite-usagers.conv"
    scenario.write_text(
        scenario.read_text(encoding="utf-8").replace("tirage(40 %)", f"tirage({written})"), encoding="utf-8"
    )
    output, code = run("check", scenario.name, cwd=folder)
    assert code == 1 and "erreur[tirage-part]" in output and "comite-usagers.conv:7:" in output
    assert fix in output
    output, code = run("simulate", folder / "aci-msp-avenant-3.conv", POPULATION, "--scenario", scenario)
    assert code == 1 and "Budget total" not in output


def test_a_draw_of_a_parametre_set_out_of_range_is_refused(folder: Path):
    (folder / "part.conv").write_text(
        'avenant part "Une part"\nbase : "aci-msp-avenant-3.conv"\nversion : "p"\n'
        'ajoute paramètres {\n  part_comite = 40 % "Part des MSP"\n}\n',
        encoding="utf-8",
    )
    (folder / "tirage.conv").write_text(
        'scénario t "t"\ndonnées {\n  nb_reunions_comite_usagers = si tirage(part_comite) alors 2 sinon 0\n}\n',
        encoding="utf-8",
    )
    output, code = run(
        "simulate", folder / "part.conv", POPULATION, "--scenario", folder / "tirage.conv", "--set", "part_comite=140%"
    )
    assert code == 1 and "entre 0 % et 100 %, pas 140 %" in output and "Budget total" not in output
    output, code = run(
        "simulate", folder / "part.conv", POPULATION, "--scenario", folder / "tirage.conv", "--set", "part_comite=40"
    )
    assert code == 1 and "erreur[unite-parametre]" in output and "écrivez « 40 % »" in output


def test_a_new_parametre_that_looks_like_one_of_the_base_is_an_error(tmp_path: Path):
    avenant = tmp_path / "avenant-3.conv"
    avenant.write_text(
        f'avenant av3 "Hausse de la concertation"\nbase : "{FRANCE_SANTE}"\nversion : "3"\n\n'
        "paramètres {\n  montant_concertation = 8_050 €\n}\n",
        encoding="utf-8",
    )
    output, code = run("check", avenant)
    assert code == 1 and "erreur[parametre-nouveau]" in output and "avenant-3.conv:6:3" in output
    assert "vouliez-vous dire « montant_rcp » ?" in output and "ajoute paramètres" in output
    avenant.write_text(
        avenant.read_text(encoding="utf-8").replace("montant_concertation", "montant_rcp"), encoding="utf-8"
    )
    output, code = run("check", avenant)
    assert code == 0, output


def test_an_explicit_addition_adds_and_an_existing_id_cannot_be_added(tmp_path: Path):
    avenant = tmp_path / "avenant-3.conv"
    avenant.write_text(
        f'avenant av3 "Un paramètre nouveau"\nbase : "{FRANCE_SANTE}"\nversion : "3"\n\n'
        "ajoute paramètres {\n  montant_rcp = 8_050 €\n}\n",
        encoding="utf-8",
    )
    output, code = run("check", avenant)
    assert code == 1 and "erreur[id-existant]" in output and "paramètres { … }" in output


def test_calibre_names_the_option_of_diff_that_changes_the_new_version_only():
    output, code = run(
        "calibre",
        AVENANT_3,
        "--population",
        POPULATION,
        "--scenario",
        SCENARIO,
        "--parametre",
        "montant_comite_usagers",
        "--budget-de",
        ROOT / "conventions/aci-msp-avenant-1.conv",
    )
    assert code == 0, output
    assert "avec diff, --set-apres montant_comite_usagers=" in output
    assert "Pour en chiffrer l'impact : convcheck diff" in output and "--set-apres montant_comite_usagers=" in output


def test_the_missing_euro_is_fixed_where_the_parametre_is_declared(folder: Path):
    avenant = folder / "fixe.conv"
    avenant.write_text(
        'avenant fixe "Une part fixe"\nbase : "aci-msp-avenant-3.conv"\nversion : "f"\n'
        "ajoute paramètres {\n  comite_usagers_fixe = 1_000\n}\n"
        "modifie critère comite_usagers { montant : montant_comite_usagers + comite_usagers_fixe }\n",
        encoding="utf-8",
    )
    output, code = run("check", avenant.name, cwd=folder)
    assert code == 1 and "fixe.conv:7:" in output
    assert "donnez-lui « comite_usagers_fixe = 1_000 € » là où il est déclaré" in output
    assert "« comite_usagers_fixe » est déclaré ici (fixe.conv:5:" in output
    assert "* 100 €" not in output


@pytest.mark.parametrize("written", ["critére", "critèr", "prèrequis"])
def test_a_misspelt_keyword_is_named_as_such(tmp_path: Path, written: str):
    text = (ROOT / "tests/golden/check/bases/mini.conv").read_text(encoding="utf-8")
    text = (
        text.replace("critère horaires", f"{written} horaires")
        if "crit" in written
        else text.replace("socle {", "prèrequis {")
    )
    (tmp_path / "mini.conv").write_text(text, encoding="utf-8")
    output, code = run("check", tmp_path / "mini.conv")
    assert code == 1 and f"« {written} »" in output and "jamais fermée" not in output
    assert "mot-clé" in output and "écrivez « " in output


# ---- the campaign ---------------------------------------------------------------------------------------

FAST = slips.sample(slips.campaign(), per_kind=3)


@pytest.mark.parametrize("slip", FAST, ids=[f"{s.kind}-{Path(s.file).stem}-{s.line}-{i}" for i, s in enumerate(FAST)])
def test_a_slip_is_never_silent(slip: slips.Slip):
    outcome = slips.classify(slip)
    assert outcome.verdict in ("erreur", "avertissement", "sans effet"), f"{slip}: {outcome}"


@pytest.mark.slow
def test_no_slip_of_the_whole_campaign_is_silent():
    silent = [
        (s, o)
        for s in slips.campaign()
        if (o := slips.classify(s)).verdict not in ("erreur", "avertissement", "sans effet")
    ]
    assert not silent, "\n".join(f"{s}: {o}" for s, o in silent[:20])


# ---- every output says what its figures rest on ---------------------------------------------------------


def test_an_impact_carries_its_hypotheses_overrides_and_statuses_in_every_file(tmp_path: Path):
    import hashlib
    import json

    import openpyxl
    import polars as pl

    digest = hashlib.sha256(POPULATION.read_bytes()).hexdigest()
    common = [
        "diff",
        ROOT / "conventions/aci-msp-avenant-1.conv",
        AVENANT_3,
        "--population",
        POPULATION,
        "--scenario",
        SCENARIO,
        "--set-apres",
        "montant_rcp=7500€",
    ]
    output, code = run(*common, "-o", tmp_path / "impact.xlsx", "--par-structure", tmp_path / "structures.csv")
    assert code == 0, output
    output, code = run(*common, "--format", "json")
    assert code == 0, output
    data = json.loads(output)
    provenance = data["provenance"]
    assert [v["statut"] for v in provenance["versions"]] == ["signe", "proposition"]
    assert provenance["scenarios"][0]["hypotheses"] == [
        "nb_reunions_comite_usagers = si tirage(40 %) alors 2 sinon 0 (version après seulement)"
    ]
    assert provenance["set"] == [{"valeur": "montant_rcp=7500€", "portee": "version après seulement"}]
    assert provenance["donnees"]["sha256"] == digest and provenance["donnees"]["lignes"] == 2300
    assert provenance["convcheck"] and provenance["date"] == "2026-12-07 00:00 UTC"
    assert (
        "proposition non signée" in data["verdict"]["phrase"]
        and "scénario « comite_usagers »" in data["verdict"]["phrase"]
        and "--set montant_rcp=7500€" in data["verdict"]["phrase"]
    )

    book = openpyxl.load_workbook(tmp_path / "impact.xlsx", read_only=True)
    assert book.sheetnames[0] == "Hypothèses"
    cells = [str(v) for row in book["Hypothèses"].iter_rows(values_only=True) for v in row]
    for wanted in (
        "proposition non signée",
        "texte signé",
        "montant_rcp=7500€",
        digest,
        "nb_reunions_comite_usagers = si tirage(40 %) alors 2 sinon 0 (version après seulement)",
    ):
        assert any(wanted in c for c in cells), wanted

    text = (tmp_path / "structures.csv").read_text(encoding="utf-8")
    comments = [line for line in text.splitlines() if line.startswith("#")]
    for wanted in ("proposition non signée", "montant_rcp=7500€", digest, "tirage(40 %)"):
        assert any(wanted in line for line in comments), wanted
    assert pl.read_csv(tmp_path / "structures.csv", comment_prefix="#").height == 2300


def test_the_results_files_carry_their_provenance(tmp_path: Path):
    import json

    import polars as pl

    for suffix in (".parquet", ".jsonl", ".csv"):
        output, code = run("simulate", AVENANT_3, POPULATION, "--scenario", SCENARIO, "-o", tmp_path / f"r{suffix}")
        assert code == 0, output
    metadata = pl.read_parquet_metadata(tmp_path / "r.parquet")
    assert json.loads(metadata["convcheck.provenance"])["versions"][0]["statut"] == "proposition"
    beside = json.loads((tmp_path / "r.jsonl.provenance.json").read_text(encoding="utf-8"))
    assert beside["scenarios"][0]["id"] == "comite_usagers"
    assert (tmp_path / "r.csv").read_text(encoding="utf-8").startswith("# Provenance des chiffres (convcheck)\n")
