"""How the checker's messages write values: a type with its article, a number, the literal a type expects.

A leaf of the checker.
"""

from __future__ import annotations

from decimal import Decimal

from dsl.model import Type


def an(type_: Type) -> str:
    """The kind of a value with its French article: « un nombre », « une date » (an entier or a
    pourcentage is a nombre in expressions)."""
    return f"{'une' if type_.value_kind == 'date' else 'un'} {Type(type_.value_kind, type_.choices)}"


def plain(value: Decimal | None) -> str:
    """A number as written in a message: `7`, `0.5` (« … » when there is none)."""
    if value is None:
        return "…"
    text = format(value.normalize(), "f") if value == value.to_integral_value() else format(value, "f")
    return text


def literal_hint(type_: Type) -> str:
    """How to write a literal of a type, for a value written wrong."""
    return {
        "booleen": "écrivez « vrai » ou « faux »",
        "date": "écrivez une date AAAA-MM-JJ",
        "montant": "écrivez un montant en euros, par exemple « 7 € »",
        "pourcentage": "écrivez un pourcentage, par exemple « 50 % »",
    }.get(type_.kind, "écrivez un nombre, par exemple « 4000 »")
