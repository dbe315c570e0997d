"""The results' own columns (`id`, `eligible`, `total`, `total_points`, `erreur`) cannot be shadowed by a line
of the same name: the checker refuses such an id (`id-reserve`), so no results file, report or SQL query can
write a critère's amount as a structure's total; the SQL query's own columns never take a donnée's name."""

from __future__ import annotations

from decimal import Decimal

import pytest
from click.testing import CliRunner

from interpreter import api
from interpreter.cli import cli
from tests.sql_engines import run_duckdb, typed_rows

RESULT_COLUMNS = ("id", "eligible", "total", "total_points", "erreur")
TEMPLATE = """convention mini "Mini"
version : "1"

paramètres {{
  valeur_point = 1 €
}}

données {{
  {donnee} : entier entre 0 et 100 "N"
}}

socle {{
  critère a "A" {{
    condition : {donnee} >= 1
    points fixes : 1
  }}
  {kind} {name} "T" {{
    condition : {donnee} >= 1
    points fixes : 35
  }}
}}
"""


def convention(name: str, kind: str = "critère", donnee: str = "n") -> str:
    text = TEMPLATE.format(name=name, kind="critère", donnee=donnee)
    if kind == "brique":  # the same line, written as a brique of one critère
        text = text.replace(
            f'  critère {name} "T" {{\n    condition : {donnee} >= 1\n    points fixes : 35\n  }}\n}}\n',
            f'}}\n\nbrique {name} "T" {{\n  condition : {donnee} >= 1\n  points fixes : 35\n'
            f'  critère b "B" {{\n    condition : {donnee} >= 2\n  }}\n}}\n',
        )
    return text


def check(text: str, tmp_path) -> tuple[str, int]:
    path = tmp_path / "c.conv"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(path)])
    return result.output, result.exit_code


@pytest.mark.parametrize("name", RESULT_COLUMNS)
@pytest.mark.parametrize("kind", ["critère", "brique"])
def test_a_line_named_like_a_results_column_is_refused_where_it_is_written(name, kind, tmp_path):
    output, code = check(convention(name, kind), tmp_path)
    assert code == 1 and "erreur[id-reserve]" in output, output
    assert f"« {name} » ne peut pas nommer" in output and "aide : renommez-le" in output
    line = next(i for i, text in enumerate(convention(name, kind).splitlines(), 1) if f' {name} "T"' in text)
    assert f"c.conv:{line}:" in output


def test_the_reserved_names_are_the_results_columns():
    from dsl import model
    from interpreter.backends.sql import OUTPUT

    assert model.RESULT_COLUMNS == RESULT_COLUMNS == OUTPUT


def test_a_donnee_named_id_is_refused(tmp_path):
    output, code = check(convention("total_msp", donnee="id"), tmp_path)
    assert code == 1 and "erreur[id-reserve]" in output and "« id » ne peut pas nommer une donnée" in output


def test_a_line_named_total_writes_no_results_file(tmp_path, monkeypatch):
    """The reproduction: `simulate -o` wrote the critère's 35.00 as the structure's total (36.00)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "c.conv").write_text(convention("total"), encoding="utf-8")
    (tmp_path / "pop.csv").write_text("id,n\ns1,5\n", encoding="utf-8")
    for engine in ("defaut", "duckdb"):
        result = CliRunner().invoke(cli, ["simulate", "c.conv", "pop.csv", "-o", "out.csv", "--moteur", engine])
        assert result.exit_code == 1 and "id-reserve" in result.output
        assert not (tmp_path / "out.csv").exists()
    result = CliRunner().invoke(cli, ["sql", "c.conv", "--dialecte", "duckdb"])
    assert result.exit_code == 1 and "SELECT" not in result.output


def test_the_same_names_for_other_things_are_fine(tmp_path):
    """A critère `total_msp`, a paramètre `id`: nothing is shadowed."""
    text = convention("total_msp").replace("valeur_point = 1 €", "valeur_point = 1 €\n  id = 3")
    output, code = check(text, tmp_path)
    assert "id-reserve" not in output


def test_a_donnee_named_like_an_error_column_does_not_become_the_sql_error(tmp_path):
    """The query's `erreur_<stage>` columns are its own: a donnée `erreur_entrees` is read as a number, not
    taken for the reason a structure fails (DuckDB refused to mix it with text in the `erreur` COALESCE)."""
    text = convention("b", donnee="erreur_entrees")
    (tmp_path / "c.conv").write_text(text, encoding="utf-8")
    version = api.load(tmp_path / "c.conv")
    structures = [{"erreur_entrees": Decimal(5)}, {"erreur_entrees": Decimal(0)}]
    types, rows = typed_rows(version.model, structures)
    found = run_duckdb(version.sql("duckdb"), types, rows, tmp_path)
    assert found["s0"]["erreur"] is None and found["s0"]["total"] == Decimal("36.00")
    assert found["s1"]["total"] == Decimal("0.00")


def test_the_rejects_reason_never_takes_the_place_of_a_column_of_the_file(tmp_path, monkeypatch):
    """The rejects file gives each row as read, then why it was set aside: a column of the population named `motif`
    was overwritten by the reason (what the user wrote was lost)."""
    import polars as pl

    monkeypatch.chdir(tmp_path)
    (tmp_path / "c.conv").write_text(convention("b"), encoding="utf-8")
    (tmp_path / "pop.csv").write_text("id,n,motif\ns1,5,visite\ns2,500,audit\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["simulate", "c.conv", "pop.csv", "-o", "r.csv", "--ignorer-invalides"])
    assert result.exit_code == 0, result.output
    rejects = pl.read_csv(tmp_path / "r.rejets.csv", infer_schema=False, comment_prefix="#")
    assert rejects["motif"].to_list() == ["audit"] and "hors de l'intervalle" in rejects["motif_rejet"][0]
