"""Part-year proration (`prorata : …`): one construct in the payment rules, for every line and every backend —
prorated before each line is rounded, explained « proratisé : 7/12 », carried by avenants and diffs."""

from __future__ import annotations

import json
from decimal import Decimal

import polars as pl
import pytest
from click.testing import CliRunner

from dsl.checker import check
from dsl.parser import parse_text
from dsl.printer import print_file
from interpreter import api
from interpreter.cli import cli

CONVENTION = """convention annee "Rémunération proratisée à la date du contrat"
version : "1"
en vigueur : 2022-01-01

paramètres {
  valeur_point = 7 €
  patientele_reference = 4000
  taux_avance = 60 %
}

données {
  patientele : entier entre 0 et 20_000 "Patientèle"
  horaires : booléen "Horaires d'ouverture"
  mois_adhesion : entier entre 0 et 12 "Mois couverts par le contrat" par défaut 12
  mois_si : entier entre 0 et 12 "Mois depuis l'achat du système d'information" par défaut 12
  taux_c2s : pourcentage entre 0 % et 100 % "Part de patients C2S" par défaut 0 %
}

prorata : mois_adhesion / 12

prérequis {
  critère h "Horaires" {
    condition : horaires
    points fixes : 800
  }
}

socle {
  critère coordination "Coordination" {
    condition : patientele >= 0
    points fixes : 700
    points variables : 1_100
  }
  critère systeme_info "Système d'information" {
    condition : patientele >= 0
    montant : 1_000 €
    prorata : mois_si / 12
  }
  critère forfait "Forfait annuel" {
    condition : patientele >= 0
    montant : 500 €
    prorata : 1
  }
  critere demi_centime "Un demi-centime" {
    condition : patientele >= 0
    montant : 1.005 €
  }
}

brique b "Brique" {
  condition : patientele >= 0
  montant : 1_200 €
  critère b1 "B1" {
    condition : horaires
  }
}

majoration precarite "Précarité" {
  assiette : total
  taux : taux_c2s
}

minimum garanti "Minimum" {
  montant : 30_000 €
  prorata : mois_adhesion / 12
}
"""
STRUCTURE = {"horaires": True, "patientele": 4000, "mois_adhesion": 7, "mois_si": 3, "taux_c2s": 10}  # 10 %


@pytest.fixture
def version(tmp_path):
    (tmp_path / "annee.conv").write_text(CONVENTION, encoding="utf-8")
    return api.load(tmp_path / "annee.conv")


# ---- the language -------------------------------------------------------------------------------------


def test_the_version_prorata_prints_and_parses_back():
    file = parse_text(CONVENTION).file
    printed = print_file(file)
    assert "\nprorata : mois_adhesion / 12\n" in printed
    assert parse_text(printed).file == file


@pytest.mark.parametrize(
    "text, code, message",
    [
        ("prorata : 12 €", "type-incompatible", "le prorata de la version doit être une part"),
        ("prorata : 1\nprorata : 1 / 2", "prorata-duplique", "la version a déjà un « prorata »"),
        (
            'socle { critère c "C" { condition : x  montant : 1 €  prorata : vrai } }',
            "type-incompatible",
            "le prorata du critère « c » doit être une part",
        ),
        (
            'brique b "B" { condition : x  montant : 1 €  critère c "C" { condition : x  prorata : 1 } }',
            "remuneration-dans-brique",
            "ne peut pas avoir de prorata propre",
        ),
        (
            'majoration m "M" { assiette : total  taux : 1 %  prorata : 1 }',
            "attribut-invalide",
            "ne peut pas avoir de « prorata »",
        ),
    ],
)
def test_a_prorata_is_checked(text, code, message):
    source = f'convention x "X"\nversion : "1"\ndonnées {{\n  x : booléen "X"\n}}\n{text}\n'
    model, diagnostics = check(parse_text(source).file)
    errors = [d for d in diagnostics if d.is_error]
    assert model is None and [d.code for d in errors] == [code], errors
    assert message in errors[0].message


def test_a_majoration_with_a_prorata_is_told_why():
    source = 'convention x "X"\nversion : "1"\nmajoration m "M" { assiette : total  taux : 1 %  prorata : 1 }\n'
    _, diagnostics = check(parse_text(source).file)
    assert "déjà proratisés" in diagnostics[0].suggestion


def test_a_minimum_for_the_whole_year_in_a_prorated_version_is_a_warning():
    source = CONVENTION.replace("  prorata : mois_adhesion / 12\n}", "}")
    model, diagnostics = check(parse_text(source).file)
    assert model is not None
    assert [d.code for d in diagnostics] == ["minimum-non-proratise"]
    assert "prorata : mois_adhesion / 12" in diagnostics[0].suggestion


# ---- the payment rules -----------------------------------------------------------------------------------


def test_every_line_is_prorated_before_it_is_rounded(version):
    evaluation = version.evaluate(STRUCTURE)
    amounts = {line.id: line.montant for line in evaluation.lines}
    assert amounts["h"] == Decimal("3266.67")  # 5 600 € × 7/12 = 3 266,666…
    assert amounts["coordination"] == Decimal("7350.00")  # 12 600 € × 7/12
    assert amounts["systeme_info"] == Decimal("250.00")  # its own prorata: 3/12
    assert amounts["forfait"] == Decimal("500.00")  # « prorata : 1 »: not prorated
    assert amounts["demi_centime"] == Decimal("0.59")  # 1,005 € × 7/12 = 0,586…
    assert amounts["b"] == Decimal("700.00")  # a brique: 1 200 € × 7/12
    # the majoration's assiette is made of the prorated amounts (briques aside): 10 % of 11 367,25… €
    assert amounts["precarite"] == Decimal("1136.73")
    assert amounts["garanti"] == Decimal(17500) - sum(v for k, v in amounts.items() if k != "garanti")
    assert evaluation.total == Decimal("17500.00")  # the minimum, with its own prorata: 30 000 € × 7/12
    assert evaluation.total_points == 800 + 1800  # points are not prorated


def test_half_a_cent_is_rounded_after_the_proration(version):
    evaluation = version.evaluate({**STRUCTURE, "mois_adhesion": 6})
    assert evaluation.line("demi_centime").montant == Decimal("0.50")  # 1,005 × 1/2 = 0,5025, not 1,01 × 1/2 = 0,505


def test_a_whole_year_pays_as_without_proration(version, tmp_path):
    full = version.evaluate({**STRUCTURE, "mois_adhesion": 12, "mois_si": 12})
    (tmp_path / "sans.conv").write_text(CONVENTION.replace("prorata : mois_adhesion / 12\n", ""), encoding="utf-8")
    plain = api.load(tmp_path / "sans.conv").evaluate({**STRUCTURE, "mois_si": 12})
    assert [line.montant for line in full.lines] == [line.montant for line in plain.lines]


def test_the_advance_is_prorated_as_the_lines_are_paid(version):
    # 60 % of (3 266,67 + 7 350 + 250 + 500 + 0,59) €
    assert version.advance(STRUCTURE) == Decimal("6820.36")


def test_a_structure_not_eligible_is_paid_nothing_and_its_prorata_is_not_computed(tmp_path):
    text = CONVENTION.replace("prorata : mois_adhesion / 12\n", "prorata : 12 / mois_adhesion\n", 1)
    (tmp_path / "division.conv").write_text(text, encoding="utf-8")
    version = api.load(tmp_path / "division.conv")
    assert version.evaluate({**STRUCTURE, "horaires": False, "mois_adhesion": 0}).total == 0
    with pytest.raises(api.ConvError) as error:
        version.evaluate({**STRUCTURE, "mois_adhesion": 0})
    assert "division par zéro dans le prorata de la version" in str(error.value)


def test_eval_says_proratise_on_each_prorated_line(version, tmp_path):
    (tmp_path / "s.yaml").write_text(
        "horaires: vrai\npatientele: 4000\nmois_adhesion: 7\nmois_si: 3\n", encoding="utf-8"
    )
    runner = CliRunner()
    text = runner.invoke(cli, ["eval", str(tmp_path / "annee.conv"), str(tmp_path / "s.yaml")]).output
    text = text.replace("\u202f", " ")  # French thousands
    assert (
        "  ✓ Horaires                             800      3 266,67 €\n      proratisé : 7/12 de 5 600,00 €\n" in text
    )
    assert "proratisé : 1/4 de 1 000,00 €" in text
    assert "brique débloquée : tous ses critères sont atteints ; proratisé : 7/12 de 1 200,00 €" in text
    data = json.loads(
        runner.invoke(cli, ["eval", str(tmp_path / "annee.conv"), str(tmp_path / "s.yaml"), "--format", "json"]).output
    )
    prorata = {line["id"]: line["prorata"] for line in data["criteres"] + data["briques"]}
    assert prorata == {
        "h": "7/12",
        "coordination": "7/12",
        "systeme_info": "1/4",
        "forfait": None,
        "demi_centime": "7/12",
        "b1": None,
        "b": "7/12",
    }


@pytest.mark.parametrize("engine", ["defaut", "duckdb"])
def test_every_engine_gives_the_same_cents(version, tmp_path, engine):
    rows = {
        "id": ["a", "b", "c", "d"],
        "horaires": [True, True, False, True],
        "patientele": [4000, 3001, 100, 17],
        "mois_adhesion": [7, None, 1, 1],
        "mois_si": [3, 0, 12, 5],
        "taux_c2s": [10, 5, 0, 33],
    }
    pl.DataFrame(rows).write_csv(tmp_path / "p.csv")
    simulation = version.simulation(str(tmp_path / "p.csv"), engine=engine)
    assert not simulation.notes
    table = simulation.table()
    for index, row in enumerate(table.to_dicts()):
        structure = {k: v[index] for k, v in rows.items() if k != "id" and v[index] is not None}
        evaluation = version.evaluate(structure)
        assert row["total"] == evaluation.total
        assert all(row[line.id] == line.montant for line in evaluation.lines if line.id in version.program.plan.paying)


def test_the_sql_query_names_the_prorata_columns(version):
    query = version.sql("postgres")
    assert " AS prorata," in query and " AS prorata_systeme_info," in query


# ---- avenants, diff, historique -------------------------------------------------------------------------------


def avenant(tmp_path, body: str):
    (tmp_path / "av.conv").write_text(
        f'avenant av "Avenant"\nbase : "annee.conv"\nversion : "2"\n{body}', encoding="utf-8"
    )
    return api.load(tmp_path / "av.conv")


def test_an_avenant_sets_changes_and_removes_the_prorata(version, tmp_path):
    changed = avenant(tmp_path, "prorata : (mois_adhesion + 1) / 13\n")
    assert changed.evaluate({**STRUCTURE, "mois_adhesion": 12}).line("forfait").montant == Decimal("500.00")
    assert changed.evaluate({**STRUCTURE, "mois_adhesion": 12}).line("h").montant == Decimal("5600.00")
    removed = avenant(tmp_path, "supprime prorata\nmodifie minimum garanti { prorata : 1 }\n")
    assert removed.model.prorata is None
    assert removed.evaluate(STRUCTURE).line("h").montant == Decimal("5600.00")
    excluded = avenant(tmp_path, "modifie critère h { prorata : 1 }\n")
    assert excluded.evaluate(STRUCTURE).line("h").montant == Decimal("5600.00")


def test_removing_a_prorata_the_base_has_not_is_an_error(version, tmp_path):
    avenant(tmp_path, "supprime prorata\nmodifie minimum garanti { prorata : 1 }\n")
    (tmp_path / "av2.conv").write_text(
        'avenant av2 "Encore"\nbase : "av.conv"\nversion : "3"\nsupprime prorata\n', encoding="utf-8"
    )
    checked = api.check_version(str(tmp_path / "av2.conv"))
    assert [(d.code, d.span.line) for d in checked.errors] == [("id-inconnu", 4)]
    assert "n'a pas de prorata" in checked.errors[0].message


def test_diff_and_historique_report_a_changed_prorata(version, tmp_path):
    changed = avenant(tmp_path, "prorata : mois_adhesion / 12 * 1\nmodifie critère forfait { prorata : 1 / 2 }\n")
    found = api.diff(version, changed)
    by_element = {(c.element, c.id): [(f.champ, f.avant, f.apres) for f in c.champs] for c in found.changes}
    assert by_element[("prorata", "prorata")] == [("valeur", "mois_adhesion / 12", "mois_adhesion / 12 * 1")]
    assert by_element[("critere", "forfait")] == [("prorata", "1", "1 / 2")]
    clauses = api.history(str(tmp_path / "av.conv"))
    assert [s.kind for s in clauses.clause("prorata", "prorata").steps] == ["ajout", "modification"]
    text = CliRunner().invoke(cli, ["diff", str(tmp_path / "annee.conv"), str(tmp_path / "av.conv")]).output
    assert "Prorata de la version\n---" in text and "valeur : mois_adhesion / 12 * 1" in text


def test_block_keywords_remain_ids_after_an_expression():
    """`prorata : …` lets a block follow an expression: a paramètre or a donnée named like a block is still one."""
    text = """convention x "X"
version : "1"
paramètres {
  valeur_point = 7 € + 0 €
  minimum = 20_000 €
  majoration = 1
  socle = 2
  cas = 3
}
données {
  a : entier par défaut 1
  options : entier par défaut 2
  brique : booléen
}
prorata : a / 12
socle {
  critère c "C" { condition : brique  montant : minimum * majoration * socle * cas * options }
}
prorata : 1
minimum m "M" { montant : 1 € }
"""
    result = parse_text(text)
    assert not result.diagnostics
    assert [p.id for p in result.file.items[0].parametres] == ["valeur_point", "minimum", "majoration", "socle", "cas"]
    assert [type(i).__name__ for i in result.file.items] == [
        "ParametresBlock",
        "DonneesBlock",
        "Prorata",
        "Section",
        "Prorata",
        "Minimum",
    ]
