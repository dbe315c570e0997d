"""History of clauses along a chain of versions, the version in force at a date, and the comments that
`consolidate` keeps."""

from __future__ import annotations

import datetime
import json

from click.testing import CliRunner

from dsl.driver import check_file
from interpreter.api import chain_versions, history
from interpreter.cli import cli
from interpreter.compare.history import version_at
from tests.conftest import ROOT

PROPOSAL = str(ROOT / "conventions" / "aci-msp-avenant-2-france-sante.conv")


def test_each_clause_lists_the_versions_that_wrote_it():
    found = history(PROPOSAL)
    assert [v.name for v in found.versions] == ["2017", "avenant 1", "avenant 2 (proposition 2026)"]
    coordination = found.clause("critere", "fonction_coordination")
    assert [(s.version.name, s.kind) for s in coordination.steps] == [
        ("2017", "ajout"),
        ("avenant 1", "modification"),
        ("avenant 2 (proposition 2026)", "deplacement"),
    ]
    assert {f.champ for f in coordination.steps[1].champs} == {"points fixes", "points variables"}
    assert found.clause("critere", "accueil_cstm").removed
    assert found.clause("donnee", "participation_pdsa").steps[0].version.name == "avenant 2 (proposition 2026)"
    renamed = found.clause("parametre", "montant_minoration_conges")  # a points paramètre turned into euros
    assert renamed.steps[-1].kind == "renommage" and renamed.steps[-1].ancien_id == "horaires_minoration_conges"
    assert found.clause("parametre", "horaires_minoration_conges") is None


def test_the_version_in_force_at_a_date():
    versions, _ = chain_versions(PROPOSAL)
    assert version_at(versions, datetime.date(2017, 8, 4)) is None
    assert version_at(versions, datetime.date(2017, 8, 5)).name == "2017"
    assert version_at(versions, datetime.date(2025, 12, 31)).name == "avenant 1"
    assert version_at(versions, datetime.date(2030, 1, 1)).name == "avenant 2 (proposition 2026)"


def test_consolidate_keeps_the_comments_of_each_clause_and_checks_clean(tmp_path):
    output = tmp_path / "consolidee.conv"
    result = CliRunner().invoke(cli, ["consolidate", "--au", "2024-01-01", PROPOSAL, "-o", str(output)])
    assert result.exit_code == 0, result.output
    text = output.read_text(encoding="utf-8")
    assert 'version : "avenant 1"' in text and "statut : signé" in text
    # a comment directly above a paramètre, on a line of one, and above an avenant's modified critère
    assert "# confirmé (guide Cnam 2022, p. 16, 22, 35, 37) : pas de plafond" in text
    assert (
        'valeur_point = 7 € "Valeur du point"  # confirmé (guide Cnam 2022, p. 3 : « 7 euros x 800 points » ; '
        "ameli, QDM22)"
    ) in text
    assert "# Coordination : 1 000 points fixes, 1 700 points variables jusqu'à 8 000 patients" in text
    # not a file's header, nor a comment above a value the avenant replaced
    assert "# Accord conventionnel interprofessionnel relatif" not in text
    assert "Valeurs 2017 : hypothèse" not in text
    assert check_file(str(output)).diagnostics == ()


def test_the_history_says_the_status_of_each_version_s_figures():
    result = CliRunner().invoke(cli, ["historique", PROPOSAL, "--format", "json"])
    assert result.exit_code == 0, result.output
    clauses = {(c["element"], c["id"]): c for c in json.loads(result.output)["clauses"]}
    horaires = clauses[("critere", "horaires")]["versions"]
    assert "confirmé (guide Cnam 2022, p. 5)" in horaires[0]["statuts"]
    assert horaires[-1]["version"] == "avenant 2 (proposition 2026)" and horaires[-1]["statuts"] == ["hypothèse"]
    assert "choix" in clauses[("parametre", "precarite_toute_la_dotation")]["versions"][0]["statuts"]
    text = CliRunner().invoke(cli, ["historique", PROPOSAL]).output
    assert "— statut : confirmé (guide Cnam 2022, p. 23–24)" in text
