"""The simulator (`convcheck simulateur`), used as a person would: headless Chromium opens the generated page
from `file://`, fills the form through the DOM with the example declarations and reads back the totals that
`convcheck eval` gives; adds a second version to the comparison; restores answers from a link with a
fragment; and nothing scrolls sideways at 1280 × 800 nor at 390 × 844 (a phone).

The measures are taken by a script added to a copy of the page, which writes them into the page for
`--dump-dom` (as in tests/test_browser.py). Skipped, saying how to install it, where Chromium is absent."""

from __future__ import annotations

import json
import re
import shutil
from functools import cache
from pathlib import Path
from urllib.parse import urlencode

import pytest
from click.testing import CliRunner

from interpreter import api
from interpreter.backends.javascript import form_value
from interpreter.cli import cli
from interpreter.io.declarations import read_entries
from interpreter.io.words import TRUE_WORDS
from interpreter.report.simulator import reference_values, simulator_files
from tests.conftest import ROOT
from tests.test_browser import CHROMIUM, chromium, with_script

CONVENTIONS = ROOT / "conventions"
DECLARATIONS = ROOT / "examples" / "declarations"
AV1, Y2017, AV2 = "aci-msp-avenant-1", "aci-msp-2017", "aci-msp-avenant-2-france-sante"

needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium absent : installez-le (« apt-get install chromium ») pour ce test"
)

ACTIONS = """
<script>
window.addEventListener("load", () => {
  const steps = JSON.parse(document.getElementById("etapes-test").textContent);
  const fill = (values) => {
    for (const [key, value] of Object.entries(values)) {
      const element = document.querySelector(`#champs [name="${key}"]`);
      if (!element) continue;
      if (element.type === "checkbox") {
        element.checked = value === true;
        element.dispatchEvent(new Event("change", { bubbles: true }));
      } else {
        element.value = value;
        element.dispatchEvent(new Event("input", { bubbles: true }));
      }
    }
  };
  const columns = () => [...document.querySelectorAll("#colonnes-resultats .version")].map((v) => ({
    version: v.dataset.version, total: v.dataset.total || null,
    texte: v.querySelector(".montant") ? v.querySelector(".montant").textContent : null,
    problemes: [...v.querySelectorAll(".problemes li")].map((li) => li.textContent) }));
  const out = { debut: columns(), champs: {}, etapes: [] };
  for (const element of document.querySelectorAll("#champs [name]")) {
    out.champs[element.name] = element.type === "checkbox" ? element.checked : element.value;
  }
  for (const step of steps) {
    if (step.remplir) fill(step.remplir);
    if (step.ajouter) {
      document.getElementById("ajout-version").value = step.ajouter;
      document.getElementById("ajouter").click();
    }
    out.etapes.push({ nom: step.nom, colonnes: columns(),
                      replies: [...document.querySelectorAll(".replies .champ")].map((c) => c.dataset.id) });
  }
  out.sansEtiquette = [...document.querySelectorAll("input, select, button")].filter((e) =>
    e.tagName === "BUTTON" ? !e.textContent.trim() : !(e.labels && e.labels.length)).map((e) => e.id || e.name);
  out.largeur = document.documentElement.scrollWidth;
  out.fenetre = window.innerWidth;
  out.fragment = location.hash;
  const pre = document.createElement("pre");
  pre.id = "mesures";
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});
</script>
"""


def form_values(values: dict) -> dict:
    """Declared values (YAML text) as the form takes them: a booléen checked or not, the rest as text."""
    return {
        key: (
            str(v).strip().lower() in TRUE_WORDS
            if str(v).strip().lower() in TRUE_WORDS | {"faux", "non", "false", "no"}
            else str(v)
        )
        for key, v in values.items()
        if key != "id" and v is not None
    }


def declaration(name: str) -> dict:
    """An example declaration's values; each donnée it leaves to its stated default (`par défaut`) is given that
    default, as `eval` takes it: the form keeps what the previous declaration typed otherwise."""
    _, entries = read_entries(str(DECLARATIONS / f"{name}.yaml"))
    return {**defaults(), **{key: entry.value for key, entry in entries.items()}}


@cache
def defaults() -> dict:
    found = {}
    for name in (AV1, Y2017, AV2):
        for id, donnee in api.load(CONVENTIONS / f"{name}.conv").model.donnees.items():
            if donnee.default is not None:
                found[id] = form_value(donnee.default.value, donnee.type)
    return found


def run_page(tmp_path, folder: Path, steps: list[dict], fragment: dict | None = None, size: str = "1280,800") -> dict:
    """Open the simulator (with a fragment) in Chromium, run the steps through the DOM, return the measures."""
    page = with_script(
        folder / "index.html",
        ACTIONS
        + '<script type="application/json" id="etapes-test">'
        + json.dumps(steps, ensure_ascii=False).replace("</", "<\\/")
        + "</script>",
        "essai.html",
    )
    uri = page.as_uri() + ("#" + urlencode(fragment) if fragment else "")
    dom = chromium(tmp_path, f"--window-size={size}", "--virtual-time-budget=10000", "--dump-dom", uri).stdout
    found = re.search(r'<pre id="mesures">(.*?)</pre>', dom, flags=re.S)
    assert found, "the test script did not run: " + dom[-2000:]
    return json.loads(
        found.group(1).replace("&quot;", '"').replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
    )


@pytest.fixture(scope="module")
def versions():
    return {name: api.load(CONVENTIONS / f"{name}.conv") for name in (AV1, Y2017, AV2)}


@pytest.fixture(scope="module")
def simulator(tmp_path_factory, versions) -> Path:
    """The simulator of the three versions, Avenant 1 shown alone at first."""
    folder = tmp_path_factory.mktemp("simulateur")
    for relative, text in simulator_files([versions[AV1], versions[Y2017], versions[AV2]], first=[0]).items():
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        (folder / relative).write_text(text, encoding="utf-8")
    return folder


def total_of(convention, values: dict) -> str:
    return str(
        convention.evaluate({k: v for k, v in values.items() if k in convention.model.donnees or k == "id"}).total
    )


def euros_text(total: str) -> str:
    whole, cents = total.split(".")
    return f"{int(whole):,}".replace(",", "\u202f") + f",{cents} €"


@needs_chromium
def test_the_form_gives_the_totals_of_eval_and_a_second_version_is_added(tmp_path, simulator, versions):
    names = ["msp-reference-ipa-avenant-1", "jeune-msp-sans-plan-crise-avenant-1", "msp-urbaine-9000-ipa-avenant-1"]
    steps = [{"nom": name, "remplir": form_values(declaration(name))} for name in names]
    steps.append({"nom": "ajout", "ajouter": Y2017})
    found = run_page(tmp_path, simulator, steps)
    assert found["debut"][0]["total"] == "102340.00"  # the reference structure, pre-filled
    for name, step in zip(names, found["etapes"], strict=False):
        expected = str(versions[AV1].evaluate(DECLARATIONS / f"{name}.yaml").total)
        assert [c["total"] for c in step["colonnes"]] == [expected], name
        assert step["colonnes"][0]["texte"] == euros_text(expected)
    added = found["etapes"][-1]["colonnes"]
    assert [c["version"] for c in added] == [AV1, Y2017]
    answers = {**reference_values(versions[Y2017]), **declaration(names[-1])}
    assert added[1]["total"] == total_of(versions[Y2017], answers)
    assert "Versions=aci-msp-avenant-1%2Caci-msp-2017" in found["fragment"]


@needs_chromium
def test_the_2017_declarations_through_the_form(tmp_path, simulator, versions):
    names = ["msp-reference-2017", "jeune-msp-rurale-2017", "msp-sans-samedi-2017"]
    steps = [{"nom": name, "remplir": form_values(declaration(name))} for name in names]
    found = run_page(tmp_path, simulator, steps, fragment={"Versions": Y2017})
    assert [step["colonnes"][0]["version"] for step in found["etapes"]] == [Y2017] * 3
    for name, step in zip(names, found["etapes"], strict=True):
        assert step["colonnes"][0]["total"] == str(versions[Y2017].evaluate(DECLARATIONS / f"{name}.yaml").total)


@needs_chromium
def test_a_link_restores_the_answers(tmp_path, simulator, versions):
    values = {
        **reference_values(versions[AV2]),
        "demande_france_sante": False,
        "patientele": "6000",
        "part_medecins_sas": "50 %",
    }
    fragment = {
        "Versions": f"{AV2},{AV1}",
        **{k: ("vrai" if v else "faux") if isinstance(v, bool) else v for k, v in values.items()},
    }
    found = run_page(tmp_path, simulator, [], fragment=fragment)
    assert found["champs"]["patientele"] == "6000" and found["champs"]["demande_france_sante"] is False
    assert found["champs"]["part_medecins_sas"] == "50 %"
    columns = found["debut"]
    assert [c["version"] for c in columns] == [AV2, AV1]
    assert columns[0]["total"] == total_of(versions[AV2], values)
    answers = {**reference_values(versions[AV1]), **values}
    assert columns[1]["total"] == total_of(versions[AV1], answers)


@needs_chromium
def test_fields_that_cannot_matter_are_folded_away(tmp_path, simulator, versions):
    """Without the request to join France Santé, the briques' critères cannot pay: their données fold away."""
    steps = [
        {"nom": "sans demande", "remplir": {"demande_france_sante": False}},
        {"nom": "avec demande", "remplir": {"demande_france_sante": True}},
    ]
    found = run_page(tmp_path, simulator, steps, fragment={"Versions": AV2})
    without, with_it = (step["replies"] for step in found["etapes"])
    assert "rendez_vous_48h" in without and "rendez_vous_48h" not in with_it
    assert "demande_france_sante" not in without


@needs_chromium
@pytest.mark.parametrize("size", ["1280,800", "390,844"])
def test_nothing_scrolls_sideways(tmp_path, tmp_path_factory, size):
    folder = tmp_path_factory.mktemp("cli")
    result = CliRunner().invoke(
        cli, ["simulateur", *(str(CONVENTIONS / f"{n}.conv") for n in (AV1, AV2, Y2017)), "-o", str(folder)]
    )
    assert result.exit_code == 0, result.output
    found = run_page(tmp_path, folder, [], size=size)
    assert len(found["debut"]) == 3 and all(c["total"] for c in found["debut"])
    assert found["largeur"] <= found["fenetre"], found
    assert found["sansEtiquette"] == []  # every field and button says what it is (keyboard and screen readers)


@needs_chromium
def test_the_page_prints_the_answers_and_the_results_without_its_buttons(tmp_path, simulator):
    from pypdf import PdfReader

    pdf = tmp_path / "simulateur.pdf"
    chromium(
        tmp_path,
        "--virtual-time-budget=5000",
        "--no-pdf-header-footer",
        f"--print-to-pdf={pdf}",
        (simulator / "index.html").as_uri(),
    )
    text = "".join(page.extract_text() for page in PdfReader(str(pdf)).pages).replace("\u202f", " ")
    assert "102 340,00 €" in text and "Amplitude d'ouverture" in text
    assert "Exporter en JSON" not in text and "Ajouter une version" not in text


def test_the_folder_is_self_contained(tmp_path, versions):
    """No network, no CDN: every file the page names is in the folder; the engines are classic scripts."""
    files = simulator_files([versions[AV2], versions[AV1]])
    page = files["index.html"]
    named = re.findall(r'(?:src|href)="([^"#]+)"', page)
    assert named and all(name in files for name in named), named
    assert not re.search(r"https?://", page + files["simulateur.js"] + files["simulateur.css"])
    assert all("export " not in text.split("\n", 20)[-1] for name, text in files.items() if name.startswith("moteurs/"))
    assert '"statutMots": "proposition non signée"' in page
    assert "Provenance des chiffres" in page and "Calculé par convcheck" in page


def test_the_cli_writes_the_module_and_refuses_another_extension(tmp_path):
    runner = CliRunner()
    module = tmp_path / "moteur.mjs"
    done = runner.invoke(cli, ["js", str(CONVENTIONS / f"{AV2}.conv"), "-o", str(module)])
    assert done.exit_code == 0, done.output
    text = module.read_text(encoding="utf-8")
    assert "export const evaluer" in text and "Math.random" not in text and "parseFloat" not in text
    header = [line for line in text.splitlines() if line.startswith("//")][:8]
    assert any(
        "Version : « avenant 2 (proposition 2026) »" in line and "proposition non signée" in line for line in header
    ), header
    assert any(line.startswith("// Calculé par convcheck") for line in header)  # the provenance of every output
    refused = runner.invoke(cli, ["js", str(CONVENTIONS / f"{AV2}.conv"), "-o", str(tmp_path / "moteur.txt")])
    assert refused.exit_code == 2 and ".mjs" in refused.output
    out = runner.invoke(cli, ["js", str(CONVENTIONS / f"{Y2017}.conv")])
    assert out.exit_code == 0 and out.output.startswith("// Moteur de calcul")
    folder = tmp_path / "page"
    (folder).write_text("", encoding="utf-8")
    refused = runner.invoke(cli, ["simulateur", str(CONVENTIONS / f"{AV2}.conv"), "-o", str(folder)])
    assert refused.exit_code == 2 and "n'est pas un dossier" in refused.output


def test_the_site_has_the_simulator(tmp_path):
    result = CliRunner().invoke(cli, ["site", str(CONVENTIONS), "-o", str(tmp_path / "site")])
    assert result.exit_code == 0, result.output
    index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert 'href="simulateur/aci_msp/index.html"' in index
    simulator = tmp_path / "site" / "simulateur" / "aci_msp"
    assert (simulator / "index.html").exists() and len(list((simulator / "moteurs").glob("*.js"))) == 3
    config = json.loads(
        re.search(
            r'id="configuration">(.*?)</script>', (simulator / "index.html").read_text(encoding="utf-8"), flags=re.S
        ).group(1)
    )
    assert config["affichees"] == [AV1, AV2]  # the last signed version, and the proposal after it
    shutil.rmtree(tmp_path / "site")


DEFAULTS = """convention d "Données par défaut"
version : "1"
paramètres {
  valeur_point = 7 €
}
données {
  ouverte : booléen "Ouverte le samedi" par défaut vrai
  mois : entier entre 0 et 12 "Mois couverts" par défaut 12
  equipe : entier entre 0 et 50 "Équipe"
}
prorata : mois / 12
socle {
  critère samedi "Samedi" { condition : ouverte  montant : 1_200 € }
  critère equipe "Équipe" { condition : equipe >= 3  points fixes : 100 }
}
cas structure_reference "Référence" {
  données { equipe = 4 }
}
"""


@needs_chromium
def test_defaults_are_shown_and_taken(tmp_path):
    """A donnée with a default: the form shows it (a box checked, a placeholder) and the engine takes it; a
    prorated line says its share of the year."""
    (tmp_path / "d.conv").write_text(DEFAULTS, encoding="utf-8")
    convention = api.load(tmp_path / "d.conv")
    folder = tmp_path / "simulateur"
    for relative, text in simulator_files([convention]).items():
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        (folder / relative).write_text(text, encoding="utf-8")
    found = run_page(tmp_path, folder, [{"nom": "sept mois", "remplir": {"mois": "7"}}])
    assert found["champs"]["ouverte"] is True and found["champs"]["mois"] in ("", "12")  # the cas takes them too
    assert found["debut"][0]["total"] == str(convention.evaluate({"equipe": 4}).total) == "1900.00"
    assert found["etapes"][0]["colonnes"][0]["total"] == str(convention.evaluate({"equipe": 4, "mois": 7}).total)
