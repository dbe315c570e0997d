"""Reports that answer first: the verdict of a diff (with and without a population, at the maximal
structure or for a `cas`), unchanged lines folded, and one structure across versions."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from click.testing import CliRunner

from interpreter import api
from interpreter.backends.scalar import evaluate
from interpreter.cases import cas_donnees
from interpreter.cli import cli
from interpreter.report.diff import diff_document, diff_json, key_figures
from interpreter.report.document import Folded, render_html, render_markdown, render_text
from tests.conftest import GOLDEN, ROOT

CONVENTIONS = ROOT / "conventions"
POPULATION = str(ROOT / "examples" / "population" / "population.csv")
V2017, AV1, AV2 = (
    str(CONVENTIONS / name)
    for name in ("aci-msp-2017.conv", "aci-msp-avenant-1.conv", "aci-msp-avenant-2-france-sante.conv")
)


@pytest.fixture(scope="module")
def impact_case():
    old, new = api.load(AV1), api.load(AV2)
    change = api.diff(old, new)
    return change, api.impact(old, new, POPULATION, change, groupings=["zone"])


def test_the_verdict_says_the_cost_who_gains_and_loses_and_why(impact_case):
    change, impact = impact_case
    text = render_text(diff_document(change, impact, POPULATION))
    verdict = text.split("\n")[3]
    assert verdict.startswith("» « avenant 2 (proposition 2026) » coûte ") and "de plus que « avenant 1 »" in verdict
    assert f"{impact.gain:,}".replace(",", "\u202f") + " gagnent" in verdict
    assert f"{impact.lose:,}".replace(",", "\u202f") + " perdent" in verdict
    worst = impact.largest_losses[0]
    line = min((change for change in worst.lines if change[2] < 0), key=lambda change: change[2])
    assert f"« {line[1]} »" in verdict  # the line through which the structure that loses most loses most
    assert verdict.index("coûte") < verdict.index("gagnent") < verdict.index("perdent")


def test_json_carries_the_verdict_and_key_figures_of_the_document(impact_case):
    change, impact = impact_case
    document = diff_document(change, impact, POPULATION)
    data = diff_json(change, impact, POPULATION)
    assert data["verdict"]["phrase"] == document.blocks[0].text
    assert [(f["libelle"], f["valeur"]) for f in data["verdict"]["chiffres_cles"]] == list(document.blocks[1].items)


def test_the_verdict_comes_before_the_details_and_unchanged_lines_are_folded(impact_case):
    change, impact = impact_case
    document = diff_document(change, impact, POPULATION, png_stem="r")
    markdown, html = render_markdown(document), render_html(document)
    unchanged = [label or id for id, label, before, after in impact.lines if before == after]
    assert unchanged, "the example avenant leaves some lines unchanged"
    folded = [b for b in document.blocks if isinstance(b, Folded)]
    assert any(f"{len(unchanged)} clause" in b.summary for b in folded)
    appendix = markdown.index("## Annexe")
    assert all(markdown.rindex(label) > appendix for label in unchanged)
    assert html.count("<details>") == len(folded)
    assert html.index('class="verdict"') < html.index("<figure>") < html.index("Plus fortes baisses")


def test_without_a_population_the_verdict_speaks_of_the_maximal_structure():
    change = api.diff(api.load(AV1), api.load(AV2))
    text = render_text(diff_document(change))
    assert "À la structure maximale" in text and "structure de référence" not in text
    assert "La structure maximale de chaque version est construite" in text
    moved = [line for line in change.money.lines if line.delta]
    assert f"{len(moved)} clauses changent de valeur" in text


def test_diff_cas_values_each_version_with_the_donnees_of_the_cas():
    old, new = api.load(str(GOLDEN / "cli" / "convention.conv")), api.load(str(GOLDEN / "cli" / "convention-av.conv"))
    change = api.diff(old, new, "msp_type")
    cas = next(c for c in old.model.cas if c.id == "msp_type")  # the avenant has none: the base's stands for it
    for version, total in ((old, change.money.total_avant), (new, change.money.total_apres)):
        assert evaluate(version.program, cas_donnees(version.program, cas)).total == total
    assert diff_json(change)["verdict"]["base"] == "cas"
    assert "Pour le cas « msp_type »" in diff_json(change)["verdict"]["phrase"]


def test_one_structure_across_three_versions():
    declaration = ROOT / "examples" / "trois-versions" / "msp-urbaine.yaml"
    versions = [api.load(path) for path in (V2017, AV1, AV2)]
    across = api.evaluate_across(versions, declaration)
    for version, evaluation in zip(versions, across.evaluations, strict=False):
        own = {
            k: v
            for k, v in __import__("yaml").safe_load(declaration.read_text(encoding="utf-8")).items()
            if k in version.model.donnees
        }
        assert version.evaluate(own).total == evaluation.total
    assert sum((line.change(2) for line in across.lines), Decimal(0)) == across.total_change(2)
    ignored = dict(across.ignored)
    assert ignored["enquete_satisfaction"] == ("avenant 1", "avenant 2 (proposition 2026)")
    assert ignored["ipa"] == ("2017",)
    result = CliRunner().invoke(cli, ["eval", V2017, AV1, AV2, str(declaration), "--format", "json"])
    data = json.loads(result.output)
    assert [v["total"] for v in data["versions"]] == [f"{e.total:.2f}" for e in across.evaluations]


def test_a_key_no_version_knows_is_an_error_said_once(tmp_path):
    path = tmp_path / "d.yaml"
    text = (ROOT / "examples" / "trois-versions" / "msp-urbaine.yaml").read_text(encoding="utf-8")
    path.write_text(text.replace("ipa:", "ipaa:"), encoding="utf-8")
    with pytest.raises(api.ConvError) as error:
        api.evaluate_across([api.load(p) for p in (V2017, AV1, AV2)], path)
    unknown = [d for d in error.value.diagnostics if d.code == "declaration-cle-inconnue"]
    assert len(unknown) == 1 and unknown[0].suggestion == "vouliez-vous dire « ipa » ?"
    missing = [d for d in error.value.diagnostics if d.code == "declaration-donnee-manquante"]
    assert [d.message.endswith("(pour « avenant 1 », « avenant 2 (proposition 2026) »)") for d in missing] == [True]


def test_explanations_show_numbers_with_a_decimal_comma():
    version = api.load(AV1)
    data = dict(
        __import__("yaml").safe_load(
            (ROOT / "examples" / "declarations" / "msp-reference-ipa-avenant-1.yaml").read_text(encoding="utf-8")
        )
    )
    data["part_medecins_sas"] = "33.3"
    explanations = " ".join(line.explanation or "" for line in version.evaluate(data).lines)
    assert "part_medecins_sas = 33,3 %" in explanations and "33.3" not in explanations


FEW = 5  # données: a cas that differs from another by at most this many says so with `comme`


def test_every_bundled_cas_close_to_an_earlier_one_says_so_with_comme():
    """Along the chain of bundled versions, a cas whose données differ from a cas of its file or of a base
    by at most `FEW` values is written `cas … comme …` (it lists only what differs)."""
    import re

    chain = [
        str(CONVENTIONS / name)
        for name in ("aci-msp-2017.conv", "aci-msp-avenant-1.conv", "aci-msp-avenant-2-france-sante.conv")
    ]
    chain.append(str(ROOT / "examples" / "avenant-3" / "aci-msp-avenant-3.conv"))
    seen: list[tuple[str, dict]] = []
    for path in chain:
        text = open(path, encoding="utf-8").read()
        written_comme = set(re.findall(r'^cas ([a-z_0-9]+) "[^"]*" comme ', text, flags=re.M))
        for cas in api.load(path).model.cas:
            values = {k: c.value for k, c in cas.donnees.items()}
            close = [
                other for other, known in seen if sum(1 for k in values if known.get(k, object()) != values[k]) <= FEW
            ]
            assert not close or cas.id in written_comme, (path, cas.id, close)
            seen.append((cas.id, values))


def test_the_command_line_loads_numpy_and_polars_only_for_populations():
    """`check`, `eval`, `diff` without a population start fast: the report modules they import pull neither."""
    import subprocess
    import sys

    code = (
        "import sys, interpreter.cli; print(sorted(m for m in ('numpy', 'polars', 'matplotlib') if m in sys.modules))"
    )
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert shown.stdout.strip() == "[]"


def test_diff_cas_follows_comme_to_a_version_without_the_cas():
    """2017 → the 2026 proposal for the Cnam's reference structure: the proposal has no cas of that name, but
    its reference cas starts from it (`comme`, through Avenant 1's): that one values the proposal."""
    old, new = api.load(V2017), api.load(AV2)
    change = api.diff(old, new, "structure_reference")
    assert change.money.cas.extended == (("avenant 2 (proposition 2026)", "structure_reference_france_sante"),)
    assert change.money.total_avant == Decimal("73500.00")  # the published 2017 maximum
    reference = next(c for c in new.model.cas if c.id == "structure_reference_france_sante")
    assert change.money.total_apres == evaluate(new.program, cas_donnees(new.program, reference)).total
    assert "son cas « structure_reference_france_sante »" in diff_json(change)["verdict"]["phrase"]


def test_each_total_names_the_cas_its_version_was_valued_with():
    change = api.diff(api.load(V2017), api.load(AV2), "structure_reference")
    figures = dict(key_figures(change))
    assert figures["Total avant (cas « structure_reference »)"] == "73\u202f500,00 €"
    assert "Total après (cas « structure_reference_france_sante »)" in figures


def test_french_csv_writes_booleans_as_populations_do():
    import polars as pl

    from interpreter.io.csvfiles import french_csv

    text = french_csv(pl.DataFrame({"id": ["a", "b"], "eligible": [True, False], "total": ["12.50", "3.00"]}))
    assert text.decode("utf-8-sig").splitlines() == ["id;eligible;total", "a;vrai;12,50", "b;faux;3,00"]
