"""The outline of a document (sections, critères, briques, cas, paramètres, données, avenant
operations) and formatting through `convcheck fmt`."""

from __future__ import annotations

from lsprotocol import types as lsp

from dsl import nodes as n
from dsl.format import format_source
from dsl.kinds import KINDS, Kind, kind_of
from dsl.printer import print_expr, print_type
from dsl.source import SourceFile, Span
from interpreter.lsp.positions import UTF16, to_range

K = lsp.SymbolKind
SECTION_WORDS = {"prerequis": "prérequis", "socle": "socle", "options": "options"}


def symbol_kind(kind: Kind) -> lsp.SymbolKind:
    """How the outline shows a kind of clause (`dsl.kinds`)."""
    return getattr(K, kind.symbol)


def _kind(node) -> Kind:
    """The kind of a clause's node (one the outline was given as such)."""
    kind = kind_of(node)
    assert kind is not None  # a brique, a majoration, a minimum, a cas
    return kind


def document_symbols(file: n.File | None, source: SourceFile, encoding: str = UTF16) -> list[lsp.DocumentSymbol]:
    """The symbols of a parsed file, nested as written."""
    if file is None:
        return []
    outline = Outline(source, encoding)
    return [symbol for item in file.items for symbol in outline.item(item)]


class Outline:
    """Builds `DocumentSymbol`s with ranges in the client's units."""

    def __init__(self, source: SourceFile, encoding: str):
        self.source = source
        self.encoding = encoding

    def symbol(
        self,
        name: str,
        kind: K,
        span: Span | None,
        selection: Span | None = None,
        detail: str | None = None,
        children: list[lsp.DocumentSymbol] | None = None,
    ) -> list[lsp.DocumentSymbol]:
        if span is None:
            return children or []
        whole = to_range(span, self.source, self.encoding)
        selected = to_range(selection, self.source, self.encoding) if selection is not None else whole
        return [
            lsp.DocumentSymbol(
                name=name, kind=kind, range=whole, selection_range=selected, detail=detail, children=children or None
            )
        ]

    def item(self, item) -> list[lsp.DocumentSymbol]:
        match item:
            case n.ParametresBlock(parametres=parametres):
                children = [
                    s for p in parametres for s in self.symbol(p.id, K.Constant, p.span, p.id_span, print_expr(p.value))
                ]
                return self.symbol("paramètres", K.Namespace, item.span, children=children)
            case n.DonneesBlock(donnees=donnees):
                children = [
                    s for d in donnees for s in self.symbol(d.id, K.Field, d.span, d.id_span, print_type(d.type))
                ]
                return self.symbol("données", K.Namespace, item.span, children=children)
            case n.Section(kind=kind, criteres=criteres):
                return self.symbol(SECTION_WORDS[kind], K.Module, item.span, children=self.criteres(criteres))
            case n.AddSupplement(element=element):
                return self.clause(element, f"ajoute {_kind(element).keyword} ", item.span)
            case n.AddCriteres(section=section, criteres=criteres):
                return self.symbol(
                    f"ajoute dans {section}", K.Module, item.span, item.section_span, children=self.criteres(criteres)
                )
            case n.AddToBrique(brique=brique, criteres=criteres):
                return self.symbol(
                    f"ajoute dans brique {brique}", K.Class, item.span, item.id_span, children=self.criteres(criteres)
                )
            case n.AddBrique(brique=brique):
                return self.clause(brique, "ajoute brique ")
            case n.Modify() | n.Replace():
                verb = "modifie" if isinstance(item, n.Modify) else "remplace"
                changed = KINDS[item.kind]
                return self.symbol(
                    f"{verb} {changed.keyword} {item.id}",
                    symbol_kind(changed),
                    item.span,
                    item.id_span,
                    item.label,
                    children=self.criteres(item.criteres),
                )
            case n.Move():
                return self.symbol(f"déplace critère {item.id} vers {item.section}", K.Method, item.span, item.id_span)
            case n.Remove(kind="prorata"):
                return self.symbol("supprime prorata", K.Operator, item.span)
            case n.Remove(kind="exercice"):
                return self.symbol(f"supprime exercice {item.id}", K.Operator, item.span, item.id_span)
            case n.Exercice(year=year, items=items):
                children = [s for inner in items for s in self.item(inner)]
                return self.symbol(f"exercice {year}", K.Namespace, item.span, item.year_span, children=children)
            case n.Remove():
                removed = KINDS[item.kind]
                return self.symbol(
                    f"supprime {removed.keyword} {item.id}", symbol_kind(removed), item.span, item.id_span
                )
            case n.Prorata():
                return self.symbol("prorata", K.Operator, item.span, detail=print_expr(item.value))
            case _ if kind_of(item) is not None:  # a brique, a majoration, a minimum, a cas…
                return self.clause(item)
            case _:  # a block this outline does not know yet: named by its id when it has one
                name = getattr(item, "id", None) or type(item).__name__.lower()
                return self.symbol(
                    name,
                    K.Object,
                    getattr(item, "span", None),
                    getattr(item, "id_span", None),
                    getattr(item, "label", None),
                )

    def criteres(self, criteres) -> list[lsp.DocumentSymbol]:
        return [s for c in criteres for s in self.symbol(c.id, K.Method, c.span, c.id_span, c.label)]

    def clause(self, node, prefix: str = "", span: Span | None = None) -> list[lsp.DocumentSymbol]:
        """A clause written as a block (a brique with its critères, a majoration…), named by its id."""
        kind = _kind(node)
        return self.symbol(
            f"{prefix}{node.id}",
            symbol_kind(kind),
            span or node.span,
            node.id_span,
            node.label,
            children=self.criteres(getattr(node, "criteres", ())),
        )


def formatting(source: SourceFile, line_count: int) -> list[lsp.TextEdit] | None:
    """The edit that gives the document its canonical layout (`convcheck fmt`), none when it is already
    formatted, or None when it cannot be formatted (a syntax error)."""
    formatted, problems = format_source(source)
    if formatted is None:
        return None
    if formatted == source.text:
        return []
    whole = lsp.Range(lsp.Position(line=0, character=0), lsp.Position(line=line_count, character=0))
    return [lsp.TextEdit(range=whole, new_text=formatted)]
