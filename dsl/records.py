"""convcheck's records: attrs classes (`frozen`, `define`) whose `__repr__` is one function, not one per class.

attrs compiles the methods of each class it makes, and the `__repr__` is the costliest of them: 0.1 ms a class,
0.016 s of the 140 classes `convcheck simulate` imports before it reads a file. `record_repr` writes the same
text as attrs' own — `Number(value=Decimal('4000'))`: the fields shown, in order, each by `repr` or by its
field's own function, `...` for a record met again inside itself. A class that writes its own `__repr__`, or
asks for `repr=False`, keeps it. Type checkers see attrs' decorators themselves.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

import attrs

__all__ = ["define", "frozen", "record_repr"]

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


def _with_repr(make, maybe_cls, options: dict[str, Any]):
    if options.get("repr") is not None:  # the class asks for its own
        return make(maybe_cls, **options)

    def build(cls):
        made = make(cls, **options, repr=False)
        if "__repr__" not in cls.__dict__:
            made.__repr__ = record_repr
        return made

    return build if maybe_cls is None else build(maybe_cls)


if TYPE_CHECKING:
    from attrs import define, frozen
else:

    def frozen(maybe_cls=None, **options):
        """`attrs.frozen`, with `record_repr`."""
        return _with_repr(attrs.frozen, maybe_cls, options)

    def define(maybe_cls=None, **options):
        """`attrs.define`, with `record_repr`."""
        return _with_repr(attrs.define, maybe_cls, options)
