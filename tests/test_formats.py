"""The format of a report: `--format`, else the extension of `-o` (issue 19): `-o rapport.html` writes HTML, a
`--format` that contradicts the extension and an extension the command cannot write are usage errors that name
both and the fix. One table (`interpreter.report.formats.FORMATS`) holds every format, its extensions and its
renderer; every command reads it."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from interpreter.cli import cli
from interpreter.report.formats import FORMATS, FormatError, choose_format, format_of_extension
from tests.conftest import GOLDEN

FILES = [
    "convention.conv",
    "convention-av.conv",
    "petite-v1.conv",
    "petite-v2.conv",
    "petite-avenant.conv",
    "population.csv",
    "msp.yaml",
]
DIFF = ["diff", "petite-v1.conv", "petite-v2.conv"]


@pytest.fixture
def folder(tmp_path, monkeypatch):
    for name in FILES:
        shutil.copy(GOLDEN / "cli" / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NO_COLOR", "1")
    return tmp_path


def run(*arguments: str):
    result = CliRunner().invoke(cli, list(arguments))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


# ---- the extension of -o chooses the format ---------------------------------------------------------------


def test_a_report_written_under_rapport_html_is_html(folder):
    """The old behaviour wrote the text report under that name."""
    exit_code, output = run(*DIFF, "-o", "rapport.html")
    assert exit_code == 0, output
    assert (folder / "rapport.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


@pytest.mark.parametrize(
    "name, starts",
    [("rapport.md", "# "), ("RAPPORT.MD", "# "), ("rapport.json", "{"), ("rapport.txt", ""), ("rapport", "")],
)
def test_each_extension_gives_its_format(folder, name, starts):
    exit_code, output = run(*DIFF, "-o", name)
    assert exit_code == 0, output
    written = (folder / name).read_text(encoding="utf-8")
    assert written.startswith(starts)
    if name.endswith(".json"):
        assert json.loads(written)["changes"]
    if name in ("rapport.txt", "rapport"):  # the text printed without -o
        assert written == run(*DIFF)[1]


def test_the_extension_of_a_workbook_still_chooses_xlsx(folder):
    exit_code, output = run(*DIFF, "-o", "rapport.xlsx")
    assert exit_code == 0, output
    assert (folder / "rapport.xlsx").read_bytes().startswith(b"PK")


def test_every_command_with_a_report_reads_the_extension(folder):
    assert run("historique", "petite-avenant.conv", "-o", "h.md")[0] == 0
    assert (folder / "h.md").read_text(encoding="utf-8").startswith("# ")
    assert (
        run(
            "balaye",
            "convention.conv",
            "--population",
            "population.csv",
            "--parametre",
            "valeur_point",
            "--valeurs",
            "7,8",
            "-o",
            "b.csv",
        )[0]
        == 0
    )
    table = [line for line in (folder / "b.csv").read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    assert table[0].startswith("valeur,budget")  # after the provenance
    assert run("eval", "convention.conv", "convention-av.conv", "msp.yaml", "-o", "e.html")[0] == 0
    assert (folder / "e.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert (
        run(
            "calibre",
            "convention.conv",
            "--population",
            "population.csv",
            "--parametre",
            "valeur_point",
            "--budget",
            "80 000 €",
            "-o",
            "c.json",
        )[0]
        == 0
    )
    assert json.loads((folder / "c.json").read_text(encoding="utf-8"))["parametre"] == "valeur_point"


# ---- what is refused ----------------------------------------------------------------------------------------


def test_a_format_that_contradicts_the_extension_is_a_usage_error(folder):
    exit_code, output = run(*DIFF, "--format", "json", "-o", "rapport.html")
    assert exit_code == 2
    assert "--format json et -o « rapport.html » se contredisent" in output
    assert "retirez --format" in output and "« rapport.json »" in output
    assert not (folder / "rapport.html").exists()


@pytest.mark.parametrize(
    "arguments, extension",
    [
        ([*DIFF, "-o", "rapport.png"], ".png"),
        (["historique", "petite-avenant.conv", "-o", "h.html"], ".html"),
        (
            [
                "calibre",
                "convention.conv",
                "--population",
                "population.csv",
                "--parametre",
                "valeur_point",
                "--budget",
                "80 000 €",
                "-o",
                "c.html",
            ],
            ".html",
        ),
        (["sql", "convention.conv", "--dialecte", "duckdb", "-o", "requete.txt"], ".txt"),
        (["consolidate", "petite-avenant.conv", "-o", "version.md"], ".md"),
    ],
)
def test_an_extension_the_command_cannot_write_is_a_usage_error(folder, arguments, extension):
    before = sorted(p.name for p in folder.iterdir())
    exit_code, output = run(*arguments)
    assert exit_code == 2, output
    assert f"cette commande n'écrit pas de fichier « {extension} »" in output
    assert "donnez à -o l'extension de son format" in output
    assert sorted(p.name for p in folder.iterdir()) == before


def test_the_files_commands_write_keep_their_extension(folder):
    assert run("sql", "convention.conv", "--dialecte", "duckdb", "-o", "requete.sql")[0] == 0
    assert run("consolidate", "petite-avenant.conv", "-o", "version.conv")[0] == 0
    assert (folder / "version.conv").read_text(encoding="utf-8").startswith("# Version consolidée")


# ---- the table --------------------------------------------------------------------------------------------------


def test_choose_format():
    supported = ("text", "markdown", "json")
    assert choose_format(None, None, supported) == "text"
    assert choose_format("json", None, supported) == "json"
    assert choose_format("markdown", "rapport", supported) == "markdown"
    assert choose_format(None, "dossier/rapport.md", supported) == "markdown"
    assert choose_format("markdown", "rapport.markdown", supported) == "markdown"
    with pytest.raises(FormatError, match="se contredisent"):
        choose_format("text", "rapport.md", supported)
    with pytest.raises(FormatError, match="n'écrit pas de fichier « .html »"):
        choose_format(None, "rapport.html", supported)
    with pytest.raises(FormatError, match="ajoutez -o FICHIER.xlsx"):
        choose_format("xlsx", None, ("text", "xlsx"))


def test_each_extension_names_one_format():
    extensions = [e for f in FORMATS.values() for e in f.extensions]
    assert len(extensions) == len(set(extensions))
    assert all(format_of_extension(f"x{e.upper()}") == f.name for f in FORMATS.values() for e in f.extensions)
    assert format_of_extension("x.png") is None


def test_a_digest_started_early_is_the_file_s(tmp_path):
    """`simulate` starts hashing the population while it reads it: the provenance names the file's sha256 all the
    same, and once."""
    import hashlib

    from interpreter.report import provenance

    path = tmp_path / "population.csv"
    path.write_bytes(b"id,n\n" + b"a,1\n" * 100_000)
    provenance.start_digest(path)
    found = provenance.provenance_of([], path, 100_000).population
    assert found is not None and found.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert str(path) not in provenance._STARTED


@pytest.mark.parametrize(
    ("output", "said"), [("r.html", "format de résultats inconnu « .html »"), ("r", "« r » n'a pas d'extension")]
)
def test_a_results_file_without_a_table_s_extension_is_a_usage_error(folder, output, said):
    """`simulate -o` writes a table in the format of its extension: another one, or none, is refused by name."""
    exit_code, text = run("simulate", "convention.conv", "population.csv", "-o", output)
    assert exit_code == 2, text
    assert said in text and "utilisez .csv" in text
    assert not (folder / output).exists()
