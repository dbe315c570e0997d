"""Paramètres: their values, and a new value checked against the version's.

Each paramètre's value is lowered once (in `dsl.check.expressions`). A new value — given by `--set`, by a
scenario, or by an avenant — must name a known paramètre, be a constant of the same type, and be written
in the same unit (`8` is not `8 %`). Also the existing paramètre that a new one of an avenant most looks
like (`ajoute paramètres` for a paramètre that was meant to be redefined).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Mapping
from typing import cast

from dsl import ir
from dsl import nodes as n
from dsl.check.declarations import collect
from dsl.check.environment import Environment
from dsl.check.expressions import parametre_value
from dsl.check.wording import an, literal_hint, plain
from dsl.diagnostics import Diagnostic, Note, suggest
from dsl.model import Model, Parametre
from dsl.printer import print_expr
from dsl.records import evolve

# Words too common in the names and labels of paramètres to say that two of them are the same.
GENERIC_WORDS = frozenset(
    {
        "montant",
        "montants",
        "points",
        "point",
        "taux",
        "seuil",
        "nombre",
        "niveau",
        "part",
        "plafond",
        "minimum",
        "maximum",
        "valeur",
        "pour",
        "dans",
        "avec",
        "sans",
        "structure",
        "structures",
        "reference",
        "patientele",
        "annee",
        "fixe",
        "variable",
        "variables",
    }
)


def check_parametres(env: Environment) -> dict[str, Parametre]:
    """Every paramètre whose value is right, lowered."""
    result = {}
    for id, node in env.parametre_nodes.items():
        value = parametre_value(env, id)
        if value is not None:
            result[id] = Parametre(id, node.label, value, value.type, node)
    return result


def check_overrides(
    model: Model, overrides: dict[str, n.Expr], id_spans: dict | None = None
) -> tuple[dict[str, ir.Expr], list[Diagnostic]]:
    """Check and lower `--set` values (and a scenario's paramètres): known paramètres, constant
    expressions of the same type, no cycle. Gives the IR of each value that is right. An unknown id is
    shown at its span in `id_spans` when it has one (a scenario's line), else at its value."""
    env = Environment(model.file)
    collect(env)
    diagnostics: list[Diagnostic] = []
    known = {}
    for id, expr in overrides.items():
        if id not in model.parametres:
            span = (id_spans or {}).get(id, expr.span)
            diagnostics.append(
                Diagnostic(
                    "parametre-inconnu",
                    f"paramètre inconnu « {id} »",
                    span=span,
                    suggestion=suggest(id, model.parametres)
                    or f"paramètres : {', '.join(model.parametres) or 'aucun'}",
                )
            )
            continue
        mismatch = unit_mismatch(model.parametres[id].node.value, expr, id)
        if mismatch is not None:
            diagnostics.append(
                Diagnostic(
                    "unite-parametre",
                    mismatch[0],
                    span=expr.span,
                    suggestion=mismatch[1],
                    notes=[Note("valeur de la version", n.parsed_span(model.parametres[id].node.value.span))],
                )
            )
            continue
        _override(env, id, expr)
        known[id] = expr
    env.diagnostics = []
    lowered = {}
    for id, expr in known.items():
        value = parametre_value(env, id)
        expected = model.parametres[id].type
        if value is not None and value.type.value_kind != expected.value_kind:
            env.error(
                "type-incompatible",
                f"« {id} » est {an(expected)}, la valeur donnée est {an(value.type)}",
                expr.span,
                suggestion=literal_hint(expected),
            )
        elif value is not None:
            lowered[id] = value
    return lowered, diagnostics + env.diagnostics


def _override(env: Environment, id: str, expr: n.Expr) -> None:
    """Replace the expression of a paramètre (`--set`, a scenario) before it is lowered."""
    env.parametre_nodes[id] = evolve(env.parametre_nodes[id], value=expr)
    env.parametre_values.pop(id, None)


# ---- units -----------------------------------------------------------------------------------------------------


def written_unit(expr: n.Expr) -> str | None:
    """How a constant is written: « % » for `40 %`, « nombre » for `40`, None for anything else (`7 €` is
    typed a montant: the types tell it apart)."""
    match expr:
        case n.Percent():
            return "%"
        case n.Number():
            return "nombre"
        case n.Neg(operand=operand):
            return written_unit(operand)
    return None


def unit_mismatch(old: n.Expr, new: n.Expr, id: str) -> tuple[str, str] | None:
    """A new value of a paramètre written as a plain number where the old one was a percentage, or the
    other way round (`taux = 8` for `8 %` means 800 %): the message and the fix, or None. Zero is zero."""
    before, after = written_unit(old), written_unit(new)
    if before is None or after is None or before == after or (isinstance(new, n.Number) and new.value == 0):
        return None
    shown = print_expr(new)
    if before == "%":
        value = cast(n.Number, new.operand if isinstance(new, n.Neg) else new).value
        meant = f"{'-' if isinstance(new, n.Neg) else ''}{plain(value * 100 if value <= 1 else value)} %"
        return (
            f"« {id} » s'écrit en pourcentage (« {print_expr(old)} ») : « {shown} » est un nombre sans « % », "
            f"qui vaudrait {plain(value * 100)} %",
            f"écrivez « {meant} »",
        )
    percent = new.operand if isinstance(new, n.Neg) else new
    written = print_expr(percent).replace("%", "").strip()
    return (
        f"« {id} » s'écrit comme un nombre (« {print_expr(old)} ») : « {shown} » est un pourcentage, qui vaut "
        f"{plain(cast(n.Percent, percent).value / 100)}",
        f"écrivez « {written} » sans « % »",
    )


# ---- the closest existing paramètre ------------------------------------------------------------------------------


def close_parametre(new: n.Parametre, existing: Mapping[str, n.Parametre]) -> str | None:
    """The existing paramètre a new one most looks like — by its name, or by the meaningful words of its
    name and label found in an existing one's, preferring a value written in the same unit — or None."""
    words = _words(new.id) | (_words(new.label) if new.label else set())
    scored = []
    for id, old in existing.items():
        theirs = _words(id) | (_words(old.label) if old.label else set())
        shared = sum(
            any(a == b or (min(len(a), len(b)) >= 6 and (a.startswith(b) or b.startswith(a))) for b in theirs)
            for a in words
        )
        ratio = difflib.SequenceMatcher(None, new.id, id).ratio()
        if shared or ratio >= 0.75:
            same_unit = type(old.value) is type(new.value) and isinstance(new.value, (n.Money, n.Percent, n.Number))
            scored.append((shared + same_unit + (ratio >= 0.75), ratio, id))
    return max(scored)[2] if scored else None


def _words(text: str) -> set[str]:
    """The meaningful words of a name or a label, folded: « Concertation pluriprofessionnelle » → concertation…"""
    folded = unicodedata.normalize("NFD", text.lower())
    bare = "".join(c for c in folded if not unicodedata.combining(c))
    return {w for w in re.split(r"[^a-z0-9]+", bare) if len(w) >= 4 and w not in GENERIC_WORDS and not w.isdigit()}
