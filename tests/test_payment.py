"""The payment rules (`dsl.payment.settle`) on hand-built IR, through a tiny backend over `Fraction`: each rule of
LANGUAGE.md « Meaning » (and of the proration, majorations and minimums that `dsl/payment.py` states) checked
on its own — the gate, socle and options line by line, points → euros, briques all or nothing, the rounding of
each line, majorations, minimums, prorata. No parser, no checker: what the rules do with a model, once built."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

from dsl import ir
from dsl.model import BOOLEEN, MONTANT, NOMBRE, Brique, Critere, Donnee, Majoration, Minimum, Model, Parametre, Prorata
from dsl.payment import CAP, Plan, settle

TRUE = ir.Const(True, BOOLEEN)
FALSE = ir.Const(False, BOOLEEN)


def number(value) -> ir.Const:
    return ir.Const(Decimal(str(value)), NOMBRE)


def euros(value) -> ir.Const:
    return ir.Const(Decimal(str(value)), MONTANT)


def flag(id: str) -> ir.DonneeRef:
    """A condition read from a boolean donnée of the structure."""
    return ir.DonneeRef(id, BOOLEEN)


class Fractions:
    """The arithmetic of the payment rules over exact fractions, for one structure: the smallest backend."""

    def __init__(self, donnees: dict, parametres: dict):
        self.donnees = donnees
        self.parametres = parametres
        self.met_ids: dict[str, bool] = {}

    def value(self, expr: ir.Expr):
        match expr:
            case ir.Const(value=value):
                return value if isinstance(value, bool) else Fraction(value)
            case ir.DonneeRef(id=id):
                return self.donnees[id]
            case ir.ParametreRef(id=id):
                return self.parametres[id]
            case ir.Met(id=id):
                return self.met_ids[id]
            case ir.Arithmetic(op="/", left=left, right=right):
                return self.value(left) / self.value(right)
        raise AssertionError(f"not used by these tests: {expr!r}")

    def met(self, id: str, holds: bool) -> None:
        self.met_ids[id] = holds

    def number(self, value: Decimal) -> Fraction:
        return Fraction(value)

    def donnee(self, id: str) -> Fraction:
        return Fraction(self.donnees[id])

    def parametre(self, id: str) -> Fraction:
        return Fraction(self.parametres[id])

    def add(self, a, b):
        return a + b

    def multiply(self, a, b):
        return a * b

    def divide(self, a, b):
        return a / b

    def minimum(self, a, b):
        return min(a, b)

    def maximum(self, a, b):
        return max(a, b)

    def every(self, conditions: list[bool]) -> bool:
        return all(conditions)

    def when(self, condition: bool, compute, name=None):
        return compute() if condition else Fraction(0)

    def cents(self, amount: Fraction) -> Fraction:
        """Half away from zero, written independently of `interpreter.numbers`."""
        sign = -1 if amount < 0 else 1
        return sign * Fraction(math.floor(abs(amount) * 100 + Fraction(1, 2)), 100)

    def total(self, amounts: list) -> Fraction:
        return sum(amounts, Fraction(0))

    def total_points(self, points: list) -> Fraction:
        return sum(points, Fraction(0))


def critere(
    id: str,
    section: str | None = "socle",
    condition: ir.Expr = TRUE,
    fixes=None,
    variables=None,
    montant=None,
    brique: str | None = None,
    prorata: ir.Expr | None = None,
) -> Critere:
    return Critere(
        id,
        None,
        section,
        brique,
        condition,
        None if fixes is None else number(fixes),
        None if variables is None else number(variables),
        None if montant is None else euros(montant),
        None,
        None,
        None,
        prorata,
    )


def model(*criteres: Critere, briques=(), majorations=(), minimums=(), parametres=None, prorata=None) -> Model:
    """A checked model built by hand: the critères (section ones first), briques, majorations and minimums given."""
    values = {"valeur_point": euros(7), "patientele_reference": number(4000), **(parametres or {})}
    return Model(
        "m",
        None,
        None,
        None,
        {id: Parametre(id, None, v, v.type, None) for id, v in values.items()},
        {"patientele": Donnee("patientele", None, NOMBRE, None, None, None)},
        {c.id: c for c in criteres},
        {b.id: b for b in briques},
        (),
        None,
        majorations={m.id: m for m in majorations},
        minimums={m.id: m for m in minimums},
        prorata=None if prorata is None else Prorata(prorata, None),
    )


def pay(built: Model, patientele=4000, **donnees):
    parametres = {id: p.value.value for id, p in built.parametres.items()}
    return settle(Plan.of(built), Fractions({"patientele": patientele, **donnees}, parametres))


# ---- 1. the prérequis gate everything ------------------------------------------------------------------------------


def test_a_prerequis_not_met_pays_nothing_whatever_else_is_met():
    built = model(critere("gate", section="prerequis", condition=flag("g")), critere("rcp", montant=1_000))
    closed = pay(built, g=False)
    assert not closed.eligible and closed.met["rcp"]
    assert closed.amounts["rcp"] == 0 and closed.total == 0 and closed.total_points == 0
    opened = pay(built, g=True)
    assert opened.eligible and opened.amounts["rcp"] == 1_000 and opened.total == 1_000


def test_every_prerequis_must_hold_and_a_version_without_any_pays():
    built = model(
        critere("a", section="prerequis", condition=flag("a")),
        critere("b", section="prerequis", condition=flag("b")),
        critere("rcp", montant=100),
    )
    assert not pay(built, a=True, b=False).eligible
    assert pay(built, a=True, b=True).total == 100
    assert pay(model(critere("rcp", montant=100))).eligible


# ---- 2. socle and options pay one by one ---------------------------------------------------------------------------


def test_each_met_critere_pays_its_own_line():
    built = model(critere("a", condition=flag("a"), montant=100), critere("b", section="options", montant=50))
    result = pay(built, a=False)
    assert result.amounts == {"a": 0, "b": 50} and result.total == 50


# ---- 3. points, converted at valeur_point --------------------------------------------------------------------------


def test_points_fixes_and_variables_convert_at_the_value_of_the_point():
    built = model(critere("c", fixes=100, variables=1_100))
    result = pay(built, patientele=2_000)  # 100 + 1 100 × 2 000 / 4 000 = 650 points
    assert result.points["c"] == 650 and result.total_points == 650
    assert result.amounts["c"] == 650 * 7


def test_a_line_pays_its_points_and_its_montant():
    assert pay(model(critere("c", fixes=10, montant=5))).amounts["c"] == 75


def test_the_cap_on_the_patientele_ratio_applies_when_the_version_names_it():
    uncapped = model(critere("c", variables=100))
    capped = model(critere("c", variables=100), parametres={CAP: number("1.5")})
    assert pay(uncapped, patientele=8_000).points["c"] == 200
    assert pay(capped, patientele=8_000).points["c"] == 150
    assert pay(capped, patientele=4_000).points["c"] == 100


# ---- 4. briques are all or nothing ---------------------------------------------------------------------------------


def brique(id: str, criteres: tuple[str, ...], condition: ir.Expr = TRUE, montant=None, fixes=None) -> Brique:
    return Brique(
        id,
        None,
        condition,
        None if fixes is None else number(fixes),
        None,
        None if montant is None else euros(montant),
        None,
        None,
        criteres,
        None,
    )


def test_a_brique_pays_only_when_its_condition_and_every_critere_inside_hold():
    inside = (
        critere("x", section=None, brique="b", condition=flag("x")),
        critere("y", section=None, brique="b", condition=flag("y")),
    )
    built = model(*inside, briques=(brique("b", ("x", "y"), condition=flag("joined"), montant=2_000),))
    assert pay(built, x=True, y=True, joined=True).amounts["b"] == 2_000
    assert pay(built, x=True, y=False, joined=True).amounts["b"] == 0
    assert pay(built, x=True, y=True, joined=False).amounts["b"] == 0
    result = pay(built, x=True, y=True, joined=True)
    assert set(result.amounts) == {"b"}  # the critères inside pay nothing of their own: they are not lines


def test_a_brique_is_paid_only_to_eligible_structures():
    built = model(
        critere("gate", section="prerequis", condition=flag("g")),
        critere("x", section=None, brique="b"),
        briques=(brique("b", ("x",), fixes=100),),
    )
    assert pay(built, g=False).amounts["b"] == 0
    assert pay(built, g=True).amounts["b"] == 700


# ---- 5. money is exact: each line rounded to the cent, half away from zero --------------------------------------------


def test_each_line_is_rounded_to_the_cent_and_the_total_is_the_sum_of_rounded_lines():
    # 1 point at 0.005 € per line: each line is half a cent, rounded away from zero to 0.01 €.
    built = model(critere("a", fixes=1), critere("b", fixes=1), parametres={"valeur_point": euros("0.005")})
    result = pay(built)
    assert result.amounts == {"a": Fraction(1, 100), "b": Fraction(1, 100)}
    assert result.total == Fraction(2, 100)  # not the sum rounded once (0.01 €)


def test_a_negative_half_cent_is_rounded_away_from_zero():
    built = model(critere("a", montant="-0.005"))
    assert pay(built).amounts["a"] == Fraction(-1, 100)


def test_below_half_a_cent_rounds_to_zero_and_arithmetic_is_exact():
    built = model(critere("a", fixes=1), parametres={"valeur_point": euros("0.0049999")})
    assert pay(built).amounts["a"] == 0
    thirds = model(critere("a", variables=1), parametres={"valeur_point": euros(3), "patientele_reference": number(3)})
    assert pay(thirds, patientele=1).amounts["a"] == 1  # 1/3 of a point × 3 € is exactly 1 €


# ---- majorations ------------------------------------------------------------------------------------------------------


def majoration(
    id: str,
    taux: str,
    part: str = "points_variables",
    sections=("prerequis", "socle", "options"),
    condition: ir.Expr = TRUE,
) -> Majoration:
    return Majoration(id, None, condition, number(taux), part, tuple(sections), None, None)


def test_a_majoration_pays_its_rate_of_the_part_of_the_lines_paid_in_its_sections():
    lines = (
        critere("a", fixes=100, variables=200),
        critere("b", section="options", variables=1_000),
        critere("c", variables=50, condition=flag("c")),
    )
    built = model(*lines, majorations=(majoration("m", "0.1", sections=("socle",)),))
    result = pay(built, c=False)
    assert result.bases["m"] == 200 * 7  # only `a`: `b` is in options, `c` is not met; points fixes are not counted
    assert result.amounts["m"] == 140
    assert result.points["m"] == 0 and result.total == 100 * 7 + 200 * 7 + 1_000 * 7 + 140


def test_the_assiette_of_a_majoration_on_the_total_counts_the_montants():
    built = model(critere("a", fixes=10, montant=30), majorations=(majoration("m", "0.5", part="total"),))
    assert pay(built).amounts["m"] == (70 + 30) / 2


def test_a_majoration_pays_only_to_eligible_structures_whose_condition_holds():
    built = model(
        critere("gate", section="prerequis", condition=flag("g")),
        critere("a", variables=100),
        majorations=(majoration("m", "0.05", condition=flag("drom")),),
    )
    assert pay(built, g=True, drom=True).amounts["m"] == 35
    assert pay(built, g=True, drom=False).amounts["m"] == 0
    assert pay(built, g=False, drom=True).amounts["m"] == 0


# ---- minimums ---------------------------------------------------------------------------------------------------------


def minimum(id: str, montant, condition: ir.Expr = TRUE, prorata: ir.Expr | None = None) -> Minimum:
    return Minimum(id, None, condition, euros(montant), prorata, None, None)


def test_a_minimum_tops_the_total_up_to_its_floor():
    built = model(critere("a", montant=600), minimums=(minimum("plancher", 1_000),))
    result = pay(built)
    assert result.amounts["plancher"] == 400 and result.total == 1_000
    assert pay(model(critere("a", montant=1_500), minimums=(minimum("plancher", 1_000),))).amounts["plancher"] == 0


def test_a_minimum_counts_the_majorations_and_the_minimums_before_it():
    built = model(
        critere("a", variables=100),
        majorations=(majoration("m", "0.1"),),
        minimums=(minimum("premier", 800), minimum("second", 1_000)),
    )
    result = pay(built)  # 700 + 70 = 770: the first adds 30, the second 200
    assert (result.amounts["premier"], result.amounts["second"], result.total) == (30, 200, 1_000)


def test_a_minimum_is_paid_only_to_eligible_structures_whose_condition_holds():
    built = model(
        critere("gate", section="prerequis", condition=flag("g")),
        critere("a", montant=1),
        minimums=(minimum("plancher", 100, condition=flag("new")),),
    )
    assert pay(built, g=True, new=True).amounts["plancher"] == 99
    assert pay(built, g=True, new=False).amounts["plancher"] == 0
    assert pay(built, g=False, new=True).amounts["plancher"] == 0


def test_a_minimum_keeps_its_own_prorata():
    built = model(
        critere("a", montant=0), minimums=(minimum("plancher", 1_200, prorata=number("0.25")),), prorata=number("0.5")
    )
    assert pay(built).amounts["plancher"] == 300


# ---- prorata ----------------------------------------------------------------------------------------------------------


def seventh_twelfths() -> ir.Expr:
    return ir.Arithmetic("/", number(7), number(12), NOMBRE)


def test_the_version_s_prorata_multiplies_each_line_before_its_rounding_and_not_its_points():
    built = model(
        critere("a", fixes=1),
        critere("b", fixes=1),
        parametres={"valeur_point": euros("0.01")},
        prorata=seventh_twelfths(),
    )
    result = pay(built)
    # 0.01 € × 7/12 = 0.00583… € per line: each rounds to 0.01 €; rounding the sum instead would give 0.01 €.
    assert result.amounts == {"a": Fraction(1, 100), "b": Fraction(1, 100)}
    assert result.points == {"a": 1, "b": 1}
    assert result.factors == {"a": Fraction(7, 12), "b": Fraction(7, 12)}


def test_a_line_with_its_own_prorata_takes_it_instead_and_prorata_1_is_not_prorated():
    built = model(
        critere("a", montant=1_200, prorata=number("0.5")),
        critere("b", montant=1_200, prorata=number(1)),
        critere("c", montant=1_200),
        prorata=number("0.25"),
    )
    result = pay(built)
    assert result.amounts == {"a": 600, "b": 1_200, "c": 300}
    assert "b" not in result.factors


def test_a_majoration_is_a_rate_of_prorated_lines_and_is_not_prorated_again():
    built = model(critere("a", variables=1_200), majorations=(majoration("m", "0.1"),), prorata=number("0.5"))
    result = pay(built)
    assert result.amounts["a"] == 1_200 * 7 / 2
    assert result.amounts["m"] == 1_200 * 7 / 2 / 10


def test_no_prorata_is_computed_for_a_structure_that_is_not_eligible():
    built = model(
        critere("gate", section="prerequis", condition=flag("g")), critere("a", montant=100), prorata=number("0.5")
    )
    assert pay(built, g=False).factors == {"gate": 0, "a": 0}  # a prérequis is a line too (paying nothing here)
    assert pay(built, g=True).factors == {"gate": Fraction(1, 2), "a": Fraction(1, 2)}
