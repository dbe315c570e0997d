"""The values of a sweep as the command line writes them (`balaye --valeurs`, `--de`, `--a`, `--pas`), read once the
paramètre's type is known: `7,5 €`, `4 000`, `5 %` (for a pourcentage paramètre, `5` is 5 %).

`--valeurs` separates values by « ; », so that each may use a decimal comma (`5 %; 7,5 %; 10 %`); without
« ; », commas separate them (`7,7.5,8`) and a list that looks like it split a decimal comma is refused.
A light module: the command line reads the values before any population is read.
"""

from __future__ import annotations

from decimal import Decimal

from dsl.diagnostics import ConvError, Diagnostic
from dsl.records import frozen
from interpreter.io.numbers import NumberProblem, read_number


@frozen
class Grid:
    """`--de A --a B --pas C`, as written: read once the paramètre's type is known (`5` is 5 % for a pourcentage)."""

    start: str
    stop: str
    step: str

    def values(self, kind: str) -> list[Decimal]:
        return values_between(
            *(
                read_value(text, option, kind)
                for text, option in ((self.start, "--de"), (self.stop, "--a"), (self.step, "--pas"))
            )
        )


def split_values(text: str) -> list[str]:
    """The values of `--valeurs`: separated by « ; » — each may then use a decimal comma (`5 %; 7,5 %; 10 %`) —, or,
    without « ; », by commas (`7,7.5,8`: decimals with a point). A comma list that mixes values with and without a
    unit (`5 %,7,5 %`: the comma of 7,5 read as a separator) is refused rather than misread."""
    if ";" in text:
        return [part.strip() for part in text.split(";") if part.strip()]
    parts = [part.strip() for part in text.split(",") if part.strip()]
    units = {part.rstrip()[-1:] in ("%", "€") or part.upper().endswith("EUR") for part in parts}
    if len(units) > 1:
        raise ConvError(
            [
                Diagnostic(
                    "balayage-invalide",
                    f"--valeurs « {text} » : les virgules séparent ici les "
                    "valeurs, et certaines ont une unité, d'autres non — une virgule décimale ?",
                    file="--valeurs",
                    suggestion='séparez les valeurs par des points-virgules, par exemple --valeurs "5 %; 7,5 %; 10 %"',
                )
            ]
        )
    return parts


def read_value(text: str, option: str, kind: str) -> Decimal:
    """One value of the paramètre, as written on the command line: `7,5 €`, `4 000`, `5 %` (for a pourcentage, `5`
    is 5 %; for a nombre, `5 %` is 0.05)."""
    percent = kind == "pourcentage" or kind == "nombre" and text.strip().endswith("%")
    value = read_number(text.strip(), "pourcentage" if percent else kind)
    if isinstance(value, NumberProblem):
        expected = {
            "montant": "un montant (par exemple « 7,5 € »)",
            "pourcentage": "un pourcentage (par exemple « 7,5 % »)",
        }.get(kind, "un nombre")
        raise ConvError(
            [
                Diagnostic(
                    "balayage-invalide",
                    value.message(option, expected),
                    file=option,
                    suggestion=value.hint
                    or 'séparez plusieurs valeurs par des points-virgules : --valeurs "7; 7,5; 8"',
                )
            ]
        )
    return Decimal(value)


def resolve_values(values, kind: str) -> list[Decimal]:
    """The values of a sweep: a `Grid`, or values (Decimals, or texts read for the paramètre's type)."""
    if isinstance(values, Grid):
        return values.values(kind)
    return [read_value(v, "--valeurs", kind) if isinstance(v, str) else Decimal(v) for v in values]


def values_between(start: Decimal, stop: Decimal, step: Decimal) -> list[Decimal]:
    """`--de A --a B --pas C`: A, A + C, …, up to B included."""
    if step <= 0:
        raise ConvError(
            [
                Diagnostic(
                    "balayage-invalide",
                    "le pas doit être positif",
                    file="--pas",
                    suggestion="par exemple --de 7 --a 9 --pas 0.25",
                )
            ]
        )
    count = int((stop - start) / step) + 1
    if count < 1:
        raise ConvError([Diagnostic("balayage-invalide", "« --a » doit être au moins « --de »", file="--a")])
    if count > 10_000:
        raise ConvError(
            [
                Diagnostic(
                    "balayage-invalide",
                    f"{count} valeurs : c'est plus de 10 000",
                    file="--pas",
                    suggestion="prenez un pas plus grand",
                )
            ]
        )
    return [start + i * step for i in range(count)]
