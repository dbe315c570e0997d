"""Unit tests of the checker's passes (`dsl.check`), one module per pass, each on small hand-written inputs: the
pass is run on its own over an environment whose declarations are collected, and its results and diagnostics
are looked at — not the whole pipeline (`tests/test_golden_check.py` and the others do that)."""

from __future__ import annotations

from dsl import nodes as n
from dsl.check.declarations import collect
from dsl.check.environment import Environment
from dsl.parser import parse_expression, parse_text

HEADER = 'convention t "Test"\nversion : "1"\n'


def parse(text: str, path: str = "t.conv") -> n.File:
    result = parse_text(text, path)
    assert result.file is not None, [d.message for d in result.diagnostics]
    return result.file


def environment(body: str, header: str = HEADER, **options) -> Environment:
    """The environment of a small convention (`header` + `body`), its declarations collected: what the passes
    after `collect` start from. Problems found while collecting stay in its diagnostics."""
    env = Environment(parse(header + body), **options)
    collect(env)
    return env


def expression(text: str) -> n.Expr:
    expr, diagnostics, _ = parse_expression(text, "<test>")
    assert expr is not None, [d.message for d in diagnostics]
    return expr


def codes(env: Environment) -> list[str]:
    return [d.code for d in env.diagnostics]


def messages(env: Environment, code: str) -> list[str]:
    return [d.message for d in env.diagnostics if d.code == code]
