"""The scalar backend's meaning of each IR node, written once — as Python source.

`Source.expr` turns an IR expression into the text of a Python expression over the structure's
données `d`, the paramètres `p`, the critères met `m`, the result `r` (in `attendu`) and the
structure's id `s`, calling the exact arithmetic of `interpreter.backends.scalar`. A whole
version is compiled the same way: the payment rules (`dsl.payment.settle`) run once over
`CodeBackend`, whose values are Python expressions, and what they emit is one straight-line
function per version — compile once, evaluate many, with Python's own `and`, `or` and `if`
keeping the laziness the language asks for (`et`, `ou`, `si`, amounts computed only when paid).

Python refuses expressions nested too deeply; past `MAX_NESTING` levels a sub-expression becomes
a function of its own, called where it stood (so it is still computed only when reached).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from dsl import ir

MAX_NESTING = 40
ARGUMENTS = "d, p, m, r, s"
OPERATIONS = {"+": "add", "-": "subtract", "*": "multiply", "/": "divide"}
COMPARISONS = {"=": "==", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}


class Source:
    """Python source for IR expressions, with the constants and helper functions it refers to."""

    def __init__(self):
        self.constants: dict[str, Any] = {}
        self.hoisted: list[str] = []

    def constant(self, value) -> str:
        name = f"k{len(self.constants)}"
        self.constants[name] = value
        return name

    def expr(self, expr: ir.Expr, depth: int = 0) -> str:
        """The Python text of an expression (the meaning of each IR node)."""
        if depth > MAX_NESTING:
            name = f"h{len(self.hoisted)}"
            self.hoisted.append("")  # reserve the name before the body, which may hoist more
            self.hoisted[int(name[1:])] = f"def {name}({ARGUMENTS}):\n    return {self.expr(expr)}\n"
            return f"{name}({ARGUMENTS})"
        sub = depth + 1
        match expr:
            case ir.Const(value=v):
                return self.constant(v)
            case ir.DonneeRef(id=id):
                return f"d[{id!r}]"
            case ir.ParametreRef(id=id):
                return f"p[{id!r}]"
            case ir.Met(id=id):
                return f"m[{id!r}]"
            case ir.ResultRef(name=name):
                return f"r.{name}"
            case ir.LineRef(func=func, id=id):
                return f"r.line({id!r}).{func}"
            case ir.Negate(operand=o):
                return f"negate({self.expr(o, sub)})"
            case ir.Not(operand=o):
                return f"(not {self.expr(o, sub)})"
            case ir.Arithmetic(op=op, left=a, right=b):
                return f"{OPERATIONS[op]}({self.expr(a, sub)}, {self.expr(b, sub)})"
            case ir.Comparison(op=op, left=a, right=b):
                return f"({self.expr(a, sub)} {COMPARISONS[op]} {self.expr(b, sub)})"
            case ir.Logic(op=op, left=a, right=b):
                return f"({self.expr(a, sub)} {'and' if op == 'et' else 'or'} {self.expr(b, sub)})"
            case ir.Within(operand=o, choices=choices):
                options = "".join(f"{self.expr(c, sub)}, " for c in choices)
                return f"({self.expr(o, sub)} in ({options}))"
            case ir.Choose(condition=c, then=a, otherwise=b):
                return f"({self.expr(a, sub)} if {self.expr(c, sub)} else {self.expr(b, sub)})"
            case ir.Extremum(func=func, args=args):
                return f"{func}({', '.join(self.expr(a, sub) for a in args)})"
            case ir.Round(operand=o, digits=digits):
                return f"round_half_away({self.expr(o, sub)}, {digits})"
            case ir.Draw(share=share, salt=salt):
                return f"drawn({salt!r}, s, {self.expr(share, sub)})"
        raise AssertionError(f"unknown IR node {expr!r}")

    def run(self, code: str, helpers: dict[str, Any]) -> dict[str, Any]:
        """Execute the generated code (and the functions it hoisted); its namespace."""
        namespace = {**helpers, **self.constants}
        exec(compile("".join(self.hoisted) + code, "<convention>", "exec"), namespace)  # noqa: S102 - our own code
        return namespace


def compile_exprs(exprs: list[ir.Expr], helpers: dict[str, Any]) -> list[Callable]:
    """One Python function `f(d, p, m, r, s)` per expression, compiled together."""
    source = Source()
    code = "".join(f"def e{i}({ARGUMENTS}):\n    return {source.expr(e)}\n" for i, e in enumerate(exprs))
    namespace = source.run(code, helpers)
    return [namespace[f"e{i}"] for i in range(len(exprs))]


class CodeBackend:
    """The payment rules' arithmetic as Python source: each value is the name of a local variable."""

    def __init__(self, places: dict[int, str]):
        self.source = Source()
        self.places = places  # id(IR node) → where it is (« dans la condition de « x » »), for errors
        self.lines: list[str] = []
        self.indent = 2
        self.count = 0

    def emit(self, line: str) -> None:
        self.lines.append("    " * self.indent + line)

    def assign(self, text: str) -> str:
        name = f"v{self.count}"
        self.count += 1
        self.emit(f"{name} = {text}")
        return name

    def value(self, expr: ir.Expr) -> str:
        self.emit(f"w = {self.places.get(id(expr), '')!r}")
        return self.assign(self.source.expr(expr))

    def met(self, id: str, holds: str) -> None:
        self.emit(f"m[{id!r}] = {holds}")

    def number(self, value: Decimal) -> str:
        return self.source.constant(value)

    def donnee(self, id: str) -> str:
        return f"d[{id!r}]"

    def parametre(self, id: str) -> str:
        return f"p[{id!r}]"

    def add(self, a: str, b: str) -> str:
        return self.assign(f"add({a}, {b})")

    def multiply(self, a: str, b: str) -> str:
        return self.assign(f"multiply({a}, {b})")

    def divide(self, a: str, b: str) -> str:
        return self.assign(f"divide({a}, {b})")

    def minimum(self, a: str, b: str) -> str:
        return self.assign(f"min({a}, {b})")

    def maximum(self, a: str, b: str) -> str:
        return self.assign(f"max({a}, {b})")

    def every(self, conditions: list[str]) -> str:
        return self.assign(" and ".join(conditions)) if conditions else "True"

    def when(self, condition: str, compute: Callable[[], str], name: str | None = None) -> str:
        name = f"v{self.count}"
        self.count += 1
        self.emit(f"if {condition}:")
        self.indent += 1
        self.emit(f"{name} = {compute()}")
        self.indent -= 1
        self.emit("else:")
        self.emit(f"    {name} = ZERO")
        return name

    def cents(self, amount: str) -> str:
        return self.assign(f"to_cents({amount})")

    def total(self, amounts: list[str]) -> str:
        self.emit("w = ''")
        return self.assign(f"total_cents(({''.join(a + ', ' for a in amounts)}))")

    def total_points(self, points: list[str]) -> str:
        self.emit("w = ''")
        return self.assign(f"total_points(({''.join(a + ', ' for a in points)}))")

    def function(self, settlement, helpers: dict[str, Any]) -> Callable:
        """The generated function `run(d, p, s) → (eligible, met, points, amounts, total, total points, the
        majorations' assiettes, the prorated lines' shares of the year)`."""

        def mapping(values: dict[str, str]) -> str:
            return "{" + ", ".join(f"{id!r}: {v}" for id, v in values.items()) + "}"

        code = "\n".join(
            [
                "def run(d, p, s):",
                "    m = {}",
                "    w = ''",
                "    r = None",
                "    try:",
                *self.lines,
                f"        return ({settlement.eligible}, m, {mapping(settlement.points)}, {mapping(settlement.amounts)}, "
                f"{settlement.total}, {settlement.total_points}, {mapping(settlement.bases)}, "
                f"{mapping(settlement.factors)})",
                "    except EvaluationError as error:",
                "        raise EvaluationError(f'{error} {w}'.strip()) from None",
                "",
            ]
        )
        return self.source.run(code, helpers)["run"]
