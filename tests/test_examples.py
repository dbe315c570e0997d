"""The example reports in `examples/reports/` are what the current code produces."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from interpreter.cli import cli
from tests.conftest import ROOT

A1 = "conventions/aci-msp-avenant-1.conv"
A2 = "conventions/aci-msp-avenant-2-france-sante.conv"
REPORTS = [
    ("avenant-1-vers-avenant-2.md", ["diff", A1, A2, "--format", "markdown"]),
    ("impact-avenant-1-vers-avenant-2.md", ["diff", A1, A2, "--population", "examples/population/population.csv",
                                            "--format", "markdown"]),
]


@pytest.mark.parametrize("name, arguments", REPORTS, ids=[r[0] for r in REPORTS])
def test_example_report_is_up_to_date(name, arguments, tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    output = tmp_path / name
    result = CliRunner().invoke(cli, [*arguments, "-o", str(output)])
    assert result.exit_code == 0, result.output
    committed = (ROOT / "examples" / "reports" / name).read_text(encoding="utf-8")
    assert output.read_text(encoding="utf-8") == committed, f"regenerate examples/reports/{name}"
