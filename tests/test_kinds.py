"""The kinds of clause are described once (`dsl.kinds`): the description matches the language (its AST nodes,
the checked model, what the checker allows) and the tools read it instead of keeping their own lists."""

from __future__ import annotations

import re

import pytest
from lsprotocol import types as lsp

from dsl import keywords, kinds
from dsl import nodes as n
from dsl.checker import check
from dsl.model import Model
from dsl.parser import parse_text
from dsl.records import fields, has
from interpreter.compare.diff import ELEMENT_ORDER, element_fields
from interpreter.lsp.completion import ITEM_KEYWORDS
from interpreter.report.history import ELEMENT_TITLES
from tests.conftest import ROOT

MODEL_FIELDS = {f.name for f in fields(Model)}


@pytest.mark.parametrize("kind", list(kinds.KINDS.values()), ids=list(kinds.KINDS))
def test_each_description_names_what_exists(kind):
    assert kind.table in MODEL_FIELDS
    assert has(kind.node) and kind.node.__module__ == "dsl.nodes"
    assert kind.namespace in (kinds.VALUE, kinds.ELEMENT, kinds.CAS_NAMES)
    assert isinstance(getattr(lsp.SymbolKind, kind.symbol), lsp.SymbolKind)
    assert isinstance(getattr(lsp.CompletionItemKind, kind.completion), lsp.CompletionItemKind)
    assert set(kind.operations) <= {"ajoute", "modifie", "remplace", "déplace", "supprime"}
    assert kind.group in (None, *kinds.GROUP_TITLES)


def test_every_clause_node_of_the_language_has_a_description():
    """The AST's clauses — nodes with an id, a label and a span, outside the avenant operations — are described."""
    operations = set(n.Operation.__args__)
    clauses = {
        cls
        for cls in vars(n).values()
        if isinstance(cls, type)
        and has(cls)
        and cls not in operations
        and {"id", "label", "span"} <= {f.name for f in fields(cls)}
        and cls is not n.File
    }
    assert clauses == {kind.node for kind in kinds.KINDS.values()}


# Every attribute a clause may be written with, as written.
EVERY_ATTRIBUTE = {
    "condition": "condition : patientele > 0",
    "points_fixes": "points fixes : 10",
    "points_variables": "points variables : 10",
    "montant": "montant : 100 €",
    "axe": "axe : acces",
    "reference": 'référence : "Art. 1"',
    "assiette": "assiette : points",
    "taux": "taux : 5 %",
    "prorata": "prorata : 1",
}


def clause_text(kind: kinds.Kind, attributes: list[str]) -> str:
    """A convention with one clause of a paying kind, written with these attributes."""
    body = "\n".join(f"    {EVERY_ATTRIBUTE[a]}" for a in attributes)
    clause = f'{kind.keyword} ligne "Ligne" {{\n{body}\n}}'
    if kind is kinds.CRITERE:
        clause = f"socle {{\n{clause}\n}}"
    return (
        'convention c "C"\nversion : "1"\nparamètres {\n  valeur_point = 7 €\n  patientele_reference = 4000\n}\n'
        f'données {{\n  patientele : entier "Patientèle"\n}}\n{clause}\n'
    )


@pytest.mark.parametrize("kind", kinds.PAYING, ids=[k.name for k in kinds.PAYING])
def test_the_checker_allows_the_attributes_the_description_gives(kind):
    """A clause written with every attribute: those its kind does not allow are refused, naming the kind."""
    _, diagnostics = check(parse_text(clause_text(kind, list(EVERY_ATTRIBUTE))).file)
    refused = [d for d in diagnostics if d.code == "attribut-invalide"]
    assert len(refused) == len(EVERY_ATTRIBUTE) - len(kind.attributes)
    assert all(d.message.startswith(f"{kind.definite} « ligne »") for d in refused)


@pytest.mark.parametrize("kind", kinds.PAYING, ids=[k.name for k in kinds.PAYING])
def test_the_checker_asks_for_the_attributes_the_description_requires(kind):
    _, diagnostics = check(parse_text(clause_text(kind, [])).file)
    missing = [d.message for d in diagnostics if d.code == "attribut-manquant"]
    assert missing == [f"{kind.definite} « ligne » n'a pas de « {keywords.ATTRIBUTES[a]} »" for a in kind.required]


def test_the_words_of_a_kind():
    assert [k.article for k in kinds.CLAUSES] == [
        "un critère",
        "une brique",
        "une majoration",
        "un minimum",
        "une donnée",
        "un paramètre",
    ]
    assert kinds.BRIQUE.agreed("supprimé") == "supprimée" and kinds.MINIMUM.agreed("supprimé") == "supprimé"
    assert re.fullmatch(kinds.keyword_pattern("paramètre"), "parametre")
    assert keywords.KINDS == {k.name: k.keyword for k in kinds.CLAUSES}


def test_the_tools_follow_the_description():
    assert ELEMENT_ORDER == tuple(k.name for k in kinds.CLAUSES)
    assert list(ELEMENT_TITLES.values()) == [k.title for k in kinds.CLAUSES]
    for kind in kinds.CLAUSES:
        for verb in kind.operations:
            assert f"{verb} {kind.keyword}" in ITEM_KEYWORDS or verb == "ajoute" and kind is kinds.CRITERE


def test_the_diff_compares_the_fields_of_each_kind():
    text = (ROOT / "conventions" / "aci-msp-2017.conv").read_text(encoding="utf-8")
    model, _ = check(parse_text(text).file)
    assert model is not None
    for kind in kinds.CLAUSES:
        for element in getattr(model, kind.table).values():
            assert list(element_fields(element)) == [field.name for field in kind.fields]
            assert kinds.kind_of(element) is kind and kinds.kind_of(element.node) is kind
