"""Focused parser tests: accents, normalisation, literals, and the awkward corners of the grammar."""

from __future__ import annotations

import unicodedata
from decimal import Decimal

from dsl import nodes as n
from dsl.parser import parse_text
from tests.conftest import GOLDEN

EXAMPLE = (GOLDEN / "language" / "convention.conv").read_text(encoding="utf-8")


def strip_accents(text: str) -> str:
    """Remove accents from the keywords only (labels keep theirs)."""
    for accented in ["prérequis", "critère", "données", "paramètres", "booléen", "référence", "éligible"]:
        plain = unicodedata.normalize("NFD", accented).encode("ascii", "ignore").decode()
        text = text.replace(accented + " ", plain + " ").replace(accented + "\n", plain + "\n")
    return text


def test_keywords_without_accents_give_the_same_tree():
    plain = strip_accents(EXAMPLE)
    assert plain != EXAMPLE
    assert parse_text(plain).file == parse_text(EXAMPLE).file


def test_decomposed_accents_are_normalised_to_nfc():
    decomposed = unicodedata.normalize("NFD", EXAMPLE)
    assert parse_text(decomposed).file == parse_text(EXAMPLE).file


def test_literals():
    text = 'convention x "x"\nparamètres {\n a = 1_100\n b = 7.5 €\n c = 2_000 EUR\n d = 50 %\n e = 2017-08-05\n f = vrai\n}\n'
    values = [p.value for p in parse_text(text).file.items[0].parametres]
    assert values == [
        n.Number(Decimal(1100)),
        n.Money(Decimal("7.5")),
        n.Money(Decimal(2000)),
        n.Percent(Decimal(50)),
        n.DateLit(__import__("datetime").date(2017, 8, 5)),
        n.Bool(True),
    ]
    assert values[0].text == "1_100"


def test_precedence():
    text = 'convention x "x"\nparamètres {\n p = si a ou b et non c alors 1 + 2 * -3 sinon 4\n}\n'
    value = parse_text(text).file.items[0].parametres[0].value
    a, b, c = n.Name("a"), n.Name("b"), n.Name("c")
    assert value == n.If(
        n.Logic("ou", a, n.Logic("et", b, n.Not(c))),
        n.BinOp("+", n.Number(Decimal(1)), n.BinOp("*", n.Number(Decimal(2)), n.Neg(n.Number(Decimal(3))))),
        n.Number(Decimal(4)),
    )


def test_attendu_assertions_follow_each_other_and_keep_binary_minus():
    text = (
        'convention x "x"\ncas k {\n attendu {\n  éligible\n  points(c) = 1_800\n  total = 27_300 € - 3 €\n'
        "  montant(c) = 3 €\n  non atteint(c)\n }\n}\n"
    )
    attendu = parse_text(text).file.items[0].attendu
    assert [type(a).__name__ for a in attendu] == ["Name", "Compare", "Compare", "Compare", "Not"]
    assert attendu[2].right == n.BinOp("-", n.Money(Decimal(27300)), n.Money(Decimal(3)))
    assert attendu[3].left == n.Call("montant", (n.Name("c"),))


def test_attribute_words_on_one_line_and_non_breaking_spaces():
    text = 'convention x "x"\nsocle { critère t "T" { condition : tarifs  montant : 3_000\u00a0€ } }\n'
    critere = parse_text(text).file.items[0].criteres[0]
    assert [a.name for a in critere.attributes] == ["condition", "montant"]


def test_spans_point_at_the_source():
    result = parse_text(EXAMPLE)
    horaires = result.file.items[2].criteres[0]
    assert (horaires.id_span.line, horaires.id_span.column) == (23, 11)
    condition = horaires.attributes[2].value
    assert EXAMPLE_LINES[condition.span.line - 1][condition.span.column - 1 :].startswith("jours_ouverture >= 5")


EXAMPLE_LINES = EXAMPLE.split("\n")


def test_the_lark_internals_the_parser_relies_on_still_exist():
    """`dsl.lexing.lexed` uses Lark's `lexer_thread.lex(parser_state)` (no public API does it): if a Lark
    release changes it, this test says so before any user sees an « erreur interne »."""
    from dsl.lexing import lark_parser, lexed

    interactive = lark_parser().parse_interactive('convention a "A"\nversion : "1"\n', start="start")
    tokens = []
    for token in lexed(interactive):
        assert isinstance(interactive.choices(), dict)
        interactive.feed_token(token)
        tokens.append(token.type)
    assert tokens[:2] == ["CONVENTION", "NAME"]
    assert interactive.feed_eof(token) is not None
