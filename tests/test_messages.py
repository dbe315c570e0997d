"""The messages a first-time author trips on: whole-word keywords, near-miss keywords, a decimal comma,
a block left open before the next one, `modifie` on a paramètre."""

from __future__ import annotations

import pytest

from dsl.parser import parse_text

HEAD = 'convention x "X"\nversion : "1"\n'
AVENANT = 'avenant x "X"\nbase : "base.conv"\nversion : "2"\n'


def only_diagnostic(text: str):
    result = parse_text(text)
    assert len(result.diagnostics) == 1, result.diagnostics
    return result.diagnostics[0]


@pytest.mark.parametrize(
    "word",
    [
        "montant_rcp",
        "conditionnel",
        "points_x",
        "axe_2",
        "critere_b",
        "socle_x",
        "supprimer_x",
        "si_label",
        "cas_type",
        "versions",
    ],
)
def test_an_identifier_that_starts_with_a_keyword_is_one_identifier(word):
    text = HEAD + (
        f"paramètres {{ {word}_p = 1 }}\ndonnées {{ {word} : entier }}\n"
        f'socle {{\n  critère {word} "C" {{ condition : {word} > {word}_p  montant : 1 € }}\n}}\n'
    )
    result = parse_text(text)
    assert result.diagnostics == ()
    critere = result.file.items[2].criteres[0]
    assert critere.id == word and critere.attributes[0].value.left.id == word
    avenant = parse_text(AVENANT + f"modifie critère {word} {{ condition : vrai }}\nsupprime donnée {word}\n")
    assert avenant.diagnostics == () and [op.id for op in avenant.file.items] == [word, word]


@pytest.mark.parametrize("word", ["montant_rcp", "conditionnel", "points_x", "axe_2", "critere_b"])
def test_where_only_keywords_may_stand_the_whole_word_is_quoted(word):
    """Not `montant` + `_rcp`: the error is at the whole word, and names no part of it."""
    diagnostic = only_diagnostic(HEAD + f'socle {{\n  critère c "C" {{\n    {word} : 1\n  }}\n}}\n')
    assert (diagnostic.span.line, diagnostic.span.column, diagnostic.span.end_column) == (5, 5, 5 + len(word))
    assert diagnostic.message.endswith("après « { »") or f"« {word} »" in diagnostic.message


@pytest.mark.parametrize(
    "written, wrong, keyword",
    [
        ("supprimer critère c", "supprimer", "supprime"),
        ("ajouter dans socle { }", "ajouter", "ajoute"),
        ("modifier critère c { }", "modifier", "modifie"),
        ("remplacer critère c { }", "remplacer", "remplace"),
        ("deplacer critère c vers socle", "deplacer", "déplace"),
        ("supprime criter c", "criter", "critère"),
        ("supprime critères c", "critères", "critère"),
        ("supprime donnees d", "donnees", "donnée"),
    ],
)
def test_a_near_miss_keyword_is_quoted_as_written_with_the_keyword_to_write(written, wrong, keyword):
    diagnostic = only_diagnostic(AVENANT + written + "\n")
    assert diagnostic.message == f"mot-clé inconnu « {wrong} »"
    assert diagnostic.suggestion == f"écrivez « {keyword} »"


def test_modifie_on_a_parametre_says_to_redefine_it():
    diagnostic = only_diagnostic(AVENANT + "modifie paramètre montant_rcp = 8_000 €  # hypothèse\n")
    assert "pour changer un paramètre, redéfinissez-le dans « paramètres { … } »" in diagnostic.message
    assert diagnostic.suggestion == "écrivez « paramètres { montant_rcp = 8_000 € } »"
    braces = only_diagnostic(AVENANT + "modifie paramètre montant_rcp {\n  montant_rcp = 8_000 €\n}\n")
    assert "redéfinissez-le dans « paramètres { … } »" in braces.message


@pytest.mark.parametrize("value, hint", [("250,50 €", "250.50 €"), ("12,5 %", "12.5 %"), ("2,5", "2.5")])
def test_a_decimal_comma_is_explained(value, hint):
    diagnostic = only_diagnostic(HEAD + f"paramètres {{ v = {value} }}\n")
    assert diagnostic.suggestion == f"les décimales s'écrivent avec un point : {hint}"


def test_a_comma_between_arguments_is_not_a_decimal_comma():
    assert parse_text(HEAD + "paramètres { v = min(2,5) }\n").diagnostics == ()


@pytest.mark.parametrize(
    "before, keyword",
    [
        ('cas c "C" {\n  données {\n    a = 1\n', "attendu {\n    éligible\n  }\n}\n"),
        ("paramètres {\n  a = 1\n", "données {\n  b : entier\n}\n"),
        ("données {\n  b : entier\n", "socle {\n}\n"),
        ('cas c "C" {\n  données {\n    a = 1\n', 'cas d "D" {\n}\n'),
    ],
)
def test_a_block_left_open_before_the_next_block_is_named(before, keyword):
    diagnostic = only_diagnostic(HEAD + before + "\n" + keyword)
    assert diagnostic.code == "accolade-non-fermee"
    assert f"jamais fermée avant « {keyword.split()[0]} »" in diagnostic.message
