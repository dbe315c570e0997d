"""Compilation: a checked model → a `Program` of executable checks.

Every condition and amount is compiled once into a Python closure; evaluating a structure
calls closures and never walks the AST again. Paramètres are evaluated at compile time
(with the `--set` overrides), and any sub-expression that reads neither a donnée nor
another critère is folded into a constant.

Each condition also gets a compiled *explainer*, called only when an explanation is
wanted: it says which smallest part made the condition true or false, with the values
that did it (`jours_ouverture >= 5 : faux (jours_ouverture = 4) — il faudrait
jours_ouverture ≥ 5`).
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any

from attrs import field, frozen

from dsl import nodes as n
from dsl.checker import walk
from dsl.model import ATTENDU_NAMES, Brique, Critere, Model, Type
from dsl.printer import print_expr
from interpreter.values import EXACT, conv_text

Fn = Callable[["Context"], Any]
Reasons = Callable[["Context"], list[str]]


class EvaluationError(Exception):
    """A structure makes an expression impossible to compute (a division by zero)."""


class Context:
    """What closures read: the structure's données, critères met so far, and (in `attendu`) the result."""

    __slots__ = ("donnees", "met", "result")

    def __init__(self, donnees: dict, met: dict | None = None, result=None):
        self.donnees = donnees
        self.met = {} if met is None else met
        self.result = result


@frozen
class CompiledElement:
    """A critère or a brique, compiled."""

    id: str
    label: str | None
    kind: str  # critere | brique
    section: str | None
    brique: str | None
    condition: Fn
    reasons: Reasons
    points_fixes: Fn | None
    points_variables: Fn | None
    montant: Fn | None
    criteres: tuple[str, ...] = ()

    @property
    def remunerated(self) -> bool:
        return any(f is not None for f in (self.points_fixes, self.points_variables, self.montant))


@frozen
class Program:
    """A convention ready to evaluate structures."""

    model: Model
    parametres: dict[str, Any]
    elements: dict[str, CompiledElement]
    order: tuple[str, ...]  # critères and briques, each after what its condition reads
    lines: tuple[str, ...]  # what a result lists: section critères, then each brique and its critères
    prerequis: tuple[str, ...]
    valeur_point: Decimal | None = field(default=None)
    patientele_reference: Decimal | None = field(default=None)
    compiler: ExprCompiler | None = field(default=None, eq=False, repr=False)  # for `attendu` expressions

    def function(self, expr: n.Expr) -> Fn:
        """Compile one more expression of this model (a cas value, an `attendu` assertion)."""
        with localcontext(EXACT):
            return self.compiler.function(expr)


OPERATORS = {
    "+": operator.add, "-": operator.sub, "*": operator.mul,
    "=": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
}
SYMBOLS = {">=": "≥", "<=": "≤", "!=": "≠", "=": "=", "<": "<", ">": ">"}
FLIPPED = {">=": "<=", "<=": ">=", "<": ">", ">": "<", "=": "=", "!=": "!="}


def divide(a: Decimal, b: Decimal) -> Decimal:
    if b == 0:
        raise EvaluationError("division par zéro")
    return a / b


def compile_model(model: Model, overrides: dict[str, n.Expr] | None = None) -> Program:
    """Compile a checked model; `overrides` replace paramètres' expressions (`--set`)."""
    with localcontext(EXACT):
        compiler = ExprCompiler(model, overrides or {})
        elements: dict[str, CompiledElement] = {}
        for critere in model.criteres.values():
            elements[critere.id] = compiler.element(critere, "critere")
        for brique in model.briques.values():
            elements[brique.id] = compiler.element(brique, "brique")
        lines = [c.id for c in model.criteres.values() if c.section is not None]
        for brique in model.briques.values():
            lines += [brique.id, *brique.criteres]
        return Program(
            model=model,
            parametres=dict(compiler.parametres),
            elements=elements,
            order=tuple(evaluation_order(model)),
            lines=tuple(lines),
            prerequis=tuple(c.id for c in model.section("prerequis")),
            valeur_point=compiler.parametres.get("valeur_point"),
            patientele_reference=compiler.parametres.get("patientele_reference"),
            compiler=compiler,
        )


def evaluation_order(model: Model) -> list[str]:
    """Critères and briques so that each comes after every element its condition reads."""
    order: list[str] = []
    done: set[str] = set()

    def visit(id: str):
        if id in done:
            return
        done.add(id)
        element = model.element(id)
        for expr in (element.condition,):
            for e in walk(expr):
                if isinstance(e, n.Call) and e.func == "atteint":
                    visit(e.args[0].id)
        for critere in getattr(element, "criteres", ()):
            visit(critere)
        order.append(id)

    for id in [*model.criteres, *model.briques]:
        visit(id)
    return order


class ExprCompiler:
    """Compiles expressions of one model into closures."""

    def __init__(self, model: Model, overrides: dict[str, n.Expr]):
        self.model = model
        self.overrides = overrides
        self.parametres: dict[str, Any] = {}
        for id in model.parametres:
            self.parametre(id)

    def parametre(self, id: str):
        """The value of a paramètre (its override if any), computed once."""
        if id not in self.parametres:
            expr = self.overrides.get(id, self.model.parametres[id].value)
            function, constant = self.compile(expr)
            assert constant, f"paramètre {id} is not constant"
            self.parametres[id] = function(None)
        return self.parametres[id]

    def element(self, element: Critere | Brique, kind: str) -> CompiledElement:
        def optional(expr):
            return None if expr is None else self.function(expr)

        return CompiledElement(
            id=element.id, label=element.label, kind=kind,
            section=getattr(element, "section", None), brique=getattr(element, "brique", None),
            condition=self.function(element.condition), reasons=self.reasons(element.condition),
            points_fixes=optional(element.points_fixes), points_variables=optional(element.points_variables),
            montant=optional(element.montant), criteres=getattr(element, "criteres", ()),
        )

    def function(self, expr: n.Expr) -> Fn:
        return self.compile(expr)[0]

    # -- the closures

    def compile(self, expr: n.Expr) -> tuple[Fn, bool]:
        """A closure computing the expression, and whether it is a constant."""
        function, constant = self._compile(expr)
        if constant and not getattr(function, "is_constant", False):
            return constant_fn(function(None)), True
        return function, constant

    def _compile(self, expr: n.Expr) -> tuple[Fn, bool]:
        match expr:
            case n.Number(value=v) | n.Money(value=v):
                return constant_fn(v), True
            case n.Percent(value=v):
                return constant_fn(v / 100), True
            case n.DateLit(value=v) | n.Bool(value=v):
                return constant_fn(v), True
            case n.Name(id=id):
                return self._name(id)
            case n.Call():
                return self._call(expr)
            case n.Neg(operand=o):
                f, k = self.compile(o)
                return (lambda c: -f(c)), k
            case n.Not(operand=o):
                f, k = self.compile(o)
                return (lambda c: not f(c)), k
            case n.BinOp(op=op, left=left, right=right) | n.Compare(op=op, left=left, right=right):
                (a, ka), (b, kb) = self.compile(left), self.compile(right)
                fn = divide if op == "/" else OPERATORS[op]
                return (lambda c: fn(a(c), b(c))), ka and kb
            case n.Logic(op="et", left=left, right=right):
                (a, ka), (b, kb) = self.compile(left), self.compile(right)
                return (lambda c: a(c) and b(c)), ka and kb
            case n.Logic(op="ou", left=left, right=right):
                (a, ka), (b, kb) = self.compile(left), self.compile(right)
                return (lambda c: a(c) or b(c)), ka and kb
            case n.Within(operand=operand, choices=choices):
                return self._within(operand, choices)
            case n.If(condition=condition, then=then, otherwise=otherwise):
                (t, kt), (a, ka), (b, kb) = self.compile(condition), self.compile(then), self.compile(otherwise)
                return (lambda c: a(c) if t(c) else b(c)), kt and ka and kb
        raise AssertionError(f"unknown expression {expr!r}")

    def _name(self, id: str) -> tuple[Fn, bool]:
        if id in self.model.donnees:
            return (lambda c: c.donnees[id]), False
        if id in self.model.parametres:
            return constant_fn(self.parametre(id)), True
        if id in ATTENDU_NAMES:
            return (lambda c: getattr(c.result, id)), False
        return constant_fn(id), True  # a choix value

    def _call(self, expr: n.Call) -> tuple[Fn, bool]:
        func = expr.func
        if func in ("atteint", "points", "montant"):
            target = expr.args[0].id
            if func == "atteint":
                return (lambda c: c.met[target]), False
            return (lambda c: getattr(c.result.line(target), func)), False
        compiled = [self.compile(a) for a in expr.args]
        functions = [f for f, _ in compiled]
        constant = all(k for _, k in compiled)
        if func in ("min", "max"):
            pick = min if func == "min" else max
            if len(functions) == 2:
                a, b = functions
                return (lambda c: pick(a(c), b(c))), constant
            return (lambda c: pick(f(c) for f in functions)), constant
        value = functions[0]
        digits = int(expr.args[1].value) if len(expr.args) > 1 else 0
        quantum = Decimal(1).scaleb(-digits)
        return (lambda c: value(c).quantize(quantum, rounding=ROUND_HALF_UP)), constant

    def _within(self, operand: n.Expr, choices) -> tuple[Fn, bool]:
        f, k = self.compile(operand)
        compiled = [self.compile(choice) for choice in choices]
        if all(kc for _, kc in compiled):
            members = frozenset(fc(None) for fc, _ in compiled)
            return (lambda c: f(c) in members), k
        functions = [fc for fc, _ in compiled]
        return (lambda c: f(c) in [g(c) for g in functions]), False

    # -- explanations

    def reasons(self, expr: n.Expr) -> Reasons:
        """A closure listing, in words, what made a boolean expression true or false."""
        match expr:
            case n.Logic(op=op, left=left, right=right):
                return self._logic_reasons(op, left, right)
            case n.Not(operand=operand):
                return self.reasons(operand)
            case _:
                return self._leaf_reasons(expr)

    def _logic_reasons(self, op: str, left: n.Expr, right: n.Expr) -> Reasons:
        a, b = self.function(left), self.function(right)
        ra, rb = self.reasons(left), self.reasons(right)
        decisive = (lambda v: not v) if op == "et" else (lambda v: v)

        def reasons(c: Context) -> list[str]:
            va, vb = a(c), b(c)
            if decisive(va) and decisive(vb):
                return ra(c) + rb(c)
            if decisive(va):
                return ra(c)
            if decisive(vb):
                return rb(c)
            return ra(c) + rb(c)

        return reasons

    def _leaf_reasons(self, expr: n.Expr) -> Reasons:
        value = self.function(expr)
        text = self._describe(expr)
        shown = [] if isinstance(expr, n.Name) else self._shown_names(expr)
        hint = self._hint(expr)

        def reasons(c: Context) -> list[str]:
            v = value(c)
            parts = f"{text} : {'vrai' if v else 'faux'}"
            values = ", ".join(f"{name} = {conv_text(get(c), type_)}" for name, get, type_ in shown)
            if values:
                parts += f" ({values})"
            if not v and hint:
                parts += f" — il faudrait {hint}"
            return [parts]

        return reasons

    def _describe(self, expr: n.Expr) -> str:
        if isinstance(expr, n.Call) and expr.func == "atteint":
            target = self.model.element(expr.args[0].id)
            return f"atteint({target.id}) « {target.label or target.id} »"
        return print_expr(expr)

    def _shown_names(self, expr: n.Expr) -> list[tuple[str, Fn, Type]]:
        """The données and paramètres an expression reads, with how to get and write them."""
        shown, seen = [], set()
        for e in walk(expr):
            if not isinstance(e, n.Name) or e.id in seen:
                continue
            seen.add(e.id)
            if e.id in self.model.donnees:
                shown.append((e.id, self.function(e), self.model.donnees[e.id].type))
            elif e.id in self.model.parametres:
                shown.append((e.id, self.function(e), self._parametre_type(e.id)))
        return sorted(shown, key=lambda item: item[0])

    def _hint(self, expr: n.Expr) -> str | None:
        """For a comparison with a constant side: what the other side would need to be."""
        if not isinstance(expr, n.Compare) or expr.op == "!=":
            return None
        left, left_constant = self.compile(expr.left)
        right, right_constant = self.compile(expr.right)
        if right_constant and not left_constant:
            return f"{print_expr(expr.left)} {SYMBOLS[expr.op]} {self._constant_text(expr.right, right)}"
        if left_constant and not right_constant:
            return f"{print_expr(expr.right)} {SYMBOLS[FLIPPED[expr.op]]} {self._constant_text(expr.left, left)}"
        return None

    def _constant_text(self, expr: n.Expr, function: Fn) -> str:
        type_ = {n.Money: Type("montant"), n.Percent: Type("pourcentage")}.get(type(expr))
        if isinstance(expr, n.Name) and expr.id in self.model.parametres:
            type_ = self._parametre_type(expr.id)
        return conv_text(function(None), type_)

    def _parametre_type(self, id: str) -> Type:
        """A paramètre's type for display: a percentage literal stays a percentage."""
        parametre = self.model.parametres[id]
        expr = self.overrides.get(id, parametre.value)
        return Type("pourcentage") if isinstance(expr, n.Percent) else parametre.type


def constant_fn(value) -> Fn:
    def constant(c, value=value):
        return value

    constant.is_constant = True
    return constant
