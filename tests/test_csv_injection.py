"""Hostile values of a population are written, never run. No CSV convcheck writes holds a cell that a
spreadsheet would run as a formula (OWASP « CSV injection »): an id like `=HYPERLINK(…)`, `+cmd|…`, `@SUM(…)` or `-2+3` is written `'=HYPERLINK(…)` — by `simulate -o x.csv` (both
engines), `--csv-fr`, `--par-structure`, the rejects file and `balaye --format csv` —, while amounts, even
negative, stay numbers. A group value's control characters are written as escapes: they reach no terminal and
no chart (where matplotlib warned about them on stderr, with its internal path)."""

from __future__ import annotations

import polars as pl
import pytest
from click.testing import CliRunner

from interpreter.cli import cli

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
    points fixes : 2
  }
}
"""
HOSTILE = ['=HYPERLINK("http://x.invalid";"clic")', "+cmd|'/C calc'!A0", "@SUM(1+1)", "-2+3", "\tonglet", "\rretour"]
SAFE = ["'" + id for id in HOSTILE]


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mini.conv").write_text(CONVENTION, encoding="utf-8")
    (tmp_path / "moins.conv").write_text(CONVENTION.replace("points fixes : 2", "points fixes : 1"), encoding="utf-8")
    rows = [{"id": id, "n": "5"} for id in HOSTILE] + [{"id": "msp_ok", "n": "5"}, {"id": "=invalide", "n": "500"}]
    pl.DataFrame(rows).write_csv(tmp_path / "pop.csv")
    pl.DataFrame(rows[:-1]).write_csv(tmp_path / "valides.csv")
    return tmp_path


def run(*args: str):
    result = CliRunner().invoke(cli, list(args), prog_name="convcheck")
    assert result.exit_code == 0, result.output
    return result


def ids(path, separator=",") -> list[str]:
    return pl.read_csv(path, separator=separator, infer_schema=False, comment_prefix="#")["id"].to_list()


@pytest.mark.parametrize("engine", ["defaut", "duckdb"])
def test_simulate_results_csv(folder, engine):
    run("simulate", "mini.conv", "pop.csv", "-o", "r.csv", "--moteur", engine, "--ignorer-invalides")
    assert ids(folder / "r.csv") == [*SAFE, "msp_ok"]
    assert pl.read_csv(folder / "r.csv", comment_prefix="#")["total"].to_list() == [2.0] * 7  # amounts stay numbers


def test_simulate_results_french_csv(folder):
    run("simulate", "mini.conv", "pop.csv", "-o", "r.csv", "--csv-fr", "--ignorer-invalides")
    assert ids(folder / "r.csv", ";") == [*SAFE, "msp_ok"]
    assert "2,00" in (folder / "r.csv").read_text(encoding="utf-8-sig")


def test_the_rejects_file(folder):
    run("simulate", "mini.conv", "pop.csv", "-o", "r.csv", "--ignorer-invalides")
    assert ids(folder / "r.rejets.csv") == ["'=invalide"]


@pytest.mark.parametrize("french", [False, True])
def test_diff_par_structure(folder, french):
    run(
        "diff",
        "mini.conv",
        "moins.conv",
        "--population",
        "valides.csv",
        "--par-structure",
        "s.csv",
        *(["--csv-fr"] if french else []),
    )
    frame = pl.read_csv(folder / "s.csv", separator=";" if french else ",", infer_schema=False, comment_prefix="#")
    assert frame["id"].to_list()[:6] == SAFE
    assert frame["ecart"].to_list()[0] == ("-1,00" if french else "-1.00")  # a negative amount is not a formula


def test_balaye_csv(folder):
    result = run(
        "balaye",
        "mini.conv",
        "--population",
        "valides.csv",
        "--parametre",
        "valeur_point",
        "--valeurs",
        "1,2",
        "--format",
        "csv",
    )
    assert "'" not in result.output  # numbers only: nothing to neutralise, nothing spoilt


def test_the_provenance_lines_of_a_csv_file_run_no_formula(folder):
    """The `#` lines at the top of a results file name the population: a spreadsheet cuts them at their commas, and
    a file named `x,=HYPERLINK(…).csv` would have given a cell that is a formula."""
    import shutil

    shutil.copy(folder / "valides.csv", folder / 'x,=HYPERLINK("http:",1).csv')
    run("simulate", "mini.conv", 'x,=HYPERLINK("http:",1).csv', "-o", "r.csv")
    head = [line for line in (folder / "r.csv").read_text(encoding="utf-8").splitlines() if line.startswith("#")]
    assert any("HYPERLINK" in line for line in head)
    assert not any(f"{separator}{start}" in line for line in head for separator in ",;" for start in "=+-@")


def test_a_column_name_and_plain_numbers():
    from interpreter.io.csvfiles import neutralised

    frame = pl.DataFrame({"=cmd": ["-12.50", "+3", "4,5", "-1e5", "=1+1"]})
    shown = neutralised(frame)
    assert shown.columns == ["'=cmd"]
    assert shown["'=cmd"].to_list() == ["-12.50", "+3", "4,5", "'-1e5", "'=1+1"]


# ---- group values that a terminal or a chart would interpret ------------------------------------------------


def test_a_control_character_in_a_group_value_leaks_nothing(folder):
    """A control character in a `--par` value leaked a matplotlib warning with an internal path (« charts.py:35:
    UserWarning: Glyph 7 missing »), and an escape sequence reached the terminal as it was."""
    import subprocess
    import sys

    from tests.conftest import ROOT

    rows = [
        {"id": "s1", "n": "5", "region": "nord\x07bip"},
        {"id": "s2", "n": "5", "region": "est\x1b[31m"},
        {"id": "s3", "n": "5", "region": "東京"},
    ]
    pl.DataFrame(rows).write_csv(folder / "groupes.csv")
    for args in (
        ["simulate", "mini.conv", "groupes.csv", "--par", "region"],
        [
            "diff",
            "mini.conv",
            "moins.conv",
            "--population",
            "groupes.csv",
            "--par",
            "region",
            "--format",
            "html",
            "-o",
            "r.html",
        ],
        [
            "diff",
            "mini.conv",
            "moins.conv",
            "--population",
            "groupes.csv",
            "--par",
            "region",
            "--format",
            "markdown",
            "-o",
            "r.md",
        ],
    ):
        done = subprocess.run(
            [sys.executable, "-m", "interpreter.cli", *args],
            cwd=folder,
            capture_output=True,
            text=True,
            env={"PYTHONPATH": str(ROOT), "NO_COLOR": "1", "PATH": "/usr/bin:/bin"},
        )
        assert done.returncode == 0, done.stderr
        assert "Warning" not in done.stderr and ".py" not in done.stderr, done.stderr
        shown = done.stdout + (folder / args[-1]).read_text(encoding="utf-8") if "-o" in args else done.stdout
        assert "\x1b" not in shown and "\x07" not in shown
        assert "x07bip" in shown and "x1b" in shown and "東京" in shown  # escaped (Markdown escapes « \\ » again)
