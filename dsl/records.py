"""convcheck's records: slotted classes declared by their annotated fields, meaning what attrs' `frozen` and `define`
mean, made in a tenth of attrs' time.

attrs spends 0.2 ms making each class (collecting its fields, compiling its methods, building the slotted class
again), and imports in 0.01 s: `convcheck simulate` imports 135 record classes before it reads a file, most of them
only for the checked version it unpickles — 0.04 s of every command's start. Here a class costs 0.02 ms: its
`__init__` is compiled the first time a record of the class is built (a record that is only unpickled never needs
it), and `__repr__`, `__eq__`, `__hash__` and the pickling methods are one function each for every class.

What a record is, as in attrs (`tests/test_records.py` holds both to the same behaviour):
- its fields: the annotated class attributes, in order (`ClassVar`s excepted), after those of its record base
  classes (a field a class declares again moves to its place among the class's own); a default is a value,
  `field(default=…)`, `field(factory=…)` or `Factory(…)`;
- `__init__`: the fields whose `init` holds, in order, positional unless `kw_only`, a private field `_x` given as
  `x`, mandatory ones before those with a default; a `converter` applied to its argument (or default); then
  `__attrs_post_init__` if the class has one;
- `__slots__` (with `__weakref__`, and a `__dict__` for a class that has a `functools.cached_property`);
- a `frozen` record refuses assignment (an `AttributeError`, as attrs' `FrozenInstanceError` is) and is hashable;
  a `define` record is mutable and unhashable;
- `record_repr`, `record_eq`, `record_hash`: attrs' `__repr__`, `__eq__` and `__hash__`; a class that writes its own
  `__init__`, `__repr__`, `__eq__` or `__hash__` keeps it;
- `__match_args__`, pickling, `fields`, `evolve` and `has`.
Type checkers see attrs' own decorators and functions (mypy's attrs plugin knows them).
"""

from __future__ import annotations

import threading
from functools import cached_property
from operator import attrgetter
from typing import TYPE_CHECKING, Any

__all__ = [
    "NOTHING",
    "Factory",
    "define",
    "evolve",
    "field",
    "fields",
    "frozen",
    "has",
    "record_eq",
    "record_hash",
    "record_repr",
]


class _Nothing:
    """No default; no value."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "NOTHING"

    def __reduce__(self) -> str:
        return "NOTHING"  # the one instance, when unpickled


class _Factory:
    """A default made anew for each record: `Factory(dict)`."""

    __slots__ = ("factory",)

    def __init__(self, factory):
        self.factory = factory

    def __repr__(self) -> str:
        return f"Factory({self.factory!r})"


class Field:
    """A field of a record (`fields(cls)`), or one declared with `field(…)` (no name until its class is made)."""

    __slots__ = ("alias", "converter", "default", "eq", "init", "kw_only", "name", "repr")

    def __init__(self, name, default, eq=True, repr=True, init=True, kw_only=False, converter=None):
        self.name, self.default, self.eq, self.repr = name, default, eq, repr
        self.init, self.kw_only, self.converter = init, kw_only, converter
        self.alias = name.lstrip("_")  # the argument of `__init__` that gives it

    def named(self, name: str) -> Field:
        return Field(name, self.default, self.eq, self.repr, self.init, self.kw_only, self.converter)

    def __repr__(self) -> str:
        return f"Field(name={self.name!r}, default={self.default!r}, init={self.init}, kw_only={self.kw_only})"


_shown = threading.local()  # the records being written, in this thread (a record inside itself is `...`)


def record_repr(self) -> str:
    """A record as attrs writes it — `Number(value=Decimal('4000'))`: its class, then each field shown, by `repr` or
    by its field's own function, `...` for a record met again inside itself."""
    writing: set[int] = _shown.__dict__.setdefault("ids", set())
    if id(self) in writing:
        return "..."
    writing.add(id(self))
    try:
        shown = ", ".join(
            f"{f.name}={(repr if f.repr is True else f.repr)(getattr(self, f.name, NOTHING))}"
            for f in self.__class__.__record_fields__
            if f.repr is not False
        )
        return f"{type(self).__qualname__.rsplit('>.', 1)[-1]}({shown})"
    finally:
        writing.discard(id(self))


def record_eq(self, other):
    """attrs' equality: a record of the very same class whose compared fields are equal, one after the other (as
    attrs writes it, `self.a == other.a and self.b == other.b`: a NaN is not equal to itself)."""
    if other.__class__ is not self.__class__:
        return NotImplemented
    equal = True
    for name in self.__class__._compared:
        equal = getattr(self, name) == getattr(other, name)
        if not equal:
            break
    return equal


def record_hash(self) -> int:
    """A frozen record's hash, from its class and the fields its equality compares."""
    return hash((self.__class__, self.__class__._compared_values(self)))


def _frozen_setattr(self, name, value):
    raise AttributeError(f"{type(self).__qualname__} is frozen: {name} cannot be assigned")


def _frozen_delattr(self, name):
    raise AttributeError(f"{type(self).__qualname__} is frozen: {name} cannot be deleted")


def _getstate(self) -> tuple:
    return self.__class__._state_values(self)


def _setstate(self, state: tuple) -> None:
    for store, value in zip(self.__class__._stores, state, strict=True):  # through each slot: no `__setattr__`
        store(self, value)


def _tuple_of(names: tuple[str, ...]):
    """A function giving the values of these attributes as a tuple."""
    if not names:
        return lambda record: ()
    if len(names) == 1:
        one = attrgetter(names[0])
        return lambda record: (one(record),)
    return attrgetter(*names)


CLASS_VARS = ("typing.ClassVar", "t.ClassVar", "ClassVar", "typing_extensions.ClassVar")


def _own_fields(cls) -> list[Field]:
    namespace = cls.__dict__
    annotations = namespace.get("__annotations__", {})
    own = []
    for name, annotation in annotations.items():
        text = str(annotation).strip("'\"")
        if text.startswith(CLASS_VARS):
            continue
        declared = namespace.get(name, NOTHING)
        if not isinstance(declared, Field):  # a plain default, a `Factory`, or none
            declared = Field("", declared)
        own.append(declared.named(name))
    unannotated = [n for n, v in namespace.items() if isinstance(v, Field) and n not in annotations]
    if unannotated:
        raise TypeError(f"{cls.__qualname__}: field(s) without an annotation: {', '.join(unannotated)}")
    return own


def _inherited_fields(cls, own: set[str]) -> list[Field]:
    """The fields of the record base classes, from the most basic one, each at its last declaration; those the class
    declares again are its own."""
    found: dict[str, Field] = {}
    for base in reversed(cls.__mro__[1:-1]):
        for f in base.__dict__.get("_declared", ()):
            if f.name not in own:
                found.pop(f.name, None)
                found[f.name] = f
    return list(found.values())


def _check_order(cls, all_fields: list[Field]) -> None:
    with_default = False
    for f in all_fields:
        if not f.init or f.kw_only:
            continue
        if f.default is NOTHING and with_default:
            raise ValueError(
                f"{cls.__qualname__}: no mandatory field after a field with a default value or factory: {f.name}"
            )
        with_default = with_default or f.default is not NOTHING


def _slot_of(cls, name: str):
    for klass in cls.__mro__:
        if name in klass.__dict__:
            return klass.__dict__[name]
    raise AttributeError(name)


def _rebound(old, new) -> None:
    """Functions of the class that refer to it (`super()`, `__class__`) refer to the class made in its place."""
    for item in new.__dict__.values():
        function: Any
        if isinstance(item, (classmethod, staticmethod)):
            function = item.__func__
        elif isinstance(item, property):
            function = item.fget
        elif isinstance(item, cached_property):
            function = item.func
        else:
            function = item
        for cell in getattr(function, "__closure__", None) or ():
            try:
                if cell.cell_contents is old:
                    cell.cell_contents = new
            except ValueError:  # an empty cell
                continue


def _make(cls, is_frozen: bool):
    own = _own_fields(cls)
    own_names = {f.name for f in own}
    inherited = _inherited_fields(cls, own_names)
    all_fields = [*inherited, *own]
    _check_order(cls, all_fields)
    if not is_frozen and any(f.converter for f in all_fields):
        raise TypeError(f"{cls.__qualname__}: a mutable record does not convert its fields")
    namespace = {k: v for k, v in cls.__dict__.items() if k not in own_names and k not in ("__dict__", "__weakref__")}
    inherited_names = {f.name for f in inherited}
    slots = [f.name for f in own if f.name not in inherited_names]
    bases = cls.__mro__[1:]
    if not any("__weakref__" in b.__dict__ for b in bases):
        slots.append("__weakref__")
    cached = any(isinstance(v, cached_property) for v in namespace.values())
    if cached and not any("__dict__" in b.__dict__ for b in bases):
        slots.append("__dict__")  # where `cached_property` keeps its values
    namespace["__slots__"] = tuple(slots)
    namespace["__qualname__"] = cls.__qualname__  # not in the class's `__dict__`: `A.B`, not `B`
    namespace["__record_fields__"] = tuple(all_fields)
    namespace["_declared"] = tuple(own)
    namespace["__match_args__"] = tuple(f.name for f in all_fields if f.init and not f.kw_only)
    namespace["_state_values"] = _tuple_of(tuple(f.name for f in all_fields))
    for name, method in [("__repr__", record_repr), ("__getstate__", _getstate), ("__setstate__", _setstate)]:
        if name not in cls.__dict__:
            namespace[name] = method
    if "__eq__" not in cls.__dict__:
        compared = tuple(f.name for f in all_fields if f.eq)
        namespace["_compared"] = compared
        namespace["_compared_values"] = _tuple_of(compared)
        namespace["__eq__"] = record_eq
        if "__hash__" not in cls.__dict__:
            namespace["__hash__"] = record_hash if is_frozen else None
    if is_frozen:
        namespace["__setattr__"], namespace["__delattr__"] = _frozen_setattr, _frozen_delattr
    made = type(cls)(cls.__name__, cls.__bases__, namespace)
    if "__init__" not in cls.__dict__:
        made.__init__ = _lazy_init(made)
    made._stores = tuple(_slot_of(made, f.name).__set__ for f in all_fields)
    _rebound(cls, made)
    return made


def _lazy_init(cls):
    """An `__init__` that compiles the class's own the first time it is called, and puts it in its place."""

    def __init__(self, *args, **kwargs):
        compiled = _compiled_init(cls)
        type.__setattr__(cls, "__init__", compiled)
        compiled(self, *args, **kwargs)

    __init__.__qualname__ = f"{cls.__qualname__}.__init__"
    return __init__


def _compiled_init(cls):
    """The class's `__init__`, as attrs writes it: each field set through its slot."""
    scope: dict[str, Any] = {"NOTHING": NOTHING}
    positional: list[str] = []
    keywords: list[str] = []
    body: list[str] = []
    for index, f in enumerate(cls.__record_fields__):
        store = f"_store{index}"
        scope[store] = _slot_of(cls, f.name).__set__
        factory = f.default.factory if isinstance(f.default, _Factory) else None
        if f.init:
            if f.default is NOTHING:
                parameter, value = f.alias, f.alias
            elif factory is not None:
                scope[f"_factory{index}"] = factory
                parameter, value = f"{f.alias}=NOTHING", f"_factory{index}() if {f.alias} is NOTHING else {f.alias}"
            else:
                scope[f"_default{index}"] = f.default
                parameter, value = f"{f.alias}=_default{index}", f.alias
            (keywords if f.kw_only else positional).append(parameter)
        elif f.default is NOTHING:
            continue  # neither given nor defaulted: left unset, as attrs leaves it
        elif factory is not None:
            scope[f"_factory{index}"] = factory
            value = f"_factory{index}()"
        else:
            scope[f"_default{index}"] = f.default
            value = f"_default{index}"
        if f.converter is not None:
            scope[f"_convert{index}"] = f.converter
            value = f"_convert{index}({value})"
        body.append(f"    {store}(self, {value})")
    if hasattr(cls, "__attrs_post_init__"):
        body.append("    self.__attrs_post_init__()")
    parameters = ", ".join(["self", *positional, *(["*", *keywords] if keywords else [])])
    source = f"def __init__({parameters}):\n" + ("\n".join(body) or "    pass") + "\n"
    exec(compile(source, f"<record {cls.__module__}.{cls.__qualname__}>", "exec"), scope)
    made = scope["__init__"]
    made.__qualname__ = f"{cls.__qualname__}.__init__"
    made.__module__ = cls.__module__
    return made


if TYPE_CHECKING:
    from attrs import NOTHING, Factory, define, evolve, field, fields, frozen, has
else:
    NOTHING = _Nothing()

    Factory = _Factory

    def field(*, default=NOTHING, factory=None, eq=True, repr=True, init=True, kw_only=False, converter=None):
        """A field declared with options: `name: T = field(default=…, eq=False, repr=False, kw_only=True)`."""
        if factory is not None:
            if default is not NOTHING:
                raise ValueError("a field has a default or a factory, not both")
            default = _Factory(factory)
        return Field("", default, eq, repr, init, kw_only, converter)

    def frozen(maybe_cls=None):
        """A record that refuses assignment: attrs' `frozen`."""
        return _make(maybe_cls, True) if maybe_cls is not None else lambda cls: _make(cls, True)

    def define(maybe_cls=None):
        """A mutable record: attrs' `define`."""
        return _make(maybe_cls, False) if maybe_cls is not None else lambda cls: _make(cls, False)

    def has(cls) -> bool:
        """Whether `cls` is a record class."""
        return isinstance(cls, type) and hasattr(cls, "__record_fields__")

    def fields(cls) -> tuple[Field, ...]:
        """The fields of a record class, in order."""
        if not has(cls):
            raise TypeError(f"{cls!r} is not a record class")
        return cls.__record_fields__

    def evolve(record, **changes):
        """A copy of `record` with some fields changed (named as `__init__` names them)."""
        for f in record.__class__.__record_fields__:
            if f.init and f.alias not in changes:
                changes[f.alias] = getattr(record, f.name)
        return record.__class__(**changes)
