"""`--moteur duckdb`: the same outputs as the default engine, byte for byte — summaries (text and JSON),
results files, rejects, warnings and errors — on every simulate and diff case of the golden files, on
the example population (CSV and Parquet, 2,300 MSPs), and where DuckDB cannot be exact (the default
engine then computes, and says so)."""

from __future__ import annotations

import shlex
import shutil
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from interpreter import api
from interpreter.cli import cli
from tests.conftest import GOLDEN, ROOT

CASES = sorted(
    c
    for c in (GOLDEN / "cli").glob("*.cmd")
    if c.read_text(encoding="utf-8").startswith("simulate ")
    or c.read_text(encoding="utf-8").startswith("diff ")
    and "--population" in c.read_text(encoding="utf-8")
)
POPULATION = ROOT / "examples" / "population" / "population.csv"


def invoke(args: list[str], folder: Path, monkeypatch) -> tuple[str, int, dict[str, bytes]]:
    """Output, exit code and the files written (`-o`, rejects) of one run in `folder`."""
    monkeypatch.chdir(folder)
    monkeypatch.setenv("NO_COLOR", "1")
    before = {p: p.stat().st_mtime_ns for p in folder.iterdir()}
    result = CliRunner().invoke(cli, args, catch_exceptions=False, prog_name="convcheck")
    written = {
        p.name: p.read_bytes()
        for p in folder.iterdir()
        if p.is_file() and before.get(p) != p.stat().st_mtime_ns and p.suffix != ".png"
    }
    return result.output, result.exit_code, written


@pytest.mark.parametrize("cmd", CASES, ids=[c.stem for c in CASES])
def test_the_duckdb_engine_says_what_the_default_engine_says(cmd, tmp_path, monkeypatch):
    folder = tmp_path / "cli"
    shutil.copytree(GOLDEN / "cli", folder)
    args = shlex.split(cmd.read_text(encoding="utf-8"))
    default = invoke(args, folder, monkeypatch)
    duckdb = invoke([*args, "--moteur", "duckdb"], folder, monkeypatch)
    assert duckdb == default


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
@pytest.mark.parametrize(
    "version, scenarios",
    [
        ("conventions/aci-msp-avenant-1.conv", []),
        ("conventions/aci-msp-avenant-2-france-sante.conv", []),
        ("examples/avenant-3/aci-msp-avenant-3.conv", ["--scenario", "examples/avenant-3/comite-usagers.conv"]),
    ],
)
def test_the_example_population_byte_for_byte(version, scenarios, suffix, tmp_path, monkeypatch):
    population = tmp_path / f"population{suffix}"
    if suffix == ".csv":
        shutil.copy(POPULATION, population)
    else:  # typed columns, as a warehouse would hold them
        frame = pl.read_csv(POPULATION, infer_schema=False)
        frame.with_columns(
            *(
                pl.col(c).replace_strict({"vrai": True, "faux": False}, return_dtype=pl.Boolean)
                for c in frame.columns
                if frame[c].to_list()[0] in ("vrai", "faux")
            ),
            *(pl.col(c).cast(pl.Int64) for c in ("patientele", "nb_ps_associes")),
        ).write_parquet(population)
    outputs = []
    for engine in ("defaut", "duckdb"):
        args = [
            "simulate",
            str(ROOT / version),
            str(population),
            *[str(ROOT / s) if s.endswith(".conv") else s for s in scenarios],
            "-o",
            str(tmp_path / f"{engine}.csv"),
            "--moteur",
            engine,
        ]
        output, code, _ = invoke(args, tmp_path, monkeypatch)
        assert code == 0, output
        outputs.append((output.replace(f"{engine}.csv", "X"), (tmp_path / f"{engine}.csv").read_bytes()))
    assert outputs[0][0] == outputs[1][0]
    assert outputs[0][1] == outputs[1][1]
    assert len([line for line in outputs[0][1].splitlines() if not line.startswith(b"#")]) == 2301


@pytest.mark.parametrize("column", ["taux_c2s", "amplitude_quotidienne"])
def test_a_nan_in_a_parquet_file_is_said_by_duckdb_as_by_the_default_engine(column, tmp_path, monkeypatch):
    """DuckDB cannot convert a NaN to a decimal: the file is read by convcheck's reader, which names the structure
    and the donnée (it was an internal error, exit 3, in DuckDB's English)."""
    frame = pl.read_csv(POPULATION)
    nan = pl.when(pl.col("id") == frame["id"][2]).then(float("nan")).otherwise(pl.col(column)).alias(column)
    frame.with_columns(nan).write_parquet(tmp_path / "p.parquet")
    shutil.copy(ROOT / "conventions" / "aci-msp-avenant-1.conv", tmp_path)
    shutil.copy(ROOT / "conventions" / "aci-msp-2017.conv", tmp_path)
    said = [
        invoke(["simulate", "aci-msp-avenant-1.conv", "p.parquet", "--moteur", engine], tmp_path, monkeypatch)[:2]
        for engine in ("defaut", "duckdb")
    ]
    assert said[0] == said[1]
    assert said[0][1] == 1 and f"donnée « {column} »" in said[0][0] and "NaN" in said[0][0]


def test_numbers_duckdb_cannot_certify_are_read_by_convcheck(tmp_path, monkeypatch):
    """French decimals, units and grouped digits: convcheck's reader reads them, and DuckDB computes on them."""
    text = POPULATION.read_text(encoding="utf-8").splitlines()
    header = text[0].split(",")
    column = header.index("amplitude_quotidienne")
    rows = []
    for line in text[1:]:
        cells = line.split(",")
        cells[column] = f'"{cells[column].replace(".", ",")}"'
        rows.append(",".join(cells))
    (tmp_path / "p.csv").write_text("\n".join([text[0], *rows]) + "\n", encoding="utf-8")
    version = api.load(ROOT / "conventions" / "aci-msp-avenant-1.conv")
    default, duckdb = (
        version.simulation(str(tmp_path / "p.csv")),
        version.simulation(str(tmp_path / "p.csv"), engine="duckdb"),
    )
    assert duckdb.run is not None and not duckdb.notes
    assert default.table().equals(duckdb.table())


def test_where_duckdb_cannot_be_exact_the_default_engine_computes_and_says_so(tmp_path):
    (tmp_path / "g.conv").write_text(
        """convention g "G"
version : "1"
paramètres { valeur_point = 7 € }
données {
  x : nombre "X"
  y : nombre "Y"
}
socle {
  critère a "A" { condition : vrai  montant : x * y * x * 1 € }
}
""",
        encoding="utf-8",
    )
    (tmp_path / "p.csv").write_text("id,x,y\na,1.5,2\nb,-3,0.25\n", encoding="utf-8")
    version = api.load(tmp_path / "g.conv")
    simulation = version.simulation(str(tmp_path / "p.csv"), engine="duckdb")
    assert [d.code for d in simulation.notes] == ["moteur-par-defaut"]
    assert simulation.run is None
    assert simulation.table().equals(version.simulation(str(tmp_path / "p.csv")).table())


def test_groups_of_a_parquet_read_by_duckdb_alone(tmp_path):
    pl.read_csv(POPULATION, infer_schema=False).write_parquet(
        tmp_path / "p.parquet"
    )  # text columns: certified one by one
    version = api.load(ROOT / "conventions" / "aci-msp-avenant-1.conv")
    default = version.simulation(str(tmp_path / "p.parquet"))
    duckdb = version.simulation(str(tmp_path / "p.parquet"), engine="duckdb")
    assert duckdb.population.frame.height == 0  # convcheck's reader never read the rows
    assert duckdb.groups(["region", "patientele=4000"]) == default.groups(["region", "patientele=4000"])


def test_structures_whose_evaluation_is_impossible_are_said_as_by_the_default_engine(tmp_path, monkeypatch):
    """A division by zero reached: the scalar backend says why, for the rows DuckDB flagged, and only those
    (a division behind a false `et`, or in a line that is not paid, is no error)."""
    shutil.copy(GOLDEN / "cli" / "division.conv", tmp_path / "division.conv")
    (tmp_path / "p.csv").write_text("id,budget,nb_ps\na,5000,2\nb,100,0\nc,0,0\nd,9000,3\n", encoding="utf-8")
    outputs = [
        invoke(
            ["simulate", "division.conv", "p.csv", "--ignorer-invalides", "-o", f"r-{engine}.csv", "--moteur", engine],
            tmp_path,
            monkeypatch,
        )
        for engine in ("defaut", "duckdb")
    ]
    (default_output, default_code, default_files), (duckdb_output, duckdb_code, duckdb_files) = outputs
    assert duckdb_output.replace("r-duckdb", "r-defaut") == default_output and duckdb_code == default_code == 0
    assert duckdb_files["r-duckdb.csv"] == default_files["r-defaut.csv"]
    assert duckdb_files["r-duckdb.rejets.csv"] == default_files["r-defaut.rejets.csv"]
    assert b"division par z" in duckdb_files["r-duckdb.rejets.csv"]
