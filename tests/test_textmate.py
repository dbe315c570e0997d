"""The editor's TextMate grammar (grammar/conv.tmLanguage.json) agrees with the Lark lexer.

A small TextMate tokenizer (match rules, begin/end rules, captures, includes — what the grammar
uses) runs the grammar's regular expressions with Python's `re`, which shares with Oniguruma every
construct the grammar is allowed to use; then each token of the Lark lexer on the bundled
conventions must carry the scope of its kind: keywords, strings, numbers, money, percentages,
dates, operators, identifiers, and every comment.
"""

from __future__ import annotations

import json
import re
from functools import cache, lru_cache

import pytest

from dsl.format import extract_comments
from dsl.lexing import lark_parser, lexed, retyped
from dsl.parser import parse_text
from dsl.source import SourceFile, normalise
from tests.conftest import ROOT

GRAMMAR = ROOT / "grammar" / "conv.tmLanguage.json"
EXTENSION = ROOT / "editors" / "vscode"
CONVENTIONS = sorted((ROOT / "conventions").glob("*.conv"))


@lru_cache(maxsize=1)
def grammar() -> dict:
    return json.loads(GRAMMAR.read_text(encoding="utf-8"))


def rules(patterns: list[dict]) -> list[dict]:
    """Patterns with includes resolved, in order."""
    found = []
    for pattern in patterns:
        if "include" in pattern:
            found += rules([grammar()["repository"][pattern["include"].lstrip("#")]])
        elif "patterns" in pattern and "begin" not in pattern:
            found += rules(pattern["patterns"])
        else:
            found.append(pattern)
    return found


@cache
def compiled(regex: str) -> re.Pattern:
    return re.compile(regex)


def tokenize_line(line: str) -> list[list[str]]:
    """The scopes of each character of a line (outermost first)."""
    scopes: list[list[str]] = [[] for _ in line]
    top = rules(grammar()["patterns"])
    position = 0
    while position < len(line):
        match, rule = earliest(top, line, position)
        if match is None:
            break
        if "match" in rule:
            paint(scopes, match, rule)
            position = max(match.end(), position + 1)
            continue
        position = scan_begin_end(line, scopes, match, rule)
    return scopes


def earliest(candidates: list[dict], line: str, position: int):
    best = (None, None)
    for rule in candidates:
        match = compiled(rule.get("match") or rule["begin"]).search(line, position)
        if match is not None and (best[0] is None or match.start() < best[0].start()):
            best = (match, rule)
    return best


def paint(scopes, match: re.Match, rule: dict, captures_key: str = "captures") -> None:
    for i in range(match.start(), match.end()):
        if rule.get("name"):
            scopes[i].append(rule["name"])
    for group, capture in rule.get(captures_key, {}).items():
        start, end = match.span(int(group))
        for i in range(max(start, 0), end):
            scopes[i].append(capture["name"])


def scan_begin_end(line: str, scopes, begin: re.Match, rule: dict) -> int:
    start = begin.start()
    paint(scopes, begin, {"captures": rule.get("beginCaptures", {})})
    position = begin.end()
    inner = rules(rule.get("patterns", []))
    end_rule = {"match": rule["end"], "captures": rule.get("endCaptures", {})}
    while True:
        end = compiled(rule["end"]).search(line, position)
        match, found = earliest(inner, line, position)
        if match is not None and (end is None or match.start() < end.start()):
            paint(scopes, match, found)
            position = max(match.end(), position + 1)
            continue
        stop = end.end() if end is not None else len(line)
        if end is not None:
            paint(scopes, end, end_rule)
        for i in range(start, stop):
            scopes[i].insert(0, rule["name"])
        return stop


def scopes_of(text: str) -> list[list[list[str]]]:
    return [tokenize_line(line) for line in text.split("\n")]


def lark_tokens(text: str):
    """The tokens the parser sees, attribute keywords resolved to ids where they are ids."""
    parser = lark_parser()
    interactive = parser.parse_interactive(text, start="start")
    for token in lexed(interactive):
        token = retyped(token, text, interactive)
        interactive.feed_token(token)
        yield token


def keyword_terminals() -> set[str]:
    return {t.name for t in lark_parser().terminals if t.pattern.type == "str" and t.pattern.value.isalpha()}


ID_SCOPES = ("variable.other", "entity.name", "support.function", "variable.language")
KEYWORD_SCOPES = ("keyword", "support.type", "constant.language", "variable.language", "support.function")
OPERATORS = {"COMP_OP", "EQUAL", "PLUS", "MINUS", "TIMES", "DIVIDE"}


SECTIONS = {"prérequis", "prerequis", "socle", "options"}


def expected_scopes(token, previous, following) -> tuple[str, ...]:
    kind = token.type
    if kind == "NAME" and token.value in SECTIONS and previous is not None and previous.type in ("DANS", "VERS"):
        return ("keyword",)  # `ajoute dans socle`, `vers options`: the grammar reads a name, the reader a section
    if kind == "STRING":
        return ("string.quoted.double",)
    if kind == "DATE":
        return ("constant.numeric.date",)
    if kind == "NUMBER":
        unit = following.type if following is not None else None
        return {
            "PERCENT": ("constant.numeric.percentage",),
            "__ANON_1": ("constant.numeric.money",),
            "EUR": ("constant.numeric.money",),
        }.get(unit, ("constant.numeric",))
    if kind in ("__ANON_1", "EUR"):
        return ("keyword.other.unit.currency",)
    if kind == "PERCENT":
        return ("keyword.other.unit.percent",)
    if kind == "NAME":
        return ID_SCOPES
    if kind in OPERATORS:
        return ("keyword.operator",)
    if kind in keyword_terminals():
        return KEYWORD_SCOPES
    return ("punctuation",)


NEW_CONSTRUCTS = [ROOT / "tests" / "golden" / "cli" / f"{name}.conv" for name in ("defauts", "prorata", "exercices")]


@pytest.mark.parametrize("path", CONVENTIONS + NEW_CONSTRUCTS, ids=[p.stem for p in CONVENTIONS + NEW_CONSTRUCTS])
def test_the_grammar_gives_each_token_of_a_bundled_convention_its_scope(path):
    source = SourceFile(str(path), normalise(path.read_text(encoding="utf-8")))
    scopes = scopes_of(source.text)
    tokens = list(lark_tokens(source.text))
    assert len(tokens) > (500 if path in CONVENTIONS else 50)
    problems = []
    for previous, token, following in zip([None] + tokens, tokens, tokens[1:] + [None], strict=False):
        here = scopes[token.line - 1][token.column - 1]
        wanted = expected_scopes(token, previous, following)
        if not any(s.startswith(w) for s in here for w in wanted):
            problems.append(f"{token.line}:{token.column} {token.type} {token.value!r} → {here}")
        if token.type == "NAME" and wanted != ("keyword",) and any(s.startswith("keyword") for s in here):
            problems.append(f"{token.line}:{token.column} id {token.value!r} coloured as a keyword: {here}")
    assert not problems, "\n".join(problems[:20])
    for comment in extract_comments(source):
        line = source.lines[comment.line - 1]
        column = line.index(comment.text) if comment.own_line else line.rindex(comment.text)
        assert scopes[comment.line - 1][column][0] == "comment.line.number-sign.conv", (comment.line, comment.text)
        assert all("comment.line.number-sign.conv" in s for s in scopes[comment.line - 1][column:])


def scope_at(text: str, needle: str, occurrence: int = 0) -> list[str]:
    index = -1
    for _ in range(occurrence + 1):
        index = text.index(needle, index + 1)
    line = text.count("\n", 0, index)
    return scopes_of(text)[line][index - (text.rfind("\n", 0, index) + 1)]


SAMPLE = """convention x "Accord \\"ACI\\" \\\\ libellé \\o" # un commentaire "pas une chaîne"
version : "1"
en vigueur : 2017-08-05
parametres { valeur_point = 7.50 EUR  plafond = 1_100 €  taux = 12,5 % }
donnees { montant_rcp : montant entre 0 € et 10_000 €  conditionnel : booleen }
prerequis {
  critere c "C" {
    reference : "Art. 1"
    condition : conditionnel et non (montant_rcp >= 5 €) ou atteint(c) ≠ faux
    montant : si conditionnel alors 2 * montant_rcp sinon 0 €
  }
}
"""


def test_escapes_accent_free_keywords_and_ids_that_start_with_a_keyword():
    assert parse_text(SAMPLE.replace("12,5", "12.5").replace(" \\o", "")).diagnostics == ()
    assert "constant.character.escape.conv" in scope_at(SAMPLE, '\\"ACI')
    assert "constant.character.escape.conv" in scope_at(SAMPLE, "\\\\ libellé")
    assert "invalid.illegal.escape.conv" in scope_at(SAMPLE, "\\o")
    assert scope_at(SAMPLE, '"pas une chaîne"') == ["comment.line.number-sign.conv"]
    for word in ("parametres", "donnees", "prerequis", "critere", "booleen", "reference"):
        assert any(s.startswith("keyword") or s.startswith("support.type") for s in scope_at(SAMPLE, word)), word
    for word in ("montant_rcp", "conditionnel"):
        assert scope_at(SAMPLE, word, occurrence=1) == ["variable.other.conv"], word
    assert scope_at(SAMPLE, "1_100") == ["constant.numeric.money.conv"]
    assert "keyword.other.unit.currency.conv" in scope_at(SAMPLE, "EUR")
    assert scope_at(SAMPLE, "2017-08-05") == ["constant.numeric.date.conv"]
    assert scope_at(SAMPLE, "atteint") == ["support.function.conv"]
    assert scope_at(SAMPLE, "≠") == ["keyword.operator.conv"]
    assert scope_at(SAMPLE, "montant entre") == ["support.type.conv"]  # a type after « : »
    assert scope_at(SAMPLE, "montant : si") == ["keyword.other.attribute.conv"]


def test_the_vscode_extension_carries_the_grammar_and_launches_the_server():
    package = json.loads((EXTENSION / "package.json").read_text(encoding="utf-8"))
    language = package["contributes"]["languages"][0]
    assert language["id"] == "conv" and language["extensions"] == [".conv"]
    grammar_entry = package["contributes"]["grammars"][0]
    assert grammar_entry["scopeName"] == "source.conv"
    assert (EXTENSION / grammar_entry["path"]).read_text(encoding="utf-8") == GRAMMAR.read_text(encoding="utf-8"), (
        "copy grammar/conv.tmLanguage.json into the extension"
    )
    configuration = json.loads((EXTENSION / language["configuration"]).read_text(encoding="utf-8"))
    assert configuration["comments"]["lineComment"] == "#"
    assert ["{", "}"] in configuration["brackets"]
    assert "vscode-languageclient" in package["dependencies"]
    main = (EXTENSION / package["main"]).read_text(encoding="utf-8")
    assert '"lsp"' in main and "vscode-languageclient/node" in main
