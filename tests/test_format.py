"""`convcheck fmt`: canonical, idempotent, keeps every comment and label, writes atomically."""

from __future__ import annotations

from collections import Counter

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dsl.format import extract_comments, format_source
from dsl.parser import parse_text
from dsl.printer import print_file
from dsl.source import SourceFile
from interpreter.cli import cli
from tests import strategies as s
from tests.conftest import GOLDEN, ROOT

comment_texts = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), max_size=15).map(
    lambda t: "# " + t.strip()
)


@st.composite
def commented_files(draw):
    """A valid file, with comments sprinkled at line ends and on their own lines."""
    lines = print_file(draw(s.files)).split("\n")
    out = []
    for line in lines:
        if draw(st.integers(0, 4)) == 0:
            out.append("  " * draw(st.integers(0, 3)) + draw(comment_texts))
        if line.strip() and draw(st.integers(0, 4)) == 0:
            line += "  " + draw(comment_texts)
        out.append(line)
        if draw(st.integers(0, 8)) == 0:
            out.append("")
    return "\n".join(out)


def formatted(text: str) -> str:
    result, problems = format_source(SourceFile("f.conv", text))
    assert problems == [], problems
    return result


def comments(text: str) -> Counter:
    return Counter(c.text for c in extract_comments(SourceFile("f.conv", text)))


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(commented_files())
def test_fmt_is_idempotent_and_keeps_every_comment(text):
    once = formatted(text)
    assert formatted(once) == once
    assert comments(once) == comments(text)
    assert parse_text(once).file == parse_text(text).file


def test_the_bundled_conventions_are_formatted():
    for path in sorted((ROOT / "conventions").glob("*.conv")):
        text = path.read_text(encoding="utf-8")
        assert formatted(text) == text, f"{path.name}: run convcheck fmt"


def test_fmt_golden_output():
    text = (GOLDEN / "cli" / "mal-forme.conv").read_text(encoding="utf-8")
    assert formatted(text) == (GOLDEN / "cli" / "mal-forme.formatted").read_text(encoding="utf-8")


def test_language_example_is_already_canonical():
    text = (GOLDEN / "language" / "convention.conv").read_text(encoding="utf-8")
    assert formatted(text) == text


def test_fmt_rewrites_in_place_and_check_names_the_files(tmp_path):
    messy = tmp_path / "m.conv"
    messy.write_text((GOLDEN / "cli" / "mal-forme.conv").read_text(encoding="utf-8"), encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(cli, ["fmt", "--check", str(messy)])
    assert result.exit_code == 1 and f"à reformater : {messy}" in result.output
    assert runner.invoke(cli, ["fmt", str(messy)]).exit_code == 0
    assert runner.invoke(cli, ["fmt", "--check", str(messy)]).exit_code == 0
    assert [p.name for p in tmp_path.iterdir()] == ["m.conv"]  # no temporary file left behind


def test_fmt_refuses_a_file_with_syntax_errors_and_leaves_it_alone(tmp_path):
    broken = tmp_path / "b.conv"
    broken.write_text('convention x "x"\nsocle {\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["fmt", str(broken)])
    assert result.exit_code == 1 and "accolade" in result.output
    assert broken.read_text(encoding="utf-8") == 'convention x "x"\nsocle {\n'


@pytest.mark.slow
@settings(max_examples=3000, deadline=None, suppress_health_check=list(HealthCheck))
@given(commented_files())
def test_fmt_long_fuzz(text):
    """The same property, much longer (`pytest -m slow`)."""
    test_fmt_is_idempotent_and_keeps_every_comment.hypothesis.inner_test(text)
