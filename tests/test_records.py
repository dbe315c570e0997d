"""convcheck's records (`dsl.records`): one `__repr__`, one `__eq__` and one `__hash__` for every attrs class,
meaning what attrs' own meant — attrs compiled them anew for every class at import (0.03 s of `convcheck
simulate`'s start)."""

from __future__ import annotations

import ast
import datetime
from decimal import Decimal
from pathlib import Path

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dsl import nodes
from dsl.records import define, frozen, record_eq, record_hash, record_repr
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


def compared_classes(make):
    """Fields compared and not (`eq=False`), inherited, and a record with a single field compared."""

    @make
    class Base:
        name: object
        span: object = attrs.field(default=None, eq=False)

    @make
    class Child(Base):
        more: object = ()

    @make
    class One:
        value: object
        note: object = attrs.field(default=None, eq=False)

    return Base, Child, One


VALUES = st.one_of(
    st.none(),
    st.integers(-3, 3),
    st.sampled_from([Decimal("1"), Decimal("1.0"), Decimal("NaN"), float("nan"), "a", (), (1,)]),
)


@pytest.mark.parametrize("kind", ["frozen", "define"])
@given(a=st.tuples(VALUES, VALUES, VALUES), b=st.tuples(VALUES, VALUES, VALUES), same=st.booleans())
def test_records_are_equal_when_attrs_records_are(kind, a, b, same):
    """Equality and hash as attrs makes them: the fields compared one after the other (a NaN is not equal to
    itself), the others ignored, records of two classes never equal; a frozen record hashable, a mutable one not."""
    ours, theirs = (frozen, attrs.frozen) if kind == "frozen" else (define, attrs.define)
    b = a if same else b
    for ours_class, theirs_class, fields in zip(
        compared_classes(ours), compared_classes(theirs), [2, 3, 2], strict=True
    ):
        x, y = ours_class(*a[:fields]), ours_class(*b[:fields])
        attrs_x, attrs_y = theirs_class(*a[:fields]), theirs_class(*b[:fields])
        assert (x == y) is (attrs_x == attrs_y)
        assert (x != y) is (attrs_x != attrs_y)
        if kind == "frozen" and x == y:
            assert hash(x) == hash(y)
    base, child, _ = compared_classes(ours)
    assert base(a[0]) != child(a[0])
    assert (base.__eq__, base.__hash__) == ((record_eq, record_hash) if kind == "frozen" else (record_eq, None))
    if kind == "define":
        with pytest.raises(TypeError):
            hash(base(1))


def test_a_record_that_writes_its_own_equality_keeps_it():
    @frozen
    class Own:
        value: int

        def __eq__(self, other):
            return isinstance(other, Own) and self.value % 10 == other.value % 10

        def __hash__(self):
            return self.value % 10

    assert Own(3) == Own(13) and hash(Own(3)) == hash(Own(13))


def test_the_language_s_nodes_compare_without_their_spans():
    """Two trees that say the same thing are equal wherever they were written (`dsl.nodes`)."""
    here, there = Span("a.conv", 0, 5, 1, 1, 1, 6), Span("b.conv", 9, 14, 2, 3, 2, 8)
    assert nodes.Number(Decimal("1100"), text="1_100", span=here) == nodes.Number(Decimal("1100"), span=there)
    assert hash(nodes.Number(Decimal("1100"), span=here)) == hash(nodes.Number(Decimal("1100"), span=there))
    assert nodes.Number(Decimal("1100")) != nodes.Money(Decimal("1100"))
    assert {nodes.Number(Decimal("1")): 1}[nodes.Number(Decimal("1"), span=there)] == 1


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
