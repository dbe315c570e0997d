"""Majorations, minimums and the advance: what they pay, in every backend, and how avenants change them."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from dsl import nodes as n
from dsl.driver import check_file
from dsl.parser import parse_text
from dsl.printer import print_file
from interpreter import api
from interpreter.cli import cli
from interpreter.compare.diff import diff_models
from interpreter.lsp.symbols import document_symbols
from tests.conftest import ROOT

BASE = """convention mini "Mini"
version : "1"

paramètres {
  valeur_point = 10 €
  patientele_reference = 1000
  taux_avance = 50 %
}

données {
  patientele : entier entre 0 et 10_000 "Patientèle"
  ouverte : booléen "Ouverte"
  protocoles : booléen "Protocoles"
  precaire : pourcentage entre 0 % et 100 % "Part de patients précaires"
  jeune : booléen "Première année"
}

prérequis {
  critère horaires "Horaires" {
    condition : ouverte
    points fixes : 100
    points variables : 50
  }
}

socle {
  critère protocoles_valides "Protocoles" {
    condition : protocoles
    points fixes : 20
    points variables : 10
    montant : 300 €
  }
}

options {
  critère forfait "Forfait" {
    condition : protocoles
    montant : 1_000 €
  }
}

brique label "Label" {
  condition : protocoles
  montant : 5_000 €
  critère label_ouverte "Ouverte" {
    condition : ouverte
  }
}

majoration variable "Sur les points variables" {
  assiette : points variables
  taux : precaire
}

majoration fixe_socle "Sur les points fixes du socle" {
  assiette : points fixes dans (socle)
  taux : 10 %
  condition : precaire > 10 %
}

majoration tout "Sur le total des options" {
  assiette : total dans (options, socle)
  taux : 1 %
}

minimum premier "Minimum" {
  condition : jeune
  montant : 20_000 €
  prorata : 1 / 2
}

minimum second "Second minimum" {
  condition : jeune
  montant : 11_000 €
}
"""

STRUCTURE = {"patientele": 2000, "ouverte": True, "protocoles": True, "precaire": "15 %", "jeune": False}


@pytest.fixture
def version(tmp_path):
    path = tmp_path / "mini.conv"
    path.write_text(BASE, encoding="utf-8")
    return api.load(path)


def amounts(version, structure) -> dict[str, Decimal]:
    evaluation = version.evaluate(structure)
    return {line.id: line.montant for line in evaluation.lines} | {"total": evaluation.total}


def test_each_majoration_takes_its_part_of_the_lines_paid(version):
    got = amounts(version, STRUCTURE)
    # horaires: 100 + 50 × 2 = 200 points (100 variable) = 2 000 €; protocoles: 20 + 10 × 2 = 40 points
    # (20 variable) = 400 € + 300 € = 700 €; forfait 1 000 €; brique 5 000 €.
    assert (got["horaires"], got["protocoles_valides"], got["forfait"], got["label"]) == (2000, 700, 1000, 5000)
    assert got["variable"] == Decimal("180.00")  # 15 % of (100 + 20) variable points × 10 €
    assert got["fixe_socle"] == Decimal("20.00")  # 10 % of the socle's 20 fixed points × 10 €
    assert got["tout"] == Decimal("17.00")  # 1 % of (700 € + 1 000 €): briques are not part of the assiette
    assert got["total"] == Decimal("8917.00")


def test_a_majoration_is_paid_to_eligible_structures_only_and_under_its_condition(version):
    got = amounts(version, {**STRUCTURE, "precaire": "5 %"})
    assert got["fixe_socle"] == 0 and got["variable"] == Decimal("60.00")
    closed = amounts(version, {**STRUCTURE, "ouverte": False})
    assert closed["total"] == 0 and closed["variable"] == 0 and closed["tout"] == 0


def test_minimums_top_the_total_up_in_order_and_only_for_eligible_structures(version):
    young = {**STRUCTURE, "jeune": True}
    got = amounts(version, young)
    assert got["premier"] == Decimal("1083.00")  # 20 000 € × 1/2 − 8 917 €
    assert got["second"] == Decimal("1000.00")  # 11 000 € − (8 917 € + 1 083 €)
    assert got["total"] == Decimal("11000.00")
    closed = amounts(version, {**young, "ouverte": False})
    assert closed["premier"] == 0 and closed["total"] == 0
    text = version.evaluate({**young, "ouverte": False}).line("premier").explanation
    assert text == "la structure n'est pas éligible : le minimum de 10\u202f000,00 € n'est pas versé"


def test_vector_and_duckdb_give_the_same_cents(version, tmp_path):
    rows = [
        STRUCTURE,
        {**STRUCTURE, "jeune": True},
        {**STRUCTURE, "ouverte": False, "jeune": True},
        {**STRUCTURE, "precaire": "33.3333 %", "patientele": 3333},
    ]
    csv = tmp_path / "pop.csv"
    header = ["id", *STRUCTURE]
    csv.write_text(
        ",".join(header)
        + "\n"
        + "".join(
            ",".join([f"s{i}", *(str(r[k]).replace(" %", "").lower() for k in STRUCTURE)]) + "\n"
            for i, r in enumerate(rows)
        ),
        encoding="utf-8",
    )
    expected = [amounts(version, r) for r in rows]
    for engine in ("defaut", "duckdb"):
        out = tmp_path / f"{engine}.csv"
        result = CliRunner().invoke(cli, ["simulate", str(version.path), str(csv), "-o", str(out), "--moteur", engine])
        assert result.exit_code == 0, result.output
        lines = [line for line in out.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
        columns = lines[0].split(",")
        for row, wanted in zip(lines[1:], expected, strict=True):
            values = dict(zip(columns, row.split(","), strict=True))
            for id in ("variable", "fixe_socle", "tout", "premier", "second", "total"):
                assert Decimal(values[id]) == wanted[id], (engine, id, values)


def test_the_advance_is_its_share_of_the_prerequis_and_socle_all_met(version):
    # Everything met with its own données: horaires 2 000 € + protocoles 700 € = 2 700 €; 50 % = 1 350 €.
    assert version.advance({**STRUCTURE, "protocoles": False}) == Decimal("1350.00")
    result = CliRunner().invoke(
        cli,
        [
            "eval",
            "--avance",
            "--format",
            "json",
            str(version.path),
            str(declaration(Path(version.path).parent, {**STRUCTURE, "protocoles": False})),
            "--no-color",
        ],
    )
    data = json.loads(result.output)
    assert data["avance"] == "1350.00" and data["solde"] == f"{Decimal(data['total']) - Decimal('1350.00'):.2f}"
    assert {m["id"] for m in data["majorations"]} == {"variable", "fixe_socle", "tout"}
    assert [m["id"] for m in data["minimums"]] == ["premier", "second"]


@pytest.mark.parametrize(("asserted", "passed"), [("1_350 €", True), ("1_400 €", False)])
def test_a_cas_asserts_the_advance(tmp_path, asserted, passed):
    """`avance` in `attendu`: the advance of the cas's structure, as `eval --avance` gives it (a critère moved
    between socle and options changes it, and nothing else)."""
    cas = (
        f'\ncas sans_protocoles "Sans protocoles" {{\n  données {{\n    patientele = 2000\n    ouverte = vrai\n'
        f"    protocoles = faux\n    precaire = 15 %\n    jeune = faux\n  }}\n  attendu {{\n"
        f"    avance = {asserted}\n  }}\n}}\n"
    )
    (tmp_path / "mini.conv").write_text(BASE + cas, encoding="utf-8")
    [result] = api.load(tmp_path / "mini.conv").cases()
    assert result.passed is passed
    if not passed:
        assert (result.failures[0].expected, result.failures[0].actual) == ("1\u202f400,00 €", "1\u202f350,00 €")


def test_a_cas_cannot_assert_the_advance_of_a_version_without_one(tmp_path):
    cas = (
        '\ncas c "C" {\n  données {\n    patientele = 2000\n    ouverte = vrai\n    protocoles = faux\n'
        "    precaire = 15 %\n    jeune = faux\n  }\n  attendu {\n    avance = 0 €\n  }\n}\n"
    )
    (tmp_path / "mini.conv").write_text(BASE.replace("  taux_avance = 50 %\n", "") + cas, encoding="utf-8")
    errors = check_file(str(tmp_path / "mini.conv")).errors
    assert [d.code for d in errors] == ["avance-sans-taux"] and errors[0].suggestion.endswith("taux_avance = 60 %")
    assert (tmp_path / "mini.conv").read_text(encoding="utf-8").splitlines()[
        errors[0].span.line - 1
    ].strip() == "avance = 0 €"


def declaration(folder: Path, structure: dict) -> Path:
    path = folder / "structure.yaml"
    path.write_text(
        "".join(f"{k}: {str(v).lower() if isinstance(v, bool) else v}\n" for k, v in structure.items()),
        encoding="utf-8",
    )
    return path


AVENANT = """avenant mini_av "Avenant"
base : "mini.conv"
version : "2"

modifie majoration variable { taux : 2 * precaire }
remplace minimum premier "Minimum réécrit" { montant : 30_000 € }
supprime minimum second
supprime majoration tout
ajoute majoration nouvelle "Nouvelle" {
  assiette : points
  taux : 5 %
}
"""


def test_avenants_add_modify_replace_and_remove_majorations_and_minimums(tmp_path):
    (tmp_path / "mini.conv").write_text(BASE, encoding="utf-8")
    (tmp_path / "av.conv").write_text(AVENANT, encoding="utf-8")
    new = api.load(tmp_path / "av.conv")
    assert list(new.model.majorations) == ["variable", "fixe_socle", "nouvelle"]
    assert list(new.model.minimums) == ["premier"]
    assert new.model.minimums["premier"].prorata is None and new.model.minimums["premier"].label == "Minimum réécrit"
    got = amounts(new, {**STRUCTURE, "jeune": True})
    assert got["variable"] == Decimal("360.00") and got["nouvelle"] == Decimal("120.00")  # 5 % of 240 points × 10 €
    old = api.load(tmp_path / "mini.conv")
    changes = {(c.kind, c.element, c.id) for c in diff_models(old.model, new.model).changes}
    assert {
        ("modification", "majoration", "variable"),
        ("modification", "minimum", "premier"),
        ("suppression", "minimum", "second"),
        ("suppression", "majoration", "tout"),
        ("ajout", "majoration", "nouvelle"),
    } <= changes


@pytest.mark.parametrize(
    "operation, code, words",
    [
        ("modifie critère variable { condition : vrai }", "id-inconnu", "« variable » est une majoration"),
        ("supprime majoration premier", "id-inconnu", "« premier » est un minimum"),
        ("modifie minimum inconnu { montant : 1 € }", "id-inconnu", "minimum « inconnu » inconnu"),
        ('ajoute majoration horaires "Doublon" { assiette : points  taux : 1 % }', "id-existant", "existe déjà"),
        (
            'majoration directe "Directe" { assiette : points  taux : 1 % }',
            "declaration-dans-avenant",
            "ajoute majoration directe",
        ),
    ],
)
def test_avenant_operations_on_majorations_say_what_is_wrong(tmp_path, operation, code, words):
    (tmp_path / "mini.conv").write_text(BASE, encoding="utf-8")
    (tmp_path / "av.conv").write_text(
        f'avenant av "Av"\nbase : "mini.conv"\nversion : "2"\n\n{operation}\n', encoding="utf-8"
    )
    found = [d for d in check_file(str(tmp_path / "av.conv")).diagnostics if d.code == code]
    assert found and any(words in f"{d.message} {d.suggestion}" for d in found), found


def test_printing_and_formatting_keep_majorations_and_minimums():
    file = parse_text(BASE + "\n" + AVENANT.split("\n", 4)[4].replace("ajoute ", "")).file
    assert file is not None
    printed = print_file(file)
    assert parse_text(printed).file == file
    assert "assiette : points fixes dans (socle)" in printed and "prorata : 1 / 2" in printed


def test_accent_free_section_names_in_an_assiette_and_keywords_as_ids():
    text = BASE.replace("assiette : total dans (options, socle)", "assiette : total dans (prerequis)")
    text = text.replace("precaire", "taux").replace("taux : taux", "taux : taux")  # a donnée named like the keyword
    file = parse_text(text).file
    majoration = next(i for i in file.items if isinstance(i, n.Majoration) and i.id == "tout")
    assert majoration.attributes[0].value == n.Assiette("total", ("prerequis",))
    assert check_file_text(text) == []


def check_file_text(text: str) -> list:
    from dsl.checker import check

    model, diagnostics = check(parse_text(text).file)
    return [d for d in diagnostics if d.is_error]


def test_the_outline_names_majorations_and_minimums():
    result = parse_text(BASE)
    names = [s.name for s in document_symbols(result.file, result.source)]
    assert {"variable", "fixe_socle", "tout", "premier", "second"} <= set(names)


def test_the_bundled_conventions_pay_the_majoration_and_show_the_minimum_not_paid():
    avenant_1 = api.load(ROOT / "conventions" / "aci-msp-avenant-1.conv")
    assert "precarite" in avenant_1.model.majorations and "premiere_annee" in avenant_1.model.minimums
    young = ROOT / "examples" / "declarations" / "jeune-msp-sans-plan-crise-avenant-1.yaml"
    line = avenant_1.evaluate(young).line("premiere_annee")
    assert not line.paid and "le minimum de 11\u202f666,67 € n'est pas versé" in line.explanation
