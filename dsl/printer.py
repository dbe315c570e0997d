"""The canonical printer: AST → `.conv` text, such that `parse(print(tree)) == tree`.

One layout for everything: two-space indentation, one attribute per line, a blank line
between top-level blocks, keywords with their accents, the fewest parentheses that keep
the meaning. Number literals keep the user's spelling (`1_100`) when they have one.

`layout` returns the text as lines that remember the node they come from, so that the
formatter can put comments back next to the code they were written beside.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from dsl import keywords
from dsl import nodes as n
from dsl.kinds import kind_of
from dsl.records import frozen
from dsl.source import Span


@frozen
class Line:
    """One line of canonical text, at an indentation depth, with the span it stands for.

    A closing brace's origin is the end of its block (`closing` is then true).
    """

    depth: int
    text: str
    origin: Span | None = None
    closing: bool = False

    def render(self) -> str:
        return ("  " * self.depth + self.text) if self.text else ""


def print_file(file: n.File) -> str:
    """The canonical text of a whole file, ending with a newline."""
    return "\n".join(line.render() for line in layout(file)) + "\n"


def layout(file: n.File) -> list[Line]:
    lines = [Line(0, f"{keywords.FILES[file.kind]} {file.id}{_label(file.label)}", file.id_span)]
    lines += [Line(0, _header(h), h.span) for h in file.headers]
    return lines + [Line(0, "")] + _items(file.items, 0) if file.items else lines


def _items(items, depth: int) -> list[Line]:
    """Blocks one after the other, a blank line between two (runs of déplace/supprime stay together)."""
    lines: list[Line] = []
    previous = None
    for item in items:
        if previous is not None and not (_one_line(previous) and _one_line(item)):
            lines.append(Line(0, ""))
        lines += _item(item, depth)
        previous = item
    return lines


def one_line(item) -> str:
    """An item on one line (`modifie critère x { points fixes : 100 }`), for reports that quote it."""
    return " ".join(line.text for line in _item(item, 0) if line.text)


def _one_line(item) -> bool:
    return isinstance(item, (n.Move, n.Remove))


def _header(header: n.Header) -> str:
    if isinstance(header.value, datetime.date):  # « en vigueur »; every other header is a text
        return f"{keywords.HEADERS[header.key]} : {header.value.isoformat()}"
    if header.key == "statut":
        return f"statut : {keywords.STATUTS.get(header.value, header.value)}"
    value = quote(header.value)
    return f"{keywords.HEADERS[header.key]} : {value}"


def _label(label: str | None) -> str:
    return f" {quote(label)}" if label is not None else ""


def quote(text: str) -> str:
    """A label as a `.conv` string literal."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _block(depth: int, head: str, origin: Span | None, body: list[Line]) -> list[Line]:
    if not body:
        return [Line(depth, f"{head} {{}}", origin)]
    end = None
    if origin is not None:
        end = Span(
            origin.file, origin.end, origin.end, origin.end_line, origin.end_column, origin.end_line, origin.end_column
        )
    return [Line(depth, f"{head} {{", origin), *body, Line(depth, "}", end, closing=True)]


def _item(item, depth: int) -> list[Line]:
    match item:
        case n.ParametresBlock(parametres=ps, added=added):
            head = "ajoute paramètres" if added else "paramètres"
            return _block(depth, head, item.span, [_parametre(p, depth + 1) for p in ps])
        case n.DonneesBlock(donnees=ds, added=added):
            return _block(
                depth, "ajoute données" if added else "données", item.span, [_donnee(d, depth + 1) for d in ds]
            )
        case n.Section(kind=kind, criteres=cs):
            return _block(depth, keywords.SECTIONS[kind], item.span, _criteres(cs, depth + 1))
        case n.Brique():
            return _brique(item, depth, "brique")
        case _ if isinstance(item, n.Supplement):  # a majoration, a minimum
            return _supplement(item, depth, "")
        case n.Cas():
            return _cas(item, depth)
        case n.ScenarioDonnees(assignments=assignments, years=years):
            head = {"nouvelles": "nouvelles structures", "suivantes": "années suivantes"}.get(years, "données")
            return _block(depth, head, item.span, [_assignment(a, depth + 1) for a in assignments])
        case n.Growth(amount=amount):
            return [Line(depth, f"croissance : {print_expr(amount)} par an", item.span)]
        case n.AddCriteres(section=section, criteres=cs):
            head = f"ajoute dans {keywords.SECTIONS.get(section, section)}"
            return _block(depth, head, item.span, _criteres(cs, depth + 1))
        case n.AddToBrique(brique=brique, criteres=cs):
            return _block(depth, f"ajoute dans brique {brique}", item.span, _criteres(cs, depth + 1))
        case n.AddBrique(brique=brique):
            return _brique(brique, depth, "ajoute brique")
        case n.AddSupplement(element=element):
            return _supplement(element, depth, "ajoute ")
        case n.Modify() | n.Replace():
            verb = "modifie" if isinstance(item, n.Modify) else "remplace"
            head = f"{verb} {keywords.KINDS[item.kind]} {item.id}{_label(item.label)}"
            body = _attributes(item.attributes, depth + 1) + _criteres(item.criteres, depth + 1)
            return _block(depth, head, item.span, body)
        case n.Move(kind=kind, id=id, section=section):
            return [
                Line(
                    depth,
                    f"déplace {keywords.KINDS[kind]} {id} vers {keywords.SECTIONS.get(section, section)}",
                    item.span,
                )
            ]
        case n.Remove(kind="prorata"):
            return [Line(depth, "supprime prorata", item.span)]
        case n.Remove(kind="exercice", id=year):
            return [Line(depth, f"supprime exercice {year}", item.span)]
        case n.Exercice(year=year, items=inner):
            return _block(depth, f"exercice {year}", item.span, _items(inner, depth + 1))
        case n.Remove(kind=kind, id=id):
            return [Line(depth, f"supprime {keywords.KINDS[kind]} {id}", item.span)]
        case n.Prorata(value=value):
            return [Line(depth, f"prorata : {print_expr(value)}", item.span)]
    raise AssertionError(f"unknown item {item!r}")


def _assignment(a: n.Assignment, depth: int) -> Line:
    return Line(depth, f"{a.id} = {print_expr(a.value)}", a.span)


def _parametre(p: n.Parametre, depth: int) -> Line:
    return Line(depth, f"{p.id} = {print_expr(p.value)}{_label(p.label)}", p.span)


def _donnee(d: n.Donnee, depth: int) -> Line:
    default = "" if d.default is None else f" par défaut {print_expr(d.default)}"
    return Line(depth, f"{d.id} : {print_type(d.type)}{_label(d.label)}{default}", d.span)


def print_type(spec: n.TypeSpec) -> str:
    if spec.name == "choix":
        return f"choix({', '.join(spec.choices)})"
    text = keywords.TYPES.get(spec.name, spec.name)
    if spec.low is not None and spec.high is not None:
        text += f" entre {print_expr(spec.low)} et {print_expr(spec.high)}"
    return text


def _criteres(criteres, depth: int) -> list[Line]:
    lines: list[Line] = []
    for c in criteres:
        head = f"critère {c.id}{_label(c.label)}"
        lines += _block(depth, head, c.span, _attributes(c.attributes, depth + 1))
    return lines


def _attributes(attributes, depth: int) -> list[Line]:
    return [Line(depth, print_attribute(a), a.span) for a in attributes]


def print_attribute(attribute: n.Attribute) -> str:
    value = attribute.value
    if isinstance(value, n.Assiette):
        text = keywords.ASSIETTES.get(value.part, value.part)
        if value.sections:
            text += f" dans ({', '.join(keywords.SECTIONS.get(s, s) for s in value.sections)})"
    elif isinstance(value, str):  # « référence » and « axe »; every other attribute is an expression
        text = quote(value) if attribute.name == "reference" else value
    else:
        text = print_expr(value)
    return f"{keywords.ATTRIBUTES[attribute.name]} : {text}"


def _brique(b: n.Brique, depth: int, keyword: str) -> list[Line]:
    body = _attributes(b.attributes, depth + 1) + _criteres(b.criteres, depth + 1)
    return _block(depth, f"{keyword} {b.id}{_label(b.label)}", b.span, body)


def _supplement(element: n.Supplement, depth: int, verb: str) -> list[Line]:
    kind = kind_of(element)
    assert kind is not None  # a majoration or a minimum
    keyword = kind.keyword
    head = f"{verb}{keyword} {element.id}{_label(element.label)}"
    return _block(depth, head, element.span, _attributes(element.attributes, depth + 1))


def _cas(c: n.Cas, depth: int) -> list[Line]:
    body: list[Line] = []
    if c.donnees is not None:
        assignments = [_assignment(a, depth + 2) for a in c.donnees]
        body += _block(depth + 1, "données", c.donnees_span, assignments)
    if c.attendu is not None:
        body += _block(
            depth + 1, "attendu", c.attendu_span, [Line(depth + 2, print_expr(e), e.span) for e in c.attendu]
        )
    base = f" comme {c.base}" if c.base else ""
    return _block(depth, f"cas {c.id}{_label(c.label)}{base}", c.span, body)


# ---- expressions ----------------------------------------------------------------------------------

# Binding strength, lowest first: si, ou, et, non, comparisons, + -, * /, unary -, atoms.
IF, OR, AND, NOT, COMPARE, SUM, PRODUCT, NEG, ATOM = range(9)


def print_expr(expr: n.Expr) -> str:
    """The canonical text of an expression, with the fewest parentheses."""
    return _expr(expr, IF)


def _expr(expr: n.Expr, context: int) -> str:
    text, level = _bare(expr)
    return f"({text})" if level < context else text


def _bare(expr: n.Expr) -> tuple[str, int]:
    match expr:
        case n.Number():
            return number_text(expr), ATOM
        case n.Money():
            return f"{number_text(expr)} €", ATOM
        case n.Percent():
            return f"{number_text(expr)} %", ATOM
        case n.DateLit(value=value):
            return value.isoformat(), ATOM
        case n.Bool(value=value):
            return ("vrai" if value else "faux"), ATOM
        case n.Name(id=id):
            return ("éligible" if id == "eligible" else id), ATOM
        case n.Call(func=func, args=args):
            return f"{func}({', '.join(_expr(a, IF) for a in args)})", ATOM
        case n.Neg(operand=operand):
            return f"-{_expr(operand, NEG)}", NEG
        case n.Not(operand=operand):
            return f"non {_expr(operand, NOT)}", NOT
        case n.BinOp(op=op, left=left, right=right):
            level = SUM if op in "+-" else PRODUCT
            return f"{_expr(left, level)} {op} {_expr(right, level + 1)}", level
        case n.Compare(op=op, left=left, right=right):
            return f"{_expr(left, SUM)} {op} {_expr(right, SUM)}", COMPARE
        case n.Logic(op=op, left=left, right=right):
            level = OR if op == "ou" else AND
            return f"{_expr(left, level)} {op} {_expr(right, level + 1)}", level
        case n.Within(operand=operand, choices=choices):
            return f"{_expr(operand, SUM)} dans ({', '.join(_expr(c, IF) for c in choices)})", COMPARE
        case n.If(condition=c, then=t, otherwise=o):
            return f"si {_expr(c, OR)} alors {_expr(t, OR)} sinon {_expr(o, IF)}", IF
    raise AssertionError(f"unknown expression {expr!r}")


def number_text(literal: n.Number | n.Money | n.Percent) -> str:
    """The literal as the user spelled it, or its plain decimal form."""
    if literal.text is not None and _same_number(literal.text, literal.value):
        return literal.text
    return decimal_text(literal.value)


def decimal_text(value: Decimal) -> str:
    """A decimal in plain notation: `1E+3` → `1000`, `7.50` stays `7.50`."""
    return format(value, "f")


def _same_number(text: str, value: Decimal) -> bool:
    try:
        return Decimal(text.replace("_", "")) == value
    except ArithmeticError:
        return False
