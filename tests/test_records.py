"""convcheck's records (`dsl.records`): one `__repr__` for every attrs class, writing what attrs' own wrote —
attrs compiled one per class at import (0.016 s of `convcheck simulate`'s start)."""

from __future__ import annotations

import ast
import datetime
from decimal import Decimal
from pathlib import Path

import attrs
import pytest

from dsl import nodes
from dsl.records import define, frozen, record_repr
from dsl.source import Span
from tests.conftest import ROOT


def shown(value):
    return f"<{value}>"


def classes(make):
    """The same fields under attrs' decorator and under ours: shown, hidden, written by a function of their own, not
    in `__init__`, inherited."""

    @make
    class Base:
        name: str
        hidden: int = attrs.field(default=0, repr=False)
        custom: object = attrs.field(default=None, repr=shown)

    @make
    class Child(Base):
        child: tuple = ()
        later: int = attrs.field(init=False, default=7)

    return Base, Child


@pytest.mark.parametrize("kind", ["frozen", "define"])
def test_a_record_is_written_as_attrs_writes_it(kind):
    ours, theirs = (frozen, attrs.frozen) if kind == "frozen" else (define, attrs.define)
    (base, child), (attrs_base, attrs_child) = classes(ours), classes(theirs)
    for make in [
        lambda b, c: b("a"),
        lambda b, c: b("é'\"", 3, custom=[1]),
        lambda b, c: c("x", 1, Decimal("4.50"), (b("y"), datetime.date(2026, 1, 1))),
    ]:
        assert repr(make(base, child)) == repr(make(attrs_base, attrs_child)).replace("attrs_", "")
    assert type(base("a")).__repr__ is record_repr


def test_a_record_met_again_inside_itself_is_three_dots():
    @define
    class Ours:
        inside: object = None

    @attrs.define
    class Theirs:
        inside: object = None

    ours, theirs = Ours(), Theirs()
    ours.inside, theirs.inside = [ours], [theirs]
    assert repr(ours) == repr(theirs).replace("Theirs", "Ours") == "Ours(inside=[...])"


def test_a_record_that_writes_its_own_repr_keeps_it():
    @frozen
    class Own:
        value: int

        def __repr__(self):
            return f"Own<{self.value}>"

    assert repr(Own(2)) == "Own<2>"


def test_the_language_s_nodes_are_written_as_before():
    """Spans and spellings are not shown, as with attrs' own `__repr__`."""
    number = nodes.Number(Decimal("1100"), text="1_100", span=Span("f.conv", 0, 5, 1, 1, 1, 6))
    assert repr(number) == "Number(value=Decimal('1100'))"


def test_every_record_is_made_by_dsl_records():
    """One way to make a record: a class made by attrs' own decorators would compile its `__repr__` again."""
    direct = []
    for path in sorted([*(ROOT / "dsl").rglob("*.py"), *(ROOT / "interpreter").rglob("*.py")]):
        if path == ROOT / "dsl" / "records.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module in ("attrs", "attr"):
                direct += [f"{Path(path).relative_to(ROOT)}: {a.name}" for a in node.names if a.name in MAKERS]
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in ("attrs", "attr")
            ):
                if node.attr in MAKERS:
                    direct.append(f"{Path(path).relative_to(ROOT)}: {node.value.id}.{node.attr}")
    assert direct == []


MAKERS = {"define", "frozen", "mutable", "s", "attrs"}
