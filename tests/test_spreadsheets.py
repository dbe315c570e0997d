"""Excel and French CSV: populations read from `.xlsx` and from CSV files as French spreadsheets write them
(`;`, decimal commas, Windows-1252, a BOM), results written to `.xlsx` (read back: the same cents as the
CSV output) and as French CSV (`--csv-fr`), declarations of one row."""

from __future__ import annotations

import codecs
from decimal import Decimal

import openpyxl
import polars as pl
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dsl.driver import check_file
from interpreter import api
from interpreter.cli import cli
from interpreter.io import tables
from interpreter.io.csvfiles import detect
from interpreter.io.tables import TableError, TableFile, read_population
from tests.conftest import GOLDEN, ROOT

CONVENTIONS = ROOT / "conventions"
POPULATION = ROOT / "examples" / "population" / "population.csv"
AV1, AV2 = str(CONVENTIONS / "aci-msp-avenant-1.conv"), str(CONVENTIONS / "aci-msp-avenant-2-france-sante.conv")
MODEL = check_file(AV1).model


def french(frame: pl.DataFrame) -> str:
    """The text of a population as French Excel saves it: `;` and decimal commas."""
    return frame.with_columns(pl.all().str.replace(r"^(-?[0-9]+)\.([0-9]+)$", "$1,$2")).write_csv(separator=";")


@pytest.fixture(scope="module")
def source() -> pl.DataFrame:
    return pl.read_csv(POPULATION, infer_schema=False).head(300)


def budget(path, model=MODEL) -> tuple:
    population = read_population(path, model)
    return population.ids.tolist(), {id: population.columns[id] for id in ("patientele", "amplitude_quotidienne")}


@pytest.mark.parametrize("encoding, bom", [("utf-8", False), ("utf-8", True), ("cp1252", False)])
def test_a_french_csv_reads_as_the_original(source, tmp_path, encoding, bom):
    original = tmp_path / "original.csv"
    source.write_csv(original)
    text = french(source).replace("msp_0001", "msp_é001")
    path = tmp_path / "francais.csv"
    path.write_bytes((codecs.BOM_UTF8 if bom else b"") + text.encode(encoding))
    dialect = detect(str(path))
    assert (
        dialect.separator == ";"
        and dialect.encoding == {"cp1252": "cp1252", "utf-8": "utf-8-sig" if bom else "utf-8"}[encoding]
    )
    read, expected = read_population(str(path), MODEL), read_population(str(original), MODEL)
    assert read.ids[1:].tolist() == expected.ids[1:].tolist() and read.ids[0] == "msp_é001"
    for id in MODEL.donnees:
        column, other = read.columns[id], expected.columns[id]
        values = [column.value(i) for i in range(len(column))] if hasattr(column, "value") else list(column)
        wanted = [other.value(i) for i in range(len(other))] if hasattr(other, "value") else list(other)
        assert values == wanted, id


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batch=st.integers(1, 40))
def test_a_windows_1252_csv_is_read_batch_by_batch_like_a_whole_read(source, tmp_path_factory, monkeypatch, batch):
    folder = tmp_path_factory.mktemp("lots")
    path = folder / "francais.csv"
    path.write_bytes(french(source.head(60)).encode("cp1252"))
    found = []
    for size in (10**9, batch):
        monkeypatch.setattr(tables, "BATCH", size)
        population = read_population(str(path), MODEL)
        found.append(
            (
                population.ids.tolist(),
                [population.columns[id].value(7) for id in ("taux_rcp",) if id in population.columns],
            )
        )
    assert found[0] == found[1]


def test_a_declared_encoding_that_does_not_fit_is_said(tmp_path):
    path = tmp_path / "p.csv"
    path.write_bytes("id;patientele\nmsp_é;4000\n".encode("cp1252"))
    with pytest.raises(TableError) as error:
        read_population(TableFile(str(path), "utf-8"), MODEL)
    assert error.value.diagnostics[0].code == "population-encodage"
    assert "--encodage" in error.value.diagnostics[0].suggestion


def test_an_ambiguous_number_in_a_french_csv_is_refused_not_misread(source, tmp_path):
    path = tmp_path / "p.csv"
    frame = source.head(3).with_columns(pl.lit("4.000").alias("patientele"))
    path.write_text(french(frame), encoding="utf-8")
    with pytest.raises(TableError) as error:
        read_population(str(path), MODEL)
    assert {d.code for d in error.value.diagnostics} == {"nombre-ambigu"}
    assert "ligne 2" in error.value.diagnostics[0].message


def test_an_xlsx_population_gives_the_budget_of_its_csv(source, tmp_path):
    csv, xlsx = tmp_path / "p.csv", tmp_path / "p.xlsx"
    source.write_csv(csv)
    pl.read_csv(csv).write_excel(xlsx, worksheet="Structures")  # typed cells: numbers, booleans as text
    version = api.load(AV1)
    from_csv, from_xlsx = version.simulation(str(csv)), version.simulation(str(xlsx))
    assert from_xlsx.result.total.tolist() == from_csv.result.total.tolist()
    named = version.simulation(TableFile(str(xlsx), sheet="Structures"))
    assert named.result.total.sum() == from_csv.result.total.sum()


def test_xlsx_problems_name_the_row_as_excel_shows_it(tmp_path):
    path = tmp_path / "p.xlsx"
    frame = pl.read_csv(GOLDEN / "cli" / "population.csv", infer_schema=False)
    frame = pl.concat(
        [frame.head(2), pl.DataFrame({c: [None] for c in frame.columns}, schema=frame.schema), frame.tail(2)]
    )
    frame.write_excel(path)
    with pytest.raises(TableError) as error:
        read_population(str(path), check_file(str(GOLDEN / "cli" / "convention.conv")).model)
    assert [d.message for d in error.value.diagnostics] == ["ligne 4 vide au milieu des structures"]


def read_back(path) -> dict[str, list[tuple]]:
    book = openpyxl.load_workbook(path, read_only=True)
    return {sheet.title: [tuple(row) for row in sheet.iter_rows(values_only=True)] for sheet in book.worksheets}


def cents(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def test_the_diff_workbook_holds_the_cents_of_the_csv_output(tmp_path):
    csv, xlsx = tmp_path / "structures.csv", tmp_path / "impact.xlsx"
    result = CliRunner().invoke(
        cli,
        [
            "diff",
            AV1,
            AV2,
            "--population",
            str(POPULATION),
            "--par",
            "region",
            "--par-structure",
            str(csv),
            "-o",
            str(xlsx),
        ],
    )
    assert result.exit_code == 0, result.output
    sheets = read_back(xlsx)
    assert list(sheets) == ["Hypothèses", "Synthèse", "Par ligne", "Par structure", "Par groupe", "Structure maximale"]
    assert sheets["Synthèse"][1][0] == "Verdict" and "coûte" in sheets["Synthèse"][1][1]
    frame = pl.read_csv(csv, infer_schema=False, comment_prefix="#")
    header, *rows = sheets["Par structure"]
    assert list(header) == frame.columns and len(rows) == frame.height == 2300
    for name in ("total_avant", "total_apres", "ecart", "ecart_protocoles"):
        column = header.index(name)
        assert [cents(row[column]) for row in rows] == [Decimal(v) for v in frame[name]], name
    impact = api.impact(api.load(AV1), api.load(AV2), str(POPULATION))
    budget_after = next(value for label, value in sheets["Synthèse"] if label == "Budget après (€)")
    assert cents(budget_after) == Decimal(impact.budget_after) / 100


def test_the_workbook_formats_euros_freezes_the_header_and_fits_widths(tmp_path):
    xlsx = tmp_path / "r.xlsx"
    result = CliRunner().invoke(cli, ["simulate", AV1, str(POPULATION), "-o", str(xlsx)])
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(xlsx)
    sheet = book["Par structure"]
    assert sheet.freeze_panes == "A2"
    total = [c for c in sheet[1] if c.value == "total"][0]
    assert "€" in sheet.cell(row=2, column=total.column).number_format
    assert sheet.column_dimensions["A"].width >= len("msp_0001")
    frame = pl.read_csv(POPULATION, infer_schema=False)  # the ids, in order
    assert [row[0].value for row in sheet.iter_rows(min_row=2)] == frame["id"].to_list()


def test_csv_fr_writes_semicolons_and_decimal_commas_with_the_same_cents(tmp_path):
    plain, fr = tmp_path / "r.csv", tmp_path / "r-fr.csv"
    for path, extra in ((plain, []), (fr, ["--csv-fr"])):
        result = CliRunner().invoke(cli, ["simulate", AV1, str(POPULATION), "-o", str(path), *extra])
        assert result.exit_code == 0, result.output
    assert fr.read_bytes().startswith(codecs.BOM_UTF8)
    read = pl.read_csv(fr, separator=";", infer_schema=False, encoding="utf8", comment_prefix="#")
    original = pl.read_csv(plain, infer_schema=False, comment_prefix="#")
    assert read.columns[0].lstrip("\ufeff") == "id"
    assert read["total"].str.replace(",", ".").to_list() == original["total"].to_list()
    assert all("," in v for v in read["total"].to_list() if v != "0")


def test_sweep_and_calibration_workbooks_read_back(tmp_path):
    sweep, calibration = tmp_path / "b.xlsx", tmp_path / "c.xlsx"
    result = CliRunner().invoke(
        cli,
        [
            "balaye",
            AV2,
            "--population",
            str(POPULATION),
            "--parametre",
            "montant_rcp",
            "--valeurs",
            "7000,8000",
            "-o",
            str(sweep),
        ],
    )
    assert result.exit_code == 0, result.output
    json_result = CliRunner().invoke(
        cli,
        [
            "balaye",
            AV2,
            "--population",
            str(POPULATION),
            "--parametre",
            "montant_rcp",
            "--valeurs",
            "7000,8000",
            "--format",
            "json",
        ],
    )
    import json

    budgets = [Decimal(v["budget"]) for v in json.loads(json_result.output)["valeurs"]]
    header, *rows = read_back(sweep)["Balayage"]
    assert [cents(row[header.index("budget")]) for row in rows] == budgets
    result = CliRunner().invoke(
        cli,
        [
            "calibre",
            AV2,
            "--population",
            str(POPULATION),
            "--parametre",
            "montant_rcp",
            "--budget-de",
            AV1,
            "-o",
            str(calibration),
        ],
    )
    assert result.exit_code == 0, result.output
    assert list(read_back(calibration)) == ["Hypothèses", "Synthèse", "Par ligne"]


def test_a_one_row_table_is_a_declaration(tmp_path):
    yaml_path = ROOT / "examples" / "declarations" / "msp-reference-ipa-avenant-1.yaml"
    version = api.load(AV1)
    _, expected = version.declaration(str(yaml_path))
    import yaml

    data = yaml.safe_load(yaml_path.read_text(encoding="utf-8"))
    row = {k: ("vrai" if v is True else "faux" if v is False else str(v)) for k, v in data.items()}
    path = tmp_path / "structure.csv"
    pl.DataFrame({k: [v] for k, v in row.items()}).write_csv(path, separator=";")
    assert version.declaration(str(path))[1] == expected
    two = tmp_path / "deux.csv"
    pl.DataFrame({k: [v, v] for k, v in row.items()}).write_csv(two)
    with pytest.raises(api.ConvError) as error:
        version.declaration(str(two))
    assert "une seule ligne" in error.value.diagnostics[0].message


def test_a_percentage_formatted_cell_is_read_as_excel_shows_it(tmp_path):
    """A cell typed « 10,5 % » in Excel holds 0.105: it means 10,5 %, not 0,105 %."""
    import xlsxwriter

    model = check_file(str(GOLDEN / "cli" / "convention.conv")).model
    rows = pl.read_csv(GOLDEN / "cli" / "population.csv", infer_schema=False).rows()
    path = tmp_path / "p.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet, percent = book.add_worksheet(), book.add_format({"num_format": "0.00%"})
    header = pl.read_csv(GOLDEN / "cli" / "population.csv", n_rows=0).columns
    sheet.write_row(0, 0, header)
    taux = header.index("taux_rcp")
    for r, row in enumerate(rows, start=1):
        sheet.write_row(r, 0, row)
        sheet.write_number(r, taux, [0.105, 0.05, 0.10125, 0.2][r - 1], percent)
    book.close()
    population = read_population(str(path), model)
    values = [population.columns["taux_rcp"].value(i) for i in range(4)]
    assert values == [Decimal("0.105"), Decimal("0.05"), Decimal("0.10125"), Decimal("0.2")]


def test_the_duckdb_engine_computes_a_french_csv_from_convcheck_s_reading(source, tmp_path):
    path = tmp_path / "francais.csv"
    path.write_bytes(french(source).encode("cp1252"))
    plain = tmp_path / "p.csv"
    source.write_csv(plain)
    version = api.load(AV1)
    duckdb = version.simulation(str(path), engine="duckdb")
    assert duckdb.result.total.tolist() == version.simulation(str(plain)).result.total.tolist()


def test_a_table_longer_than_a_sheet_is_refused_not_cut(monkeypatch, tmp_path):
    from interpreter.io import xlsx

    monkeypatch.setattr(xlsx, "ROWS", 100)  # the real limit, 1 048 576 rows, made small
    output = tmp_path / "r.xlsx"
    result = CliRunner().invoke(cli, ["simulate", AV1, str(POPULATION), "-o", str(output)])
    assert result.exit_code == 2 and not output.exists()
    assert "« Par structure » aurait 2\u202f300 lignes" in result.output and ".parquet" in result.output


def test_a_column_named_twice_in_a_workbook_is_an_error_as_in_a_csv(tmp_path):
    import xlsxwriter

    path = tmp_path / "p.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    header = pl.read_csv(GOLDEN / "cli" / "population.csv", n_rows=0).columns
    sheet.write_row(0, 0, [*header, "patientele"])
    sheet.write_row(1, 0, ["msp_a", 4000, 6, True, True, 3, 10, "metropole", False, 5000])
    book.close()
    with pytest.raises(TableError) as error:
        read_population(str(path), check_file(str(GOLDEN / "cli" / "convention.conv")).model)
    assert [d.message for d in error.value.diagnostics] == ["colonne « patientele » en double (colonnes 2 et 10)"]
