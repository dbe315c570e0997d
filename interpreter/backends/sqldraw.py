"""`tirage(p)` in SQL: the same structures drawn as by the other backends (`interpreter.backends.draw`).

A structure is drawn when `h < p × 2⁶⁴`, `h` being FNV-1a over the UTF-8 bytes of « salt/id » followed
by the SplitMix64 finaliser. DuckDB computes it exactly in unsigned 128-bit integers (`UHUGEINT`): the
FNV state after « salt/ » is worked out here, the id's bytes are folded with `list_reduce`, and each
step of the finaliser binds its input once (`list_transform` of a one-element list), so the expression
stays linear in size. PostgreSQL and Spark have no unsigned 64-bit integers: `tirage` is refused there
with a diagnostic (`sql-tirage`); the drawn donnée can then be given as a column of the table.
"""

from __future__ import annotations

from fractions import Fraction

from sqlglot import exp

from dsl.errors import ConvcheckError
from interpreter.backends import sqlarith as a
from interpreter.backends.draw import FNV_OFFSET, FNV_PRIME, threshold
from interpreter.backends.sqlarith import Dec, Num, Rationals


class NoExactDraw(ConvcheckError):
    """The dialect cannot redo the draw exactly."""


def drawn(dialect: str, numbers: Rationals, salt: str, share: Num) -> exp.Expression | bool:
    """Whether the row's structure is drawn, for a share `p` (a number between 0 and 1): a condition, or a
    constant when `p` leaves no choice. Raises `NoExactDraw` outside DuckDB."""
    if dialect != "duckdb":
        raise NoExactDraw(
            f"« tirage » n'est traduit en SQL que pour duckdb : {dialect} n'a pas d'entiers non signés "
            "de 64 bits pour refaire exactement le même tirage"
        )
    hashed = duckdb_hash(salt)
    if share.value is not None:
        limit = threshold(share.value)
        if limit >= 2**64 or limit == 0:
            return limit > 0
        return exp.LT(this=hashed, expression=a.cast(exp.Literal.number(limit), "UHUGEINT"))
    d = numbers.decimals  # h < p × 2⁶⁴, p = num / den: h × den < num × 2⁶⁴, in exact decimals
    h = Dec(a.cast(hashed, a.decimal_type(20, 0)), 0, Fraction(2**64), 20)
    den = d.literal(Fraction(share.den)) if isinstance(share.den, int) else share.den
    return d.compare("<", d.multiply(h, den), d.multiply(share.num, d.literal(Fraction(2**64))))


def duckdb_hash(salt: str) -> exp.Expression:
    """The 64-bit hash of « salt/id » for the `id` column, in DuckDB (list_reduce over the id's bytes)."""
    state = FNV_OFFSET
    for byte in f"{salt}/".encode():
        state = ((state ^ byte) * FNV_PRIME) % 2**64

    def big(value: int) -> exp.Expression:
        return a.cast(exp.Literal.number(value), "UHUGEINT")

    encoded = exp.Anonymous(this="ENCODE", expressions=[a.cast(exp.column("id"), "VARCHAR")])
    rank = exp.column("rang")
    pair = exp.Anonymous(
        this="SUBSTR",
        expressions=[
            exp.Anonymous(this="HEX", expressions=[encoded.copy()]),
            exp.Add(this=exp.Mul(this=exp.Literal.number(2), expression=rank), expression=exp.Literal.number(1)),
            exp.Literal.number(2),
        ],
    )
    octet = a.cast(a.cast(exp.DPipe(this=exp.Literal.string("0x"), expression=pair), "INTEGER"), "UHUGEINT")
    octets = exp.Anonymous(
        this="LIST_TRANSFORM",
        expressions=[
            exp.Anonymous(
                this="RANGE",
                expressions=[exp.Literal.number(0), exp.Anonymous(this="OCTET_LENGTH", expressions=[encoded.copy()])],
            ),
            exp.Lambda(this=octet, expressions=[exp.to_identifier("rang")]),
        ],
    )
    step = exp.Mod(
        this=exp.Paren(
            this=exp.Mul(
                this=exp.BitwiseXor(this=exp.column("etat"), expression=exp.column("octet")), expression=big(FNV_PRIME)
            )
        ),
        expression=big(2**64),
    )
    hashed = exp.Anonymous(
        this="LIST_REDUCE",
        expressions=[
            exp.Anonymous(this="LIST_PREPEND", expressions=[big(state), octets]),
            exp.Lambda(this=step, expressions=[exp.to_identifier("etat"), exp.to_identifier("octet")]),
        ],
    )
    for shift, multiplier in ((30, 0xBF58476D1CE4E5B9), (27, 0x94D049BB133111EB), (31, None)):
        mixed = exp.BitwiseXor(
            this=exp.column("etat"),
            expression=exp.BitwiseRightShift(this=exp.column("etat"), expression=exp.Literal.number(shift)),
        )
        body = (
            mixed
            if multiplier is None
            else exp.Mod(this=exp.Paren(this=exp.Mul(this=mixed, expression=big(multiplier))), expression=big(2**64))
        )
        hashed = exp.Anonymous(
            this="LIST_EXTRACT",
            expressions=[
                exp.Anonymous(
                    this="LIST_TRANSFORM",
                    expressions=[
                        exp.Array(expressions=[hashed]),
                        exp.Lambda(this=body, expressions=[exp.to_identifier("etat")]),
                    ],
                ),
                exp.Literal.number(1),
            ],
        )
    return hashed
