"""The JavaScript backend's meaning of each IR node, written once — as JavaScript source.

`Source.expr` turns an IR expression into the text of a JavaScript expression over the structure's
données `d`, the paramètres `p`, the critères met `m` and the structure's id `s`, calling the exact
arithmetic of the runtime `R` (`runtime/`: BigInt rationals, never floating point) and the constants
`K`. A whole version is compiled the same way as the scalar backend's Python (`pysource`): the payment
rules (`dsl.payment.settle`) run once over `JsBackend`, whose values are JavaScript local variables,
and what they emit is one straight-line function — JavaScript's own `&&`, `||` and `?:` keeping the
laziness the language asks for (`et`, `ou`, `si`, amounts computed only when paid).

Values: a number, montant or pourcentage is a rational `{n, d}` of BigInts (a pourcentage is its
fraction), a booléen a boolean, a date its ISO text (`2026-01-01`: ISO texts of four-digit years
compare as the dates do), a `choix` value the text of its id.

Past `MAX_NESTING` levels a sub-expression becomes a function of its own, called where it stood.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction

from dsl import ir

MAX_NESTING = 40
ARGUMENTS = "d, p, m, s"
OPERATIONS = {"+": "add", "-": "sub", "*": "mul", "/": "div"}
ORDERS = {"=": "===", "!=": "!==", "<": "<", "<=": "<=", ">": ">", ">=": ">="}


def js_string(text: str) -> str:
    """A JavaScript string literal (JSON's, with `</` broken so that it can stand in an HTML page)."""
    return (
        json.dumps(text, ensure_ascii=False)
        .replace("</", "<\\/")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def rational(value) -> str:
    """A number as the runtime's rational: `R.q(1n, 3n)`."""
    exact = Fraction(value)
    return f"R.q({exact.numerator}n, {exact.denominator}n)"


def literal(value) -> str:
    """A runtime value as a JavaScript literal (numbers as rationals, dates as ISO texts)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (Decimal, Fraction, int)):
        return rational(value)
    if isinstance(value, datetime.date):
        return js_string(value.isoformat())
    return js_string(str(value))


def numeric(expr: ir.Expr) -> bool:
    """Whether an expression is a number (compared and chosen among with the runtime's exact order)."""
    return expr.type.value_kind in ("nombre", "montant")


class Source:
    """JavaScript source for IR expressions, with the constants (`K[i]`) and functions (`hN`) it refers to."""

    def __init__(self):
        self.constants: list[str] = []
        self.known: dict[str, int] = {}
        self.hoisted: list[str] = []

    def constant(self, value) -> str:
        """A number is read from the constants (made once); anything else is written in place. Each call gives a
        text of its own, as the scalar backend's `CodeBackend` does: the payment rules tell values apart by
        identity (`base is lines.zero`), and must decide the same way for both."""
        if isinstance(value, bool) or not isinstance(value, (Decimal, Fraction, int)):
            return literal(value)
        text = rational(value)
        if text not in self.known:
            self.known[text] = len(self.constants)
            self.constants.append(text)
        return f"K[{self.known[text]}]"

    def expr(self, expr: ir.Expr, depth: int = 0) -> str:
        """The JavaScript text of an expression (the meaning of each IR node)."""
        if depth > MAX_NESTING:
            name = f"h{len(self.hoisted)}"
            self.hoisted.append("")  # reserve the name before the body, which may hoist more
            self.hoisted[int(name[1:])] = f"function {name}({ARGUMENTS}) {{\n  return {self.expr(expr)};\n}}\n"
            return f"{name}({ARGUMENTS})"
        sub = depth + 1
        match expr:
            case ir.Const(value=v):
                return self.constant(v)
            case ir.DonneeRef(id=id):
                return f"d[{js_string(id)}]"
            case ir.ParametreRef(id=id):
                return f"p[{js_string(id)}]"
            case ir.Met(id=id):
                return f"m[{js_string(id)}]"
            case ir.ResultRef() | ir.LineRef():
                raise AssertionError("attendu-only: the scalar backend runs the cas")
            case ir.Negate(operand=o):
                return f"R.neg({self.expr(o, sub)})"
            case ir.Not(operand=o):
                return f"(!{self.expr(o, sub)})"
            case ir.Arithmetic(op=op, left=a, right=b):
                return f"R.{OPERATIONS[op]}({self.expr(a, sub)}, {self.expr(b, sub)})"
            case ir.Comparison(op=op, left=a, right=b):
                if numeric(a):
                    return f"(R.cmp({self.expr(a, sub)}, {self.expr(b, sub)}) {ORDERS[op]} 0)"
                return f"({self.expr(a, sub)} {ORDERS[op]} {self.expr(b, sub)})"
            case ir.Logic(op=op, left=a, right=b):
                return f"({self.expr(a, sub)} {'&&' if op == 'et' else '||'} {self.expr(b, sub)})"
            case ir.Within(operand=o, choices=choices):
                among = "within" if numeric(o) else "among"
                return f"R.{among}({self.expr(o, sub)}, [{', '.join(self.expr(c, sub) for c in choices)}])"
            case ir.Choose(condition=c, then=a, otherwise=b):
                return f"({self.expr(c, sub)} ? {self.expr(a, sub)} : {self.expr(b, sub)})"
            case ir.Extremum(func=func, args=args):
                name = func if numeric(expr) else {"min": "least", "max": "most"}[func]
                return f"R.{name}({', '.join(self.expr(a, sub) for a in args)})"
            case ir.Round(operand=o, digits=digits):
                return f"R.round({self.expr(o, sub)}, {int(digits)})"
            case ir.Draw(share=share, salt=salt):
                return f"R.drawn({js_string(salt)}, s, {self.expr(share, sub)})"
        raise AssertionError(f"unknown IR node {expr!r}")

    def function(self, expr: ir.Expr) -> str:
        """A function `(d, p, m, s) => value` computing one expression."""
        return f"function ({ARGUMENTS}) {{ return {self.expr(expr)}; }}"


class JsBackend:
    """The payment rules' arithmetic as JavaScript source: each value is the name of a local variable.

    `places` says where an expression is (« dans la condition de « x » »), for errors; `conditions` maps
    the condition of each critère, brique, majoration and minimum to its id, so that a what-if can hold it
    met (`F`: null, or an object whose keys are the lines held met)."""

    def __init__(self, source: Source, places: dict[int, str], conditions: dict[int, str] | None = None):
        self.source = source
        self.places = places
        self.conditions = conditions or {}
        self.lines: list[str] = []
        self.indent = 2
        self.count = 0

    def emit(self, line: str) -> None:
        self.lines.append("  " * self.indent + line)

    def fresh(self) -> str:
        name = f"v{self.count}"
        self.count += 1
        return name

    def assign(self, text: str) -> str:
        name = self.fresh()
        self.emit(f"{name} = {text};")
        return name

    def value(self, expr: ir.Expr) -> str:
        self.emit(f"w = {js_string(self.places.get(id(expr), ''))};")
        text = self.source.expr(expr)
        held = self.conditions.get(id(expr))
        if held is not None:
            text = f"(F !== null && F[{js_string(held)}] === true) || ({text})"
        return self.assign(text)

    def met(self, id: str, holds: str) -> None:
        self.emit(f"m[{js_string(id)}] = {holds};")

    def number(self, value: Decimal) -> str:
        return self.source.constant(value)

    def donnee(self, id: str) -> str:
        return f"d[{js_string(id)}]"

    def parametre(self, id: str) -> str:
        return f"p[{js_string(id)}]"

    def add(self, a: str, b: str) -> str:
        return self.assign(f"R.add({a}, {b})")

    def multiply(self, a: str, b: str) -> str:
        return self.assign(f"R.mul({a}, {b})")

    def divide(self, a: str, b: str) -> str:
        return self.assign(f"R.div({a}, {b})")

    def minimum(self, a: str, b: str) -> str:
        return self.assign(f"R.min({a}, {b})")

    def maximum(self, a: str, b: str) -> str:
        return self.assign(f"R.max({a}, {b})")

    def every(self, conditions: list[str]) -> str:
        return self.assign(" && ".join(conditions)) if conditions else "true"

    def when(self, condition: str, compute: Callable[[], str], name: str | None = None) -> str:
        result = self.fresh()
        self.emit(f"if ({condition}) {{")
        self.indent += 1
        self.emit(f"{result} = {compute()};")
        self.indent -= 1
        self.emit(f"}} else {{ {result} = R.ZERO; }}")
        return result

    def cents(self, amount: str) -> str:
        return self.assign(f"R.cents({amount})")

    def total(self, amounts: list[str]) -> str:
        self.emit('w = "";')
        return self.assign(f"R.totalCents([{', '.join(amounts)}])")

    def total_points(self, points: list[str]) -> str:
        self.emit('w = "";')
        return self.assign(f"R.totalPoints([{', '.join(points)}])")

    def function(self, name: str, parameters: str, result: str) -> str:
        """The statements emitted so far as a function returning `result`, an error naming where it arose
        (as the scalar backend's generated Python does)."""
        declared = f"  let {', '.join(f'v{i}' for i in range(self.count))};\n" if self.count else ""
        return (
            f'function {name}({parameters}) {{\n  let w = "";\n{declared}  try {{\n'
            + "\n".join(self.lines)
            + f"\n    return {result};\n  }} catch (e) {{\n    throw R.located(e, w);\n  }}\n}}\n"
        )


def key(id: str) -> str:
    """An object literal's key: `"__proto__": v` would set the object's prototype, `["__proto__"]: v` is a key."""
    return f"[{js_string(id)}]" if id == "__proto__" else js_string(id)


def mapping(values: dict[str, str]) -> str:
    """A JavaScript object literal from ids to the text of values."""
    return "{" + ", ".join(f"{key(id)}: {v}" for id, v in values.items()) + "}"
