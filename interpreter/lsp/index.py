"""Where each id of a file is declared, changed and used: the occurrences behind navigation.

One `FileIndex` per parsed file (built once per parse, from the surface AST as written): every
identifier with its span, its namespace and its role. Namespaces are those of the language:
données and paramètres share the names of expressions (`VALUE`), critères and briques those of
`atteint(…)` and of avenant operations (`ELEMENT`), cas have their own (`CAS`).

A name in an expression is recorded as a use of a donnée or paramètre of that id; whether such
a donnée or paramètre exists is the checker's business (a bare name may also be a `choix` value,
which no declaration shares: looked up by id, it simply matches nothing).

Node types this module does not know (blocks added to the language later) are walked
generically: a node with an `id` and an `id_span` declares an element, expressions inside it are
indexed as usual.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator

from dsl import kinds
from dsl import nodes as n
from dsl.kinds import KINDS, kind_of
from dsl.records import evolve, field, fields, frozen, has
from dsl.source import Span

VALUE, ELEMENT, CAS, SECTION = kinds.VALUE, kinds.ELEMENT, kinds.CAS_NAMES, "section"

# roles: what an occurrence does to its id
DECLARATION = "declaration"  # declared (in a convention, or added or redefined by an avenant)
REPLACEMENT = "replacement"  # `remplace critère|brique id`
MODIFICATION = "modification"  # `modifie critère|brique id`
MOVE = "move"  # `déplace critère id vers …`
REMOVAL = "removal"  # `supprime … id`
REFERENCE = "reference"  # used: in an expression, `atteint(id)`, a cas, `ajoute dans brique id`
DEFINING = (DECLARATION, REPLACEMENT)

ELEMENT_FUNCTIONS = ("atteint", "points", "montant")


@frozen
class Occurrence:
    """One identifier written in a file: where, in which namespace, doing what."""

    namespace: str
    id: str
    span: Span
    role: str
    kind: str | None = (
        None  # donnee | parametre | critere | brique | majoration | minimum | cas (declarations, operations)
    )
    node: object = field(default=None, eq=False, repr=False)  # the declaring node, or the operation

    @property
    def key(self) -> tuple[str, str]:
        return self.namespace, self.id


class FileIndex:
    """The occurrences of one parsed file, by position and by (namespace, id)."""

    def __init__(self, file: n.File | None):
        self.file = file
        self.occurrences = sorted(_occurrences(file) if file is not None else (), key=lambda o: o.span.start)
        self._starts = [o.span.start for o in self.occurrences]
        self.by_key: dict[tuple[str, str], list[Occurrence]] = {}
        for occurrence in self.occurrences:
            self.by_key.setdefault(occurrence.key, []).append(occurrence)

    def at(self, offset: int) -> Occurrence | None:
        """The occurrence whose id covers `offset` (its end included: the cursor just after a word)."""
        index = bisect_right(self._starts, offset) - 1
        if index >= 0 and self.occurrences[index].span.start <= offset <= self.occurrences[index].span.end:
            return self.occurrences[index]
        return None

    def of(self, namespace: str, id: str) -> list[Occurrence]:
        return self.by_key.get((namespace, id), [])

    def ids(self, namespace: str, kinds: tuple[str, ...] | None = None) -> set[str]:
        """The ids this file declares in a namespace (of some kinds only, if given)."""
        return {
            o.id
            for o in self.occurrences
            if o.namespace == namespace and o.role in DEFINING and (kinds is None or o.kind in kinds)
        }


def _occurrences(file: n.File) -> Iterator[Occurrence]:
    for item in file.items:
        yield from _item(item)


def _item(item) -> Iterator[Occurrence]:
    match item:
        case n.ParametresBlock(parametres=parametres):
            for p in parametres:
                yield from _at(VALUE, p.id, p.id_span, DECLARATION, "parametre", p)
                yield from expression(p.value)
        case n.DonneesBlock(donnees=donnees):
            for d in donnees:
                yield from _at(VALUE, d.id, d.id_span, DECLARATION, "donnee", d)
        case n.Section(criteres=criteres) | n.AddCriteres(criteres=criteres):
            if isinstance(item, n.AddCriteres) and item.section_span is not None:
                yield from _at(SECTION, item.section, item.section_span, REFERENCE)
            for c in criteres:
                yield from _element(c, "critere")
        case n.AddBrique(brique=element) | n.AddSupplement(element=element):
            yield from _clause(element)
        case n.AddToBrique():
            yield from _at(ELEMENT, item.brique, item.id_span, REFERENCE, "brique", item)
            for c in item.criteres:
                yield from _element(c, "critere")
        case n.Cas():
            yield from _cas(item)
        case _ if kind_of(item) is not None:  # a brique, a majoration, a minimum…
            yield from _clause(item)
        case n.Modify() | n.Replace():
            role = MODIFICATION if isinstance(item, n.Modify) else REPLACEMENT
            yield from _at(KINDS[item.kind].namespace, item.id, item.id_span, role, item.kind, item)
            for attribute in item.attributes:
                yield from _attribute(attribute)
            for c in item.criteres:
                yield from _element(c, "critere")
        case n.Move():
            yield from _at(ELEMENT, item.id, item.id_span, MOVE, item.kind, item)
            if item.section_span is not None:
                yield from _at(SECTION, item.section, item.section_span, REFERENCE)
        case n.Remove(kind="prorata" | "exercice"):
            return
        case n.Exercice(items=items):  # changes for one exercise: they use and change ids, they declare none in force
            for inner in items:
                for occurrence in _item(inner):
                    demoted = occurrence.role in DEFINING and occurrence.namespace != CAS
                    yield evolve(occurrence, role=MODIFICATION) if demoted else occurrence
        case n.Remove():
            yield from _at(KINDS[item.kind].namespace, item.id, item.id_span, REMOVAL, item.kind, item)
        case _:
            yield from _generic(item)


def _at(
    namespace: str, id: str, span: Span | None, role: str, kind: str | None = None, node: object = None
) -> Iterator[Occurrence]:
    """The occurrence of an id written somewhere (one the parser placed: not one consolidation made up)."""
    if span is not None:
        yield Occurrence(namespace, id, span, role, kind, node)


def _clause(node) -> Iterator[Occurrence]:
    """A clause written as a block of its own: its kind says which."""
    kind = kind_of(node)
    assert kind is not None  # a brique, a majoration, a minimum…
    yield from _element(node, kind.name)


def _element(node, kind: str) -> Iterator[Occurrence]:
    """A critère or a brique (with its critères)."""
    if node.id_span is not None:
        yield Occurrence(ELEMENT, node.id, node.id_span, DECLARATION, kind, node)
    for attribute in node.attributes:
        yield from _attribute(attribute)
    for critere in getattr(node, "criteres", ()):
        yield from _element(critere, "critere")


def _attribute(attribute: n.Attribute) -> Iterator[Occurrence]:
    if not isinstance(attribute.value, (str, n.Assiette)):
        yield from expression(attribute.value)


def _cas(cas: n.Cas) -> Iterator[Occurrence]:
    if cas.id_span is not None:
        yield Occurrence(CAS, cas.id, cas.id_span, DECLARATION, "cas", cas)
    for assignment in cas.donnees or ():
        yield from _at(VALUE, assignment.id, assignment.id_span, REFERENCE)
    for expr in cas.attendu or ():
        yield from expression(expr)


def expression(expr) -> Iterator[Occurrence]:
    """The ids an expression uses: names of données and paramètres, critères in `atteint(…)`."""
    stack = [expr]
    while stack:
        e = stack.pop()
        match e:
            case n.Name(id=id, span=span) if span is not None:
                yield Occurrence(VALUE, id, span, REFERENCE)
            case n.Call(func=func, args=(n.Name(id=id, span=span),)) if func in ELEMENT_FUNCTIONS and span is not None:
                yield Occurrence(ELEMENT, id, span, REFERENCE)
            case n.Call(args=args):
                stack.extend(args)
            case n.Neg(operand=o) | n.Not(operand=o):
                stack.append(o)
            case n.BinOp(left=a, right=b) | n.Compare(left=a, right=b) | n.Logic(left=a, right=b):
                stack.extend((a, b))
            case n.Within(operand=o, choices=c):
                stack.extend((o, *c))
            case n.If(condition=c, then=t, otherwise=o):
                stack.extend((c, t, o))


EXPRESSIONS = (
    n.Number,
    n.Money,
    n.Percent,
    n.DateLit,
    n.Bool,
    n.Name,
    n.Call,
    n.Neg,
    n.Not,
    n.BinOp,
    n.Compare,
    n.Logic,
    n.Within,
    n.If,
)


def _generic(node) -> Iterator[Occurrence]:
    """A node of a kind this index does not know: its declared id, and the expressions inside it."""
    if isinstance(node, EXPRESSIONS):
        yield from expression(node)
        return
    if not has(type(node)):
        if isinstance(node, tuple):
            for child in node:
                yield from _generic(child)
        return
    id_span = getattr(node, "id_span", None)
    if isinstance(getattr(node, "id", None), str) and id_span is not None:
        yield Occurrence(ELEMENT, node.id, id_span, DECLARATION, type(node).__name__.lower(), node)
    for attribute in fields(type(node)):
        if attribute.name not in ("span", "id_span"):
            yield from _generic(getattr(node, attribute.name))
