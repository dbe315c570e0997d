"""The example reports in `examples/reports/` are what the current code produces (the workbook is
compared sheet by sheet, read back)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from interpreter.cli import cli
from tests.conftest import ROOT

A1 = "conventions/aci-msp-avenant-1.conv"
A2 = "conventions/aci-msp-avenant-2-france-sante.conv"
POPULATION = ["--population", "examples/population/population.csv", "--par", "region"]
THREE = ["eval", "conventions/aci-msp-2017.conv", A1, A2, "examples/trois-versions/msp-urbaine.yaml"]
REPORTS = [
    ("avenant-1-vers-avenant-2.md", ["diff", A1, A2, "--format", "markdown"]),
    ("avenant-1-vers-avenant-2.html", ["diff", A1, A2, "--format", "html"]),
    ("impact-avenant-1-vers-avenant-2.md", ["diff", A1, A2, *POPULATION, "--format", "markdown"]),
    ("impact-avenant-1-vers-avenant-2.html", ["diff", A1, A2, *POPULATION, "--format", "html"]),
    ("trois-versions.md", [*THREE, "--format", "markdown"]),
    ("trois-versions.html", [*THREE, "--format", "html"]),
]


@pytest.mark.parametrize("name, arguments", REPORTS, ids=[r[0] for r in REPORTS])
def test_example_report_is_up_to_date(name, arguments, tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    output = tmp_path / name
    result = CliRunner().invoke(cli, [*arguments, "-o", str(output)])
    assert result.exit_code == 0, result.output
    committed = (ROOT / "examples" / "reports" / name).read_text(encoding="utf-8")
    assert output.read_text(encoding="utf-8") == committed, f"run examples/reports/regenerate.sh ({name})"


def test_example_workbook_is_up_to_date(tmp_path, monkeypatch):
    import openpyxl

    monkeypatch.chdir(ROOT)
    output = tmp_path / "impact.xlsx"
    result = CliRunner().invoke(cli, ["diff", A1, A2, *POPULATION, "-o", str(output)])
    assert result.exit_code == 0, result.output

    def sheets(path):
        book = openpyxl.load_workbook(path, read_only=True)
        return {s.title: [tuple(r) for r in s.iter_rows(values_only=True)] for s in book.worksheets}

    assert sheets(output) == sheets(ROOT / "examples" / "reports" / "impact-avenant-1-vers-avenant-2.xlsx"), (
        "regenerate examples/reports/impact-avenant-1-vers-avenant-2.xlsx"
    )
