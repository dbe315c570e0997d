"""Rules of one exercise (`exercice 2022 { … }`): avenant operations that hold for that exercise only, applied by
`--exercice` (eval, simulate, diff, consolidate) and `consolidate --au`, checked with the version, carried along
the chain, diffed, and stated by every report."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from click.testing import CliRunner

from dsl.checker import check
from dsl.parser import parse_text
from dsl.printer import print_file
from interpreter import api
from interpreter.cli import cli

BASE = """convention aci "ACI de démonstration"
version : "2017"
en vigueur : 2017-08-05

paramètres {
  valeur_point = 7 €
}

données {
  horaires : booléen "Horaires d'ouverture"
  plan_crise : booléen "Plan de préparation aux crises sanitaires"
  nb_protocoles : entier entre 0 et 50 "Protocoles"
}

prérequis {
  critère horaires_ouverture "Horaires d'ouverture" {
    condition : horaires
    points fixes : 800
  }
}

socle {
  critère protocoles "Protocoles" {
    condition : nb_protocoles >= 1
    points fixes : 100 * min(nb_protocoles, 8)
  }
}
"""
AVENANT_1 = """avenant aci_av1 "Avenant 1"
base : "aci.conv"
version : "avenant 1"
en vigueur : 2022-01-01

ajoute dans prérequis {
  critère crise "Plan de préparation aux crises sanitaires" {
    condition : plan_crise
  }
}

# guide Cnam 2022, p. 7 : l'indicateur est facultatif pour l'exercice 2022
exercice 2022 {
  déplace critère crise vers options
  paramètres {
    valeur_point = 7.5 €
  }

  cas sans_plan "Sans plan de crise en 2022 : éligible" {
    données {
      horaires = vrai
      plan_crise = faux
      nb_protocoles = 2
    }
    attendu {
      éligible
      total = 7_500 €
    }
  }
}

cas sans_plan_2023 "Sans plan de crise en 2023 : non éligible" {
  données {
    horaires = vrai
    plan_crise = faux
    nb_protocoles = 2
  }
  attendu {
    non éligible
  }
}
"""
AVENANT_2 = """avenant aci_av2 "Avenant 2"
base : "aci-av1.conv"
version : "avenant 2"
en vigueur : 2026-06-01

exercice 2026 {
  supprime critère crise
}
"""
STRUCTURE = {"horaires": True, "plan_crise": False, "nb_protocoles": 2}


@pytest.fixture
def chain(tmp_path):
    for name, text in (("aci.conv", BASE), ("aci-av1.conv", AVENANT_1), ("aci-av2.conv", AVENANT_2)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "s.yaml").write_text("horaires: vrai\nplan_crise: faux\nnb_protocoles: 2\n", encoding="utf-8")
    return tmp_path


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


# ---- the language -------------------------------------------------------------------------------------


def test_an_exercice_block_prints_and_parses_back():
    file = parse_text(AVENANT_1).file
    assert parse_text(print_file(file)).file == file
    block = file.items[1]
    assert block.year == 2022 and [type(i).__name__ for i in block.items] == ["Move", "ParametresBlock", "Cas"]


@pytest.mark.parametrize(
    "text, code",
    [
        ("exercice 22 {\n}", "exercice-invalide"),
        ("exercice 2022 {\n}\nexercice 2022 {\n}", "exercice-duplique"),
        ("exercice 2016 {\n}", "exercice-hors-vigueur"),
    ],
)
def test_an_exercice_is_checked(text, code):
    result = parse_text(BASE + text + "\n")
    diagnostics = list(result.diagnostics)
    if result.file is not None:
        diagnostics += check(result.file)[1]
    assert [d.code for d in diagnostics if d.is_error] == [code]


def test_exercice_and_par_stay_ids_where_an_id_stands():
    text = BASE.replace(
        '  nb_protocoles : entier entre 0 et 50 "Protocoles"',
        '  nb_protocoles : entier entre 0 et 50 "Protocoles" par défaut 0\n'
        '  exercice : entier par défaut 2022\n  par : entier "Par"',
    )
    text = text.replace(
        "paramètres {\n  valeur_point = 7 €\n}", "paramètres {\n  valeur_point = 7 € * 1\n  exercice_suivant = 2023\n}"
    )
    result = parse_text(text)
    assert not result.diagnostics
    assert [d.id for d in result.file.items[1].donnees][-2:] == ["exercice", "par"]


def test_check_applies_each_exercise_and_says_which_one_fails(chain):
    (chain / "faux.conv").write_text(
        AVENANT_1.replace("déplace critère crise", "déplace critère crises"), encoding="utf-8"
    )
    errors = api.check_version(str(chain / "faux.conv")).errors
    assert [d.code for d in errors] == ["id-inconnu"]
    assert errors[0].message.endswith("(règles de l'exercice 2022)") and errors[0].span.line == 14


@pytest.mark.parametrize("where", ["exercice", "version"])
def test_a_misspelt_donnee_in_a_cas_built_on_another_is_reported(chain, where):
    """A cas `comme` another cas of the version (in an exercise block, or an avenant's cas on a base's cas) that
    writes a misspelt donnée: located, with the donnée meant — never dropped, the cas passing on the other's value."""
    built = (
        '  cas sans_plan_bis "Sans plan, bis" comme sans_plan {\n    données {\n      plan_crse = faux\n'
        "    }\n    attendu {\n      éligible\n    }\n  }\n"
    )
    if where == "exercice":  # on the version's cas, outside the block
        built = built.replace("comme sans_plan", "comme sans_plan_2023")
        text = AVENANT_1.replace("\n}\n\ncas sans_plan_2023", "\n" + built + "}\n\ncas sans_plan_2023")
    else:
        base = (
            BASE + '\ncas sans_plan "Sans plan" {\n  données {\n    horaires = vrai\n    plan_crise = faux\n'
            "    nb_protocoles = 2\n  }\n}\n"
        )
        (chain / "aci.conv").write_text(base, encoding="utf-8")
        text = AVENANT_1 + "\n" + built.replace("\n  ", "\n").removeprefix("  ")
    (chain / "faux.conv").write_text(text, encoding="utf-8")
    errors = api.check_version(str(chain / "faux.conv")).errors
    assert [d.code for d in errors] == ["donnee-inconnue"]
    assert "« plan_crse »" in errors[0].message and errors[0].suggestion == "vouliez-vous dire « plan_crise » ?"
    assert (
        errors[0].span.line
        == text.splitlines().index("      plan_crse = faux" if where == "exercice" else "    plan_crse = faux") + 1
    )


# ---- the rules of one exercise --------------------------------------------------------------------------


def test_the_2022_rules_apply_to_2022_only(chain):
    general = api.load(chain / "aci-av1.conv")
    assert not general.evaluate(STRUCTURE).eligible
    exercise = api.load(chain / "aci-av1.conv", exercice=2022)
    assert exercise.model.exercice == 2022
    assert exercise.model.criteres["crise"].section == "options"
    assert exercise.evaluate(STRUCTURE).total == Decimal("7500.00")  # 1 000 points at 7,50 €
    later = api.load(chain / "aci-av1.conv", exercice=2023)
    assert later.model.exercice == 2023 and not later.model.exercice_rules
    assert not later.evaluate(STRUCTURE).eligible


def test_a_version_not_yet_in_force_cannot_give_an_exercise(chain):
    with pytest.raises(api.ConvError) as error:
        api.load(chain / "aci-av2.conv", exercice=2022)
    (diagnostic,) = error.value.diagnostics
    assert diagnostic.code == "exercice-hors-vigueur" and diagnostic.span.line == 4
    assert "« avenant 1 »" in diagnostic.suggestion and "aci-av1.conv" in diagnostic.suggestion


def test_an_avenant_keeps_its_bases_exercises_that_end_once_it_is_in_force(chain):
    model = api.load(chain / "aci-av2.conv").model
    assert list(model.exercices) == [2026]  # 2022 belongs to avenant 1
    assert "crise" not in api.load(chain / "aci-av2.conv", exercice=2026).model.criteres
    (chain / "aci-av1b.conv").write_text(AVENANT_1.replace("2022-01-01", "2021-01-01"), encoding="utf-8")
    (chain / "suite.conv").write_text(
        'avenant suite "Suite"\nbase : "aci-av1b.conv"\nversion : "suite"\n'
        "en vigueur : 2021-06-01\nsupprime exercice 2022\n",
        encoding="utf-8",
    )
    assert api.load(chain / "suite.conv").model.exercices == {}
    (chain / "mauvais.conv").write_text(
        'avenant mauvais "Mauvais"\nbase : "aci-av1.conv"\nversion : "mauvais"\nsupprime exercice 2021\n',
        encoding="utf-8",
    )
    errors = api.check_version(str(chain / "mauvais.conv")).errors
    assert [d.code for d in errors] == ["id-inconnu"] and "exercices qui en ont : 2022" in errors[0].suggestion


# ---- the command line ---------------------------------------------------------------------------------------


def test_eval_simulate_and_diff_take_exercice(chain):
    text = run("eval", str(chain / "aci-av1.conv"), str(chain / "s.yaml"), "--exercice", "2022").output
    assert (
        "Exercice 2022 : règles propres à l'exercice — déplace critère crise vers options ; paramètres { "
        "valeur_point = 7.5 € }." in text
    )
    assert "total 7\u202f500,00 €" in text
    data = json.loads(
        run("eval", str(chain / "aci-av1.conv"), str(chain / "s.yaml"), "--exercice", "2022", "--format", "json").output
    )
    assert data["exercice"] == {
        "annee": 2022,
        "regles": ["déplace critère crise vers options", "paramètres { valeur_point = 7.5 € }"],
    }
    assert data["total"] == "7500.00"
    (chain / "p.csv").write_text(
        "id,horaires,plan_crise,nb_protocoles\na,vrai,faux,2\nb,vrai,vrai,1\n", encoding="utf-8"
    )
    text = run("simulate", str(chain / "aci-av1.conv"), str(chain / "p.csv"), "--exercice", "2022").output
    assert "Exercice 2022 : règles propres" in text and "Structures évaluées : 2 ; éligibles : 2" in text
    data = json.loads(
        run(
            "simulate", str(chain / "aci-av1.conv"), str(chain / "p.csv"), "--exercice", "2023", "--format", "json"
        ).output
    )
    assert data["exercice"] == {"annee": 2023, "regles": []}
    text = run("diff", str(chain / "aci.conv"), str(chain / "aci-av1.conv"), "--exercice", "2022").output
    assert "Exercice 2022 : la version n'a pas de règle propre à cet exercice" in text
    assert "Exercice 2022 : règles propres à l'exercice — déplace critère crise vers options" in text


def test_a_year_is_four_digits(chain):
    result = run("eval", str(chain / "aci-av1.conv"), str(chain / "s.yaml"), "--exercice", "22")
    assert result.exit_code == 2 and "écrivez l'année sur quatre chiffres" in result.output


def test_consolidate_at_a_date_gives_the_rules_of_its_exercise(chain):
    text = run("consolidate", str(chain / "aci-av2.conv"), "--au", "2022-06-01").output
    assert "# Exercice 2022 : règles propres à l'exercice" in text
    assert 'options {\n  critère crise "Plan de préparation aux crises sanitaires"' in text
    assert "exercice 2022" not in text and "valeur_point = 7.5 €" in text
    assert "cas sans_plan " in text and "cas sans_plan_2023" not in text  # the exercise's cas, not the version's
    (chain / "c.conv").write_text(text, encoding="utf-8")
    assert not api.check_version(str(chain / "c.conv")).errors  # the consolidated text stands alone
    general = run("consolidate", str(chain / "aci-av1.conv")).output
    assert "exercice 2022 {\n  déplace critère crise vers options" in general
    assert "options {\n  critère crise" in run("consolidate", str(chain / "aci-av1.conv"), "--exercice", "2022").output
    conflict = run("consolidate", str(chain / "aci-av1.conv"), "--au", "2022-06-01", "--exercice", "2023")
    assert conflict.exit_code == 2


def test_test_runs_the_cas_of_each_exercise_with_its_rules(chain):
    result = run("test", str(chain / "aci-av1.conv"))
    assert "aci-av1.conv, exercice 2022 : 1 cas\n  ✓ sans_plan" in result.output
    assert "✓ sans_plan_2023" in result.output and result.exit_code == 0


# ---- diff, historique, editor ------------------------------------------------------------------------------


def test_diff_and_historique_report_the_rules_of_an_exercise(chain):
    changes = api.diff(api.load(chain / "aci.conv"), api.load(chain / "aci-av1.conv")).changes
    (change,) = [c for c in changes if c.element == "exercice"]
    assert (change.kind, change.id, change.champs[0].apres) == (
        "ajout",
        "2022",
        "déplace critère crise vers options ; paramètres { valeur_point = 7.5 € }",
    )
    found = api.history(str(chain / "aci-av2.conv"))
    assert [s.kind for s in found.clause("exercice", "2022").steps] == ["ajout", "suppression"]
    assert [s.kind for s in found.clause("exercice", "2026").steps] == ["ajout"]


def test_the_editor_sees_an_exercise_move_as_a_change_not_a_declaration(chain):
    from interpreter.lsp.hover import hover
    from interpreter.lsp.project import Project
    from interpreter.lsp.symbols import document_symbols

    path = str(chain / "aci-av1.conv")
    project = Project([str(chain)])
    project.open(path, AVENANT_1)
    text = hover(project, path, AVENANT_1.index("crise vers")).contents.value
    assert "Plan de préparation aux crises sanitaires" in text and "déplacement vers « options »" in text
    from dsl.source import SourceFile

    names = [s.name for s in document_symbols(parse_text(AVENANT_1).file, SourceFile(path, AVENANT_1))]
    assert "exercice 2022" in names


def test_the_site_shows_each_versions_year_rules(chain):
    (chain / "aci-av1.conv").write_text(
        AVENANT_1.replace("en vigueur : 2022-01-01\n", "en vigueur : 2022-01-01\nprorata : 1\n"), encoding="utf-8"
    )
    result = run("site", str(chain), "-o", str(chain / "site"))
    assert result.exit_code == 0, result.output
    first, avenant_1 = (
        (chain / "site" / "versions" / name).read_text(encoding="utf-8") for name in ("aci.html", "aci-av1.html")
    )
    assert "Pas de <code>prorata</code>" in first and "Exercices aux règles propres" not in first
    assert "<code>prorata : 1</code>" in avenant_1
    assert "<li>2022 : <code>déplace critère crise vers options ; paramètres" in avenant_1
