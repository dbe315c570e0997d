"""Hypothesis strategies for `.conv` ASTs: any tree the printer and the parser must agree on."""

from __future__ import annotations

import unicodedata
from decimal import Decimal

from hypothesis import strategies as st

from dsl import nodes as n
from dsl.keywords import VALUE_RESERVED
from dsl.printer import print_expr

# Every word the grammar uses as a keyword, so that generated ids never collide with one.
KEYWORDS = (
    frozenset(
        {
            "convention",
            "avenant",
            "version",
            "en",
            "vigueur",
            "base",
            "statut",
            "parametres",
            "donnees",
            "prerequis",
            "socle",
            "options",
            "critere",
            "brique",
            "condition",
            "points",
            "fixes",
            "variables",
            "montant",
            "axe",
            "reference",
            "cas",
            "attendu",
            "ajoute",
            "dans",
            "modifie",
            "remplace",
            "deplace",
            "vers",
            "supprime",
            "donnee",
            "parametre",
            "choix",
            "entre",
            "booleen",
            "entier",
            "nombre",
            "pourcentage",
            "date",
            "si",
            "alors",
            "sinon",
            "ou",
            "et",
            "non",
            "vrai",
            "faux",
            "eligible",
            "majoration",
            "minimum",
            "assiette",
            "taux",
            "prorata",
            "total",
        }
    )
    | VALUE_RESERVED
)

ids = st.from_regex(r"[a-z_][a-z0-9_]{0,7}", fullmatch=True).filter(lambda s: s not in KEYWORDS)
labels = st.text(
    st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp"), blacklist_characters="\r\n\u0085"), max_size=20
).map(lambda s: unicodedata.normalize("NFC", s))
optional_labels = st.none() | labels

integers = st.integers(0, 10**7).map(Decimal)
decimals = st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False, allow_infinity=False)
amounts = integers | decimals

literals = st.one_of(
    amounts.map(n.Number),
    amounts.map(n.Money),
    amounts.map(n.Percent),
    st.dates().map(n.DateLit),
    st.booleans().map(n.Bool),
    ids.map(n.Name),
)


def _compound(children):
    two = st.tuples(children, children)
    return st.one_of(
        st.builds(n.Call, ids, st.lists(children, max_size=3).map(tuple)),
        children.map(n.Neg),
        children.map(n.Not),
        st.builds(lambda op, ab: n.BinOp(op, *ab), st.sampled_from("+-*/"), two),
        st.builds(lambda op, ab: n.Compare(op, *ab), st.sampled_from(["=", "!=", "<", "<=", ">", ">="]), two),
        st.builds(lambda op, ab: n.Logic(op, *ab), st.sampled_from(["et", "ou"]), two),
        st.builds(n.Within, children, st.lists(children, min_size=1, max_size=3).map(tuple)),
        st.builds(n.If, children, children, children),
    )


expressions = st.recursive(literals, _compound, max_leaves=12)
# `attendu` assertions follow each other without separator: one cannot start with `-` or `(`.
assertions = expressions.filter(lambda e: print_expr(e)[0] not in "-(")

range_bounds = st.one_of(
    amounts.map(n.Number), amounts.map(n.Money), amounts.map(n.Percent), amounts.map(lambda v: n.Neg(n.Number(v)))
)


@st.composite
def type_specs(draw):
    name = draw(st.sampled_from(["booleen", "entier", "nombre", "montant", "pourcentage", "date", "choix"]))
    if name == "choix":
        return n.TypeSpec("choix", tuple(draw(st.lists(ids, min_size=1, max_size=4))))
    if name in ("booleen", "date") or draw(st.booleans()):
        return n.TypeSpec(name)
    return n.TypeSpec(name, (), draw(range_bounds), draw(range_bounds))


assiettes = st.builds(
    n.Assiette,
    st.sampled_from(["points_variables", "points_fixes", "points", "total"]),
    st.lists(st.sampled_from(["prerequis", "socle", "options"]), max_size=2).map(tuple),
)
attribute_values = {
    "condition": expressions,
    "points_fixes": expressions,
    "points_variables": expressions,
    "montant": expressions,
    "axe": ids,
    "reference": labels,
    "assiette": assiettes,
    "taux": expressions,
    "prorata": expressions,
}
attributes = st.sampled_from(sorted(attribute_values)).flatmap(
    lambda name: attribute_values[name].map(lambda value: n.Attribute(name, value))
)
attribute_lists = st.lists(attributes, max_size=4).map(tuple)
criteres = st.builds(n.Critere, ids, optional_labels, attribute_lists)
critere_lists = st.lists(criteres, max_size=3).map(tuple)
briques = st.builds(n.Brique, ids, optional_labels, attribute_lists, critere_lists)
supplements = st.builds(n.Majoration, ids, optional_labels, attribute_lists) | st.builds(
    n.Minimum, ids, optional_labels, attribute_lists
)
kinds = st.sampled_from(["critere", "brique", "majoration", "minimum", "donnee", "parametre"])

items = st.one_of(
    st.lists(st.builds(n.Parametre, ids, expressions, optional_labels), max_size=3).map(
        lambda ps: n.ParametresBlock(tuple(ps))
    ),
    st.lists(st.builds(n.Donnee, ids, type_specs(), optional_labels, st.none() | expressions), max_size=3).map(
        lambda ds: n.DonneesBlock(tuple(ds))
    ),
    st.builds(n.Section, st.sampled_from(["prerequis", "socle", "options"]), critere_lists),
    briques,
    supplements,
    st.builds(
        n.Cas,
        ids,
        optional_labels,
        st.none() | st.lists(st.builds(n.Assignment, ids, expressions), max_size=3).map(tuple),
        st.none() | st.lists(assertions, max_size=3).map(tuple),
    ),
    st.builds(n.AddCriteres, st.sampled_from(["prerequis", "socle", "options", "autre"]), critere_lists),
    st.builds(n.AddToBrique, ids, critere_lists),
    st.builds(n.AddBrique, briques),
    st.builds(n.AddSupplement, supplements),
    st.builds(n.Modify, kinds, ids, optional_labels, attribute_lists, critere_lists),
    st.builds(n.Replace, kinds, ids, optional_labels, attribute_lists, critere_lists),
    st.builds(n.Move, kinds, ids, st.sampled_from(["prerequis", "socle", "options"])),
    st.builds(n.Remove, kinds, ids),
    expressions.map(n.Prorata),
    st.just(n.Remove("prorata", "prorata")),
    st.integers(1900, 2999).map(lambda year: n.Remove("exercice", str(year))),
)
exercices = st.builds(
    n.Exercice,
    st.integers(1000, 9999),
    st.lists(
        items.filter(
            lambda i: isinstance(
                i,
                (
                    n.Move,
                    n.Remove,
                    n.Modify,
                    n.Replace,
                    n.AddCriteres,
                    n.AddBrique,
                    n.AddSupplement,
                    n.ParametresBlock,
                    n.DonneesBlock,
                    n.Prorata,
                    n.Cas,
                ),
            )
        ),
        max_size=3,
    ).map(tuple),
)

headers = st.lists(
    st.one_of(
        labels.map(lambda v: n.Header("version", v)),
        st.dates().map(lambda v: n.Header("en_vigueur", v)),
        labels.map(lambda v: n.Header("base", v)),
        st.sampled_from(["signe", "proposition"]).map(lambda v: n.Header("statut", v)),
    ),
    max_size=3,
).map(tuple)

files = st.builds(
    n.File,
    st.sampled_from(["convention", "avenant"]),
    ids,
    optional_labels,
    headers,
    st.lists(items | exercices, max_size=5).map(tuple),
)


# ---- structures (runtime values of données) -----------------------------------------------------


def _bounded(donnee, default_low, default_high):
    low = donnee.low if donnee.low is not None else Decimal(default_low)
    high = donnee.high if donnee.high is not None else Decimal(default_high)
    return low, high


def donnee_values(donnee):
    """Valid runtime values of one donnée, bounds included."""
    kind = donnee.type.kind
    if kind == "booleen":
        return st.booleans()
    if kind == "choix":
        return st.sampled_from(donnee.type.choices)
    if kind == "date":
        return st.dates()
    if kind == "entier":
        low, high = _bounded(donnee, 0, 20_000)
        return st.one_of(st.integers(int(low), int(high)), st.sampled_from([int(low), int(high)])).map(Decimal)
    if kind == "pourcentage":
        low, high = _bounded(donnee, 0, 1)
        return st.decimals(min_value=low, max_value=high, places=4)
    low, high = _bounded(donnee, 0, 1_000_000)
    return st.decimals(min_value=low, max_value=high, places=2)


def structures(model):
    """A whole structure's données for a checked model."""
    return st.fixed_dictionaries({id: donnee_values(d) for id, d in model.donnees.items()})
