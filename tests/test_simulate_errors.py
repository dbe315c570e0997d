"""A structure whose evaluation is impossible (a division by zero in its row) is reported once, with
its values — never counted both as evaluated and as rejected, never paid 0 € in the results."""

from __future__ import annotations

import polars as pl
from click.testing import CliRunner

from interpreter.cli import cli
from tests.conftest import GOLDEN

CONVENTION = (GOLDEN / "cli" / "division.conv").read_text(encoding="utf-8")


def run(tmp_path, *options):
    (tmp_path / "division.conv").write_text(CONVENTION, encoding="utf-8")
    (tmp_path / "pop.csv").write_text("id,budget,nb_ps\na,5000,2\nb,5000,0\nc,100,1\nd,5000,x\n", encoding="utf-8")
    runner = CliRunner()
    return runner.invoke(cli, ["simulate", str(tmp_path / "division.conv"), str(tmp_path / "pop.csv"), *options])


def test_without_ignoring_the_structure_is_named_and_nothing_is_evaluated(tmp_path):
    (tmp_path / "division.conv").write_text(CONVENTION, encoding="utf-8")
    (tmp_path / "pop.csv").write_text("id,budget,nb_ps\na,5000,2\nb,5000,0\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["simulate", str(tmp_path / "division.conv"), str(tmp_path / "pop.csv")])
    assert result.exit_code == 1
    assert (
        "erreur[evaluation-impossible]: structure « b » : division par zéro dans la condition de « par_ps »"
        in result.output
    )


def test_ignored_structures_are_rejected_once_with_their_values(tmp_path):
    result = run(tmp_path, "--ignorer-invalides", "-o", str(tmp_path / "res.csv"), "--format", "json")
    assert result.exit_code == 0, result.output
    rejects = pl.read_csv(tmp_path / "res.rejets.csv", infer_schema=False)
    assert rejects["id"].to_list() == ["d", "b"]
    assert rejects.filter(pl.col("id") == "b").row(0, named=True) == {
        "id": "b",
        "budget": "5000",
        "nb_ps": "0",
        "motif": "division par zéro dans la condition de « par_ps »",
    }
    results = pl.read_csv(tmp_path / "res.csv", comment_prefix="#")
    assert results["id"].to_list() == ["a", "c"]
    assert '"structures": 2' in result.output and '"rejetees": 2' in result.output
