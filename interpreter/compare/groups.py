"""Breakdowns: budgets by group of structures — a region, a zone, a size band — which is how boards
read a reform.

`--par COLONNE` groups by the values of any population column (a donnée or not: région,
département, statut…); `--par patientele=2000,4000,8000` groups a numeric column into bands
(`< 2 000`, `2 000 – 4 000`, …, `≥ 8 000`). Per group: structures, budget, mean payment, and for an
impact the change, the winners and the losers.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING

import polars as pl

from dsl.diagnostics import Diagnostic, suggest
from dsl.errors import ConvcheckError
from dsl.records import frozen
from interpreter.compare.guarantee import top_ups
from interpreter.compare.sums import checked_sum, exact_sum
from interpreter.io.numbers import NumberProblem, read_number
from interpreter.io.tables import unsupported
from interpreter.numbers import french_number
from interpreter.ondemand import np

if TYPE_CHECKING:
    from interpreter.io.tables import Population

MISSING = "(vide)"
INVISIBLE = r"[\p{Cc}\p{Cf}\p{Co}]"  # control, format and private-use characters


def visible(text: str) -> str:
    """A group's name with its invisible characters written as escapes (`nord\\x07`): a value of the population
    is shown as it is, but cannot ring the terminal, colour it (`\\x1b[31m`) or draw a missing glyph in a chart."""
    return "".join(_escaped(c) if unicodedata.category(c) in ("Cc", "Cf", "Co", "Cs") else c for c in text)


def _escaped(character: str) -> str:
    code = ord(character)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


class GroupingError(ConvcheckError):
    """A `--par` that cannot be applied: its diagnostics."""

    def __init__(self, diagnostics: list[Diagnostic]):
        super().__init__(f"{len(diagnostics)} problem(s)", diagnostics)


@frozen
class Grouping:
    """One `--par`: a column, and the band limits when it is numeric and banded."""

    column: str
    bands: tuple[Decimal, ...] = ()

    @classmethod
    def parse(cls, text: str) -> Grouping:
        column, _, limits = text.partition("=")
        column = column.strip()
        if not column:
            raise GroupingError(
                [
                    Diagnostic(
                        "groupement-invalide",
                        f"« --par {text} » : il manque le nom de la colonne",
                        file="--par",
                        suggestion="par exemple --par region ou --par patientele=2000,4000",
                    )
                ]
            )
        bands = []
        for part in (p for p in limits.split(",") if p.strip()) if limits else ():
            value = read_number(part.strip(), "nombre")
            if isinstance(value, NumberProblem):
                raise GroupingError(
                    [
                        Diagnostic(
                            "groupement-invalide",
                            f"« --par {text} » : « {part.strip()} » n'est pas un nombre",
                            file="--par",
                            suggestion="les bornes se séparent par des virgules : --par patientele=2000,4000,8000",
                        )
                    ]
                )
            bands.append(value)
        if bands != sorted(set(bands)):
            raise GroupingError(
                [
                    Diagnostic(
                        "groupement-invalide",
                        f"« --par {text} » : les bornes doivent croître",
                        file="--par",
                        suggestion="écrivez-les dans l'ordre : 2000,4000,8000",
                    )
                ]
            )
        return cls(column, tuple(bands))

    @property
    def title(self) -> str:
        return f"{self.column} (tranches)" if self.bands else self.column

    def labels(self, frame: pl.DataFrame, origin: str, header: Sequence[str] = ()) -> np.ndarray:
        """The group of each row of a population as read (`header`: every column of the file)."""
        if self.column not in frame.columns:
            header = header or frame.columns
            raise GroupingError(
                [
                    Diagnostic(
                        "groupement-invalide",
                        f"« --par {self.column} » : la population n'a pas de colonne « {self.column} »",
                        file=origin,
                        suggestion=suggest(self.column, header) or f"colonnes : {', '.join(header)}",
                    )
                ]
            )
        values = frame[self.column]
        if what := unsupported(values.dtype):  # a column of lists or structs: no group for a structure
            raise GroupingError(
                [
                    Diagnostic(
                        "groupement-invalide",
                        f"« --par {self.column} » : la colonne « {self.column} » contient {what} "
                        f"(type {values.dtype}), pas une valeur par structure",
                        file=origin,
                        suggestion="groupez par une colonne qui donne une seule valeur (texte ou nombre) par structure",
                    )
                ]
            )
        if not self.bands:
            text = values.cast(pl.String).fill_null(MISSING).replace("", MISSING)
            if text.str.contains(INVISIBLE).any():  # a control character never reaches a terminal, a page or a chart
                text = text.map_elements(visible, return_dtype=pl.String)
            return text.to_numpy().astype(object)
        return self._banded(values, origin)

    def _banded(self, values: pl.Series, origin: str) -> np.ndarray:
        names = band_names(self.bands)
        result = np.empty(len(values), dtype=object)
        for row, raw in enumerate(values.to_list()):
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                result[row] = MISSING
                continue
            number = read_number(raw if isinstance(raw, (str, int)) else str(raw), "nombre")
            if isinstance(number, NumberProblem):
                raise GroupingError(
                    [
                        Diagnostic(
                            "groupement-invalide",
                            f"« --par {self.column}=… » : la valeur « {raw} » (rangée {row + 1}) n'est pas un nombre",
                            file=origin,
                            suggestion="les tranches ne s'appliquent qu'à une colonne de nombres",
                        )
                    ]
                )
            result[row] = names[sum(number >= limit for limit in self.bands)]
        return result

    def order(self, labels) -> list[str]:
        """The groups in reading order: bands from low to high, values alphabetically, empty last."""
        present = set(labels)
        if self.bands:
            return [name for name in [*band_names(self.bands), MISSING] if name in present]
        return sorted(present - {MISSING}) + ([MISSING] if MISSING in present else [])


def band_names(bands: tuple[Decimal, ...]) -> list[str]:
    """`< 2 000`, `2 000 – 4 000`, …, `≥ 8 000`."""
    texts = [french_number(b) for b in bands]
    return [f"< {texts[0]}", *(f"{a} – {b}" for a, b in zip(texts, texts[1:], strict=False)), f"≥ {texts[-1]}"]


@frozen
class GroupRow:
    """The figures of one group."""

    group: str
    structures: int
    budget: int  # cents (after, for an impact)
    budget_before: int | None = None
    gain: int = 0
    lose: int = 0
    losses: int = 0  # what its structures that lose lose, in all (cents, positive; an impact)
    guarantee: int | None = None  # what the guarantee pays its structures (cents; `diff --garantie`)

    @property
    def mean(self) -> Decimal:
        return Decimal(self.budget) / 100 / self.structures if self.structures else Decimal(0)

    @property
    def delta(self) -> int | None:
        return None if self.budget_before is None else self.budget - self.budget_before


def simulation_groups(grouping: Grouping, labels: np.ndarray, totals: np.ndarray) -> tuple[GroupRow, ...]:
    """Per group of a simulation: structures, budget."""
    return tuple(
        GroupRow(
            name, int((labels == name).sum()), checked_sum(totals[labels == name], f"le budget du groupe « {name} »")
        )
        for name in grouping.order(labels)
    )


def impact_groups(
    grouping: Grouping, labels: np.ndarray, before: np.ndarray, after: np.ndarray, share: Fraction | None = None
) -> tuple[GroupRow, ...]:
    """Per group of an impact: structures, budgets before and after, winners and losers, what the losers lose
    and (with a guarantee's `share`) what topping them up costs."""
    rows = []
    for name in grouping.order(labels):
        inside = labels == name
        change = after[inside] - before[inside]
        cost = None if share is None else exact_sum(top_ups(change, share))
        rows.append(
            GroupRow(
                name,
                int(inside.sum()),
                checked_sum(after[inside], f"le budget après du groupe « {name} »"),
                checked_sum(before[inside], f"le budget avant du groupe « {name} »"),
                int((change > 0).sum()),
                int((change < 0).sum()),
                -exact_sum(np.minimum(change, 0)),
                cost,
            )
        )
    return tuple(rows)


def labels_by_id(
    grouping: Grouping, population: Population, ids: np.ndarray, frame: pl.DataFrame | None = None
) -> np.ndarray:
    """The group of each structure of `ids`, from the population's rows as read (or from `frame`, its rows
    read again)."""
    frame = population.frame if frame is None else frame
    labels = grouping.labels(frame, population.path, population.header)
    where = {str(id): label for id, label in zip(frame["id"].cast(pl.String).to_list(), labels, strict=False)}
    return np.array([where.get(str(id), MISSING) for id in ids], dtype=object)
