"""The Lark front end: the grammar compiled once into an LALR parser, and the tokens as the parser takes them.

The grammar (`grammar/conv.lark`) is compiled once per process (and cached on disk by Lark). The
contextual lexer offers a keyword wherever an LALR state shared by several contexts could take it;
`retyped` makes such a keyword the id it stands for where only an id can stand (a donnée named `taux`,
`montant(x)`), looking at the next character and at what the parser accepts. `dsl.parser` drives the
parse token by token with these.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

from lark import Lark, Token
from lark.exceptions import UnexpectedInput

from dsl.keywords import fold_accents
from dsl.kinds import KINDS

# Attribute keywords that may also be ids: lexed as keywords only where an attribute follows.
ATTRIBUTE_KEYWORDS = {"CONDITION", "MONTANT", "AXE", "REFERENCE", "RÉFÉRENCE", "POINTS", "ASSIETTE", "TAUX", "PRORATA"}
# Attribute keywords that may also name a donnée (`taux : pourcentage`): after a default value, a `:` does
# not tell them apart.
DECLARABLE = {"TAUX", "ASSIETTE", "PRORATA"}
# Keywords that start a block of a file, and may also be ids: those of the kinds written as blocks of their own
# (`dsl.kinds`: brique, majoration, minimum, cas…) and the others.
ITEM_KEYWORDS = {
    "PARAMÈTRES",
    "PARAMETRES",
    "DONNÉES",
    "DONNEES",
    "PRÉREQUIS",
    "PREREQUIS",
    "SOCLE",
    "OPTIONS",
    "AJOUTE",
    "MODIFIE",
    "REMPLACE",
    "DÉPLACE",
    "DEPLACE",
    "SUPPRIME",
    "EXERCICE",
    *(word.upper() for kind in KINDS.values() if kind.top_level for word in (kind.keyword, fold_accents(kind.keyword))),
}
# Keywords that start a clause after an id-like position: followed by `:`, the word is an id.
NAMES_BEFORE_COLON = {"PAR"}
NEXT_CHARACTER = re.compile(r"\s*(\S?)")  # matched at a position: no copy of the rest of the text


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


def at(position: int | None) -> int:
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
    follows = NEXT_CHARACTER.match(text, at(token.end_pos)).group(1)  # type: ignore[union-attr]  # matches anywhere
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
    follows = NEXT_CHARACTER.match(text, at(token.end_pos)).group(1)  # type: ignore[union-attr]  # matches anywhere
    if follows == ":" and "NAME" in interactive.choices():
        return Token.new_borrow_pos("NAME", token.value, token)
    return token
