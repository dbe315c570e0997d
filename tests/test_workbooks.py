"""Excel populations read as the user sees them, and measured before they are read: the first visible sheet
(a hidden one is never read by default), each cell's own number format (a « 60 % » cell is 60 %, a plain 0.5
beside it is 0,5 %), a stray far cell or a zip bomb refused in French before calamine allocates (they aborted
the process), a run of blank rows said once, no warning of polars leaking out."""

from __future__ import annotations

import resource
import struct
import subprocess
import sys
import zlib
from decimal import Decimal
from pathlib import Path

import pytest
import xlsxwriter
from click.testing import CliRunner

from dsl.parser import parse_text
from interpreter.cli import cli
from interpreter.io.tables import TableError, read_population
from tests.conftest import ROOT

CONVENTION = """convention mini "Mini"
version : "1"

paramètres {
  valeur_point = 1 €
}

données {
  n : entier entre 0 et 100 "N"
  taux : pourcentage entre 0 % et 100 % "Taux"
}

socle {
  critère a "A" {
    condition : n >= 1 et taux >= 50 %
    points fixes : 1
  }
}
"""


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mini.conv").write_text(CONVENTION, encoding="utf-8")
    return tmp_path


def model():
    from dsl.checker import check

    found, diagnostics = check(parse_text(CONVENTION).file)
    assert found is not None, diagnostics
    return found


def workbook(path: Path, rows=(("s1", 5, 60), ("s2", 0, 10)), stray: str | None = None, hidden: str | None = None):
    """A population workbook; `hidden` ("hidden", "veryHidden") puts a hidden sheet of other ids first."""
    book = xlsxwriter.Workbook(str(path))
    if hidden:
        draft = book.add_worksheet("Brouillon")
        draft.write_row(0, 0, ["id", "n", "taux"])
        draft.write_row(1, 0, ["brouillon", 101, 99])
        draft.hide() if hidden == "hidden" else draft.very_hidden()
    sheet = book.add_worksheet("Population")
    sheet.write_row(0, 0, ["id", "n", "taux"])
    for r, row in enumerate(rows, start=1):
        sheet.write_row(r, 0, row)
    if stray:
        sheet.write(stray, "x")
    if hidden:
        sheet.activate()
    book.close()
    return path


def run(*args: str):
    return CliRunner().invoke(cli, list(args), prog_name="convcheck")


def run_limited(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """The command in a process of its own, limited to 3 GB of memory: what used to abort it cannot take pytest along."""

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))

    return subprocess.run(
        [sys.executable, "-m", "interpreter.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=limit,
        env={"PYTHONPATH": str(ROOT), "NO_COLOR": "1", "PATH": "/usr/bin:/bin"},
    )


# ---- the sheet the user sees --------------------------------------------------------------------------------


@pytest.mark.parametrize("state", ["hidden", "veryHidden"])
def test_a_hidden_first_sheet_is_not_read(folder, state):
    path = workbook(folder / "p.xlsx", hidden=state)
    population = read_population(str(path), model())
    assert population.ids.tolist() == ["s1", "s2"]


def test_a_hidden_sheet_is_read_when_named(folder):
    path = workbook(folder / "p.xlsx", hidden="hidden")
    result = run("simulate", "mini.conv", "p.xlsx", "--feuille", "Brouillon")
    assert (
        result.exit_code == 1
        and "« brouillon »" in result.output
        and "n » = 101 est hors de l'intervalle" in result.output
    ), result.output
    assert path.exists()


def test_a_workbook_whose_sheets_are_all_hidden_is_refused_naming_them(folder):
    book = xlsxwriter.Workbook(str(folder / "p.xlsx"))
    visible, hidden = book.add_worksheet("Vide"), book.add_worksheet("Population")
    hidden.write_row(0, 0, ["id", "n", "taux"])
    hidden.hide()
    visible.hide()  # xlsxwriter keeps one sheet visible: the file is edited below
    book.close()
    _edit(
        folder / "p.xlsx",
        "xl/workbook.xml",
        lambda xml: xml.replace(b'<sheet name="Vide" sheetId="1"', b'<sheet name="Vide" sheetId="1" state="hidden"'),
    )
    result = run("simulate", "mini.conv", "p.xlsx")
    assert result.exit_code == 1
    assert (
        "erreur[population-feuille]: aucune feuille visible dans le classeur : « Vide », « Population » sont "
        "masquées" in result.output
    )


def _edit(path: Path, part: str, change) -> None:
    import zipfile

    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info.filename) for info in archive.infolist()}
    parts[part] = change(parts[part])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


# ---- each cell's own format --------------------------------------------------------------------------------


def test_each_cell_is_read_with_its_own_number_format(folder):
    """A plain 0.5 beside one « 60 % » cell stayed 0.5 (it became 50 %); a « 60 % » cell after row 201 is 60 %
    (it became 0.6 %): the format of each cell decides, not the first 200 rows of its column."""
    path = folder / "p.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet, percent = book.add_worksheet("P"), book.add_format({"num_format": "0%"})
    sheet.write_row(0, 0, ["id", "n", "taux"])
    sheet.write_row(1, 0, ["plain", 5, 0.5])
    sheet.write_row(2, 0, ["shown", 5])
    sheet.write_number(2, 2, 0.6, percent)
    for r in range(3, 260):
        sheet.write_row(r, 0, [f"s{r}", 5, 20])
    sheet.write_row(260, 0, ["late", 5])
    sheet.write_number(260, 2, 0.6, percent)
    book.close()
    population = read_population(str(path), model())
    taux = {id: population.columns["taux"].value(i) for i, id in enumerate(population.ids.tolist())}
    assert taux["plain"] == Decimal("0.005") and taux["shown"] == Decimal("0.6") and taux["late"] == Decimal("0.6")
    assert taux["s3"] == Decimal("0.2")


@pytest.mark.parametrize(
    "code, percent",
    [("0%", True), ("0.00%", True), ('0" %"', False), ("0\\%", False), ("[Red]0.0%", True), ("#,##0", False)],
)
def test_a_format_is_a_percentage_when_its_sign_multiplies(code, percent):
    from interpreter.io import workbooks

    assert workbooks.is_percent_format(code) is percent


# ---- measured before read ------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["simulate", "eval", "diff"])
def test_a_stray_cell_at_the_last_cell_of_a_sheet_is_refused_before_it_is_read(folder, command):
    """A 5 KB workbook with one cell at XFD1048576 aborted `simulate`, `eval` and `diff` (SIGABRT)."""
    workbook(folder / "p.xlsx", rows=(("s1", 5, 60),), stray="XFD1048576")
    args = {
        "simulate": ["simulate", "mini.conv", "p.xlsx"],
        "eval": ["eval", "mini.conv", "p.xlsx"],
        "diff": ["diff", "mini.conv", "mini.conv", "--population", "p.xlsx"],
    }[command]
    result = run_limited(*args, cwd=folder)
    assert result.returncode == 1, result.stderr[-2000:]
    assert (
        "erreur[trop-volumineux]: la feuille « Population » s'étend jusqu'à XFD1048576 : 1\u202f048\u202f576 "
        "lignes × 16\u202f384 colonnes" in result.stderr + result.stdout
    )
    assert "Ctrl+Fin" in result.stderr + result.stdout


def test_a_zip_bomb_is_refused_from_its_declared_size(folder):
    """A 4 MB workbook unpacking to 3.5 GB aborted the process under a 3 GB limit."""
    zip_bomb(folder / "bombe.xlsx", 3_500_000_000)
    assert (folder / "bombe.xlsx").stat().st_size < 16 << 20
    result = run_limited("simulate", "mini.conv", "bombe.xlsx", cwd=folder)
    assert result.returncode == 1, result.stderr[-2000:]
    assert "erreur[trop-volumineux]: classeur trop volumineux une fois décompressé : 3\u202f337 Mio" in result.stderr


def test_a_part_longer_than_the_zip_declares_is_a_damaged_file(folder):
    zip_bomb(folder / "bombe.xlsx", 3_500_000_000, declared=100_000)
    result = run_limited("simulate", "mini.conv", "bombe.xlsx", cwd=folder)
    assert result.returncode == 1 and "erreur[population-illisible]: classeur illisible" in result.stderr


def test_many_cells_within_the_declared_size_are_counted_and_refused(folder, monkeypatch):
    from interpreter.io import workbooks

    monkeypatch.setattr(workbooks, "MAX_CELLS", 1000)
    rows = [(f"s{i}", 5, 60) for i in range(400)]  # 1 201 cells in 3 columns × 401 rows
    workbook(folder / "p.xlsx", rows=rows)
    with pytest.raises(TableError) as error:
        read_population(str(folder / "p.xlsx"), model())
    assert error.value.diagnostics[0].code == "trop-volumineux"
    assert (
        "jusqu'à C401 (cellules les plus éloignées : A401, C1) : 401 lignes × 3 colonnes"
        in error.value.diagnostics[0].message
    )


def test_a_stray_cell_far_below_gives_one_error_for_the_blank_rows(folder):
    """A stray cell at D1048576 printed a million « ligne vide » errors."""
    workbook(folder / "p.xlsx", stray="D1048576")
    result = run("simulate", "mini.conv", "p.xlsx")
    assert result.exit_code == 1
    assert result.output.count("erreur[") == 1, result.output[:3000]
    assert "lignes 4 à 1048575 vides au milieu des structures" in result.output


def test_a_stray_cell_far_right_is_an_ignored_column_without_warnings_of_polars(folder):
    """A stray cell at XFD3 printed 16 380 polars warnings (« Could not determine dtype »)."""
    workbook(folder / "p.xlsx", stray="XFD3")
    result = subprocess.run(
        [sys.executable, "-m", "interpreter.cli", "simulate", "mini.conv", "p.xlsx"],
        cwd=folder,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT), "NO_COLOR": "1"},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Could not determine" not in result.stderr and len(result.stderr.splitlines()) < 5
    assert "colonne ignorée : ce n'est pas une donnée de la convention : « XFD (sans en-tête) »" in result.stderr


# ---- a zip bomb, written by hand ---------------------------------------------------------------------------


def zip_bomb(path: Path, unpacked: int, declared: int | None = None) -> None:
    """An .xlsx whose sheet unpacks to `unpacked` bytes of cells (declared as `declared`), in a few megabytes:
    one deflated block of cells, flushed so that it stands alone, repeated."""
    head = (
        b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml'
        b'/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c></row>'
    )
    block = b'<row r="2"><c r="A2"><v>1</v></c></row>' * 26_000
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    start = compressor.compress(head) + compressor.flush(zlib.Z_FULL_FLUSH)
    middle = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    repeats = (unpacked - len(head)) // len(block)
    sheet_data = start + middle * repeats + compressor.flush(zlib.Z_FINISH)
    parts = [
        (
            "[Content_Types].xml",
            b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            b'content-types"><Default Extension="xml" ContentType="application/xml"/><Default Extension="rels" ContentType='
            b'"application/vnd.openxmlformats-package.relationships+xml"/><Override PartName="/xl/workbook.xml" ContentType='
            b'"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/'
            b'worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+'
            b'xml"/></Types>',
            None,
        ),
        (
            "_rels/.rels",
            b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
            b'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            b'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
            None,
        ),
        (
            "xl/workbook.xml",
            b'<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
            b'2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet '
            b'name="Population" sheetId="1" r:id="rId1"/></sheets></workbook>',
            None,
        ),
        (
            "xl/_rels/workbook.xml.rels",
            b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            b'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            b'2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
            None,
        ),
        ("xl/worksheets/sheet1.xml", sheet_data, declared or len(head) + repeats * len(block)),
    ]
    with open(path, "wb") as file:
        directory = b""
        for name, data, size in parts:
            offset = file.tell()
            method, crc = (8, 0) if size is not None else (0, zlib.crc32(data))
            size = size if size is not None else len(data)
            fields = struct.pack("<HHHHHIIIHH", 20, 0, method, 0, 33, crc, len(data), size, len(name), 0)
            file.write(b"PK\x03\x04" + fields + name.encode() + data)
            directory += (
                b"PK\x01\x02"
                + struct.pack("<H", 20)
                + fields
                + struct.pack("<HHHII", 0, 0, 0, 0, offset)
                + name.encode()
            )
        start_of_directory = file.tell()
        file.write(directory)
        file.write(
            b"PK\x05\x06" + struct.pack("<HHHHIIH", 0, 0, len(parts), len(parts), len(directory), start_of_directory, 0)
        )


@pytest.mark.parametrize("huge", [1e19, -1e23])
def test_a_whole_number_beyond_int64_in_a_sheet_is_said_too_large_where_it_is(folder, huge):
    """A column of whole numbers one of which is beyond 2^63: polars' guess of Int64 fails; the column is read as
    floats and the reader names the structure, the donnée and the row (it said the sheet had no header)."""
    workbook(folder / "p.xlsx", rows=(("s1", 5, 60), ("s2", huge, 10)))
    result = run("simulate", "mini.conv", "p.xlsx")
    assert result.exit_code == 1, result.output
    assert "nombre-hors-limites" in result.output and "structure « s2 », donnée « n » (ligne 3)" in result.output
    assert "en-tête" not in result.output
