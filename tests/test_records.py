"""convcheck's records (`dsl.records`) mean what attrs' `frozen` and `define` mean — fields, `__init__`, defaults,
factories, converters, inheritance, `repr`, equality, hash, assignment, pickling, `evolve`, pattern matching — and
are made without attrs: attrs took 0.04 s of `convcheck simulate`'s start (its import, and 0.2 ms a class)."""

from __future__ import annotations

import ast
import datetime
import pickle
import subprocess
import sys
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import ClassVar

import attrs
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from dsl import nodes
from dsl.records import (
    NOTHING,
    Factory,
    define,
    evolve,
    field,
    fields,
    frozen,
    has,
    record_eq,
    record_hash,
    record_repr,
)
from dsl.source import Span
from tests.conftest import ROOT

OURS = {"frozen": (frozen, field, Factory), "define": (define, field, Factory)}
THEIRS = {"frozen": (attrs.frozen, attrs.field, attrs.Factory), "define": (attrs.define, attrs.field, attrs.Factory)}
KINDS = ["frozen", "define"]


def both(kind, declare):
    """The classes `declare` makes with our maker and with attrs'."""
    return declare(*OURS[kind]), declare(*THEIRS[kind])


def shown(value):
    return f"<{value}>"


def written_classes(make, field, factory):
    """Fields shown, hidden, written by a function of their own, not in `__init__`, inherited."""

    @make
    class Base:
        name: str
        hidden: int = field(default=0, repr=False)
        custom: object = field(default=None, repr=shown)

    @make
    class Child(Base):
        child: tuple = ()
        later: int = field(init=False, default=7)

    return Base, Child


@pytest.mark.parametrize("kind", KINDS)
def test_a_record_is_written_as_attrs_writes_it(kind):
    (base, child), (attrs_base, attrs_child) = both(kind, written_classes)
    for make in [
        lambda b, c: b("a"),
        lambda b, c: b("é'\"", 3, custom=[1]),
        lambda b, c: c("x", 1, Decimal("4.50"), (b("y"), datetime.date(2026, 1, 1))),
    ]:
        assert repr(make(base, child)) == repr(make(attrs_base, attrs_child))
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


def test_a_record_that_writes_its_own_methods_keeps_them():
    @frozen
    class Own:
        value: int

        def __init__(self, value):
            object.__setattr__(self, "value", value * 10)

        def __repr__(self):
            return f"Own<{self.value}>"

        def __eq__(self, other):
            return isinstance(other, Own) and self.value % 100 == other.value % 100

        def __hash__(self):
            return self.value % 100

    assert repr(Own(2)) == "Own<20>"
    assert Own(3) == Own(13) and hash(Own(3)) == hash(Own(13))


def compared_classes(make, field, factory):
    """Fields compared and not (`eq=False`), inherited, and a record with a single field compared."""

    @make
    class Base:
        name: object
        span: object = field(default=None, eq=False)

    @make
    class Child(Base):
        more: object = ()

    @make
    class One:
        value: object
        note: object = field(default=None, eq=False)

    return Base, Child, One


VALUES = st.one_of(
    st.none(),
    st.integers(-3, 3),
    st.sampled_from([Decimal("1"), Decimal("1.0"), Decimal("NaN"), float("nan"), "a", (), (1,)]),
)


@pytest.mark.parametrize("kind", KINDS)
@given(a=st.tuples(VALUES, VALUES, VALUES), b=st.tuples(VALUES, VALUES, VALUES), same=st.booleans())
def test_records_are_equal_when_attrs_records_are(kind, a, b, same):
    """Equality and hash as attrs makes them: the fields compared one after the other (a NaN is not equal to
    itself), the others ignored, records of two classes never equal; a frozen record hashable, a mutable one not."""
    ours, theirs = both(kind, compared_classes)
    b = a if same else b
    for ours_class, theirs_class, count in zip(ours, theirs, [2, 3, 2], strict=True):
        x, y = ours_class(*a[:count]), ours_class(*b[:count])
        attrs_x, attrs_y = theirs_class(*a[:count]), theirs_class(*b[:count])
        assert (x == y) is (attrs_x == attrs_y)
        assert (x != y) is (attrs_x != attrs_y)
        if kind == "frozen" and x == y:
            assert hash(x) == hash(y)
    base, child, _ = ours
    assert base(a[0]) != child(a[0])
    assert (base.__eq__, base.__hash__) == ((record_eq, record_hash) if kind == "frozen" else (record_eq, None))
    if kind == "define":
        with pytest.raises(TypeError):
            hash(base(1))


def built_classes(make, field, factory):
    """Every way a field is declared: mandatory, a default, a factory (by `field` and by `Factory`), converted,
    keyword-only, private (given without its underscore), not in `__init__`, a class variable; a check after
    `__init__`; a base class whose field the child declares again."""

    def doubled(value):
        return tuple(value) * 2

    @make
    class Base:
        first: int
        second: str = "b"
        redeclared: int = 1

    @make
    class Child(Base):
        _private: list = field(factory=list)
        items: dict = factory(dict)
        redeclared: int = 2
        tag: object = field(default=None, kw_only=True, eq=False)
        derived: int = field(init=False, default=-1)
        counter: ClassVar[int] = 0

        def __attrs_post_init__(self):
            if self.first < 0:
                raise ValueError("negative")

    @make
    class Converted:
        values: tuple = field(default=(), converter=doubled) if make in (frozen, attrs.frozen) else ()

    return Base, Child, Converted


ARGUMENTS = st.fixed_dictionaries(
    {"first": st.integers(-2, 5)},
    optional={
        "second": st.text(max_size=2),
        "private": st.lists(st.integers(), max_size=2),
        "items": st.dictionaries(st.text(max_size=1), st.integers(), max_size=2),
        "redeclared": st.integers(),
        "tag": VALUES,
    },
)


def outcome(make):
    """What building a record gives: the record's fields, or the kind of error."""
    try:
        record = make()
    except (TypeError, ValueError) as error:
        return type(error).__name__
    declared = attrs.fields(type(record)) if attrs.has(type(record)) else fields(type(record))
    return tuple((f.name, getattr(record, f.name, "unset")) for f in declared)


@pytest.mark.parametrize("kind", KINDS)
@given(arguments=ARGUMENTS, positional=st.integers(0, 4), values=st.lists(st.integers(), max_size=3))
@example(arguments={"first": -1}, positional=0, values=[])
@example(arguments={"first": 1, "tag": 2}, positional=4, values=[1])
@example(arguments={"first": 0, "second": "", "tag": None, "redeclared": 0}, positional=4, values=[])
def test_records_are_built_as_attrs_builds_them(kind, arguments, positional, values):
    """The same arguments, positional or by name, build the same fields (defaults and factories, converted, a
    private field given by its public name), or the same error (too many, a keyword-only one given by position,
    a missing one, `__attrs_post_init__`'s)."""
    ours, theirs = both(kind, built_classes)
    order = ["first", "second", "private", "items", "redeclared", "tag"]  # `__init__`'s (the child's `redeclared` last)
    names = [n for n in order if n in arguments][:positional]
    by_position = [arguments[n] for n in names]
    by_name = {n: v for n, v in arguments.items() if n not in names}
    child, attrs_child = ours[1], theirs[1]
    fields_of = [(f.name, f.default is attrs.NOTHING, f.init, f.kw_only) for f in attrs.fields(attrs_child)]
    assert [(f.name, f.default is NOTHING, f.init, f.kw_only) for f in fields(child)] == fields_of
    made = outcome(lambda: child(*by_position, **by_name))
    assert made == outcome(lambda: attrs_child(*by_position, **by_name))
    assert child.__match_args__ == attrs_child.__match_args__
    if kind == "frozen":
        assert ours[2](values).values == theirs[2](values).values
    assert child(0).items is not child(0).items  # two records never share a default that a factory made


@pytest.mark.parametrize("kind", KINDS)
def test_a_frozen_record_refuses_assignment_and_a_mutable_one_takes_it(kind):
    base, *_ = built_classes(*OURS[kind])
    record = base(1)
    if kind == "frozen":
        with pytest.raises(AttributeError, match="frozen"):
            record.first = 2
        with pytest.raises(AttributeError, match="frozen"):
            del record.first
        with pytest.raises(AttributeError):
            record.other = 2  # a frozen record has slots only
    else:
        record.first = 2
        assert record == base(2)
        with pytest.raises(AttributeError):
            record.other = 2


def test_a_mandatory_field_after_one_with_a_default_is_refused_as_attrs_refuses_it():
    for make in (frozen, attrs.frozen):
        with pytest.raises(ValueError, match="mandatory"):

            @make
            class Wrong:
                first: int = 0
                second: int  # type: ignore[misc]


@frozen
class Pickled:
    first: int
    _private: list = field(factory=list)
    items: dict = Factory(dict)
    tag: object = field(default=None, kw_only=True, eq=False)
    derived: int = field(init=False, default=-1)


@define
class PickledMutable:
    first: int
    _private: list = field(factory=list)
    tag: object = field(default=None, kw_only=True, eq=False)


@frozen
class Lines:
    text: str

    @cached_property
    def lines(self) -> list[str]:
        return self.text.split("\n")


@pytest.mark.parametrize("kind", KINDS)
@given(arguments=ARGUMENTS)
@example(arguments={"first": 0, "tag": Decimal("NaN")})
def test_records_survive_pickling_and_evolve_as_attrs_records_do(kind, arguments):
    """Every field comes back from pickling, those outside equality too; `evolve` changes the fields named as
    `__init__` names them (a private one without its underscore), and keeps the others."""
    (_, child, _), (_, attrs_child, _) = both(kind, built_classes)
    by_name = {k: v for k, v in arguments.items() if k != "first" or v >= 0}
    by_name.setdefault("first", 0)
    changed = evolve(child(**by_name), first=4, private=[9])
    assert repr(changed) == repr(attrs.evolve(attrs_child(**by_name), first=4, private=[9]))
    assert changed.tag is by_name.get("tag") and changed.items == by_name.get("items", {})
    with pytest.raises(TypeError):
        evolve(child(**by_name), missing=1)
    pickled = Pickled if kind == "frozen" else PickledMutable
    record = pickled(by_name["first"], by_name.get("private", []), tag=by_name.get("tag"))
    again = pickle.loads(pickle.dumps(record))
    assert again == record and repr(again) == repr(record) and repr(again.tag) == repr(record.tag)
    assert [repr(getattr(again, f.name)) for f in fields(pickled)] == [
        repr(getattr(record, f.name)) for f in fields(pickled)
    ]


def test_nested_records_pickled_in_a_subprocess_come_back_equal():
    """The cache of checked versions is read by another process: the classes and `NOTHING` are found by name."""
    span = Span("a.conv", 0, 5, 1, 1, 1, 6)
    tree = nodes.BinOp("+", nodes.Number(Decimal("1"), text="1", span=span), nodes.Name("x", span=span), span=span)
    code = "import pickle, sys; print(repr(pickle.loads(sys.stdin.buffer.read())))"
    found = subprocess.run([sys.executable, "-c", code], input=pickle.dumps(tree), capture_output=True, check=True)
    assert found.stdout.decode().strip() == repr(tree)


def test_a_method_of_a_record_that_calls_super_and_a_cached_property_work():
    @define
    class Base:
        value: int

        def describe(self) -> str:
            return f"base {self.value}"

    @define
    class Child(Base):
        more: int = 0

        def describe(self) -> str:
            return "child, " + super().describe()

    assert Child(1).describe() == "child, base 1"
    text = Lines("a\nb")
    assert text.lines == ["a", "b"] and text.lines is text.lines
    assert Lines("a\nb") == text and pickle.loads(pickle.dumps(text)).lines == ["a", "b"]


class Outer:
    """A record class defined inside another class."""

    @frozen
    class Inner:
        value: int


def test_a_record_class_inside_a_class_keeps_its_qualified_name_and_pickles():
    inner = Outer.Inner(1)
    assert Outer.Inner.__qualname__ == "Outer.Inner" and repr(inner) == "Outer.Inner(value=1)"
    assert pickle.loads(pickle.dumps(inner)) == inner


def test_pattern_matching_reads_the_fields_in_order():
    match nodes.BinOp("+", nodes.Number(Decimal("1")), nodes.Number(Decimal("2"))):
        case nodes.BinOp("+", nodes.Number(left), right=nodes.Number(right)):
            assert (left, right) == (1, 2)
        case _:
            pytest.fail("no match")


def test_has_and_fields_say_what_a_record_is():
    assert has(nodes.Number) and not has(int) and not has(nodes.Number(Decimal("1")))
    assert [f.name for f in fields(nodes.Number)] == ["value", "text", "span"]
    with pytest.raises(TypeError):
        fields(int)


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


def test_every_record_is_made_by_dsl_records_and_attrs_is_not_imported():
    """One way to make a record; and no module of the code imports attrs (0.04 s of every command's start)."""
    direct = []
    for path in sorted([*(ROOT / "dsl").rglob("*.py"), *(ROOT / "interpreter").rglob("*.py")]):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module in ("attrs", "attr"):
                if path != ROOT / "dsl" / "records.py":  # its attrs import is for type checkers only
                    direct += [f"{Path(path).relative_to(ROOT)}: from {node.module} import …"]
            if isinstance(node, ast.Import) and any(a.name in ("attrs", "attr") for a in node.names):
                direct.append(f"{Path(path).relative_to(ROOT)}: import attrs")
    assert direct == []
