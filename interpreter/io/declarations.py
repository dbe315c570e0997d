"""Declarations of structures: reading YAML, JSON or TOML, validating against the données.

One structure is a mapping from donnée ids to values (LANGUAGE.md, "Declarations of a
structure"): a montant in euros as a number (or `"7 €"`), a pourcentage as a number of
percent (`75` means 75 %) or a string `"75 %"`, a date as an ISO string, a choix as the
value's id, a booléen as true/false (`vrai`/`faux` too). An optional `id` key names the
structure. Every problem is reported at once, with the donnée and, where the reader gives
it, the line. Numbers are read by `interpreter.io.numbers` (the rule for text, the bounds);
values are then runtime values (see `interpreter.numbers`).

Readers: PyYAML's composer (it keeps line numbers and the raw text of each scalar, so that
`no` stays a string where a `choix` is expected, and `4.000` stays text, which is ambiguous),
`json` and `tomllib` from the standard library, with numbers kept as written
(`NumberToken`: no float, no `int()` of thousands of digits) and every key of a JSON object
kept, so that a key written twice is reported. Keys are located in one pass over the text.
"""

from __future__ import annotations

import bisect
import datetime
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

from dsl import limits
from dsl.check.parametres import check_overrides
from dsl.diagnostics import Diagnostic, Note, suggest
from dsl.errors import ConvcheckError
from dsl.model import Donnee, Model
from dsl.records import frozen
from dsl.source import SourceFile, Span, normalise
from interpreter.io.numbers import TYPE, NumberProblem, NumberToken, read_number
from interpreter.io.sizes import DECLARATION_HELP, MAX_DECLARATION_BYTES, too_large
from interpreter.io.words import FALSE_WORDS, TRUE_WORDS, TYPE_WORDS, french_json, french_problem, toml_problem
from interpreter.numbers import conv_text

SUGGESTED = 100  # unknown keys for which a close donnée is looked for
FORMATS = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".toml": "toml"}


@frozen
class Entry:
    """A value as read from a declaration file, with where it was written."""

    value: Any  # str, NumberToken, bool, int, date, or a container (an error)
    key_span: Span | None
    value_span: Span | None


@frozen
class Declaration:
    """A validated structure: its id, the runtime value of each donnée, and the données it does not declare
    that took their default (`par défaut`)."""

    id: str
    donnees: dict[str, Any]
    defaults: tuple[str, ...] = ()


class DeclarationError(ConvcheckError):
    """A declaration file that cannot be used; carries its diagnostics (and its text, when it could be read)."""

    def __init__(self, diagnostics: list[Diagnostic], source: SourceFile | None):
        super().__init__(f"{len(diagnostics)} problem(s)", diagnostics, {source.path: source} if source else None)
        self.source = source


def read_declaration(path: str, model: Model, optional=frozenset(), elsewhere=frozenset()) -> Declaration:
    """Read and validate one structure's declaration; raise `DeclarationError` listing every problem
    (`optional` and `elsewhere` as in `validate`)."""
    source, entries = read_entries(path)
    structure_id = str(entries.pop("id").value) if "id" in entries else Path(path).stem
    donnees, diagnostics = validate(model, entries, path, optional=optional, elsewhere=elsewhere)
    if diagnostics:
        raise DeclarationError(diagnostics, source)
    return Declaration(structure_id, donnees, defaults_used(model, entries, optional))


def read_entries(path: str) -> tuple[SourceFile | None, dict[str, Entry]]:
    """The mapping of a declaration file, with positions; raise `DeclarationError` if unreadable."""
    large = too_large(path, MAX_DECLARATION_BYTES, "une déclaration")
    if large is not None:
        raise DeclarationError(
            [
                Diagnostic(
                    large.code,
                    large.message,
                    file=path,
                    suggestion=f"{DECLARATION_HELP} : "
                    "elle décrit une structure ; plusieurs se simulent (convcheck simulate)",
                )
            ],
            None,
        )
    if Path(path).suffix.lower() in (".csv", ".xlsx"):
        return None, _table_entries(path)
    fmt = FORMATS.get(Path(path).suffix.lower())
    if fmt is None:
        problem = f"format de déclaration inconnu « {Path(path).suffix} » : utilisez .yaml, .json, .toml, .csv ou .xlsx"
        raise DeclarationError([Diagnostic("declaration-illisible", problem, file=path)], None)
    try:
        text = normalise(Path(path).read_bytes().decode("utf-8"))
    except UnicodeDecodeError:
        wide = Path(path).read_bytes()[:2] in (b"\xff\xfe", b"\xfe\xff")
        raise DeclarationError(
            [
                Diagnostic(
                    "declaration-illisible",
                    "le fichier est en UTF-16, pas en UTF-8" if wide else "le fichier n'est pas en UTF-8",
                    file=path,
                    suggestion="enregistrez-le en UTF-8",
                )
            ],
            None,
        ) from None
    except OSError as error:
        raise DeclarationError(
            [Diagnostic("declaration-illisible", f"lecture impossible : {error.strerror}", file=path)], None
        ) from None
    source = SourceFile(path, text)
    reader = {"yaml": _yaml_entries, "json": _json_entries, "toml": _toml_entries}[fmt]
    return source, reader(source)


def _table_entries(path: str) -> dict[str, Entry]:
    """A one-row table — CSV (French or not) or the first sheet of an Excel workbook — as a declaration: the
    header names the données (and `id`), the row gives their values, read as a population's cells are."""
    import polars as pl  # heavy, as the table reader: only for a declaration written as a table

    from interpreter.io.tables import TableError, read_table  # polars (heavy)

    try:
        frame = read_table(path).frame
    except TableError as error:
        raise DeclarationError([d for d in error.diagnostics], None) from None
    if frame.height != 1:
        raise DeclarationError(
            [
                Diagnostic(
                    "declaration-illisible",
                    f"une déclaration en tableau a une seule ligne de valeurs sous l'en-tête, pas {frame.height}",
                    file=path,
                    suggestion="pour plusieurs structures, utilisez « convcheck simulate »",
                )
            ],
            None,
        )
    entries = {}
    for name in frame.columns:
        value = frame[name][0]
        if frame[name].dtype == pl.Float64 and value is not None:
            value = NumberToken(repr(value))  # a number of the workbook, read as its format writes it
        elif isinstance(value, datetime.datetime):
            value = value.date()
        entries[name] = Entry(None if value == "" else value, None, None)
    return entries


def _unreadable(source: SourceFile, message: str, line: int | None = None, column: int = 1) -> DeclarationError:
    span = None
    if line is not None:
        offset = sum(len(text) + 1 for text in source.lines[: line - 1]) + column - 1
        span = source.span(offset, offset + 1)
    return DeclarationError([Diagnostic("declaration-illisible", message, span=span, file=source.path)], source)


def _yaml_entries(source: SourceFile) -> dict[str, Entry]:
    import yaml  # PyYAML (0.01 s of start-up): only for a YAML declaration

    try:
        root = yaml.compose(source.text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        raise _unreadable(
            source,
            f"YAML illisible : {french_problem(str(error.problem), YAML_PROBLEMS)}",
            mark.line + 1 if mark else None,
            mark.column + 1 if mark else 1,
        ) from None
    except yaml.YAMLError:
        raise _unreadable(source, "YAML illisible : syntaxe incorrecte") from None
    if not isinstance(root, yaml.MappingNode):
        raise _unreadable(source, "une déclaration est une table « donnée: valeur », une par ligne")
    entries: dict[str, Entry] = {}
    problems: list[Diagnostic] = []
    for key_node, value_node in root.value:
        key = str(key_node.value)
        key_span = _yaml_span(source, key_node)
        if key in entries:
            first = entries[key].key_span
            assert first is not None  # every entry of this file has its key's span
            problems.append(
                Diagnostic(
                    "declaration-cle-dupliquee",
                    f"« {key} » est déclarée deux fois",
                    span=key_span,
                    notes=[Note("première valeur", first)],
                )
            )
            continue
        value = value_node.value if isinstance(value_node, yaml.ScalarNode) else value_node
        if isinstance(value_node, yaml.ScalarNode) and value_node.tag.endswith(":null"):
            value = None
        entries[key] = Entry(value, key_span, _yaml_span(source, value_node))
    if problems:
        raise DeclarationError(problems, source)
    return entries


# What the readers say, in French (the first matching fragment wins).
YAML_PROBLEMS = {
    "expected ',' or ']'": "crochet « [ » jamais fermé",
    "expected ',' or '}'": "accolade « { » jamais fermée",
    "could not find expected ':'": "« : » attendu après la clé",
    "mapping values are not allowed": "« : » inattendu ; si une valeur contient « : », mettez-la entre guillemets",
    "found character '\\t'": "tabulation interdite : indentez avec des espaces",
    "found unexpected end of stream": "guillemet jamais fermé",
    "found duplicate anchor": "ancre en double",
}


def _yaml_span(source: SourceFile, node) -> Span:
    start, end = node.start_mark, node.end_mark
    if end.index <= start.index:
        return Span(
            source.path,
            start.index,
            start.index + 1,
            start.line + 1,
            start.column + 1,
            start.line + 1,
            start.column + 2,
        )
    return Span(source.path, start.index, end.index, start.line + 1, start.column + 1, end.line + 1, end.column + 1)


class Locator:
    """Spans of one text from offsets, in logarithmic time (`SourceFile.span` counts lines from the
    start each time: quadratic for a file of 80,000 keys)."""

    def __init__(self, source: SourceFile):
        self.source = source
        self.starts = [0] + [match.end() for match in re.finditer("\n", source.text)]

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1

    def span(self, start: int, end: int) -> Span:
        return Span(self.source.path, start, end, *self.position(start), *self.position(end))


class Pairs(list):
    """A JSON object as the (key, value) pairs written, duplicates included."""


def _json_entries(source: SourceFile) -> dict[str, Entry]:
    try:
        data = json.loads(
            source.text,
            object_pairs_hook=Pairs,
            parse_float=NumberToken,
            parse_int=NumberToken,
            parse_constant=NumberToken,
        )
    except json.JSONDecodeError as error:
        raise _unreadable(source, french_json(error.msg), error.lineno, error.colno) from None
    except RecursionError:
        raise _unreadable(source, french_json("too deeply nested")) from None
    if not isinstance(data, Pairs):
        raise _unreadable(source, "une déclaration est une table « donnée: valeur »")
    keys = _json_keys(source)
    entries: dict[str, Entry] = {}
    problems: list[Diagnostic] = []
    for key, value in data:
        spans = keys.get(key, [])
        span = spans.pop(0) if spans else None
        if key in entries:
            problems.append(_twice(key, span, entries[key].key_span))
            continue
        entries[key] = Entry(value, span, span)
    if problems:
        raise DeclarationError(problems, source)
    return entries


def _twice(key: str, span: Span | None, first: Span | None) -> Diagnostic:
    return Diagnostic(
        "declaration-cle-dupliquee",
        f"« {key} » est déclarée deux fois",
        span=span,
        notes=[Note("première valeur", first)] if first else [],
    )


JSON_TOKENS = re.compile(r'"(?:[^"\\]++|\\.)*+"|[{}\[\]]')  # possessive: a string of 9 Mo is matched without a
# backtracking point per character (which took a gigabyte)
COLON = re.compile(r"[ \t\r\n]*:")


def _json_keys(source: SourceFile) -> dict[str, list[Span]]:
    """The spans (`"key":`) of the keys of the top-level object, in order, found in one pass."""
    text, locator = source.text, Locator(source)
    keys: dict[str, list[Span]] = {}
    depth = 0
    for token in JSON_TOKENS.finditer(text):
        first = text[token.start()]
        if first in "{[":
            depth += 1
        elif first in "}]":
            depth -= 1
        elif depth == 1 and (colon := COLON.match(text, token.end())):
            try:
                key = json.loads(token.group())
            except json.JSONDecodeError:
                continue
            keys.setdefault(key, []).append(locator.span(token.start(), colon.end()))
    return keys


def _toml_entries(source: SourceFile) -> dict[str, Entry]:
    import tomllib  # only for a TOML declaration

    try:
        data = tomllib.loads(source.text, parse_float=NumberToken)
    except tomllib.TOMLDecodeError as error:
        raise _unreadable(source, *toml_problem(str(error))) from None
    except ValueError:  # an integer of more than 4,300 digits, which tomllib converts with int()
        raise DeclarationError([_huge_toml_integer(source)], source) from None
    keys = _toml_keys(source.text)
    locator = Locator(source)
    spans = {key: locator.span(start, end) for key, (start, end) in keys.items()}
    return {str(key): Entry(value, spans.get(str(key)), spans.get(str(key))) for key, value in data.items()}


TOML_KEYS = re.compile(r'^[ \t]*("(?:[^"\\\n]++|\\.)*+"|\'[^\'\n]*\'|[A-Za-z0-9_-]+)[ \t]*=', re.M)


def _toml_keys(text: str) -> dict[str, tuple[int, int]]:
    """Where each top-level key is written (`key =`), found in one pass; the first occurrence wins."""
    keys: dict[str, tuple[int, int]] = {}
    for match in TOML_KEYS.finditer(text):
        written = match.group(1)
        key = written[1:-1] if written[0] in "'\"" else written
        if written[0] == '"':
            try:
                key = json.loads(written)
            except json.JSONDecodeError:
                pass
        keys.setdefault(key, (match.start(1), match.end()))
    return keys


def _huge_toml_integer(source: SourceFile) -> Diagnostic:
    """The diagnostic for an integer too long for Python to convert, located by its key."""
    for match in re.finditer(
        r'^[ \t]*("?[^"=\n]+"?)[ \t]*=[ \t]*([+-]?[0-9][0-9_]*)[ \t]*(?:#.*)?$', source.text, flags=re.M
    ):
        digits = match.group(2).lstrip("+-").replace("_", "")
        if len(digits) > 4300:
            message, hint = limits.limit_text(limits.TOO_LARGE, match.group(2))
            return Diagnostic(
                "nombre-hors-limites",
                f"« {match.group(1).strip().strip(chr(34))} » = {message}",
                span=source.span(match.start(2), match.end(2)),
                file=source.path,
                suggestion=hint,
            )
    message, hint = limits.limit_text(limits.TOO_LARGE, "un entier de plus de 4 300 chiffres")
    return Diagnostic("nombre-hors-limites", message, file=source.path, suggestion=hint)


# ---- validation ------------------------------------------------------------------------------------


def validate(
    model: Model,
    entries: dict[str, Entry],
    path: str,
    structure: str | None = None,
    optional=frozenset(),
    elsewhere=frozenset(),
) -> tuple[dict, list[Diagnostic]]:
    """Runtime values for every donnée, and every problem found (none means valid). `optional` données
    may be absent (a scenario computes them); keys in `elsewhere` are données of other versions, not errors."""
    values: dict[str, Any] = {}
    problems: list[Diagnostic] = []
    prefix = f"structure « {structure} » : " if structure else ""
    unknown = [(key, given) for key, given in entries.items() if key not in model.donnees and key not in elsewhere]
    for rank, (key, given) in enumerate(unknown):  # a close donnée is looked for the first keys only: 80 000
        hint = suggest(key, model.donnees) if rank < SUGGESTED else None  # keys would take a minute
        problems.append(
            Diagnostic(
                "declaration-cle-inconnue",
                f"{prefix}« {key} » n'est pas une donnée de la convention",
                span=given.key_span,
                file=path,
                suggestion=hint,
            )
        )
    for id, donnee in model.donnees.items():
        entry = entries.get(id)
        if entry is None and id in optional:
            continue
        if _lacks(entry) and donnee.default is not None:
            values[id] = donnee.default.value
            continue
        if entry is None or entry.value is None:
            problems.append(
                Diagnostic(
                    "declaration-donnee-manquante",
                    f"{prefix}donnée manquante « {id} » ({donnee.label or id} : {_type_text(donnee)})",
                    span=entry.key_span if entry else None,
                    file=path,
                    suggestion=f"ajoutez-la à la déclaration, par exemple « {id}: {_example(donnee)} »",
                )
            )
            continue
        value, problem = convert(donnee, entry.value)
        if problem is not None:
            code, message, hint = problem
            problems.append(Diagnostic(code, f"{prefix}{message}", span=entry.value_span, file=path, suggestion=hint))
        else:
            values[id] = value
    problems.sort(key=lambda d: (d.span is None, d.span.start if d.span else 0))
    return values, problems


def _lacks(entry: Entry | None) -> bool:
    """A donnée the declaration does not give: no key, or an empty value."""
    return entry is None or entry.value is None


def defaults_used(model: Model, entries: dict[str, Entry], optional=frozenset()) -> tuple[str, ...]:
    """The données a declaration does not give and that take their default (`par défaut`), in order; those a
    scenario computes (`optional`) take its value instead."""
    return tuple(
        id
        for id, donnee in model.donnees.items()
        if donnee.default is not None and _lacks(entries.get(id)) and not (id not in entries and id in optional)
    )


def _wrong(donnee: Donnee, shown: str) -> tuple[str, str, str]:
    """A value that is not of the donnée's type, said with an example of one."""
    words = TYPE_WORDS.get(donnee.type.kind, str(donnee.type))
    return (
        "declaration-type",
        f"« {donnee.id} » attend {words}, pas « {shown} »",
        f"par exemple « {donnee.id}: {_example(donnee)} »",
    )


def _example(donnee: Donnee) -> str:
    """A value of the donnée's type, as a declaration writes it (its lowest allowed value for a number)."""
    kind = donnee.type.kind
    if kind == "booleen":
        return "vrai"
    if kind == "choix":
        return donnee.type.choices[0]
    if kind == "date":
        return "2026-01-01"
    return conv_text(donnee.low if donnee.low is not None else Decimal(0), donnee.type).removesuffix(" €")


def _type_text(donnee: Donnee) -> str:
    text = str(donnee.type)
    if donnee.low is not None and donnee.high is not None:
        text += f" entre {conv_text(donnee.low, donnee.type)} et {conv_text(donnee.high, donnee.type)}"
    return text


def convert(donnee: Donnee, raw: Any) -> tuple[Any, tuple[str, str, str | None] | None]:
    """The runtime value of a declared value, or (code, message, suggestion) saying why not."""
    kind = donnee.type.kind
    shown = limits.shorten(raw if isinstance(raw, str) else _python_text(raw))
    if kind == "choix":
        if not isinstance(raw, str) or raw not in donnee.type.choices:
            hint = suggest(str(raw), donnee.type.choices) or f"valeurs possibles : {', '.join(donnee.type.choices)}"
            return None, (
                "declaration-choix",
                f"« {donnee.id} » ne peut pas valoir « {shown} » (valeurs : {', '.join(donnee.type.choices)})",
                hint,
            )
        return raw, None
    if kind == "booleen":
        value = _boolean(raw)
        return (value, None) if value is not None else (None, _wrong(donnee, shown))
    if kind == "date":
        day = _date(raw)
        return (day, None) if day is not None else (None, _wrong(donnee, shown))
    number = read_number(raw, kind)
    if isinstance(number, NumberProblem):
        if number.code == TYPE:
            return None, _wrong(donnee, shown)
        return None, (number.code, number.message(donnee.id, TYPE_WORDS.get(kind, "")), number.hint)
    if kind == "entier" and number != number.to_integral_value():
        return None, (
            "declaration-type",
            f"« {donnee.id} » attend un nombre entier, pas « {shown} »",
            f"par exemple « {donnee.id}: {_example(donnee)} »",
        )
    if (donnee.low is not None and number < donnee.low) or (donnee.high is not None and number > donnee.high):
        return None, (
            "declaration-hors-intervalle",
            f"« {donnee.id} » = {conv_text(number, donnee.type)} est hors de l'intervalle "
            f"(entre {conv_text(donnee.low, donnee.type)} et {conv_text(donnee.high, donnee.type)})",
            None,
        )
    return number, None


def _python_text(value) -> str:
    if isinstance(value, bool):
        return "vrai" if value else "faux"
    if isinstance(value, (list, dict)) or type(value).__module__.startswith("yaml"):  # a YAML list or table
        return "une liste ou une table"
    return str(value)


def _boolean(raw) -> bool | None:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str):
        word = raw.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
    return None


def _date(raw) -> datetime.date | None:
    if isinstance(raw, datetime.datetime):
        return None
    if isinstance(raw, datetime.date):
        return raw
    if isinstance(raw, str):
        try:
            return datetime.date.fromisoformat(raw.strip())
        except ValueError:
            return None
    return None


# ---- --set overrides ---------------------------------------------------------------------------------


def read_overrides(model: Model, settings: list[str]) -> tuple[dict, list[Diagnostic], dict[str, SourceFile]]:
    """`id=expression` settings → paramètre overrides, checked like the convention's own paramètres."""
    overrides: dict = {}
    problems: list[Diagnostic] = []
    sources: dict[str, SourceFile] = {}
    for setting in settings:
        id, equal, text = setting.partition("=")
        id = id.strip()
        if not equal or not id:
            problems.append(
                Diagnostic(
                    "syntaxe",
                    f"« --set {setting} » : on attendait « --set id=valeur »",
                    file="--set",
                    suggestion="par exemple : --set valeur_point=7.5€",
                )
            )
            continue
        from dsl.parser import parse_expression  # Lark (0.04 s of start-up): only for a --set

        expr, diagnostics, source = parse_expression(text, f"--set {id}")
        sources[source.path] = source
        problems += diagnostics
        if expr is not None:
            overrides[id] = expr
    if problems:
        return {}, problems, sources
    lowered, problems = check_overrides(model, overrides)
    return lowered, problems, sources
