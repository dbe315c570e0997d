"""Evaluation: each rule of LANGUAGE.md's "Meaning", declarations, overrides, and properties."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings

from dsl.checker import check
from dsl.driver import check_file
from dsl.parser import parse_text
from dsl.printer import print_file
from interpreter.backends.scalar import compile_model, evaluate
from interpreter.cases import cas_donnees, run_cases
from interpreter.io.declarations import DeclarationError, read_declaration, read_overrides
from tests import strategies as s
from tests.conftest import GOLDEN, ROOT

D = Decimal
CONVENTIONS = ROOT / "conventions"


def program_of(text: str, **overrides):
    result = parse_text(text)
    model, diagnostics = check(result.file)
    assert model is not None, diagnostics
    return compile_model(model)


HEAD = 'convention t "T"\nversion : "1"\n'


def test_language_example_evaluates_to_27300():
    program = compile_model(check_file(str(GOLDEN / "language" / "convention.conv")).model)
    evaluation = evaluate(program, cas_donnees(program, program.model.cas[0]))
    assert (evaluation.total, evaluation.total_points) == (D("27300.00"), D(3900))
    assert str(evaluation.total) == "27300.00"


def test_a_failed_prerequis_gates_everything():
    program = program_of(
        HEAD
        + """paramètres { valeur_point = 7 € }
données { a : booléen "A" b : booléen "B" }
prérequis { critère pa "PA" { condition : a points fixes : 100 } }
options { critère ob "OB" { condition : b montant : 1_000 € } }
brique br "BR" { condition : b montant : 50 € critère x "X" { condition : b } }
"""
    )
    evaluation = evaluate(program, {"a": False, "b": True})
    assert not evaluation.eligible and evaluation.total == 0
    assert evaluation.line("ob").met and not evaluation.line("ob").paid
    assert evaluation.line("br").met and not evaluation.line("br").paid
    assert "n'est pas atteint" in evaluation.explanation
    assert evaluate(program, {"a": True, "b": True}).total == D("1750.00")


def test_variable_points_scale_with_patientele():
    program = program_of(
        HEAD
        + """paramètres { valeur_point = 7 € patientele_reference = 4000 }
données { patientele : entier "P" }
socle { critère c "C" { condition : patientele > 0 points fixes : 700 points variables : 1_100 } }
"""
    )
    line = evaluate(program, {"patientele": D(3333)}).line("c")
    assert line.points == D("1616.575")
    assert line.montant == D("11316.03")  # 11 316,025 € rounded half away from zero


def test_each_line_is_rounded_then_summed():
    program = program_of(
        HEAD
        + """paramètres { valeur_point = 0.01 € patientele_reference = 2 }
données { patientele : entier "P" }
socle {
  critère a "A" { condition : patientele > 0 points variables : 1 }
  critère b "B" { condition : patientele > 0 points variables : 1 }
}
"""
    )
    evaluation = evaluate(program, {"patientele": D(1)})
    assert [line.montant for line in evaluation.lines] == [D("0.01"), D("0.01")]  # 0.005 € each
    assert evaluation.total == D("0.02")  # not round(0.01) of the unrounded sum


def test_rounding_is_half_away_from_zero_for_negative_amounts():
    program = program_of(
        HEAD
        + """données { x : booléen "X" }
socle { critère c "C" { condition : x montant : 0 € - 0.005 € } }
"""
    )
    assert evaluate(program, {"x": True}).total == D("-0.01")


BRIQUE = (
    HEAD
    + """paramètres { valeur_point = 7 € }
données { engage : booléen "E" jours : entier entre 0 et 7 "J" infirmier : booléen "I" }
socle { critère base "B" { condition : jours >= 1 points fixes : 10 } }
brique fs "France Santé" {
  condition : engage
  montant : 15_000 €
  points fixes : 100
  critère cinq "Cinq jours" { condition : jours >= 5 }
  critère inf "Infirmier" { condition : infirmier }
}
"""
)


@pytest.mark.parametrize(
    "engage, jours, infirmier, paid",
    [
        (True, 5, True, True),
        (False, 5, True, False),
        (True, 4, True, False),
        (True, 5, False, False),
        (True, 0, True, False),
    ],
)
def test_briques_are_all_or_nothing(engage, jours, infirmier, paid):
    program = program_of(BRIQUE)
    evaluation = evaluate(program, {"engage": engage, "jours": D(jours), "infirmier": infirmier})
    brique = evaluation.line("fs")
    assert brique.paid is paid
    assert brique.montant == (D("15700.00") if paid else 0)
    assert evaluation.line("cinq").montant == 0 and not evaluation.line("cinq").paid


def test_brique_explanation_names_the_blocking_critere():
    program = program_of(BRIQUE)
    evaluation = evaluate(program, {"engage": True, "jours": D(4), "infirmier": True})
    assert evaluation.line("fs").explanation == (
        "brique bloquée par « Cinq jours » (jours >= 5 : faux (jours = 4) — il faudrait jours ≥ 5)"
    )


def test_atteint_reads_another_critere():
    program = program_of(
        HEAD
        + """paramètres { valeur_point = 7 € }
données { a : booléen "A" b : booléen "B" }
socle {
  critère second "Second" { condition : b et atteint(premier) points fixes : 10 }
  critère premier "Premier" { condition : a points fixes : 10 }
}
"""
    )
    assert evaluate(program, {"a": True, "b": True}).line("second").met
    evaluation = evaluate(program, {"a": False, "b": True})
    assert not evaluation.line("second").met
    assert "atteint(premier) « Premier » : faux" in evaluation.line("second").explanation


def test_explanations_give_the_smallest_failing_part_through_et_ou_non():
    program = program_of(
        HEAD
        + """paramètres { valeur_point = 7 € }
données { j : entier "J" s : booléen "S" z : choix(m, d) "Z" }
socle { critère c "C" { condition : (j >= 5 et s) ou non (z = m) points fixes : 1 } }
"""
    )
    explanation = evaluate(program, {"j": D(4), "s": True, "z": "m"}).line("c").explanation
    assert explanation == ("condition non remplie : j >= 5 : faux (j = 4) — il faudrait j ≥ 5 ; z = m : vrai (z = m)")


# ---- the real conventions and their example declarations ------------------------------------------


def test_every_cas_of_the_conventions_passes():
    for path in sorted(CONVENTIONS.glob("*.conv")):
        program = compile_model(check_file(str(path)).model)
        results = run_cases(program)
        assert results and all(r.passed for r in results), (path.name, [r.failures for r in results])


def test_published_2017_maximum_is_reproduced():
    program = compile_model(check_file(str(CONVENTIONS / "aci-msp-2017.conv")).model)
    structure = read_declaration(str(ROOT / "examples" / "declarations" / "msp-reference-2017.yaml"), program.model)
    assert evaluate(program, structure.donnees).total == D("73500.00")


@pytest.mark.parametrize("path", sorted((ROOT / "examples" / "declarations").glob("*.yaml")), ids=lambda p: p.stem)
def test_example_declarations_match_the_cas_of_the_same_id(path: Path):
    structure_id = yaml.safe_load(path.read_text(encoding="utf-8"))["id"]
    conventions = [
        CONVENTIONS / "aci-msp-2017.conv",
        CONVENTIONS / "aci-msp-avenant-1.conv",
        GOLDEN / "language" / "convention.conv",
    ]
    for convention in conventions:
        program = compile_model(check_file(str(convention)).model)
        cas = next((c for c in program.model.cas if c.id == structure_id), None)
        if cas is not None:
            structure = read_declaration(str(path), program.model)
            assert structure.donnees == cas_donnees(program, cas)
            assert evaluate(program, structure.donnees) == evaluate(program, cas_donnees(program, cas))
            return
    pytest.fail(f"no cas « {structure_id} » for {path.name}")


# ---- declarations and overrides -----------------------------------------------------------------


def test_the_three_formats_give_the_same_values():
    model = check_file(str(GOLDEN / "cli" / "convention.conv")).model
    values = [read_declaration(str(GOLDEN / "cli" / f"msp.{ext}"), model).donnees for ext in ("yaml", "json", "toml")]
    assert values[0] == values[1] == values[2]
    assert values[0]["taux_rcp"] == D("0.1")


@pytest.mark.parametrize("written", ["75", "75 %", "75%", "75,0 %"])
def test_percentages_are_numbers_of_percent(written, tmp_path):
    model = check_file(str(GOLDEN / "cli" / "convention.conv")).model
    base = (GOLDEN / "cli" / "msp.yaml").read_text(encoding="utf-8").replace("taux_rcp: 10 %", f'taux_rcp: "{written}"')
    path = tmp_path / "s.yaml"
    path.write_text(base, encoding="utf-8")
    assert read_declaration(str(path), model).donnees["taux_rcp"] == D("0.75")


def test_every_problem_is_listed_at_once():
    model = check_file(str(GOLDEN / "cli" / "convention.conv")).model
    with pytest.raises(DeclarationError) as raised:
        read_declaration(str(GOLDEN / "cli" / "erreurs.yaml"), model)
    codes = sorted(d.code for d in raised.value.diagnostics)
    assert codes == [
        "declaration-choix",
        "declaration-cle-inconnue",
        "declaration-donnee-manquante",
        "declaration-donnee-manquante",
        "declaration-hors-intervalle",
        "declaration-type",
        "declaration-type",
    ]


def test_set_overrides_a_parametre_and_what_depends_on_it():
    model = check_file(str(GOLDEN / "cli" / "convention.conv")).model
    overrides, problems, _ = read_overrides(model, ["valeur_point=10 €"])
    assert problems == []
    program = compile_model(model, overrides)
    evaluation = evaluate(program, cas_donnees(program, model.cas[0]))
    assert evaluation.total == D("39000.00")


def test_set_rejects_a_cycle_between_parametres():
    model = check_file(str(GOLDEN / "cli" / "convention.conv")).model
    _, problems, _ = read_overrides(model, ["patientele_reference=patientele_reference + 1"])
    assert [p.code for p in problems] == ["cycle"]


# ---- properties ---------------------------------------------------------------------------------------

AVENANT_1 = check_file(str(CONVENTIONS / "aci-msp-avenant-1.conv")).model
PROGRAM_1 = compile_model(AVENANT_1)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(s.structures(AVENANT_1))
def test_total_is_the_sum_of_its_lines_and_zero_when_a_prerequis_fails(donnees):
    evaluation = evaluate(PROGRAM_1, donnees)
    assert evaluation.total == sum(line.montant for line in evaluation.lines)
    assert evaluation.total_points == sum(
        (Fraction(line.points) for line in evaluation.lines if line.paid), Fraction(0)
    )
    assert all(line.montant == line.montant.quantize(D("0.01")) for line in evaluation.lines)
    if not all(evaluation.met[id] for id in PROGRAM_1.plan.prerequis):
        assert str(evaluation.total) == "0.00" and not evaluation.eligible


CONSOLIDATED_1 = compile_model(check(parse_text(print_file(AVENANT_1.file)).file)[0])


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(s.structures(AVENANT_1))
def test_an_avenant_and_its_consolidated_text_give_identical_results(donnees):
    assert evaluate(PROGRAM_1, donnees) == evaluate(CONSOLIDATED_1, donnees)


def test_explanations_shared_between_structures_are_the_ones_said_afresh():
    """A condition's reasons are kept for the structures alike in what it reads: what is kept is what a
    program that never saw another structure says, for every structure of the example population."""
    from interpreter.io.tables import read_population

    model = check_file(str(ROOT / "conventions" / "aci-msp-avenant-1.conv")).model
    path = ROOT / "examples" / "population" / "population.csv"
    header = path.read_text(encoding="utf-8").split("\n", 1)[0].split(",")
    population = read_population(str(path), model, other_columns=frozenset(header))
    inputs = population.exact_inputs(model)
    structures = [inputs(i) for i in range(0, population.size, 3)]
    program = compile_model(model)
    dearer = program.with_parametre("valeur_point", Decimal(8))  # shares the kept explanations
    for version in (program, dearer):
        said = [evaluate(version, donnees) for donnees in structures]
        assert any(isinstance(key, tuple) and key[0] == "raisons" for key in version.explanations)  # some kept
        for donnees, kept in zip(structures, said, strict=True):
            version.explanations.clear()
            fresh = evaluate(version, donnees)
            assert [line.explanation for line in kept.lines] == [line.explanation for line in fresh.lines]
            assert kept.explanation == fresh.explanation
