"""Completion: the ids and keywords the grammar expects where the cursor stands.

The context is read from the text before the cursor (the document is usually incomplete while
typed, so it is not parsed for this): the words just before the cursor on its line, and the
blocks the cursor is in (found by matching braces, outside labels and comments). The ids come
from the latest analysis of the document: données and paramètres in expressions, critères and
briques after `atteint(` and `modifie critère`, sections after `ajoute dans`…
"""

from __future__ import annotations

import re

from lsprotocol import types as lsp

from dsl.keywords import fold_accents
from dsl.kinds import CLAUSES, KINDS, keyword_pattern
from dsl.model import ATTENDU_NAMES
from dsl.printer import print_expr, print_type
from interpreter.lsp.hover import consolidated_index
from interpreter.lsp.index import CAS, DEFINING, ELEMENT, VALUE
from interpreter.lsp.project import Analysis, Project

TOKENS = re.compile(r'"(?:[^"\\\n]|\\.)*"?|#[^\n]*|[{}]')
FIRST_WORD = re.compile(r"[^\W\d]\w*")

SECTIONS = ("prérequis", "socle", "options")
VERBS = ("ajoute", "modifie", "remplace", "déplace", "supprime")  # the avenant operations, in the order offered


def operated(verb: str) -> tuple[str, ...]:
    """The keywords of the kinds of clause an avenant operation applies to (`modifie` → critère, brique…)."""
    return tuple(kind.keyword for kind in CLAUSES if verb in kind.operations)


BLOCKS = tuple(kind.keyword for kind in KINDS.values() if kind.top_level)  # brique, majoration, minimum, cas
BLOCK_WORDS = tuple(
    dict.fromkeys(
        w
        for word in (
            "critère",
            *BLOCKS,
            "données",
            "paramètres",
            "attendu",
            *SECTIONS,
            "ajoute",
            "modifie",
            "remplace",
            "exercice",
        )
        for w in (word, fold_accents(word))
    )
)
# The version's rules that are no clause: its prorata, the rules of one exercise (an `exercice` block holds
# avenant operations).
RULE_KEYWORDS = ("prorata :", "supprime prorata", "exercice", "supprime exercice")
ITEM_KEYWORDS = (
    "paramètres",
    "données",
    *SECTIONS,
    *BLOCKS,
    "ajoute dans",
    *(f"{verb} {word}" for verb in VERBS for word in operated(verb)),
    *RULE_KEYWORDS,
)
HEADER_KEYWORDS = ("version :", "en vigueur :", "base :", "statut :")
ATTRIBUTE_KEYWORDS = (
    "condition :",
    "points fixes :",
    "points variables :",
    "montant :",
    "axe :",
    "référence :",
    "assiette :",
    "taux :",
    "prorata :",
)
TYPE_KEYWORDS = ("booléen", "entier", "nombre", "montant", "pourcentage", "date", "choix()")
EXPRESSION_KEYWORDS = ("si", "alors", "sinon", "et", "ou", "non", "dans", "vrai", "faux")
FUNCTIONS = ("min", "max", "arrondi", "atteint")
ATTENDU_FUNCTIONS = ("points", "montant")

# (pattern on the text of the line before the word being typed, what to offer)
CONTEXTS = [
    (re.compile(r"\b(?:atteint|points|montant)\s*\(\s*$"), "elements"),
    # after an operation and a kind: the ids of that kind (`modifie brique ` → the briques)
    *(
        (
            re.compile(
                rf"\b(?:{'|'.join(keyword_pattern(verb) for verb in VERBS[1:] if verb in kind.operations)})\s+"
                rf"{keyword_pattern(kind.keyword)}\s+$"
            ),
            kind.name,
        )
        for kind in CLAUSES
    ),
    (re.compile(r"\bajoute\s+dans\s+brique\s+$"), "brique"),
    (re.compile(r"\bsupprime\s+$"), "kinds_remove"),
    (re.compile(r"\b(?:modifie|remplace)\s+$"), "kinds_change"),
    (re.compile(r"\bd[ée]place\s+$"), "kinds_move"),
    (re.compile(r"\bajoute\s+dans\s+$"), "sections_or_brique"),
    (re.compile(r"\bajoute\s+$"), "ajoute"),
    (re.compile(r"\bvers\s+$"), "sections"),
    (re.compile(r"\bcomme\s+$"), "cas"),
    (re.compile(r"\baxe\s*:\s*$"), "axes"),
    (
        re.compile(
            rf"\b(?:{'|'.join(keyword_pattern(kind.keyword) for kind in KINDS.values() if kind.namespace != VALUE)})"
            r"\s+$"
        ),
        "nothing",
    ),  # a new id is being named
]


def completion(project: Project, path: str, offset: int) -> lsp.CompletionList:
    """What may be written at `offset` of a document."""
    text = project.text(path)
    if text is None:
        source = project.source(path)
        text = source.text if source is not None else ""
    offset = min(offset, len(text))
    line_start = text.rfind("\n", 0, offset) + 1
    before = text[line_start:offset]
    typed = re.findall(r"\w*$", before)[0]  # the word being typed (empty when none)
    head = before[: len(before) - len(typed)]
    if "#" in head and not _in_label(head, head.index("#")):
        return lsp.CompletionList(is_incomplete=False, items=[])
    analysis = project.good_analysis(path)
    offer = Offer(analysis)
    what = next((name for pattern, name in CONTEXTS if pattern.search(head)), None)
    if what is None:
        what = _by_block(blocks(text[:line_start]), head)
    return lsp.CompletionList(is_incomplete=False, items=offer.items(what))


def _in_label(text: str, position: int) -> bool:
    return text.count('"', 0, position) % 2 == 1


def blocks(text: str) -> list[str]:
    """The keywords of the blocks open at the end of `text`, outermost first."""
    stack: list[str] = []
    for match in TOKENS.finditer(text):
        token = match.group()
        if token == "{":
            line = text[text.rfind("\n", 0, match.start()) + 1 : match.start()]
            words = [w for w in FIRST_WORD.findall(line) if w in BLOCK_WORDS]
            if words[:2] == ["ajoute", "brique"]:  # `ajoute brique id { … }` is a brique's body
                words = words[1:]
            stack.append(words[0] if words else "")
        elif token == "}" and stack:
            stack.pop()
    return stack


def _by_block(stack: list[str], head: str) -> str:
    """What to offer from the blocks the cursor is in, and whether it starts a line."""
    inner = stack[-1] if stack else None
    at_line_start = not head.strip()
    if inner is None:
        return "items" if at_line_start else "expression"
    if inner == "exercice":  # the changes of one exercise: avenant operations
        return "items" if at_line_start else "expression"
    inner = inner.replace("é", "e").replace("è", "e")
    if inner in ("donnees", "parametres") and len(stack) >= 2 and stack[-2] == "cas":
        return "cas_donnees" if at_line_start else "literal"
    if inner == "donnees":
        if re.fullmatch(r"\s*\w+\s*:\s*", head):
            return "types"
        if re.fullmatch(r"\s*\w+\s*:\s*\S.*\s", head) and not re.search(r"\bpar\b", head):
            return "default"  # after the type (and the label): `par défaut …`
        return "donnees" if at_line_start else "nothing"
    if inner == "parametres":
        return "parametres" if at_line_start else "expression"
    if inner == "cas":
        return "cas_blocks" if at_line_start else "nothing"
    if inner == "attendu":
        return "attendu"
    if inner in ("prerequis", "socle", "options", "ajoute"):
        return "critere_keyword" if at_line_start else "nothing"
    if at_line_start:  # in a critère, a brique, a modifie or remplace body
        return "attributes"
    return "expression"


class Offer:
    """The completion items of each kind, from the declarations in force in the document's version."""

    def __init__(self, analysis: Analysis):
        self.analysis = analysis
        index = consolidated_index(analysis)
        # the version's declarations; while it cannot be consolidated, whatever its files declare
        files = [index] if analysis.consolidated() is not None else [analysis.index(p) for p in analysis.chain]
        files.append(analysis.index())
        self.declared = [o for f in files for o in f.occurrences if o.role in DEFINING]

    def items(self, what: str) -> list[lsp.CompletionItem]:
        if what in KINDS:  # the ids of one kind of clause
            return self.ids(KINDS[what].namespace, (what,))
        match what:
            case "elements":
                return self.ids(ELEMENT)
            case "cas":
                return self.ids(CAS)
            case "cas_donnees":
                return self.ids(VALUE, ("donnee",))
            case "kinds_remove":
                return keywords(operated("supprime"))
            case "kinds_change":
                return keywords(operated("modifie"))
            case "kinds_move":
                return keywords(operated("déplace"))
            case "sections_or_brique":
                return keywords((*SECTIONS, "brique"))
            case "ajoute":
                return keywords(("dans", *operated("ajoute")))
            case "sections":
                return keywords(SECTIONS)
            case "axes":
                return self.axes()
            case "items":
                return keywords(ITEM_KEYWORDS + HEADER_KEYWORDS)
            case "cas_blocks":
                return keywords(("données", "attendu"))
            case "critere_keyword":
                return keywords(("critère",))
            case "attributes":
                return keywords(ATTRIBUTE_KEYWORDS + ("critère",))
            case "types":
                return keywords(TYPE_KEYWORDS)
            case "default":
                return keywords(("par défaut",))
            case "attendu":
                return self.expression(attendu=True)
            case "expression":
                return self.expression()
            case "literal":
                return keywords(("vrai", "faux"))
        return []

    def ids(self, namespace: str, kinds: tuple[str, ...] | None = None) -> list[lsp.CompletionItem]:
        items = {}
        for occurrence in self.declared:
            if occurrence.namespace == namespace and (kinds is None or occurrence.kind in kinds):
                items[occurrence.id] = _item(occurrence)
        return list(items.values())

    def expression(self, attendu: bool = False) -> list[lsp.CompletionItem]:
        items = self.ids(VALUE)
        items += [
            lsp.CompletionItem(
                label=f, kind=lsp.CompletionItemKind.Function, detail="fonction", insert_text=f"{f}(", sort_text=f"2{f}"
            )
            for f in FUNCTIONS
        ]
        if attendu:
            items += [
                lsp.CompletionItem(
                    label="éligible" if n == "eligible" else n,
                    kind=lsp.CompletionItemKind.Constant,
                    detail=f"résultat du cas ({t})",
                    sort_text=f"1{n}",
                )
                for n, t in ATTENDU_NAMES.items()
            ]
            items += [
                lsp.CompletionItem(
                    label=f,
                    kind=lsp.CompletionItemKind.Function,
                    detail="résultat d'une ligne",
                    insert_text=f"{f}(",
                    sort_text=f"2{f}",
                )
                for f in ATTENDU_FUNCTIONS
            ]
        return items + keywords(EXPRESSION_KEYWORDS, sort="3")

    def axes(self) -> list[lsp.CompletionItem]:
        axes = sorted(
            {
                a.value
                for o in self.declared
                if o.namespace == ELEMENT and o.node is not None
                for a in getattr(o.node, "attributes", ())
                if a.name == "axe"
            }
        )
        return [lsp.CompletionItem(label=a, kind=lsp.CompletionItemKind.EnumMember, detail="axe") for a in axes]


def _item(occurrence) -> lsp.CompletionItem:
    node = occurrence.node
    kind = KINDS.get(occurrence.kind or "")
    detail = kind.keyword if kind is not None else occurrence.kind or ""
    if occurrence.kind == "donnee":
        detail += f" · {print_type(node.type)}"
        if node.default is not None:
            detail += f" · par défaut {print_expr(node.default)}"
    shown = getattr(lsp.CompletionItemKind, kind.completion) if kind is not None else lsp.CompletionItemKind.Variable
    return lsp.CompletionItem(
        label=occurrence.id,
        kind=shown,
        detail=detail,
        documentation=getattr(node, "label", None),
        sort_text=f"0{occurrence.id}",
    )


def keywords(words, sort: str = "1") -> list[lsp.CompletionItem]:
    return [
        lsp.CompletionItem(
            label=w.replace("()", ""),
            kind=lsp.CompletionItemKind.Keyword,
            insert_text=(w.replace("()", "(") if w.endswith("()") else w + " " if w.endswith(":") else w),
            sort_text=f"{sort}{w}",
        )
        for w in words
    ]
