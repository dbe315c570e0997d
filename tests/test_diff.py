"""The semantic diff and consolidation: properties and the real conventions."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from dsl import nodes as n
from dsl.avenants import apply_avenant
from dsl.checker import check
from dsl.driver import check_file
from dsl.format import extract_comments, render
from dsl.parser import parse_text
from dsl.printer import print_file
from dsl.source import SourceFile
from interpreter.backends.scalar import compile_model
from interpreter.compare.diff import dice, diff_models
from tests.conftest import GOLDEN, ROOT

CONVENTIONS = ROOT / "conventions"
BASE = check_file(str(CONVENTIONS / "aci-msp-2017.conv")).model
AV1 = check_file(str(CONVENTIONS / "aci-msp-avenant-1.conv")).model
AV2 = check_file(str(CONVENTIONS / "aci-msp-avenant-2-france-sante.conv")).model


def test_dice_coefficient():
    assert dice("abc", "abc") == 1.0
    assert dice("ab", "cd") == 0.0
    assert round(dice("night", "nacht"), 2) == 0.25


def test_diff_of_a_version_with_itself_is_empty_for_the_real_conventions():
    for model in (BASE, AV1, AV2):
        diff = diff_models(model, model)
        assert diff.empty and all(line.delta == 0 for line in diff.money.lines)


def test_formatting_and_comments_are_not_changes():
    source = (GOLDEN / "cli" / "mal-forme.conv").read_text(encoding="utf-8")
    original = check(parse_text(source).file)[0]
    formatted_text = render(parse_text(source).file, {"<texte>": extract_comments(SourceFile("<texte>", source))})
    formatted = check(parse_text(formatted_text).file)[0]
    assert diff_models(original, formatted).empty


def test_avenant_2_report_reads_as_the_negotiation():
    diff = diff_models(AV1, AV2)
    kinds = {(c.kind, c.id) for c in diff.changes if c.element == "critere"}
    for removed in ("accueil_cstm", "coordination_externe", "protocoles_cooperation", "parcours_ic"):
        assert ("suppression", removed) in kinds
    assert ("deplacement", "sas") in kinds and ("deplacement", "rcp") in kinds
    for added in ("engagement_environnemental", "ipa_equipe", "file_active_ald", "zero_ald_sans_mt"):
        assert ("ajout", added) in kinds
    briques = {c.id for c in diff.changes if c.element == "brique" and c.kind == "ajout"}
    assert briques == {
        "france_sante",
        "fs_acces_soins",
        "fs_prevention",
        "fs_precarite",
        "fs_parcours",
        "fs_populationnelle",
    }
    money = {line.id: line for line in diff.money.lines}
    assert money["si_standard"].delta == 0  # 3 700 points at 7 € = 25 900 €, converted like with like
    assert money["france_sante"].apres == Decimal("20000.00")
    # The majoration précarité at its 25 % cap (the reference structure's shares are at the top of their
    # range): 25 % of 35 350 € of points variables before, of the 107 350 € of the critères after.
    assert (money["precarite"].avant, money["precarite"].apres) == (Decimal("8837.50"), Decimal("26837.50"))
    assert diff.money.total_apres - diff.money.total_avant == Decimal("66360.00")


def test_consolidated_text_checks_clean_and_diffs_empty_against_the_avenant():
    for model, path in ((AV1, "aci-msp-avenant-1.conv"), (AV2, "aci-msp-avenant-2-france-sante.conv")):
        text = print_file(model.file)
        reparsed, diagnostics = check(parse_text(text, path).file)
        assert diagnostics == []
        assert diff_models(model, reparsed).empty


# ---- random avenants: the diff reports exactly what they do ----------------------------------------

MOVABLE = [c.id for c in BASE.criteres.values() if c.id not in ("si_standard", "horaires")]


@st.composite
def avenant_operations(draw):
    """Operations on distinct critères of the 2017 accord, and the changes they must produce."""
    ids = draw(st.lists(st.sampled_from(MOVABLE), unique=True, max_size=6))
    operations, expected = [], set()
    for id in ids:
        kind = draw(st.sampled_from(["supprime", "deplace", "modifie"]))
        section = BASE.criteres[id].section
        if kind == "supprime":
            operations.append(n.Remove("critere", id))
            expected.add(("suppression", id))
        elif kind == "deplace":
            target = draw(st.sampled_from([s for s in ("prerequis", "socle", "options") if s != section]))
            operations.append(n.Move("critere", id, target))
            expected.add(("deplacement", id))
        else:
            points = draw(st.integers(1, 5_000).map(Decimal))
            assume(points != getattr(BASE.criteres[id].points_fixes, "value", None))
            operations.append(n.Modify("critere", id, None, (n.Attribute("points_fixes", n.Number(points)),), ()))
            expected.add(("modification", id))
    for k in range(draw(st.integers(0, 3))):
        new_id = f"nouveau_{k}"
        critere = n.Critere(
            new_id,
            f"Engagement supplémentaire numéro {k}",
            (
                n.Attribute("condition", n.Compare(">=", n.Name("nb_stagiaires"), n.Number(Decimal(40 + k)))),
                n.Attribute("montant", n.Money(Decimal(99_000 + k))),
            ),
        )
        operations.append(n.AddCriteres(draw(st.sampled_from(["socle", "options"])), (critere,)))
        expected.add(("ajout", new_id))
    return operations, expected


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(avenant_operations())
def test_diff_reports_exactly_the_operations_of_an_avenant(operations_and_expected):
    operations, expected = operations_and_expected
    avenant = n.File("avenant", "essai", None, (n.Header("base", "aci-msp-2017.conv"),), tuple(operations))
    consolidation = apply_avenant(BASE.file, avenant)
    assert consolidation.diagnostics == []
    model, diagnostics = check(consolidation.result(avenant))
    assert model is not None, [d.message for d in diagnostics if d.is_error]
    changes = {(c.kind, c.id) for c in diff_models(BASE, model, compile_model(BASE)).changes if c.element == "critere"}
    assert changes == expected


def test_renames_of_identical_texts_are_found_beyond_the_pairs_compared(monkeypatch):
    """Past `RENAME_PAIRS` removed × added elements, only renames of identical text are matched: linear, and the
    same pairs as the comparison two by two finds for them."""
    from interpreter.compare import diff as d

    old = {f"a{i}": i for i in range(30)}
    new = {f"b{i}": i for i in range(30)}
    monkeypatch.setattr(d, "canonical", lambda element: f"condition : n >= {element}\npoints fixes : 5")
    expected = [(f"a{i}", f"b{i}") for i in range(30)]
    assert sorted(d.match_renames(old, new)) == sorted(expected)
    monkeypatch.setattr(d, "RENAME_PAIRS", 10)
    assert sorted(d.match_renames(old, new)) == sorted(expected)
