"""Properties of the front end: the printer round trip, and no input makes the parser crash."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.lark import from_lark
from lark import Lark

from dsl.lexing import grammar_text
from dsl.parser import parse_text
from dsl.printer import print_expr, print_file
from tests import strategies as s


@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow])
@given(s.files)
def test_printed_file_parses_back_to_the_same_tree(tree):
    text = print_file(tree)
    result = parse_text(text)
    assert result.diagnostics == (), text
    assert result.file == tree


@settings(max_examples=150)
@given(s.expressions)
def test_printed_expression_parses_back_to_the_same_tree(expr):
    text = f'convention x "x"\nparamètres {{\n  p = {print_expr(expr)}\n}}\n'
    result = parse_text(text)
    assert result.file is not None, text
    assert result.file.items[0].parametres[0].value == expr


def test_printing_is_idempotent_on_the_language_example(language_example):
    once = print_file(parse_text(language_example).file)
    assert print_file(parse_text(once).file) == once


_generated = from_lark(
    Lark(grammar_text(), parser="lalr"),
    start="start",
    explicit={
        "NAME": s.ids,
        "STRING": s.labels.map(lambda t: '"' + t.replace("\\", "\\\\").replace('"', '\\"') + '"'),
        "COMMENT": st.just("# commentaire\n"),
    },
)


@settings(max_examples=80, suppress_health_check=list(HealthCheck))
@given(_generated)
def test_text_generated_from_the_grammar_never_crashes(text):
    result = parse_text(text)
    if result.file is not None and not result.diagnostics:
        assert parse_text(print_file(result.file)).file == result.file
    else:
        assert result.diagnostics, "a file that does not parse must say why"


@settings(max_examples=300)
@given(st.text(max_size=300))
def test_arbitrary_text_never_crashes(text):
    result = parse_text(text)
    assert result.file is not None or result.diagnostics


# The same properties on many more inputs (`pytest -m slow`).


@pytest.mark.slow
@settings(max_examples=2_000, deadline=None, suppress_health_check=list(HealthCheck))
@given(s.files)
def test_many_printed_files_parse_back(tree):
    test_printed_file_parses_back_to_the_same_tree.hypothesis.inner_test(tree)


@pytest.mark.slow
@settings(max_examples=2_000, deadline=None, suppress_health_check=list(HealthCheck))
@given(_generated)
def test_much_text_generated_from_the_grammar_never_crashes(text):
    test_text_generated_from_the_grammar_never_crashes.hypothesis.inner_test(text)
