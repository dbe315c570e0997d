"""Hypothesis strategies for random *valid* conventions: well-typed text that exercises every IR node and
the payment rules (proration by the version and by a line of its own included),
with the values that are hard to get right — divisions (by données that may be zero, by `min`/`max`),
`arrondi`, non-terminating constants (1/3, 7 € / 3), huge and tiny figures, halves of a cent."""

from __future__ import annotations

from hypothesis import strategies as st

DONNEES = """données {
  patientele : entier entre 0 et 20_000 "Patientèle"
  effectif : entier entre 0 et 50 "Effectif"
  ecart : entier entre -5 et 5 "Écart"
  heures : nombre entre -1_000 et 1_000 "Heures"
  budget : montant entre -1_000_000 € et 1_000_000 € "Budget"
  taux : pourcentage entre 0 % et 100 % "Taux"
  ouverte : booléen "Ouverte"
  zone : choix(metropole, guadeloupe, reunion) "Zone"
  ouverture : date "Ouverture"
}
"""
NUMBER_DONNEES = ["patientele", "effectif", "ecart", "heures", "taux"]
NUMBER_LITERALS = ["0", "1", "3", "7", "0.5", "2.005", "1_000", "12.5 %", "0.000_000_001", "999_999_999_999"]
MONEY_LITERALS = ["0 €", "0.005 €", "7 €", "1_000.015 €", "-2.5 €", "999_999_999 €"]
NUMBER_PARAMETRES = ["patientele_reference", "tiers", "enorme", "infime"]
MONEY_PARAMETRES = ["valeur_point", "forfait"]


@st.composite
def parametres(draw) -> str:
    valeur_point = draw(st.sampled_from(["7 €", "7 € / 3", "0.01 €", "1_000.5 €"]))
    reference = draw(st.sampled_from(["4000", "3", "7 / 2", "min(4000, 3)"]))
    return (
        "paramètres {\n"
        f"  valeur_point = {valeur_point}\n"
        f"  patientele_reference = {reference}\n"
        f"  tiers = 1 / 3\n"
        f"  enorme = 10_000_000_000_000 / 7\n"
        f"  infime = 1 / 1_000_000_007\n"
        f"  forfait = valeur_point * tiers + 0.005 €\n"
        "}\n"
    )


def numbers(depth: int):
    leaves = st.sampled_from(NUMBER_DONNEES + NUMBER_LITERALS + NUMBER_PARAMETRES)
    if depth == 0:
        return leaves
    sub = numbers(depth - 1)
    return st.one_of(
        leaves,
        st.builds(lambda a, op, b: f"({a} {op} {b})", sub, st.sampled_from("+-*/"), sub),
        st.builds(lambda f, a, b: f"{f}({a}, {b})", st.sampled_from(["min", "max"]), sub, sub),
        st.builds(lambda a, k: f"arrondi({a}, {k})", sub, st.sampled_from(["0", "2", "3"])),
        st.builds(lambda a: f"arrondi({a})", sub),
        st.builds(lambda a: f"(-{a})", sub),
        st.builds(lambda c, a, b: f"(si {c} alors {a} sinon {b})", conditions(depth - 1, ()), sub, sub),
    )


def moneys(depth: int):
    leaves = st.sampled_from(["budget"] + MONEY_LITERALS + MONEY_PARAMETRES)
    if depth == 0:
        return leaves
    sub, nums = moneys(depth - 1), numbers(depth - 1)
    return st.one_of(
        leaves,
        st.builds(lambda a, op, b: f"({a} {op} {b})", sub, st.sampled_from("+-"), sub),
        st.builds(lambda a, b: f"({a} * {b})", sub, nums),
        st.builds(lambda a, b: f"({a} * {b})", nums, sub),
        st.builds(lambda a, b: f"({a} / {b})", sub, nums),
        st.builds(lambda f, a, b: f"{f}({a}, {b})", st.sampled_from(["min", "max"]), sub, sub),
        st.builds(lambda a: f"arrondi({a}, 2)", sub),
        st.builds(lambda c, a, b: f"(si {c} alors {a} sinon {b})", conditions(depth - 1, ()), sub, sub),
    )


def conditions(depth: int, earlier: tuple[str, ...]):
    comparators = st.sampled_from(["=", "!=", "<", "<=", ">", ">="])
    leaves = st.one_of(
        st.sampled_from(
            [
                "ouverte",
                "vrai",
                "faux",
                "zone = reunion",
                "zone dans (guadeloupe, reunion)",
                "ouverture < 2020-01-01",
                "max(ouverture, 2019-06-30) >= 2020-01-01",
            ]
        ),
        st.builds(lambda a, op, b: f"{a} {op} {b}", numbers(min(depth, 1)), comparators, numbers(min(depth, 1))),
        st.builds(lambda a, op, b: f"{a} {op} {b}", moneys(min(depth, 1)), comparators, moneys(min(depth, 1))),
        *([st.sampled_from([f"atteint({id})" for id in earlier])] if earlier else []),
    )
    if depth == 0:
        return leaves
    sub = conditions(depth - 1, earlier)
    return st.one_of(
        leaves,
        st.builds(lambda a, op, b: f"({a} {op} {b})", sub, st.sampled_from(["et", "ou"]), sub),
        st.builds(lambda a: f"(non {a})", sub),
    )


@st.composite
def critere(draw, id: str, earlier: tuple[str, ...], paid: bool = True) -> str:
    lines = [f'  critère {id} "Critère {id}" {{', f"    condition : {draw(conditions(2, earlier))}"]
    if paid:
        if draw(st.booleans()):
            lines.append(f"    points fixes : {draw(numbers(2))}")
        if draw(st.booleans()):
            lines.append(f"    points variables : {draw(numbers(1))}")
        if draw(st.booleans()):
            lines.append(f"    montant : {draw(moneys(2))}")
        if draw(st.integers(0, 3)) == 0:  # its own share of the year, instead of the version's
            lines.append(f"    prorata : {draw(st.sampled_from(['1', '0']) | numbers(1))}")
    lines.append("  }")
    return "\n".join(lines)


@st.composite
def conventions(draw) -> str:
    """The text of a random convention that checks clean (warnings aside)."""
    donnees = DONNEES
    if draw(st.booleans()):  # données with a default, that some structures do not give
        donnees = (
            donnees.replace('"Effectif"', '"Effectif" par défaut 12')
            .replace('"Zone"', '"Zone" par défaut reunion')
            .replace('"Taux"', '"Taux" par défaut 12.5 %')
        )
    text = ['convention hasard "Convention tirée au hasard"', 'version : "1"', draw(parametres()), donnees]
    if draw(st.booleans()):  # every line prorated (by a share that may be any number, or divide by zero)
        text.append(f"prorata : {draw(st.sampled_from(['effectif / 12', 'taux']) | numbers(1))}\n")
    earlier: list[str] = []
    for section, (low, high) in (("prérequis", (0, 2)), ("socle", (1, 3)), ("options", (0, 2))):
        count = draw(st.integers(low, high))
        block = []
        for _ in range(count):
            id = f"c{len(earlier)}"
            block.append(draw(critere(id, tuple(earlier), paid=section != "prérequis" or draw(st.booleans()))))
            earlier.append(id)
        text.append(f"{section} {{\n" + "\n".join(block) + "\n}\n")
    if draw(st.booleans()):
        inner = [draw(critere(f"b{i}", tuple(earlier), paid=False)) for i in range(draw(st.integers(1, 2)))]
        amount = draw(moneys(1))
        own = f"  prorata : {draw(numbers(1))}\n" if draw(st.booleans()) else ""
        text.append(
            f'brique b "Brique" {{\n  condition : {draw(conditions(1, tuple(earlier)))}\n'
            f"  montant : {amount}\n{own}" + "\n".join(inner) + "\n}\n"
        )
    for i in range(draw(st.integers(0, 2))):
        text.append(draw(majoration(f"maj{i}", tuple(earlier))))
    for i in range(draw(st.integers(0, 2))):
        text.append(draw(minimum(f"min{i}", tuple(earlier))))
    return "\n".join(text)


ASSIETTES = [
    "points variables",
    "points fixes",
    "points",
    "total",
    "points dans (socle)",
    "total dans (prérequis, options)",
]


@st.composite
def majoration(draw, id: str, earlier: tuple[str, ...]) -> str:
    lines = [
        f'majoration {id} "Majoration {id}" {{',
        f"  assiette : {draw(st.sampled_from(ASSIETTES))}",
        f"  taux : {draw(numbers(2))}",
    ]
    if draw(st.booleans()):
        lines.append(f"  condition : {draw(conditions(1, earlier))}")
    return "\n".join(lines + ["}\n"])


@st.composite
def minimum(draw, id: str, earlier: tuple[str, ...]) -> str:
    lines = [f'minimum {id} "Minimum {id}" {{', f"  montant : {draw(moneys(1))}"]
    if draw(st.booleans()):
        lines.append(f"  prorata : {draw(numbers(1))}")
    if draw(st.booleans()):
        lines.append(f"  condition : {draw(conditions(1, earlier))}")
    return "\n".join(lines + ["}\n"])
