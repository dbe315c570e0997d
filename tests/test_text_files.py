"""Hostile text files: encodings detected or refused by name (UTF-16 with or without its mark, a UTF-8 mark on a
Windows-1252 file, one Windows-1252 line in a UTF-8 file), a ragged CSV row said at its line, sizes refused from
the file's size before it is read, and diagnostics bounded — each source excerpt cut around its span, at most
`MAX_SHOWN` of one code — whatever the input."""

from __future__ import annotations

import codecs
import json
import os
from decimal import Decimal

import polars as pl
import pytest
from click.testing import CliRunner

from interpreter.cli import cli
from tests.conftest import ROOT

CONVENTION = """convention mini "Mini"
version : "1"

paramètres {
  valeur_point = 1 €
}

données {
  n : entier entre 0 et 100 "N"
}

socle {
  critère a "A" {
    condition : n >= 1
    points fixes : 1
  }
}
"""
TEXT = "id,n\nmsp_é1,5\nmsp_è2,0\n"
# The limits, as `interpreter.io.sizes` and `dsl.diagnostics` state them (written out: the tests say what is promised)
MAX_POPULATION_BYTES, MAX_DECLARATION_BYTES, MAX_STRUCTURES, MAX_SHOWN = 2 << 30, 10 << 20, 10_000_000, 20
AVENANT_1 = str(ROOT / "conventions" / "aci-msp-avenant-1.conv")


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mini.conv").write_text(CONVENTION, encoding="utf-8")
    return tmp_path


def run(*args: str):
    return CliRunner().invoke(cli, list(args), prog_name="convcheck")


# ---- encodings -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_a_utf16_csv_is_read_with_its_accents(folder, codec):
    """UTF-16 (Excel's « Texte Unicode ») was misread: ids turned to mojibake, exit 0."""
    (folder / "p.csv").write_bytes(TEXT.encode(codec))
    for engine in ("defaut", "duckdb"):
        result = run("simulate", "mini.conv", "p.csv", "-o", f"r-{engine}.csv", "--moteur", engine)
        assert result.exit_code == 0, result.output
        assert pl.read_csv(folder / f"r-{engine}.csv", comment_prefix="#")["id"].to_list() == ["msp_é1", "msp_è2"]


def test_a_utf8_mark_on_a_windows_1252_file_is_refused_at_its_line(folder):
    (folder / "p.csv").write_bytes(codecs.BOM_UTF8 + TEXT.encode("cp1252"))
    result = run("simulate", "mini.conv", "p.csv")
    assert result.exit_code == 1
    assert (
        "erreur[population-encodage]: le fichier commence par la marque de l'UTF-8 (BOM) mais n'est pas en UTF-8 : "
        "ligne 2, l'octet 0xE9 n'est pas de l'UTF-8" in result.output
    )
    result = run("simulate", "mini.conv", "p.csv", "--encodage", "windows-1252", "-o", "r.csv")  # the way out it gives
    assert result.exit_code == 0 and pl.read_csv(folder / "r.csv", comment_prefix="#")["id"].to_list() == [
        "msp_é1",
        "msp_è2",
    ]


def test_one_windows_1252_line_in_a_utf8_file_is_refused_at_that_line(folder):
    """Read as Windows-1252, the UTF-8 lines turned to « msp_Ã©1 », exit 0."""
    (folder / "p.csv").write_bytes("id,n\nmsp_é1,5\n".encode() + "msp_è2,0\n".encode("cp1252"))
    result = run("simulate", "mini.conv", "p.csv")
    assert result.exit_code == 1 and "Ã" not in result.output
    assert (
        "erreur[population-encodage]: le fichier mélange deux encodages : il a des caractères en UTF-8, mais pas "
        "partout : ligne 3, l'octet 0xE8 n'est pas de l'UTF-8" in result.output
    )


def test_a_windows_1252_file_is_still_detected(folder):
    (folder / "p.csv").write_bytes(TEXT.encode("cp1252"))
    result = run("simulate", "mini.conv", "p.csv", "-o", "r.csv")
    assert result.exit_code == 0 and pl.read_csv(folder / "r.csv", comment_prefix="#")["id"].to_list() == [
        "msp_é1",
        "msp_è2",
    ]


def test_a_utf16_declaration_is_named_so(folder):
    (folder / "d.yaml").write_bytes("n: 5\n".encode("utf-16"))
    result = run("eval", "mini.conv", "d.yaml")
    assert result.exit_code == 1 and "le fichier est en UTF-16, pas en UTF-8" in result.output


# ---- the shape of a CSV file -------------------------------------------------------------------------------


def test_a_ragged_row_is_said_at_its_line(folder):
    (folder / "p.csv").write_text("id,n\ns1,5\ns2,0,7\ns3,1\n", encoding="utf-8")
    result = run("simulate", "mini.conv", "p.csv")
    assert result.exit_code == 1
    assert "erreur[population-illisible]: table illisible : ligne 3 : 3 cellules, et l'en-tête en a 2" in result.output


def test_a_quote_never_closed_is_said_where_it_opens(folder):
    (folder / "p.csv").write_text('id,n\ns1,5\n"s2,0\ns3,1\n', encoding="utf-8")
    result = run("simulate", "mini.conv", "p.csv")
    assert "table illisible : ligne 3 : guillemet ouvert jamais fermé" in result.output


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_a_run_of_blank_lines_is_one_error(folder, suffix):
    rows = (
        ["s1,5", *[""] * 5000, "s2,0"]
        if suffix == ".csv"
        else ['{"id": "s1", "n": 5}', *[""] * 5000, '{"id": "s2", "n": 0}']
    )
    (folder / f"p{suffix}").write_text(
        ("id,n\n" if suffix == ".csv" else "") + "\n".join(rows) + "\n", encoding="utf-8"
    )
    result = run("simulate", "mini.conv", f"p{suffix}")
    assert result.exit_code == 1 and result.output.count("erreur[") == 1
    first, last = (3, 5002) if suffix == ".csv" else (2, 5001)
    assert f"lignes {first} à {last} vides au milieu des structures" in result.output


# ---- sizes ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".xlsx"])
def test_a_population_beyond_its_size_is_refused_from_its_size(folder, suffix):
    """A 1 GB sparse CSV took 3.2 GB of memory before failing; a sparse .jsonl aborted in polars. Sparse files of
    2.5 GB are refused from their size, without a byte read."""
    path = folder / f"p{suffix}"
    with open(path, "wb") as file:
        file.truncate(MAX_POPULATION_BYTES + (512 << 20))
    result = run("simulate", "mini.conv", path.name)
    assert result.exit_code == 1
    assert (
        "erreur[trop-volumineux]: fichier trop volumineux : 2,5 Gio, et une population fait au plus 2,0 Gio"
        in result.output
    )


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_a_sparse_population_within_the_size_is_refused_as_binary(folder, suffix):
    path = folder / f"p{suffix}"
    with open(path, "wb") as file:
        file.write(b"id,n\ns1,5\n" if suffix == ".csv" else b'{"id": "s1", "n": 5}\n')
        file.truncate(1 << 30)
    result = run("simulate", "mini.conv", path.name)
    assert result.exit_code == 1
    assert "ce n'est pas un fichier texte : il contient des octets nuls (0x00)" in result.output


def test_the_default_engine_leaves_a_sparse_file_to_the_reader(folder):
    """Polars would read the gigabyte of NUL bytes (7 s, 4.3 GB) before the reader refused it: the default engine
    hands a file with NUL bytes to the reader, which refuses it from its first and last bytes."""
    from interpreter.io import certified

    path = folder / "p.csv"
    with open(path, "wb") as file:
        file.write(b"id,n\ns1,5\n")
        file.truncate(1 << 20)
    with pytest.raises(certified.Uncertain):
        certified.source(str(path))


def test_a_parquet_population_beyond_its_structures_is_refused(folder, monkeypatch):
    from interpreter.io import sizes

    monkeypatch.setattr(sizes, "MAX_STRUCTURES", 10)
    pl.DataFrame({"id": [f"s{i}" for i in range(11)], "n": [1] * 11}).write_parquet(folder / "p.parquet")
    result = run("simulate", "mini.conv", "p.parquet")
    assert result.exit_code == 1 and "erreur[trop-volumineux]: population trop grande : 11 structures" in result.output


def test_a_declaration_beyond_its_size_is_refused(folder):
    """A 30 MB one-line declaration with one bad key took 3.6 GB."""
    text = json.dumps({"n": 5, "cle": "x" * (MAX_DECLARATION_BYTES + 10)})
    (folder / "d.json").write_text(text, encoding="utf-8")
    result = run("eval", "mini.conv", "d.json")
    assert result.exit_code == 1
    assert (
        "erreur[trop-volumineux]: fichier trop volumineux : 10,0 Mio, et une déclaration fait au plus 10,0 Mio"
        in result.output
    )
    assert "une déclaration fait au plus 10 Mio" in run("eval", "--help").output
    assert "au plus 2 Gio en CSV" in run("simulate", "--help").output


def test_many_unknown_keys_give_bounded_diagnostics(folder):
    """A one-line declaration with 80 000 unknown keys took over 20 GB (each diagnostic copied its whole line), 10 000
    keys a MemoryError: each excerpt is now cut around its key, and 20 of them are shown, the others counted."""
    (folder / "d.json").write_text(
        json.dumps({"n": 5, **{f"cle_inconnue_{i}": 1 for i in range(80_000)}}), encoding="utf-8"
    )
    result = run("eval", "mini.conv", "d.json")
    assert result.exit_code == 1
    assert result.output.count("erreur[declaration-cle-inconnue]") == MAX_SHOWN
    assert (
        f"… et {80_000 - MAX_SHOWN:,} autres erreurs[declaration-cle-inconnue] du même genre".replace(",", "\u202f")
        in result.output
    )
    assert max(len(line) for line in result.output.splitlines()) < 250
    assert len(result.output) < 20_000


def test_an_excerpt_of_a_long_line_is_cut_around_its_span(folder):
    """The 2017 convention written on one line of 30 000 characters: the error is shown with a hundred of them."""
    text = (ROOT / "conventions" / "aci-msp-2017.conv").read_text(encoding="utf-8")
    lines = [line.split("#")[0].strip() for line in text.splitlines()]
    one = " ".join(line for line in lines if line).replace("condition : coordination", "condition : coordinatio", 1)
    (folder / "long.conv").write_text(one, encoding="utf-8")
    result = run("check", "long.conv")
    assert result.exit_code == 1 and "donnee-inconnue" in result.output
    lines = result.output.splitlines()
    where = next(i for i, line in enumerate(lines) if "erreur[donnee-inconnue]" in line)
    excerpt, caret = lines[where + 1], lines[where + 2]
    assert excerpt.startswith("    1 | …") and excerpt.endswith("…") and len(excerpt) < 120
    column = caret.index("^") - len("      | ")
    assert excerpt[len("    1 | ") :][column:].startswith("coordinatio ")


def test_the_values_of_a_utf16_file_are_exact(folder):
    (folder / "p.csv").write_bytes("id;n\nmsp_é1;5\n".encode("utf-16"))
    from interpreter import api

    table = api.load(folder / "mini.conv").population(str(folder / "p.csv"))
    assert table.columns["n"].value(0) == Decimal(5)


def test_sizes_are_checked_from_the_size_on_disk_only(folder):
    """No byte of a file beyond the limits is read: a sparse file of 3 GB takes no memory and no time."""
    path = folder / "p.csv"
    with open(path, "wb") as file:
        file.truncate(3 << 30)
    assert os.stat(path).st_blocks == 0  # sparse: nothing to read
    from dsl.diagnostics import MAX_SHOWN as shown
    from interpreter.io import sizes

    assert (sizes.MAX_POPULATION_BYTES, sizes.MAX_DECLARATION_BYTES, sizes.MAX_STRUCTURES, shown) == (
        MAX_POPULATION_BYTES,
        MAX_DECLARATION_BYTES,
        MAX_STRUCTURES,
        MAX_SHOWN,
    )
    assert sizes.too_large(str(path), sizes.MAX_POPULATION_BYTES, "une population") is not None
