"""`--par` on a column that gives no single value per structure (a Parquet column of lists or of structs) is
refused in French, naming the column and its type, on every path: the default engine, DuckDB, and the reader
that `diff` uses — it was an internal error (exit 3) on the first two and « no column « region » » on the third."""

from __future__ import annotations

import polars as pl
import pytest
from click.testing import CliRunner

from interpreter.cli import cli
from tests.conftest import ROOT

AVENANT_1 = str(ROOT / "conventions" / "aci-msp-avenant-1.conv")
AVENANT_2 = str(ROOT / "conventions" / "aci-msp-avenant-2-france-sante.conv")


@pytest.mark.parametrize(
    ("shape", "words"),
    [
        (pl.concat_list(pl.col("region")), "contient des listes (type List(String))"),
        (pl.struct(pl.col("region")), "contient des tables (struct)"),
    ],
)
@pytest.mark.parametrize(
    "command",
    [
        ["simulate", AVENANT_1, "{pop}"],
        ["simulate", AVENANT_1, "{pop}", "--moteur", "duckdb"],
        ["diff", AVENANT_1, AVENANT_2, "--population", "{pop}"],
    ],
)
def test_grouping_by_a_column_of_lists_or_structs_is_refused_in_french(tmp_path, shape, words, command):
    population = tmp_path / "population.parquet"
    frame = pl.read_csv(ROOT / "examples" / "population" / "population.csv", infer_schema_length=10_000)
    frame.head(50).with_columns(shape.alias("region")).write_parquet(population)
    result = CliRunner().invoke(cli, [*(a.replace("{pop}", str(population)) for a in command), "--par", "region"])
    assert result.exit_code == 1, result.output
    assert f"erreur[groupement-invalide]: « --par region » : la colonne « region » {words}" in result.output
