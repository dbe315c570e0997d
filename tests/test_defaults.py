"""Données with a stated default (`par défaut …`): written, checked, taken by declarations and populations in
every input form and every backend, announced (never silent), carried by avenants, diffed, hovered."""

from __future__ import annotations

import json
from decimal import Decimal

import duckdb
import polars as pl
import pytest
from click.testing import CliRunner

from dsl.checker import check
from dsl.parser import parse_text
from dsl.printer import print_file
from interpreter import api
from interpreter.cli import cli

CONVENTION = """convention defauts "Données à valeur par défaut"
version : "1"
en vigueur : 2022-01-01

paramètres {
  valeur_point = 7 €
}

données {
  horaires : booléen "Horaires d'ouverture respectés"
  mois_adhesion : entier entre 0 et 12 "Mois couverts par le contrat" par défaut 12
  taux_c2s : pourcentage entre 0 % et 100 % "Part de patients C2S" par défaut 10 %
  zone : choix(metropole, drom) "Zone" par defaut : metropole
  ouverture : date "Date d'ouverture" par défaut 2020-01-01
  ipa : booléen "IPA dans l'équipe" par défaut faux
  budget : montant entre 0 € et 1_000_000 € "Budget" par défaut 1_500.50 €
}

socle {
  critère base "Base" {
    condition : horaires
    points fixes : 100 * mois_adhesion
    montant : (si zone = drom alors 1_000 € sinon 0 €) + budget * taux_c2s
  }
  critère recent "Ouverte depuis 2021" {
    condition : ouverture >= 2021-01-01 ou ipa
    montant : 500 €
  }
}

cas sans_les_defauts "Une structure qui ne donne que les horaires" {
  données {
    horaires = vrai
  }
  attendu {
    total = 8_550.05 €
  }
}

cas en_drom "En outre-mer, six mois" comme sans_les_defauts {
  données {
    zone = drom
    mois_adhesion = 6
  }
  attendu {
    total = 5_350.05 €
  }
}
"""
FULL = 100 * 12 * 7 + Decimal("150.05")  # 8 550,05 €: 1 200 points at 7 €, 10 % of 1 500,50 €


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "defauts.conv").write_text(CONVENTION, encoding="utf-8")
    return tmp_path


def load(folder):
    return api.load(folder / "defauts.conv")


# ---- the language -------------------------------------------------------------------------------------


def test_a_default_is_printed_canonically_and_parses_back():
    file = parse_text(CONVENTION).file
    printed = print_file(file)
    assert 'zone : choix(metropole, drom) "Zone" par défaut metropole' in printed
    assert parse_text(printed).file == file


def test_a_donnee_may_be_named_par_or_taux_after_a_default():
    text = """convention x "X"
version : "1"
données {
  a : entier par défaut 3
  taux : pourcentage par défaut 5 %
  b : booléen
  par : entier "Par" par défaut 2
  prorata : nombre par défaut 1
}
"""
    result = parse_text(text)
    assert not result.diagnostics
    assert [d.id for d in result.file.items[0].donnees] == ["a", "taux", "b", "par", "prorata"]


@pytest.mark.parametrize(
    "declaration, code, message",
    [
        ("mois : entier entre 0 et 12 par défaut 13", "hors-intervalle", "13 est hors de l'intervalle"),
        ("mois : entier par défaut 2 * 6", "type-incompatible", "doit être écrite littéralement"),
        ("mois : entier par défaut 1.5", "type-incompatible", "est un entier, pas 1.5"),
        ("mois : date par défaut 12", "type-incompatible", "est de type date"),
        ("mois : choix(a, b) par défaut c", "valeur-choix-inconnue", "n'est pas une valeur"),
        ("mois : montant par défaut 12", "type-incompatible", "est de type montant"),
    ],
)
def test_a_default_is_checked_against_the_type_and_the_range(declaration, code, message):
    text = f'convention x "X"\nversion : "1"\ndonnées {{\n  {declaration}\n}}\n'
    model, diagnostics = check(parse_text(text).file)
    errors = [d for d in diagnostics if d.is_error]
    assert model is None and [d.code for d in errors] == [code]
    assert message in errors[0].message and errors[0].span.line == 4


def test_a_cas_may_omit_a_donnee_with_a_default(folder):
    results = load(folder).cases()
    assert [r.passed for r in results] == [True, True]
    assert results[0].evaluation.total == FULL


# ---- declarations --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, text",
    [
        ("s.yaml", "horaires: vrai\nzone:\n"),
        ("s.json", '{"horaires": true, "zone": null}'),
        ("s.toml", "horaires = true\n"),
    ],
)
def test_a_declaration_that_lacks_a_donnee_takes_its_default(folder, name, text):
    (folder / name).write_text(text, encoding="utf-8")
    evaluation = load(folder).evaluate(folder / name)
    assert evaluation.total == FULL
    assert evaluation.defaults == ("mois_adhesion", "taux_c2s", "zone", "ouverture", "ipa", "budget")


def test_eval_says_valeur_par_defaut_beside_each_default_taken(folder):
    (folder / "s.yaml").write_text("horaires: vrai\nmois_adhesion: 6\n", encoding="utf-8")
    runner = CliRunner()
    text = runner.invoke(cli, ["eval", str(folder / "defauts.conv"), str(folder / "s.yaml")]).output
    assert "  taux_c2s = 10 % (valeur par défaut) — Part de patients C2S" in text
    assert "mois_adhesion = 6" not in text
    data = json.loads(
        runner.invoke(cli, ["eval", str(folder / "defauts.conv"), str(folder / "s.yaml"), "--format", "json"]).output
    )
    assert data["valeurs_par_defaut"][0] == {"id": "taux_c2s", "libelle": "Part de patients C2S", "valeur": "10 %"}
    assert [d["id"] for d in data["valeurs_par_defaut"]] == ["taux_c2s", "zone", "ouverture", "ipa", "budget"]


def test_a_value_given_is_still_checked(folder):
    (folder / "s.yaml").write_text("horaires: vrai\nmois_adhesion: 13\n", encoding="utf-8")
    with pytest.raises(api.ConvError) as error:
        load(folder).evaluate(folder / "s.yaml")
    assert error.value.diagnostics[0].code == "declaration-hors-intervalle"


def test_a_donnee_without_default_is_still_required(folder):
    (folder / "s.yaml").write_text("mois_adhesion: 3\n", encoding="utf-8")
    with pytest.raises(api.ConvError) as error:
        load(folder).evaluate(folder / "s.yaml")
    assert [d.code for d in error.value.diagnostics] == ["declaration-donnee-manquante"]


# ---- populations, every form, every backend --------------------------------------------------------------

ROWS = {"id": ["a", "b", "c"], "horaires": [True, True, False], "mois_adhesion": [6, None, 12]}


def population(folder, kind: str) -> str:
    frame = pl.DataFrame(ROWS)
    path = folder / f"p.{kind}"
    if kind == "csv":
        frame.write_csv(path)
    elif kind == "parquet":
        frame.write_parquet(path)
    elif kind == "jsonl":
        path.write_text(
            '{"id": "a", "horaires": true, "mois_adhesion": 6}\n{"id": "b", "horaires": true}\n'
            '{"id": "c", "horaires": false, "mois_adhesion": 12}\n',
            encoding="utf-8",
        )
    else:
        frame.write_excel(path)
    return str(path)


@pytest.mark.parametrize("kind", ["csv", "parquet", "jsonl", "xlsx"])
@pytest.mark.parametrize("engine", ["defaut", "duckdb"])
def test_a_population_takes_defaults_for_missing_columns_and_empty_cells(folder, kind, engine):
    version = load(folder)
    simulation = version.simulation(population(folder, kind), engine=engine)
    assert not simulation.notes
    assert simulation.population.defaults == {
        "mois_adhesion": 1,
        "taux_c2s": 3,
        "zone": 3,
        "ouverture": 3,
        "ipa": 3,
        "budget": 3,
    }
    totals = [Decimal(t) for t in simulation.table()["total"].to_list()]
    assert totals == [
        version.evaluate({"horaires": h, **({} if m is None else {"mois_adhesion": m})}).total
        for h, m in zip(ROWS["horaires"], ROWS["mois_adhesion"], strict=True)
    ]
    assert totals == [Decimal("4350.05"), FULL, 0]


def test_parquet_without_the_column_is_read_by_duckdb_alone_with_the_default(folder):
    pl.DataFrame({"id": ["a", "b"], "horaires": [True, False]}).write_parquet(folder / "p.parquet")
    simulation = load(folder).simulation(str(folder / "p.parquet"), engine="duckdb")
    assert simulation.population.columns == {}  # read by DuckDB alone: convcheck's reader never read the rows
    assert simulation.population.defaults["mois_adhesion"] == 2
    assert [Decimal(t) for t in simulation.table()["total"].to_list()] == [FULL, 0]


def test_a_column_close_to_a_defaulted_donnee_is_a_misspelling_not_ignored(folder):
    (folder / "p.csv").write_text("id,horaires,mois_adhesio\na,vrai,6\n", encoding="utf-8")
    with pytest.raises(api.ConvError) as error:
        load(folder).simulation(str(folder / "p.csv"))
    assert "mois_adhesion" in error.value.diagnostics[0].suggestion


def test_simulate_says_how_many_structures_took_each_default(folder):
    path = population(folder, "csv")
    runner = CliRunner()
    text = runner.invoke(cli, ["simulate", str(folder / "defauts.conv"), path]).output
    assert "▸ Valeurs par défaut" in text
    assert "mois_adhesion = 12 (Mois couverts par le contrat) : 1 structure sur 3" in text
    data = json.loads(runner.invoke(cli, ["simulate", str(folder / "defauts.conv"), path, "--format", "json"]).output)
    assert data["valeurs_par_defaut"][0] == {
        "id": "mois_adhesion",
        "libelle": "Mois couverts par le contrat",
        "valeur": "12",
        "structures": 1,
    }


def test_diff_population_lists_the_defaults_of_each_version(folder):
    path = population(folder, "csv")
    (folder / "av.conv").write_text(
        """avenant av "Sans défaut de zone"
base : "defauts.conv"
version : "2"
données {
  mois_adhesion : entier entre 0 et 12 "Mois couverts par le contrat" par défaut 6
}
""",
        encoding="utf-8",
    )
    runner = CliRunner()
    args = ["diff", str(folder / "defauts.conv"), str(folder / "av.conv"), "--population", path]
    text = runner.invoke(cli, args).output
    assert "▸ Valeurs par défaut (version avant)" in text and "▸ Valeurs par défaut (version après)" in text
    assert "mois_adhesion = 6 (Mois couverts par le contrat) : 1 structure sur 3" in text
    data = json.loads(runner.invoke(cli, [*args, "--format", "json"]).output)
    assert data["impact"]["valeurs_par_defaut"]["apres"][0] == {"id": "mois_adhesion", "structures": 1}
    assert any(
        c["element"] == "donnee"
        and c["id"] == "mois_adhesion"
        and {"champ": "défaut", "avant": "12", "apres": "6"} in c["champs"]
        for c in data["changes"]
    )


# ---- SQL ----------------------------------------------------------------------------------------------------


def test_the_sql_query_takes_the_default_for_null_cells_and_absent_columns(folder):
    version = load(folder)
    query = version.sql("duckdb", absent=["taux_c2s", "zone", "ouverture", "ipa", "budget"])
    assert "colonnes absentes de structures : taux_c2s, zone, ouverture, ipa, budget" in query
    connection = duckdb.connect()
    connection.execute(
        "CREATE TABLE structures AS SELECT * FROM (VALUES ('a', TRUE, 6), ('b', TRUE, NULL), "
        "('c', FALSE, 12)) t(id, horaires, mois_adhesion)"
    )
    rows = connection.sql(query).fetchall()
    assert [row[-3] for row in rows] == [Decimal("4350.05"), FULL, 0]


def test_sql_refuses_an_absent_column_without_default(folder):
    result = CliRunner().invoke(
        cli, ["sql", str(folder / "defauts.conv"), "--dialecte", "duckdb", "--colonne-absente", "horaires"]
    )
    assert result.exit_code == 1 and "colonne-absente-invalide" in result.output


# ---- avenants, diff, historique, LSP -------------------------------------------------------------------------


def avenant(folder, body: str):
    (folder / "av.conv").write_text(
        f'avenant av "Avenant"\nbase : "defauts.conv"\nversion : "2"\n{body}', encoding="utf-8"
    )
    return api.load(folder / "av.conv")


def test_an_avenant_adds_a_donnee_with_a_default(folder):
    version = avenant(
        folder,
        """données {
  tarifs : booléen "Tarifs opposables" par défaut vrai
}
ajoute dans options {
  critère tarifs_opposables "Tarifs" { condition : tarifs  montant : 100 € }
}
""",
    )
    assert version.model.donnees["tarifs"].default.value is True
    assert version.evaluate({"horaires": True}).total == FULL + 100


def test_a_donnee_declared_again_keeps_its_default_unless_it_gives_one(folder):
    kept = avenant(folder, "données {\n  mois_adhesion : entier entre 1 et 12\n}\n")
    assert kept.model.donnees["mois_adhesion"].default.value == 12
    assert kept.model.donnees["mois_adhesion"].label == "Mois couverts par le contrat"
    changed = avenant(folder, "données {\n  mois_adhesion : entier entre 1 et 12 par défaut 1\n}\n")
    assert changed.model.donnees["mois_adhesion"].default.value == 1
    dropped = avenant(folder, "supprime donnée mois_adhesion\ndonnées {\n  mois_adhesion : entier entre 1 et 12\n}\n")
    assert dropped.model.donnees["mois_adhesion"].default is None


def test_a_default_out_of_a_new_range_is_reported_where_it_is_written(folder):
    (folder / "av.conv").write_text(
        'avenant av "Avenant"\nbase : "defauts.conv"\nversion : "2"\n'
        "données {\n  mois_adhesion : entier entre 1 et 6\n}\n",
        encoding="utf-8",
    )
    checked = api.check_version(str(folder / "av.conv"))
    assert [(d.code, d.span.file.endswith("defauts.conv")) for d in checked.errors] == [("hors-intervalle", True)]


def test_historique_reports_a_changed_default(folder):
    avenant(folder, "données {\n  mois_adhesion : entier entre 0 et 12 par défaut 6\n}\n")
    found = api.history(str(folder / "av.conv"))
    clause = found.clause("donnee", "mois_adhesion")
    assert [s.kind for s in clause.steps] == ["ajout", "modification"]
    assert [(c.champ, c.avant, c.apres) for c in clause.steps[1].champs] == [("défaut", "12", "6")]


def test_the_hover_of_a_donnee_shows_its_default(folder):
    from interpreter.lsp.hover import hover
    from interpreter.lsp.project import Project

    path = str(folder / "defauts.conv")
    project = Project()
    project.open(path, CONVENTION)
    offset = CONVENTION.index("* mois_adhesion") + 2
    text = hover(project, path, offset).contents.value
    assert "Valeur par défaut : `12`" in text


def test_workbooks_calibrations_and_sweeps_list_the_defaults_taken(folder):
    import openpyxl

    path = population(folder, "csv")
    runner = CliRunner()
    runner.invoke(cli, ["simulate", str(folder / "defauts.conv"), path, "-o", str(folder / "r.xlsx")])
    rows = list(openpyxl.load_workbook(folder / "r.xlsx")["Valeurs par défaut"].values)
    assert rows[:2] == [
        ("Version", "Donnée", "Libellé", "Valeur par défaut", "Structures"),
        ("1", "mois_adhesion", "Mois couverts par le contrat", "12", 1),
    ]
    text = runner.invoke(
        cli,
        [
            "balaye",
            str(folder / "defauts.conv"),
            "--population",
            path,
            "--parametre",
            "valeur_point",
            "--valeurs",
            "7,8",
        ],
    ).output
    assert "▸ Valeurs par défaut" in text and "taux_c2s = 10 % (Part de patients C2S) : 3 structures sur 3" in text
