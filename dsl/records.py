"""convcheck's records: attrs classes (`frozen`, `define`) whose `__repr__`, `__eq__` and `__hash__` are one
function each, not compiled anew for every class.

attrs compiles the methods of each class it makes: 0.3 ms a class, and `convcheck simulate` imports 140 classes
before it reads a file (most of them only for the checked version it unpickles). The methods that do not depend
on how a record is built are written once here, with attrs' own meaning:
- `record_repr` writes the same text as attrs' `__repr__` — `Number(value=Decimal('4000'))`: the fields shown,
  in order, each by `repr` or by its field's own function, `...` for a record met again inside itself;
- `record_eq` is attrs' `__eq__`: a record equals another of the very same class whose fields compared (those not
  declared `eq=False`) are equal, one after the other;
- `record_hash` is consistent with it, for a `frozen` record; a `define` record, mutable, is unhashable.
attrs still makes each class's `__init__`, its slots, `attrs.fields` and `attrs.evolve`. A class that writes its
own method, or passes the option itself (`repr=…`, `eq=…`), keeps attrs' way. Type checkers see attrs' decorators
themselves.
"""

from __future__ import annotations

import threading
from operator import attrgetter
from typing import TYPE_CHECKING, Any

import attrs

__all__ = ["define", "frozen", "record_eq", "record_hash", "record_repr"]

_shown = threading.local()  # the records being written, in this thread (a record inside itself is `...`)


def record_repr(self) -> str:
    """A record as attrs writes it: its class, then each field that is shown."""
    writing: set[int] = _shown.__dict__.setdefault("ids", set())
    if id(self) in writing:
        return "..."
    writing.add(id(self))
    try:
        fields = ", ".join(
            f"{field.name}={(repr if field.repr is True else field.repr)(getattr(self, field.name, attrs.NOTHING))}"
            for field in type(self).__attrs_attrs__
            if field.repr is not False
        )
        return f"{type(self).__qualname__.rsplit('>.', 1)[-1]}({fields})"
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


def _no_values(record) -> tuple:
    return ()


def _record(make, maybe_cls, options: dict[str, Any], hashable: bool):
    generated = {"repr", "eq"} - set(options)  # the methods written here, unless the class passes the option

    def build(cls):
        made = make(cls, **options, **dict.fromkeys(generated, False))
        if "repr" in generated and "__repr__" not in cls.__dict__:
            made.__repr__ = record_repr
        if "eq" in generated and "__eq__" not in cls.__dict__:
            made._compared = tuple(field.name for field in made.__attrs_attrs__ if field.eq)
            made._compared_values = attrgetter(*made._compared) if made._compared else _no_values
            made.__eq__ = record_eq
            if "__hash__" not in cls.__dict__:
                made.__hash__ = record_hash if hashable else None
        return made

    return build if maybe_cls is None else build(maybe_cls)


if TYPE_CHECKING:
    from attrs import define, frozen
else:

    def frozen(maybe_cls=None, **options):
        """`attrs.frozen`, with `record_repr`, `record_eq` and `record_hash`."""
        return _record(attrs.frozen, maybe_cls, options, hashable=True)

    def define(maybe_cls=None, **options):
        """`attrs.define`, with `record_repr` and `record_eq` (unhashable, as attrs makes it)."""
        return _record(attrs.define, maybe_cls, options, hashable=False)
