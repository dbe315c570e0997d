"""Parsing: `.conv` text → AST nodes, and Lark's errors → diagnostics in the user's words.

`parse_source` drives Lark's LALR parser (`dsl.lexing`) token by token, which lets it remember the
previous token and the open braces, so that a syntax error can say « on attendait « : » après
« condition » » or « accolade « { » ouverte ligne 12 jamais fermée » instead of naming grammar
terminals (`dsl.syntax_errors`); the tree becomes AST nodes in `dsl.ast_builder`. Reading a file
(its size, its encoding) is here too.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from contextlib import contextmanager

from lark import Token, Tree
from lark.exceptions import LarkError, UnexpectedInput

from dsl import nodes as n
from dsl.ast_builder import AstBuilder
from dsl.diagnostics import Diagnostic
from dsl.lexing import lark_parser, lexed, retyped
from dsl.records import frozen
from dsl.source import DecodingError, SourceFile, decode, normalise, not_conv, special_kind
from dsl.syntax_errors import SyntaxErrorTranslator

MAX_DEPTH = 200  # nesting beyond this is refused (with a diagnostic), never a RecursionError
MAX_BYTES = 20_000_000


@frozen
class ParseResult:
    """A parsed file (None when it could not be parsed) and what went wrong."""

    file: n.File | None
    source: SourceFile | None
    diagnostics: tuple[Diagnostic, ...]


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
    other = not_conv(path)
    if other is not None:  # never read, so never shown: a diagnostic quotes the lines of .conv files only
        return None, [
            Diagnostic(
                "fichier-illisible",
                f"« {path} » {other}",
                file=path,
                suggestion="convcheck lit les conventions, avenants et scénarios : des fichiers .conv",
            )
        ]
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            size = os.stat(path).st_size // 1_000_000
            return None, [
                Diagnostic(
                    "fichier-illisible",
                    f"fichier trop volumineux ({size} Mo ; maximum {MAX_BYTES // 1_000_000} Mo)",
                    file=path,
                )
            ]
    except FileNotFoundError:
        return None, [Diagnostic("fichier-illisible", f"fichier introuvable : « {path} »", file=path)]
    except OSError as error:
        return None, [
            Diagnostic("fichier-illisible", f"lecture impossible de « {path} » : {error.strerror or error}", file=path)
        ]
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
