"""Parsing: `.conv` text → AST nodes, and Lark's errors → diagnostics in the user's words.

The grammar (`grammar/conv.lark`) is compiled once per process (and cached on disk by
Lark). `parse_source` drives Lark's LALR parser token by token, which lets it remember
the previous token and the open braces, so that a syntax error can say
« on attendait « : » après « condition » » or « accolade « { » ouverte ligne 12 jamais
fermée » instead of naming grammar terminals.
"""

from __future__ import annotations

import datetime
import difflib
import gc
import os
import re
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from typing import overload

from attrs import evolve, frozen
from lark import Lark, Token, Tree
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from dsl import limits
from dsl import nodes as n
from dsl.diagnostics import Diagnostic, Note
from dsl.source import DecodingError, SourceFile, Span, decode, normalise, special_kind

MAX_DEPTH = 200  # nesting beyond this is refused (with a diagnostic), never a RecursionError
MAX_BYTES = 20_000_000

IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*\Z")
# Words that cannot name anything: they mean something in expressions.
RESERVED = frozenset({"si", "alors", "sinon", "et", "ou", "non", "dans", "vrai", "faux"})
# Words that cannot name a donnée or a paramètre either: after an expression they start an
# attribute, or they have a meaning in `attendu` blocks.
VALUE_RESERVED = RESERVED | {"condition", "points", "montant", "axe", "reference", "critere",
                             "eligible", "total", "total_points", "avance"}
# Accent-free spellings accepted for the names that `attendu` blocks may use.
FOLDED_NAMES = {"éligible": "eligible"}
# Attribute keywords that may also be ids: lexed as keywords only where an attribute follows.
ATTRIBUTE_KEYWORDS = {"CONDITION", "MONTANT", "AXE", "REFERENCE", "RÉFÉRENCE", "POINTS", "ASSIETTE", "TAUX", "PRORATA"}
# Attribute keywords that may also name a donnée (`taux : pourcentage`): after a default value, a `:` does
# not tell them apart.
DECLARABLE = {"TAUX", "ASSIETTE", "PRORATA"}
# Keywords that start a block of a file, and may also be ids.
ITEM_KEYWORDS = {"PARAMÈTRES", "PARAMETRES", "DONNÉES", "DONNEES", "PRÉREQUIS", "PREREQUIS", "SOCLE", "OPTIONS", "BRIQUE",
                 "MAJORATION", "MINIMUM", "CAS", "AJOUTE", "MODIFIE", "REMPLACE", "DÉPLACE", "DEPLACE", "SUPPRIME",
                 "EXERCICE"}
# Keywords that start a clause after an id-like position: followed by `:`, the word is an id.
NAMES_BEFORE_COLON = {"PAR"}
NEXT_CHARACTER = re.compile(r"\s*(\S?)")  # matched at a position: no copy of the rest of the text


@frozen
class ParseResult:
    """A parsed file (None when it could not be parsed) and what went wrong."""

    file: n.File | None
    source: SourceFile | None
    diagnostics: tuple[Diagnostic, ...]


def grammar_text() -> str:
    """The grammar, read from the installed `grammar` package (a checkout or a wheel)."""
    return resources.files("grammar").joinpath("conv.lark").read_text(encoding="utf-8")


STARTS = ["start", "expr"]  # a whole file, or one expression (`--set id=expression`)


class WholeWords:
    """Lark post-lexer that makes the contextual lexer try NAME in every state.

    Lark matches a keyword against NAME as a whole word only where NAME may occur; elsewhere
    the keyword's string would match the start of a longer word (`montant_rcp` lexed as
    `montant` + `_rcp`, `supprimer` as `supprime` + `r`). With NAME always tried, the longest
    match wins: a word is a keyword only when the whole word is one.
    """

    always_accept = ("NAME",)

    def process(self, stream):
        return stream


@lru_cache(maxsize=1)
def lark_parser() -> Lark:
    """The Lark LALR parser for `.conv` files, built once (and cached on disk by Lark)."""
    grammar = grammar_text()
    options = dict(parser="lalr", propagate_positions=True, maybe_placeholders=True, start=STARTS, postlex=WholeWords())
    try:
        return Lark(grammar, cache=True, **options)
    except OSError:  # unwritable cache directory
        return Lark(grammar, **options)


def fold_accents(word: str) -> str:
    """`critère` → `critere`."""
    decomposed = unicodedata.normalize("NFD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@contextmanager
def cycle_collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while building a large AST and model.

    Trees, tokens and frozen nodes hold no cycles, so reference counting frees them; but
    each full collection scans every object alive, and a 10 MB file makes millions of them:
    with the collector running, checking grew faster than the file. Restored on exit.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# ---- reading files ---------------------------------------------------------------------------


def read_source(path: str) -> tuple[SourceFile | None, list[Diagnostic]]:
    """Read and decode a file; a problem becomes a diagnostic naming the file.

    A file that is not UTF-8 comes back with its text decoded leniently, for display only.
    """
    kind = special_kind(path)
    if kind is not None:
        return None, [Diagnostic("fichier-illisible", f"« {path} » est {kind}, pas un fichier .conv", file=path)]
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            size = os.stat(path).st_size // 1_000_000
            return None, [Diagnostic("fichier-illisible", f"fichier trop volumineux ({size} Mo ; maximum {MAX_BYTES // 1_000_000} Mo)", file=path)]
    except FileNotFoundError:
        return None, [Diagnostic("fichier-illisible", f"fichier introuvable : « {path} »", file=path)]
    except OSError as error:
        return None, [Diagnostic("fichier-illisible", f"lecture impossible de « {path} » : {error.strerror or error}", file=path)]
    try:
        return SourceFile(path, decode(data)), []
    except DecodingError as error:
        display = SourceFile(path, error.replaced)
        offset = len("\n".join(display.lines[: error.line - 1])) + (error.line > 1) + error.column - 1
        span = display.span(offset, offset + 1)
        message = f"le fichier n'est pas en UTF-8 (octet 0x{error.byte:02X} invalide)"
        return display, [Diagnostic("encodage", message, span=span, suggestion="enregistrez le fichier en UTF-8")]


def parse_file(path: str) -> ParseResult:
    """Read and parse one file."""
    source, diagnostics = read_source(path)
    if diagnostics:
        return ParseResult(None, source, tuple(diagnostics))
    assert source is not None  # read_source gives a source or says why not
    return parse_source(source)


def parse_text(text: str, path: str = "<texte>") -> ParseResult:
    """Parse `.conv` text given as a string (tests, tools)."""
    return parse_source(SourceFile(path, normalise(text)))


def parse_expression(text: str, origin: str) -> tuple[n.Expr | None, list[Diagnostic], SourceFile]:
    """Parse one expression (a `--set` value); `origin` names it in diagnostics."""
    source = SourceFile(origin, normalise(text))
    tree, error = _parse_tree(source, start="expr")
    if error is not None:
        return None, [error], source
    assert tree is not None  # _parse_tree gives a tree or an error
    too_deep = _check_depth(tree, source)
    if too_deep is not None:
        return None, [too_deep], source
    builder = AstBuilder(source)
    expr = builder.transform(tree)
    return expr, builder.diagnostics, source


def parse_source(source: SourceFile) -> ParseResult:
    """Parse a decoded file into an AST, or say in French why it cannot be parsed."""
    tree, error = _parse_tree(source)
    if error is not None:
        return ParseResult(None, source, (error,))
    assert tree is not None  # _parse_tree gives a tree or an error
    too_deep = _check_depth(tree, source)
    if too_deep is not None:
        return ParseResult(None, source, (too_deep,))
    builder = AstBuilder(source)
    file = builder.transform(tree)
    return ParseResult(file, source, tuple(builder.diagnostics))


# ---- driving Lark ------------------------------------------------------------------------------


def _parse_tree(source: SourceFile, start: str = "start") -> tuple[Tree | None, Diagnostic | None]:
    parser = lark_parser()
    text = source.text
    interactive = parser.parse_interactive(text, start=start)
    previous: Token | None = None
    braces: list[Token] = []
    try:
        for token in lexed(interactive):
            token = retyped(token, text, interactive)
            interactive.feed_token(token)
            if token.type == "LBRACE":
                braces.append(token)
            elif token.type == "RBRACE" and braces:
                braces.pop()
            previous = token
        return interactive.feed_eof(previous), None
    except UnexpectedInput as error:
        return None, SyntaxErrorTranslator(source, parser, start).translate(error, previous, braces)
    except LarkError as error:  # anything else Lark may raise: still a diagnostic
        return None, Diagnostic("syntaxe", f"fichier illisible : {error}", span=source.end_span)


def _at(position: int | None) -> int:
    """A position of a lexed token (or of a lexing error): Lark types them Optional, but its lexer sets them."""
    assert position is not None
    return position


def lexed(interactive):
    """The tokens of an interactive parse, lexed one at a time in the parser's current state (the
    contextual lexer needs it), so that each can be looked at — and retyped — before it is fed.

    Lark has no public API for this: `lexer_thread.lex(parser_state)` is what its own
    `InteractiveParser.iter_parse` does. It is used here only; `tests/test_parser.py` fails
    loudly if a Lark release changes it."""
    return interactive.lexer_thread.lex(interactive.parser_state)


def retyped(token: Token, text: str, interactive) -> Token:
    """A token as the parser takes it: a keyword that stands where only an id can is that id (the contextual
    lexer offers a keyword wherever an LALR state shared by several contexts could take it)."""
    if token.type in ATTRIBUTE_KEYWORDS:
        return _keyword_or_name(token, text, interactive)
    if token.type in NAMES_BEFORE_COLON:
        return _name_before_colon(token, text, interactive)
    if token.type in ITEM_KEYWORDS:
        return _item_or_name(token, interactive)
    return token


def _keyword_or_name(token: Token, text: str, interactive) -> Token:
    """An attribute keyword where an id may stand and no `:` follows is an id (`montant(x)`)."""
    if "NAME" not in interactive.choices():
        return token
    follows = NEXT_CHARACTER.match(text, _at(token.end_pos)).group(1)  # type: ignore[union-attr]  # matches anywhere
    if token.type == "POINTS" and (follows.isalpha()):
        return token
    if follows == ":" and (token.type not in DECLARABLE or _accepts(interactive, token)):
        return token
    return Token.new_borrow_pos("NAME", token.value, token)


def _accepts(interactive, token: Token) -> bool:
    """Whether the parser can take this token here (tried on a copy: LALR states shared by every expression
    offer an attribute keyword after an expression even where only a donnée's id may follow)."""
    try:
        interactive.copy().feed_token(token)
    except UnexpectedInput:
        return False
    return True


def _item_or_name(token: Token, interactive) -> Token:
    """A keyword that starts a block, where an id may stand and no block can start (a paramètre named `minimum`
    after another's expression: LALR states shared by every expression offer the blocks that may follow the
    version's `prorata : …`): an id."""
    if "NAME" in interactive.choices() and not _accepts(interactive, token):
        return Token.new_borrow_pos("NAME", token.value, token)
    return token


def _name_before_colon(token: Token, text: str, interactive) -> Token:
    """`par` followed by `:` where an id may stand is an id (a donnée named `par`), not `par défaut`."""
    follows = NEXT_CHARACTER.match(text, _at(token.end_pos)).group(1)  # type: ignore[union-attr]  # matches anywhere
    if follows == ":" and "NAME" in interactive.choices():
        return Token.new_borrow_pos("NAME", token.value, token)
    return token


def _check_depth(tree: Tree, source: SourceFile) -> Diagnostic | None:
    stack = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            meta = node.meta
            span = source.span(meta.start_pos, meta.end_pos) if not meta.empty else source.end_span
            return Diagnostic(
                "expression-trop-imbriquee",
                f"expression trop imbriquée (plus de {MAX_DEPTH} niveaux)",
                span=span,
                suggestion="découpez-la en paramètres ou en critères intermédiaires",
            )
        stack.extend((child, depth + 1) for child in node.children if isinstance(child, Tree))
    return None


# ---- syntax errors in the user's words --------------------------------------------------------

TERMINAL_WORDS = {
    "NAME": "un identifiant",
    "STRING": "un libellé entre guillemets",
    "NUMBER": "un nombre",
    "DATE": "une date (AAAA-MM-JJ)",
    "COMP_OP": "un opérateur de comparaison",
    "TIMES": "« * »",
    "DIVIDE": "« / »",
    "$END": "la fin du fichier",
}
EXPRESSION_START = {"NUMBER", "NAME", "LPAR"}
VALUE_TERMINALS = {"NUMBER", "NAME", "LPAR", "MINUS", "DATE", "VRAI", "FAUX", "NON", "SI"}
ATTRIBUTE_START = {"CONDITION", "POINTS", "MONTANT", "AXE"}
ITEM_START = {"SOCLE", "OPTIONS", "BRIQUE", "CAS"}  # (majoration and minimum blocks are named with them)
BLOCK_KEYWORDS = {"critère", "brique", "majoration", "minimum", "cas", "prérequis", "socle", "options", "paramètres", "données",
                  "ajoute", "modifie", "remplace", "déplace", "supprime", "attendu"}
BLOCK_WORDS = {fold_accents(k) for k in BLOCK_KEYWORDS}
_VALUE_KIND = r"(?P<verb>modifie|remplace)\s+(?P<kind>paramètre|parametre|donnée|donnee)\s+(?P<id>\w+)"
CHANGED_VALUE = re.compile(_VALUE_KIND + r'\s*(?:"(?:[^"\\\n]|\\.)*")?\s*\Z')
CHANGED_VALUE_BRACE = re.compile(_VALUE_KIND + r'\s*(?:"(?:[^"\\\n]|\\.)*")?\s*\{\s*\Z')
DECIMALS = re.compile(r"(?P<digits>[0-9]+)(?:[ \t]*(?P<unit>€|EUR|%))?")
CHARACTER_HELP = {
    "&": "écrivez « et »",
    "|": "écrivez « ou »",
    "!": "écrivez « non » pour la négation, « != » pour la différence",
    ";": "les attributs ne sont séparés par rien : passez simplement à la ligne",
    "'": "les libellés s'écrivent entre guillemets droits « \" »",
    "“": "les libellés s'écrivent entre guillemets droits « \" »",
    "”": "les libellés s'écrivent entre guillemets droits « \" »",
    "«": "les libellés s'écrivent entre guillemets droits « \" »",
    "[": "les listes s'écrivent entre parenthèses : « dans (a, b) »",
}


def _expected(error: UnexpectedToken) -> set[str]:
    """The terminals the parser could take where it failed.

    Read from the parse table: when the contextual lexer fails, Lark's `expected` lists what
    that state's lexer tries, which includes NAME everywhere (see `WholeWords`).
    """
    expected = set(error.expected)
    state = error.state
    if state is not None and "NAME" not in state.parse_conf.states[state.position]:
        expected.discard("NAME")
    return expected


class SyntaxErrorTranslator:
    """Turns a Lark `UnexpectedInput` into one French diagnostic."""

    def __init__(self, source: SourceFile, parser: Lark, start: str = "start"):
        self.source = source
        self.start = start
        self.patterns = {t.name: t.pattern for t in parser.terminals}

    def translate(self, error: UnexpectedInput, previous: Token | None, braces: list[Token]) -> Diagnostic:
        if isinstance(error, UnexpectedCharacters):
            return self._unexpected_character(error)
        assert isinstance(error, UnexpectedToken)
        token = error.token
        if token.type == "$END":
            return self._unexpected_end(error, previous, braces)
        return self._unexpected_token(error, previous, braces)

    def _span_at(self, offset: int, length: int = 1) -> Span:
        return self.source.span(offset, min(len(self.source.text), offset + length))

    def _token_span(self, token: Token) -> Span:
        return self.source.span(_at(token.start_pos), _at(token.end_pos))

    def _unexpected_character(self, error: UnexpectedCharacters) -> Diagnostic:
        offset: int = _at(error.pos_in_stream)
        char = self.source.text[offset]
        if char == '"':
            return Diagnostic(
                "chaine-non-terminee",
                "chaîne non terminée : ce libellé n'a pas de « \" » final sur sa ligne",
                span=self._span_at(offset, len(self.source.line_text(error.line)) - error.column + 1),
                suggestion="fermez le libellé par « \" » avant la fin de la ligne",
            )
        if char == "\\":
            return Diagnostic("caractere-inattendu", "« \\ » n'a de sens que dans un libellé", span=self._span_at(offset))
        shown = char if char.isprintable() else f"U+{ord(char):04X}"
        return Diagnostic(
            "caractere-inattendu",
            f"caractère inattendu « {shown} »",
            span=self._span_at(offset),
            suggestion=CHARACTER_HELP.get(char),
        )

    def _unexpected_end(self, error: UnexpectedToken, previous: Token | None, braces: list[Token]) -> Diagnostic:
        if braces:
            brace = braces[-1]
            return Diagnostic(
                "accolade-non-fermee",
                f"accolade « {{ » ouverte ligne {brace.line} jamais fermée",
                span=self._token_span(brace),
                suggestion="ajoutez « } » à la fin du bloc",
            )
        if previous is None and self.start == "expr":
            return Diagnostic("syntaxe", "valeur vide : on attendait une expression", span=self.source.end_span)
        if previous is None:
            return Diagnostic(
                "syntaxe",
                "fichier vide : il doit commencer par « convention » ou « avenant »",
                span=self.source.end_span,
                suggestion='commencez par exemple par : convention aci_msp "Accord conventionnel interprofessionnel"',
            )
        expected = self._describe(_expected(error))
        end = "valeur incomplète" if self.start == "expr" else "fin de fichier inattendue"
        return Diagnostic("syntaxe", f"{end} : on attendait {expected} après « {previous.value} »",
                          span=self.source.end_span)

    def _unexpected_token(self, error: UnexpectedToken, previous: Token | None, braces: list[Token]) -> Diagnostic:
        token = error.token
        span = self._token_span(token)
        expected = _expected(error)
        word = str(token.value)
        folded = fold_accents(word)
        accent = self._wrong_accent(token)
        if accent is not None:
            return accent
        if token.type == "NAME" and folded.upper() in ATTRIBUTE_KEYWORDS and "COLON" not in expected:
            if folded == "points":
                return Diagnostic("syntaxe", "« points » doit être suivi de « fixes » ou de « variables »", span=span)
            return Diagnostic("syntaxe", f"on attendait « : » après « {word} »", span=self._span_at(token.end_pos, 0))
        if token.type == "EQUAL" and previous is not None and previous.type in ("EQUAL", "COMP_OP"):
            return Diagnostic("syntaxe", "opérateur de comparaison mal formé", span=span,
                              suggestion="pour comparer, écrivez un seul « = » (ou « <= », « >= », « != »)")
        if braces and (("RBRACE" in expected and folded in BLOCK_WORDS) or self._starts_block(previous, token)):
            keyword = token if folded in BLOCK_WORDS else previous
            assert keyword is not None  # else _starts_block(previous, …) held: previous is a token
            return self._unclosed_before(braces[-1], keyword)
        if previous is not None and previous.type == "NAME" and previous.value in ("si", "non"):
            shape = "(si … alors … sinon …)" if previous.value == "si" else "(non …)"
            return Diagnostic("syntaxe", f"« {previous.value} » ne peut pas suivre un opérateur sans parenthèses",
                              span=self._token_span(previous), suggestion=f"écrivez « {shape} »")
        curated = self._changed_value(token) or self._decimal_comma(token, previous) or \
            self._near_miss_keyword(token, expected)
        if curated is not None:
            return curated
        description = self._describe(expected)
        if token.type == "NUMBER" and previous is not None and previous.type == "NUMBER":
            return Diagnostic("syntaxe", f"deux nombres qui se suivent : « {previous.value} {word} »", span=span,
                              suggestion="les milliers se séparent par « _ » : écrivez par exemple 4_000")
        after = f" après « {previous.value} »" if previous is not None else ""
        message = f"on attendait {description}{after}"
        if previous is None and self.start == "start":
            message = f"un fichier .conv commence par « convention » ou « avenant », pas par « {word} »"
        return Diagnostic("syntaxe", message, span=span)

    @staticmethod
    def _starts_block(previous: Token | None, token: Token) -> bool:
        """A block keyword lexed as an id (where an id may stand, as in a `données` list) and followed
        by what follows that keyword: the block before it was not closed."""
        return previous is not None and previous.type == "NAME" and fold_accents(str(previous.value)) in BLOCK_WORDS \
            and token.type in ("LBRACE", "NAME", "STRING")

    def _unclosed_before(self, brace: Token, keyword: Token) -> Diagnostic:
        word = str(keyword.value)
        return Diagnostic(
            "accolade-non-fermee",
            f"accolade « {{ » ouverte ligne {brace.line} jamais fermée avant « {word} »",
            span=self._token_span(brace),
            suggestion=f"ajoutez « }} » avant la ligne {keyword.line}",
            notes=[Note(f"« {word} » commence un nouveau bloc", self._token_span(keyword))],
        )

    def _changed_value(self, token: Token) -> Diagnostic | None:
        """`modifie paramètre x = 8_000 €` or `modifie donnée x { … }`: values are redefined, not modified."""
        text = self.source.text
        if token.type in ("EQUAL", "COLON"):
            match = CHANGED_VALUE.search(text, text.rfind("\n", 0, _at(token.start_pos)) + 1, _at(token.start_pos))
        elif token.type in ("NAME", "NUMBER", "MINUS"):  # inside the braces of `modifie paramètre x { … }`
            match = CHANGED_VALUE_BRACE.search(text, max(0, _at(token.start_pos) - 400), _at(token.start_pos))
        else:
            return None
        if match is None:
            return None
        verb, kind, id = match.group("verb"), fold_accents(match.group("kind")), match.group("id")
        if kind == "parametre":
            what, block, pronoun, shape = "un paramètre", "paramètres", "le", f"{id} = …"
        else:
            what, block, pronoun, shape = "une donnée", "données", "la", f"{id} : type \"libellé\""
        value = self._rest_of_line(token) if token.type in ("EQUAL", "COLON") else ""
        example = f"{block} {{ {id} {token.value} {value} }}" if value else f"{block} {{ {shape} }}"
        return Diagnostic(
            "syntaxe",
            f"« {verb} » ne s'applique pas à {what} : pour changer {what}, redéfinissez-{pronoun} dans "
            f"« {block} {{ … }} »",
            span=self.source.span(match.start("verb"), _at(token.end_pos)),
            suggestion=f"écrivez « {example} »",
        )

    def _rest_of_line(self, token: Token) -> str:
        end = self.source.text.find("\n", token.end_pos)
        rest = self.source.text[token.end_pos: end if end >= 0 else len(self.source.text)]
        return rest.split("#", 1)[0].strip().rstrip("}").strip()

    def _decimal_comma(self, token: Token, previous: Token | None) -> Diagnostic | None:
        """`250,50 €`: a decimal comma, where a comma cannot separate two values."""
        if token.type != "COMMA" or previous is None or previous.type != "NUMBER" or previous.end_pos != token.start_pos:
            return None
        match = DECIMALS.match(self.source.text, _at(token.end_pos))
        if match is None:
            return None
        written = f"{previous.value},{match.group('digits')}"
        unit = f" {match.group('unit')}" if match.group("unit") else ""
        return Diagnostic("syntaxe", f"nombre mal écrit « {written} »",
                          span=self.source.span(_at(previous.start_pos), match.end("digits")),
                          suggestion=f"les décimales s'écrivent avec un point : {previous.value}.{match.group('digits')}{unit}")

    def _wrong_accent(self, token: Token) -> Diagnostic | None:
        """`critére`, `prèrequis`: a keyword with a wrong accent (a keyword is written with its accents or
        without any). Said as such, before it is taken for a block left open or an unknown word."""
        word = str(token.value)
        if token.type != "NAME" or word.isascii():
            return None
        spellings = {str(p.value) for p in self.patterns.values() if p.type == "str" and str(p.value).isalpha()}
        accented = {fold_accents(k): k for k in spellings if not k.isascii()}
        meant = accented.get(fold_accents(word))
        if meant is None or word in spellings:
            return None
        return Diagnostic("mot-cle-accent", f"mot-clé mal accentué « {word} »", span=self._token_span(token),
                          suggestion=f"écrivez « {meant} » (ou « {fold_accents(meant)} », sans accent)")

    def _near_miss_keyword(self, token: Token, expected: set[str]) -> Diagnostic | None:
        """A word where only keywords may stand, close to one of them: `supprimer`, `criter`, `socel`."""
        if token.type != "NAME":
            return None
        keywords = [self.patterns[t].value for t in expected if t in self.patterns and self.patterns[t].type == "str"]
        by_folded: dict[str, str] = {}
        for keyword in sorted(keywords, key=lambda k: k == fold_accents(k)):  # accented spelling first
            if keyword.isalpha():
                by_folded.setdefault(fold_accents(keyword), keyword)
        word = str(token.value)
        matches = difflib.get_close_matches(fold_accents(word), list(by_folded), n=1, cutoff=0.6)
        if not matches:
            return None
        return Diagnostic("syntaxe", f"mot-clé inconnu « {word} »", span=self._token_span(token),
                          suggestion=f"écrivez « {by_folded[matches[0]]} »")

    def _describe(self, expected: set[str]) -> str:
        """The expected terminals, in words: « : », un identifiant, une expression…"""
        expected = set(expected)
        parts: list[str] = []
        if EXPRESSION_START <= expected:
            parts.append("une expression" if "NON" in expected else "une valeur")
            expected -= VALUE_TERMINALS
        if ATTRIBUTE_START <= expected:
            parts.append("un attribut (« condition », « points fixes », « montant »…)")
            expected -= ATTRIBUTE_START | {"REFERENCE", "RÉFÉRENCE"}
        if ITEM_START <= expected:
            parts.append("un bloc (« paramètres », « données », « prérequis », « socle », « options », « brique », « cas »…)")
            expected = {t for t in expected if self._is_punctuation(t) or t in TERMINAL_WORDS}
        words: list[str] = []
        seen: set[str] = set()
        for name in sorted(expected, key=self._display_order):
            word = self._word(name)
            if fold_accents(word) not in seen:
                seen.add(fold_accents(word))
                words.append(word)
        parts += words
        if not parts:
            return "autre chose"
        if len(parts) == 1:
            return parts[0]
        return ", ".join(parts[:-1]) + " ou " + parts[-1]

    def _is_punctuation(self, name: str) -> bool:
        pattern = self.patterns.get(name)
        return pattern is not None and pattern.type == "str" and not pattern.value.isalpha()

    def _display_order(self, name: str):
        pattern = self.patterns.get(name)
        accented = pattern is not None and pattern.value != fold_accents(pattern.value)
        return (name in TERMINAL_WORDS, not accented, name)

    def _word(self, name: str) -> str:
        if name in TERMINAL_WORDS:
            return TERMINAL_WORDS[name]
        pattern = self.patterns.get(name)
        if pattern is not None and pattern.type == "str":
            return f"« {pattern.value} »"
        if pattern is not None:
            return f"« {name.lower()} »"
        return name.lower()


# ---- Lark tree → AST nodes -------------------------------------------------------------------


class AstBuilder:
    """Builds `dsl.nodes` from Lark's tree; collects diagnostics on ids, labels and dates.

    One method per rule (or `-> alias`) of the grammar, called with the rule's `meta` (its
    positions) and its children already built. The walk is iterative, children first: no
    recursion however deep the tree, and no wrapper built per call (as Lark's `v_args`
    transformers do), which measured ~11 % of parsing.
    """

    def __init__(self, source: SourceFile):
        self.source = source
        self.diagnostics: list[Diagnostic] = []

    def transform(self, tree: Tree):
        """The AST of a Lark tree."""
        methods: dict[str, Callable] = {}
        done: list = []  # built values, in the order their trees were left
        stack: list = [(tree, False)]
        while stack:
            node, expanded = stack.pop()
            if not isinstance(node, Tree):
                done.append(node)
                continue
            if not expanded:
                stack.append((node, True))
                stack.extend((child, False) for child in reversed(node.children))
                continue
            count = len(node.children)
            children = done[len(done) - count:] if count else []
            del done[len(done) - count:]
            method = methods.get(node.data)
            if method is None:
                method = methods[node.data] = getattr(self, node.data)
            done.append(method(node.meta, children))
        return done[0]

    # -- helpers

    def _span(self, meta) -> Span | None:
        if meta.empty:
            return None
        return Span(self.source.path, meta.start_pos, meta.end_pos, meta.line, meta.column, meta.end_line, meta.end_column)

    def _tspan(self, token: Token) -> Span:
        return Span(self.source.path, _at(token.start_pos), _at(token.end_pos), _at(token.line), _at(token.column),
                    _at(token.end_line), _at(token.end_column))

    def _id(self, token: Token, declared: bool = True, reserved: frozenset = RESERVED) -> str:
        """A declared or referenced identifier, checked for form (and, if declared, reservation)."""
        word = str(token.value)
        if IDENTIFIER.match(word):
            if declared and word in reserved:
                self.diagnostics.append(Diagnostic(
                    "mot-reserve", f"« {word} » est un mot réservé du langage et ne peut pas servir d'identifiant ici",
                    span=self._tspan(token), suggestion=f"choisissez un autre nom, par exemple « {word}_structure »"))
            return word
        fixed = re.sub(r"[^a-z0-9_]", "_", fold_accents(word).lower())
        if fixed[:1].isdigit():
            fixed = "_" + fixed
        self.diagnostics.append(Diagnostic(
            "identifiant-invalide",
            f"identifiant invalide « {word} » : les identifiants s'écrivent en minuscules ASCII, chiffres et « _ »",
            span=self._tspan(token), suggestion=f"écrivez « {fixed} »"))
        return fixed

    @overload
    def _label(self, token: Token) -> str: ...
    @overload
    def _label(self, token: None) -> None: ...

    def _label(self, token: Token | None) -> str | None:
        if token is None:
            return None
        raw = str(token.value)[1:-1]
        out: list[str] = []
        i = 0
        while i < len(raw):
            c = raw[i]
            if c == "\\" and i + 1 < len(raw):
                nxt = raw[i + 1]
                if nxt not in '"\\':
                    start = _at(token.start_pos) + 1 + i
                    self.diagnostics.append(Diagnostic(
                        "echappement-invalide", f"séquence d'échappement inconnue « \\{nxt} » dans un libellé",
                        span=self.source.span(start, start + 2),
                        suggestion="seuls « \\\" » et « \\\\ » sont permis ; écrivez « \\\\ » pour une barre oblique inverse"))
                out.append(nxt)
                i += 2
                continue
            out.append(c)
            i += 1
        return "".join(out)

    @staticmethod
    def _split_label(children):
        """(label token or None, remaining children) for `NAME STRING? …` rules."""
        if children and isinstance(children[0], Token) and children[0].type == "STRING":
            return children[0], list(children[1:])
        return None, list(children)

    # -- files and headers

    def start(self, meta, children):
        return children[0]

    def _file(self, kind, meta, children):
        name, rest = children[0], children[1:]
        label, rest = self._split_label(rest)
        headers = tuple(c for c in rest if isinstance(c, n.Header))
        items = tuple(c for c in rest if not isinstance(c, n.Header))
        return n.File(kind, self._id(name), self._label(label), headers, items,
                      span=self._span(meta), id_span=self._tspan(name))

    def convention_file(self, meta, children):
        return self._file("convention", meta, children)

    def avenant_file(self, meta, children):
        return self._file("avenant", meta, children)

    def scenario_file(self, meta, children):
        return self._file("scenario", meta, children)

    def pour(self, meta, children):
        return n.Header("pour", self._label(children[0]), span=self._span(meta))

    def scenario_donnees(self, meta, children):
        return n.ScenarioDonnees(tuple(children), span=self._span(meta))

    def version(self, meta, children):
        return n.Header("version", self._label(children[0]), span=self._span(meta))

    def base(self, meta, children):
        return n.Header("base", self._label(children[0]), span=self._span(meta))

    def statut(self, meta, children):
        """`statut : signé | proposition`, folded (`signe`); an unknown word is kept for the checker to name."""
        return n.Header("statut", fold_accents(str(children[0].value)), span=self._span(meta))

    def en_vigueur(self, meta, children):
        return n.Header("en_vigueur", self._date_value(children[0]), span=self._span(meta))

    # -- declarations

    def parametres(self, meta, children):
        return n.ParametresBlock(tuple(children), span=self._span(meta))

    def parametre(self, meta, children):
        name, _equal, value, *label = children
        return n.Parametre(self._id(name, reserved=VALUE_RESERVED), value, self._label(label[0] if label else None),
                           span=self._span(meta), id_span=self._tspan(name))

    def donnees(self, meta, children):
        return n.DonneesBlock(tuple(children), span=self._span(meta))

    def donnee(self, meta, children):
        name, type_spec, *rest = children
        label = next((c for c in rest if isinstance(c, Token)), None)
        default = next((c[1] for c in rest if isinstance(c, tuple)), None)
        return n.Donnee(self._id(name, reserved=VALUE_RESERVED), type_spec, self._label(label), default,
                        span=self._span(meta), id_span=self._tspan(name))

    def default(self, meta, children):
        return ("defaut", children[0])

    def type_spec(self, meta, children):
        name = children[0]
        low, high = children[1] if len(children) > 1 else (None, None)
        return n.TypeSpec(name, (), low, high, span=self._span(meta))

    def type_name(self, meta, children):
        return fold_accents(str(children[0].value))

    def choix_type(self, meta, children):
        return n.TypeSpec("choix", tuple(self._id(t) for t in children), span=self._span(meta))

    def range(self, meta, children):
        return children[0], children[1]

    def neg_literal(self, meta, children):
        return n.Neg(children[1], span=self._span(meta))

    # -- sections, critères, briques

    def _section(self, kind, meta, children):
        return n.Section(kind, tuple(children), span=self._span(meta))

    def prerequis(self, meta, children):
        return self._section("prerequis", meta, children)

    def socle(self, meta, children):
        return self._section("socle", meta, children)

    def options(self, meta, children):
        return self._section("options", meta, children)

    def critere(self, meta, children):
        name, rest = children[0], children[1:]
        label, attributes = self._split_label(rest)
        return n.Critere(self._id(name), self._label(label), tuple(attributes),
                         span=self._span(meta), id_span=self._tspan(name))

    def brique(self, meta, children):
        name, rest = children[0], children[1:]
        label, body = self._split_label(rest)
        return n.Brique(self._id(name), self._label(label),
                        tuple(c for c in body if isinstance(c, n.Attribute)),
                        tuple(c for c in body if isinstance(c, n.Critere)),
                        span=self._span(meta), id_span=self._tspan(name))

    def _supplement(self, cls, meta, children):
        name, rest = children[0], children[1:]
        label, attributes = self._split_label(rest)
        return cls(self._id(name), self._label(label), tuple(attributes), span=self._span(meta), id_span=self._tspan(name))

    def majoration(self, meta, children):
        return self._supplement(n.Majoration, meta, children)

    def minimum(self, meta, children):
        return self._supplement(n.Minimum, meta, children)

    def _attribute(self, name, meta, children):
        return n.Attribute(name, children[0], span=self._span(meta))

    def condition(self, meta, children):
        return self._attribute("condition", meta, children)

    def points_fixes(self, meta, children):
        return self._attribute("points_fixes", meta, children)

    def points_variables(self, meta, children):
        return self._attribute("points_variables", meta, children)

    def montant(self, meta, children):
        return self._attribute("montant", meta, children)

    def axe(self, meta, children):
        return n.Attribute("axe", self._id(children[0], declared=False), span=self._span(meta))

    def reference(self, meta, children):
        return n.Attribute("reference", self._label(children[0]), span=self._span(meta))

    def assiette(self, meta, children):
        part, *sections = children
        value = n.Assiette(part, tuple(fold_accents(str(s.value)) for s in sections if s is not None),
                           span=self._span(meta))
        return n.Attribute("assiette", value, span=self._span(meta))

    def assiette_part(self, meta, children):
        return "_".join(str(t.value) for t in children)  # points_variables | points_fixes | points | total

    def taux(self, meta, children):
        return self._attribute("taux", meta, children)

    def prorata(self, meta, children):
        return self._attribute("prorata", meta, children)

    # -- cas

    def cas(self, meta, children):
        name, rest = children[0], children[1:]
        label, rest = self._split_label(rest)
        parts = {key: (values, span) for key, values, span in rest}
        donnees, donnees_span = parts.get("donnees", (None, None))
        attendu, attendu_span = parts.get("attendu", (None, None))
        base, base_span = parts.get("comme", (None, None))
        return n.Cas(self._id(name), self._label(label), donnees, attendu, base, span=self._span(meta),
                     id_span=self._tspan(name), donnees_span=donnees_span, attendu_span=attendu_span,
                     base_span=base_span)

    def comme(self, meta, children):
        return ("comme", self._id(children[0], declared=False), self._tspan(children[0]))

    def cas_donnees(self, meta, children):
        return ("donnees", tuple(children), self._span(meta))

    def attendu(self, meta, children):
        return ("attendu", tuple(children), self._span(meta))

    def assignment(self, meta, children):
        name, _equal, value = children
        return n.Assignment(self._id(name, declared=False), value, span=self._span(meta), id_span=self._tspan(name))

    # -- avenant operations

    def element_kind(self, meta, children):
        return fold_accents(str(children[0].value))

    def add_criteres(self, meta, children):
        section, *criteres = children
        return n.AddCriteres(fold_accents(str(section.value)), tuple(criteres),
                             span=self._span(meta), section_span=self._tspan(section))

    def add_to_brique(self, meta, children):
        name, *criteres = children
        return n.AddToBrique(self._id(name, declared=False), tuple(criteres), span=self._span(meta), id_span=self._tspan(name))

    def add_brique(self, meta, children):
        return n.AddBrique(children[0], span=self._span(meta))

    def add_majoration(self, meta, children):
        return n.AddSupplement(children[0], span=self._span(meta))

    add_minimum = add_majoration

    def add_parametres(self, meta, children):
        return evolve(children[0], added=True, span=self._span(meta))

    add_donnees = add_parametres

    def _body_operation(self, cls, meta, children):
        kind, name, *rest = children
        label, body = self._split_label(rest)
        return cls(kind, self._id(name, declared=False), self._label(label),
                   tuple(c for c in body if isinstance(c, n.Attribute)),
                   tuple(c for c in body if isinstance(c, n.Critere)),
                   span=self._span(meta), id_span=self._tspan(name))

    def modify(self, meta, children):
        return self._body_operation(n.Modify, meta, children)

    def replace(self, meta, children):
        return self._body_operation(n.Replace, meta, children)

    def move(self, meta, children):
        kind, name, section = children
        return n.Move(kind, self._id(name, declared=False), fold_accents(str(section.value)),
                      span=self._span(meta), id_span=self._tspan(name), section_span=self._tspan(section))

    def remove(self, meta, children):
        kind, name = children
        return n.Remove(kind, self._id(name, declared=False), span=self._span(meta), id_span=self._tspan(name))

    def remove_prorata(self, meta, children):
        return n.Remove("prorata", "prorata", span=self._span(meta), id_span=self._span(meta))

    def prorata_item(self, meta, children):
        return n.Prorata(children[0], span=self._span(meta))

    def exercice(self, meta, children):
        year, *items = children
        return n.Exercice(self._year(year), tuple(items), span=self._span(meta), year_span=self._tspan(year))

    def remove_exercice(self, meta, children):
        return n.Remove("exercice", str(self._year(children[0])), span=self._span(meta), id_span=self._tspan(children[0]))

    def _year(self, token: Token) -> int:
        """An exercise's year: a whole number of four digits (reported otherwise; 0 then)."""
        text = str(token.value)
        if re.fullmatch(r"[0-9]{4}", text):
            return int(text)
        self.diagnostics.append(Diagnostic(
            "exercice-invalide", f"« {text} » n'est pas une année : un exercice se nomme par son année, sur quatre "
            "chiffres", span=self._tspan(token), suggestion="par exemple « exercice 2022 { … } »"))
        return 0

    # -- expressions

    def if_expr(self, meta, children):
        condition, then, otherwise = children
        return n.If(condition, then, otherwise, span=self._span(meta))

    def or_expr(self, meta, children):
        return n.Logic("ou", children[0], children[1], span=self._span(meta))

    def and_expr(self, meta, children):
        return n.Logic("et", children[0], children[1], span=self._span(meta))

    def not_expr(self, meta, children):
        return n.Not(children[0], span=self._span(meta))

    def compare(self, meta, children):
        left, op, right = children
        return n.Compare(CANONICAL_OPERATORS.get(str(op), str(op)), left, right, span=self._span(meta))

    def within(self, meta, children):
        return n.Within(children[0], tuple(children[1:]), span=self._span(meta))

    def binop(self, meta, children):
        left, op, right = children
        return n.BinOp(CANONICAL_OPERATORS.get(str(op), str(op)), left, right, span=self._span(meta))

    def neg(self, meta, children):
        return n.Neg(children[1], span=self._span(meta))

    def _number(self, meta, token: Token, percent: bool = False) -> Decimal:
        """A literal's value; one beyond the bounds of `dsl.limits` is reported (its value is then 0)."""
        text = str(token)
        integer, _, fraction = text.replace("_", "").partition(".")
        problem = limits.digits_problem(integer, fraction)
        if problem is None:
            return Decimal(f"{integer}.{fraction}" if fraction else integer)
        message, hint = limits.limit_text(problem, text, percent)
        self.diagnostics.append(Diagnostic("nombre-hors-limites", f"le nombre {message}", span=self._span(meta),
                                           suggestion=hint))
        return Decimal(0)

    def number(self, meta, children):
        return n.Number(self._number(meta, children[0]), text=str(children[0]), span=self._span(meta))

    def money(self, meta, children):
        return n.Money(self._number(meta, children[0]), text=str(children[0]), span=self._span(meta))

    def percent(self, meta, children):
        return n.Percent(self._number(meta, children[0], percent=True), text=str(children[0]), span=self._span(meta))

    def _date_value(self, token: Token):
        try:
            return datetime.date.fromisoformat(str(token.value))
        except ValueError:
            self.diagnostics.append(Diagnostic("syntaxe", f"date impossible « {token.value} »", span=self._tspan(token),
                                               suggestion="une date s'écrit AAAA-MM-JJ, par exemple 2017-08-05"))
            return datetime.date(1, 1, 1)

    def date(self, meta, children):
        return n.DateLit(self._date_value(children[0]), span=self._span(meta))

    def true(self, meta, children):
        return n.Bool(True, span=self._span(meta))

    def false(self, meta, children):
        return n.Bool(False, span=self._span(meta))

    def name(self, meta, children):
        token = children[0]
        word = FOLDED_NAMES.get(str(token.value))
        return n.Name(word or self._id(token, declared=False), span=self._span(meta))

    def call(self, meta, children):
        func, *args = children
        return n.Call(self._id(func, declared=False), tuple(a for a in args if a is not None), span=self._span(meta))


CANONICAL_OPERATORS = {"≤": "<=", "≥": ">=", "≠": "!=", "×": "*", "÷": "/"}
