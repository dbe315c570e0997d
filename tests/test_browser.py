"""The HTML reports, rendered in a real browser (headless Chromium): the diff with and without a
population, and one structure across versions.

Checked at 1280 × 800: the verdict and the key figures are in the first screen, the charts are
drawn, nothing scrolls sideways; printed to PDF: no table row is cut across two pages. Measures
are taken by a script added to a copy of the page, which writes them into the page for
`--dump-dom`; the print check marks the start and the end of every cell with a token and reads
the PDF's pages back (pypdf): the tokens of a row must all be on one page.

Skipped, saying how to install it, where Chromium is absent; `.ci/run` installs it.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest
from click.testing import CliRunner

from interpreter.cli import cli
from tests.conftest import ROOT

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]
CONVENTIONS = ROOT / "conventions"
POPULATION = ROOT / "examples" / "population" / "population.csv"

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium absent : installez-le (« apt-get install chromium ») pour ce test"
)

MEASURE = """
<script>
window.addEventListener("load", () => {
  const bottom = (selector) => { const e = document.querySelector(selector);
                                 return e ? e.getBoundingClientRect().bottom + window.scrollY : null; };
  const figures = [...document.querySelectorAll("figure svg")].map(s => s.getBoundingClientRect().width);
  const out = document.createElement("pre");
  out.id = "mesures";
  out.textContent = JSON.stringify({
    verdict: bottom("p.verdict"), figures_cles: bottom("dl.figures"),
    largeur: document.documentElement.scrollWidth, fenetre: window.innerWidth,
    graphiques: figures, premier_titre: document.querySelector("h1").textContent,
    cartes_debordent: [...document.querySelectorAll("dl.figures div")].filter(c => c.scrollWidth > c.clientWidth)
                        .map(c => c.textContent) });
  document.body.appendChild(out);
});
</script>
"""

MARK_CELLS = """
<style>.marque { font-size: 6px; color: #999; }</style>
<script>
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("details").forEach(d => d.open = true);
  document.querySelectorAll("tbody tr").forEach((row, r) => {  // header rows repeat on each page
    [...row.children].forEach((cell, c) => {
      cell.insertAdjacentHTML("afterbegin", `<span class="marque">R${r}C${c}DEBUT </span>`);
      cell.insertAdjacentHTML("beforeend", `<span class="marque"> R${r}C${c}FIN</span>`);
    });
  });
});
</script>
"""


def chromium(tmp_path, *arguments: str) -> subprocess.CompletedProcess:
    profile = tmp_path / "profil"
    return subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *arguments], capture_output=True, text=True, timeout=120
    )


def with_script(report, script: str, name: str):
    """A copy of the report with a script added before `</body>` (the report itself stays as written)."""
    copy = report.with_name(name)
    copy.write_text(report.read_text(encoding="utf-8").replace("</body>", script + "</body>"), encoding="utf-8")
    return copy


def measures(tmp_path, report) -> dict:
    page = with_script(report, MEASURE, "mesure.html")
    dom = chromium(tmp_path, "--window-size=1280,800", "--virtual-time-budget=5000", "--dump-dom", page.as_uri()).stdout
    found = re.search(r'<pre id="mesures">(.*?)</pre>', dom, flags=re.S)
    assert found, "the measuring script did not run"
    return json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&"))


def rows_split_in_print(tmp_path, report) -> list[int]:
    """The table rows whose cells are not all on one page of the PDF print."""
    from pypdf import PdfReader

    page = with_script(report, MARK_CELLS, "impression.html")
    pdf = tmp_path / "impression.pdf"
    chromium(tmp_path, "--virtual-time-budget=5000", "--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.as_uri())
    assert pdf.exists(), "Chromium did not print the page"
    pages_of: dict[int, set[int]] = {}
    pages = PdfReader(str(pdf)).pages
    for number, pdf_page in enumerate(pages):
        for row in re.findall(r"R(\d+)C\d+(?:DEBUT|FIN)", pdf_page.extract_text().replace(" ", "")):
            pages_of.setdefault(int(row), set()).add(number)
    assert len(pages) > 1 and pages_of, "the print should span several pages, with the marked rows"
    return [row for row, found in pages_of.items() if len(found) > 1]


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    folder = tmp_path_factory.mktemp("rapports")
    av1, av2 = str(CONVENTIONS / "aci-msp-avenant-1.conv"), str(CONVENTIONS / "aci-msp-avenant-2-france-sante.conv")
    commands = {
        "impact": ["diff", av1, av2, "--population", str(POPULATION), "--par", "region", "--format", "html"],
        "diff": ["diff", av1, av2, "--format", "html"],
        "versions": [
            "eval",
            str(CONVENTIONS / "aci-msp-2017.conv"),
            av1,
            av2,
            str(ROOT / "examples" / "trois-versions" / "msp-urbaine.yaml"),
            "--format",
            "html",
        ],
    }
    paths = {}
    for name, args in commands.items():
        paths[name] = folder / f"{name}.html"
        result = CliRunner().invoke(cli, [*args, "-o", str(paths[name])])
        assert result.exit_code == 0, result.output
    return paths


@pytest.mark.parametrize("name", ["impact", "diff", "versions"])
def test_the_verdict_and_key_figures_are_in_the_first_screen(reports, tmp_path, name):
    found = measures(tmp_path, reports[name])
    assert found["verdict"] is not None and found["figures_cles"] is not None
    assert found["verdict"] <= 800 and found["figures_cles"] <= 800, found
    assert found["largeur"] <= found["fenetre"], f"the page scrolls sideways: {found}"
    assert found["cartes_debordent"] == [], "a key figure does not fit its card"


def test_the_impact_report_draws_its_charts(reports, tmp_path):
    found = measures(tmp_path, reports["impact"])
    # the waterfall, the winners and losers by region, the histogram
    assert len(found["graphiques"]) == 3, found
    assert all(0 < width <= 1280 for width in found["graphiques"])
    html = reports["impact"].read_text(encoding="utf-8")
    assert html.index('class="verdict"') < html.index("<figure>") < html.index("Ce que vaut chaque clause")


@pytest.mark.parametrize("name", ["impact", "versions"])
def test_printing_cuts_no_table_row(reports, tmp_path, name):
    assert rows_split_in_print(tmp_path, reports[name]) == []


def test_a_row_cut_across_pages_is_detected(reports, tmp_path):
    """The print check can fail: without the print rules that keep rows whole, tall rows are cut."""
    report = reports["diff"]
    html = report.read_text(encoding="utf-8").replace("tr, td, th { break-inside: avoid; }", "")
    tall = "<br>".join(["ligne"] * 12)
    html = re.sub(r"(<td><code>)", rf"\1{tall} ", html)  # every code cell twelve lines tall
    broken = report.with_name("sans-regles.html")
    broken.write_text(html, encoding="utf-8")
    assert rows_split_in_print(tmp_path, broken) != []


def test_folded_lines_are_printed(reports, tmp_path):
    """Unchanged lines are folded on screen (`<details>`) but printed: a printed note is complete."""
    from pypdf import PdfReader

    pdf = tmp_path / "diff.pdf"
    chromium(tmp_path, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", reports["diff"].as_uri())
    text = "".join(page.extract_text() for page in PdfReader(str(pdf)).pages).replace(" ", "").replace("\n", "")
    assert "<details>" in reports["diff"].read_text(encoding="utf-8")
    assert "nb_reunions_rcp=365" in text  # only in the folded « Données de la structure maximale »
