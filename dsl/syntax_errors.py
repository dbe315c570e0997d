"""Syntax errors in the user's words: a Lark `UnexpectedInput` → one French diagnostic.

Lark's terminal names are translated (« un identifiant », « : »), and common mistakes get a curated
message: a block left open before the next one starts, a keyword with a wrong accent or a near miss
(`supprimer`), a decimal comma (`250,50 €`), `modifie paramètre x = …` (a value is redefined, not modified),
two numbers in a row. `dsl.parser` gives the translator the previous token and the braces still open.
"""

from __future__ import annotations

import difflib
import re

from lark import Lark, Token
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from dsl.diagnostics import Diagnostic, Note
from dsl.keywords import fold_accents
from dsl.kinds import KINDS, VALUE
from dsl.lexing import ATTRIBUTE_KEYWORDS, at
from dsl.source import SourceFile, Span

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
# The words that open a block: those of the kinds of `dsl.kinds` written as blocks (critère, brique, majoration,
# minimum, cas…; données and paramètres are declared in blocks named in the plural) and the others.
BLOCK_KEYWORDS = {
    "prérequis",
    "socle",
    "options",
    "paramètres",
    "données",
    "ajoute",
    "modifie",
    "remplace",
    "déplace",
    "supprime",
    "attendu",
    *(kind.keyword for kind in KINDS.values() if kind.namespace != VALUE),
}
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
        return self.source.span(at(token.start_pos), at(token.end_pos))

    def _unexpected_character(self, error: UnexpectedCharacters) -> Diagnostic:
        offset: int = at(error.pos_in_stream)
        char = self.source.text[offset]
        if char == '"':
            return Diagnostic(
                "chaine-non-terminee",
                "chaîne non terminée : ce libellé n'a pas de « \" » final sur sa ligne",
                span=self._span_at(offset, len(self.source.line_text(error.line)) - error.column + 1),
                suggestion='fermez le libellé par « " » avant la fin de la ligne',
            )
        if char == "\\":
            return Diagnostic(
                "caractere-inattendu", "« \\ » n'a de sens que dans un libellé", span=self._span_at(offset)
            )
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
        return Diagnostic(
            "syntaxe", f"{end} : on attendait {expected} après « {previous.value} »", span=self.source.end_span
        )

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
            return Diagnostic(
                "syntaxe",
                "opérateur de comparaison mal formé",
                span=span,
                suggestion="pour comparer, écrivez un seul « = » (ou « <= », « >= », « != »)",
            )
        if braces and (("RBRACE" in expected and folded in BLOCK_WORDS) or self._starts_block(previous, token)):
            keyword = token if folded in BLOCK_WORDS else previous
            assert keyword is not None  # else _starts_block(previous, …) held: previous is a token
            return self._unclosed_before(braces[-1], keyword)
        if previous is not None and previous.type == "NAME" and previous.value in ("si", "non"):
            shape = "(si … alors … sinon …)" if previous.value == "si" else "(non …)"
            return Diagnostic(
                "syntaxe",
                f"« {previous.value} » ne peut pas suivre un opérateur sans parenthèses",
                span=self._token_span(previous),
                suggestion=f"écrivez « {shape} »",
            )
        curated = (
            self._changed_value(token)
            or self._decimal_comma(token, previous)
            or self._near_miss_keyword(token, expected)
        )
        if curated is not None:
            return curated
        description = self._describe(expected)
        if token.type == "NUMBER" and previous is not None and previous.type == "NUMBER":
            return Diagnostic(
                "syntaxe",
                f"deux nombres qui se suivent : « {previous.value} {word} »",
                span=span,
                suggestion="les milliers se séparent par « _ » : écrivez par exemple 4_000",
            )
        after = f" après « {previous.value} »" if previous is not None else ""
        message = f"on attendait {description}{after}"
        if previous is None and self.start == "start":
            message = f"un fichier .conv commence par « convention » ou « avenant », pas par « {word} »"
        return Diagnostic("syntaxe", message, span=span)

    @staticmethod
    def _starts_block(previous: Token | None, token: Token) -> bool:
        """A block keyword lexed as an id (where an id may stand, as in a `données` list) and followed
        by what follows that keyword: the block before it was not closed."""
        return (
            previous is not None
            and previous.type == "NAME"
            and fold_accents(str(previous.value)) in BLOCK_WORDS
            and token.type in ("LBRACE", "NAME", "STRING")
        )

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
            match = CHANGED_VALUE.search(text, text.rfind("\n", 0, at(token.start_pos)) + 1, at(token.start_pos))
        elif token.type in ("NAME", "NUMBER", "MINUS"):  # inside the braces of `modifie paramètre x { … }`
            match = CHANGED_VALUE_BRACE.search(text, max(0, at(token.start_pos) - 400), at(token.start_pos))
        else:
            return None
        if match is None:
            return None
        verb, kind, id = match.group("verb"), fold_accents(match.group("kind")), match.group("id")
        if kind == "parametre":
            what, block, pronoun, shape = "un paramètre", "paramètres", "le", f"{id} = …"
        else:
            what, block, pronoun, shape = "une donnée", "données", "la", f'{id} : type "libellé"'
        value = self._rest_of_line(token) if token.type in ("EQUAL", "COLON") else ""
        example = f"{block} {{ {id} {token.value} {value} }}" if value else f"{block} {{ {shape} }}"
        return Diagnostic(
            "syntaxe",
            f"« {verb} » ne s'applique pas à {what} : pour changer {what}, redéfinissez-{pronoun} dans "
            f"« {block} {{ … }} »",
            span=self.source.span(match.start("verb"), at(token.end_pos)),
            suggestion=f"écrivez « {example} »",
        )

    def _rest_of_line(self, token: Token) -> str:
        end = self.source.text.find("\n", token.end_pos)
        rest = self.source.text[token.end_pos : end if end >= 0 else len(self.source.text)]
        return rest.split("#", 1)[0].strip().rstrip("}").strip()

    def _decimal_comma(self, token: Token, previous: Token | None) -> Diagnostic | None:
        """`250,50 €`: a decimal comma, where a comma cannot separate two values."""
        if (
            token.type != "COMMA"
            or previous is None
            or previous.type != "NUMBER"
            or previous.end_pos != token.start_pos
        ):
            return None
        match = DECIMALS.match(self.source.text, at(token.end_pos))
        if match is None:
            return None
        written = f"{previous.value},{match.group('digits')}"
        unit = f" {match.group('unit')}" if match.group("unit") else ""
        return Diagnostic(
            "syntaxe",
            f"nombre mal écrit « {written} »",
            span=self.source.span(at(previous.start_pos), match.end("digits")),
            suggestion=f"les décimales s'écrivent avec un point : {previous.value}.{match.group('digits')}{unit}",
        )

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
        return Diagnostic(
            "mot-cle-accent",
            f"mot-clé mal accentué « {word} »",
            span=self._token_span(token),
            suggestion=f"écrivez « {meant} » (ou « {fold_accents(meant)} », sans accent)",
        )

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
        return Diagnostic(
            "syntaxe",
            f"mot-clé inconnu « {word} »",
            span=self._token_span(token),
            suggestion=f"écrivez « {by_folded[matches[0]]} »",
        )

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
            parts.append(
                "un bloc (« paramètres », « données », « prérequis », « socle », « options », « brique », « cas »…)"
            )
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
