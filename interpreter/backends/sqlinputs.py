"""The first stage of the SQL query, `entrees`: the table of structures read, typed and checked.

Each donnée's column is typed (numbers as DECIMALs of known precision, a pourcentage from percent to a
share), an empty cell taking the donnée's default, and checked as the population readers check a file (a
missing value, a value out of its range or beyond the limits, too many decimals, a choice not in the list,
an empty or repeated `id`).
"""

from __future__ import annotations

from fractions import Fraction

from sqlglot import exp

from dsl.limits import LIMIT, MAX_DECIMALS
from dsl.model import Model
from interpreter.backends import sqlarith as a
from interpreter.backends.sqlarith import column, first_fault, identifier, text
from interpreter.numbers import conv_text

INPUT_SCALES = {"entier": 0, "nombre": MAX_DECIMALS, "montant": MAX_DECIMALS, "pourcentage": MAX_DECIMALS}


def input_bound(donnee, scale_of_percent: int = 1) -> Fraction:
    """A bound on |value| of a numeric donnée: its range, else the limit every input respects."""
    if donnee.low is not None and donnee.high is not None:
        return Fraction(max(abs(donnee.low), abs(donnee.high)))
    return Fraction(LIMIT, scale_of_percent)


def input_column(donnee, scale: int, checks: bool) -> tuple[exp.Expression, list[tuple[exp.Expression, str]]]:
    """A donnée read from the table: its typed expression, and (with `checks`) the rows where it is invalid
    with why — as the population readers say it, in short."""
    raw: exp.Expression = column(donnee.id)
    kind = donnee.type.kind
    if donnee.default is not None:  # an empty cell (NULL) takes the donnée's default
        raw = exp.Coalesce(this=raw, expressions=[default_cell(donnee)])
    faults: list[tuple[exp.Expression, str]] = [
        (exp.Is(this=raw.copy(), expression=exp.Null()), f"« {donnee.id} » : valeur manquante")
    ]
    if kind == "booleen":
        return a.cast(raw, "BOOLEAN"), faults
    if kind == "date":
        return a.cast(raw, "DATE"), faults
    if kind == "choix":
        value = a.cast(raw, "VARCHAR")
        outside: exp.Expression = exp.Not(
            this=exp.In(this=value.copy(), expressions=[text(c) for c in donnee.type.choices])
        )
        faults.append((outside, f"« {donnee.id} » n'est pas une des valeurs {', '.join(donnee.type.choices)}"))
        return value, faults
    percent = kind == "pourcentage"
    bound = input_bound(donnee, 100 if percent else 1) * (100 if percent else 1)
    low, high = (None if b is None else Fraction(b) * (100 if percent else 1) for b in (donnee.low, donnee.high))
    numbers = a.Arithmetic("postgres")
    if low is not None or high is not None:
        outside = a.or_(
            *(a.binary(op, raw, numbers.literal(b).sql) for b, op in ((low, exp.LT), (high, exp.GT)) if b is not None)
        )
        shown = f"entre {conv_text(donnee.low, donnee.type)} et {conv_text(donnee.high, donnee.type)}"
        faults.append((outside, f"« {donnee.id} » hors de l'intervalle ({shown})"))
    if low is None or high is None:
        faults.append(
            (
                a.binary(exp.GTE, a.call("ABS", raw), numbers.literal(Fraction(LIMIT)).sql),
                f"« {donnee.id} » trop grand : la valeur absolue doit rester inférieure à 10^15",
            )
        )
    if kind == "entier":
        faults.append(
            (
                a.binary(exp.NEQ, a.binary(exp.Mod, raw, exp.Literal.number(1)), exp.Literal.number(0)),
                f"« {donnee.id} » attend un nombre entier",
            )
        )
    elif scale == MAX_DECIMALS:
        billion = a.cast(exp.Literal.number(10**MAX_DECIMALS), a.decimal_type(MAX_DECIMALS + 1, 0))
        shifted = a.binary(exp.Mul, raw, billion)  # a DECIMAL factor: an integer column is not multiplied as BIGINT
        faults.append(
            (
                a.binary(exp.NEQ, a.binary(exp.Mod, shifted, exp.Literal.number(1)), exp.Literal.number(0)),
                f"« {donnee.id} » a trop de décimales : {MAX_DECIMALS} au plus",
            )
        )
    typed = a.cast(raw, a.decimal_type(a.int_digits(bound) + scale, scale))
    if checks and len(faults) > 1:  # one WHEN per check, in order: a check is computed only where the others held
        typed = exp.Case(ifs=[exp.If(this=f.copy(), true=exp.Null()) for f, _ in faults], default=typed)
    if percent:
        fraction_bound = bound / 100
        typed = a.cast(
            a.binary(exp.Mul, typed, exp.Literal.number("0.01")),
            a.decimal_type(a.int_digits(fraction_bound) + scale + 2, scale + 2),
        )
    return typed, faults


def default_cell(donnee) -> exp.Expression:
    """A donnée's default (`par défaut`) as a cell of the table holds it (a pourcentage in percent)."""
    assert donnee.default is not None  # asked only of données with a default
    value = donnee.default.value
    kind = donnee.type.kind
    if kind == "booleen":
        return exp.true() if value else exp.false()
    if kind == "date":
        return a.cast(exp.Literal.string(value.isoformat()), "DATE")
    if kind == "choix":
        return exp.Literal.string(value)
    return a.Arithmetic("postgres").literal(Fraction(value) * (100 if kind == "pourcentage" else 1)).sql


def id_faults() -> list[tuple[exp.Expression, str]]:
    """The rows whose `id` is empty or given twice."""
    name = a.cast(column("id"), "VARCHAR")
    blank = a.or_(
        exp.Is(this=column("id"), expression=exp.Null()), exp.EQ(this=exp.Trim(this=name), expression=text(""))
    )
    twice = exp.GT(
        this=exp.Window(this=exp.Count(this=exp.Star()), partition_by=[column("id")]), expression=exp.Literal.number(1)
    )
    return [(blank, "identifiant « id » vide"), (twice, "identifiant « id » en double")]


def entrees(
    model: Model, read: list[str], table: str, scales: dict, error: str | None, extra: tuple[str, ...] = ()
) -> exp.Select:
    """The first stage: `id`, the columns passed through (`extra`) and the données `read`, typed; when checked, the
    column named `error` (`erreur_entrees`, unless a donnée has that name) with the first reason a row is invalid."""
    checks = error is not None
    columns: list[exp.Expr] = [a.cast(column("id"), "VARCHAR").as_(identifier("id")), *(column(name) for name in extra)]
    faults = id_faults() if checks else []
    for id in read:
        typed, invalid = input_column(model.donnees[id], scales.get(id, 0), checks)
        columns.append(typed.as_(identifier(id)))
        faults += invalid
    if error is not None:
        failed = first_fault(faults)
        assert failed is not None  # the checks of « id » are always there
        columns.append(failed.as_(identifier(error)))
    return exp.select(*columns).from_(exp.to_table(table), copy=False)
