"""Hover: what an id stands for in the version being edited, in French.

For a donnée: its label, type and range; for a paramètre: its label, type, expression and value
as consolidated (computed); for a critère or a brique: its label, where it sits, its condition and
what it pays. Each says where it was last written (file:line). On an id in an avenant, the hover
also says where it was last written before this avenant, and what this avenant changes about it.
"""

from __future__ import annotations

import os
import re

from lsprotocol import types as lsp
from pygls.uris import from_fs_path

from dsl import keywords
from dsl import nodes as n
from dsl.kinds import KINDS, keyword_pattern
from dsl.model import SECTION_TITLES, Model
from dsl.printer import print_attribute, print_expr, print_type
from dsl.source import Span
from interpreter.backends.scalar import ParametreError, display_types, parametre_values
from interpreter.lsp.index import CAS, DEFINING, ELEMENT, REFERENCE, VALUE, FileIndex, Occurrence
from interpreter.lsp.navigation import occurrence_at
from interpreter.lsp.positions import UTF16, to_range
from interpreter.lsp.project import Analysis, Project
from interpreter.numbers import reader_text

WORD = re.compile(r"\w+")
ELEMENT_CONTEXT = re.compile(
    r"(?:atteint|points|montant)\s*\(\s*$|(?:"
    + "|".join(keyword_pattern(k.keyword) for k in KINDS.values() if k.namespace == ELEMENT)
    + r")\s+$"
)


def hover(project: Project, path: str, offset: int, encoding: str = UTF16) -> lsp.Hover | None:
    """The hover at `offset` of a document: on an id of a donnée, paramètre, critère, brique or cas."""
    analysis = project.good_analysis(path)
    occurrence = occurrence_at(project, path, offset)
    key = occurrence.key if occurrence is not None else guess_key(project, analysis, path, offset)
    if key is None or key[0] not in (VALUE, ELEMENT, CAS):
        return None
    text = describe(project, analysis, key)
    if text is None:
        return None
    span = occurrence.span if occurrence is not None else None
    return lsp.Hover(
        contents=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value=text),
        range=to_range(span, project.source(path), encoding) if span is not None else None,
    )


def guess_key(project: Project, analysis: Analysis, path: str, offset: int) -> tuple[str, str] | None:
    """While the text does not parse: the word under the cursor, in the namespace its context suggests."""
    source = project.source(path)
    if source is None:
        return None
    text = source.text
    line_start = text.rfind("\n", 0, offset) + 1
    line_end = text.find("\n", offset)
    line_end = len(text) if line_end < 0 else line_end
    word = next((m for m in WORD.finditer(text, line_start, line_end) if m.start() <= offset <= m.end()), None)
    if word is None:
        return None
    declared = consolidated_index(analysis)
    element = ELEMENT_CONTEXT.search(source.text, line_start, word.start()) is not None
    for namespace in (ELEMENT, VALUE) if element else (VALUE, ELEMENT, CAS):
        if declared.of(namespace, word.group()):
            return namespace, word.group()
    return None


def consolidated_index(analysis: Analysis) -> FileIndex:
    """The declarations in force in the document's version (its consolidated AST), indexed once."""
    cached = analysis.cache.get("consolidated")
    if cached is None:
        cached = analysis.cache["consolidated"] = FileIndex(analysis.consolidated())
    return cached


def declaration(analysis: Analysis, key: tuple[str, str], path: str | None = None) -> Occurrence | None:
    """The declaration in force of an id in the version of a file of the chain (the document's by default)."""
    index = consolidated_index(analysis) if path is None else FileIndex(analysis.consolidated(path))
    found = [o for o in index.of(*key) if o.role in DEFINING]
    return found[-1] if found else None


def describe(project: Project, analysis: Analysis, key: tuple[str, str]) -> str | None:
    """The Markdown text of a hover on an id, or None when the version does not know it."""
    declared = declaration(analysis, key)
    absent = declared is None and analysis.consolidated() is not None
    if declared is None:  # removed from this version, or the version could not be consolidated
        latest = [o for p in analysis.chain for o in analysis.index(p).of(*key) if o.role in DEFINING]
        declared = latest[-1] if latest else None
    changes = avenant_changes(analysis, key)
    if declared is None and not changes:
        return None
    lines = _node_lines(project, analysis, declared, absent) if declared is not None else [f"`{key[1]}`"]
    if declared is not None:
        lines.append(f"Dernière écriture : {_where(declared.span, analysis.path)}")
    if absent:
        lines.append("Absent de cette version")
    lines += changes
    return "\n\n".join(lines)


def _node_lines(project: Project, analysis: Analysis, declared: Occurrence, absent: bool) -> list[str]:
    node = declared.node
    kind = KINDS.get(declared.kind or "")
    head = f"**{kind.keyword if kind is not None else declared.kind}** `{declared.id}`"
    label = getattr(node, "label", None)
    lines = [f"{head} — {label}" if label else head]
    match node:
        case n.Donnee():
            lines.append(f"Type : `{print_type(node.type)}`")
            if node.default is not None:
                lines.append(
                    f"Valeur par défaut : `{print_expr(node.default)}` (prise par une structure qui ne la déclare pas)"
                )
        case n.Parametre() if absent:
            lines.append(f"```conv\n{node.id} = {print_expr(node.value)}\n```")
        case n.Parametre():
            lines += _parametre_lines(project, analysis, node)
        case _ if kind is not None and kind.namespace == ELEMENT and isinstance(node, kind.node):  # a critère…
            lines += _element_lines(analysis, node, kind.name)
    return lines


def _parametre_lines(project: Project, analysis: Analysis, node: n.Parametre) -> list[str]:
    lines = [f"```conv\n{node.id} = {print_expr(node.value)}\n```"]
    model = analysis.model or project.model(analysis.path)
    if model is None or node.id not in model.parametres:
        return lines + ["Valeur : non calculée (la version a des erreurs)"]
    parametre = model.parametres[node.id]
    value = _value(analysis, model, node.id)
    lines.insert(0, f"Type : {parametre.type}")
    if value is not None:
        stale = "" if analysis.model is not None else " (dernière version sans erreur)"
        lines.append(f"Valeur consolidée : **{value}**{stale}")
    return lines


def _value(analysis: Analysis, model: Model, parametre: str) -> str | None:
    """A paramètre's value, as a reader writes it (the values of a model are computed once)."""
    key = ("values", id(model))
    if key not in analysis.cache:
        try:
            analysis.cache[key] = (parametre_values(model), display_types(model, None))
        except ParametreError:
            analysis.cache[key] = None
    if analysis.cache[key] is None:
        return None
    values, types = analysis.cache[key]
    return reader_text(values[parametre], types[parametre])


def _element_lines(analysis: Analysis, node, kind: str) -> list[str]:
    lines = []
    place = _placement(analysis, node.id, kind)
    if place:
        lines.append(place)
    attributes = [a for a in node.attributes if a.name not in ("reference", "axe")]
    if attributes:
        lines.append("```conv\n" + "\n".join(print_attribute(a) for a in attributes) + "\n```")
    reference = next((a.value for a in node.attributes if a.name == "reference"), None)
    if reference:
        lines.append(f"Référence : {reference}")
    criteres = getattr(node, "criteres", ())
    if criteres:
        lines.append("Critères : " + ", ".join(f"`{c.id}`" for c in criteres))
    return lines


def _placement(analysis: Analysis, id: str, kind: str) -> str | None:
    if kind != "critere":
        return None
    for item in (analysis.consolidated() or n.File("convention", "", None, (), ())).items:
        match item:
            case n.Section(kind=section, criteres=criteres) if any(c.id == id for c in criteres):
                return f"Section : {SECTION_TITLES[section].lower()}"
            case n.Brique(id=brique, criteres=criteres) if any(c.id == id for c in criteres):
                return f"Dans la brique `{brique}`"
    return None


def avenant_changes(analysis: Analysis, key: tuple[str, str]) -> list[str]:
    """For an avenant: where the id was last written before it, and what it changes about it."""
    written = analysis.parsed().file
    if written is None or written.kind != "avenant" or len(analysis.chain) < 2:
        return []
    own = [o for o in analysis.index().of(*key) if o.role != REFERENCE]
    if not own:
        return []
    before = declaration(analysis, key, analysis.chain[-2])
    lines = [
        f"Avant cet avenant : dernière écriture à {_where(before.span, analysis.path)}"
        if before is not None
        else "Avant cet avenant : n'existe pas"
    ]
    for occurrence in own:
        lines.append(f"Cet avenant : {_change(occurrence, before)}")
    return lines


def _change(occurrence: Occurrence, before: Occurrence | None) -> str:
    node = occurrence.node
    match occurrence.role, node:
        case "removal", _:
            return "suppression"
        case "move", n.Move(section=section):
            return f"déplacement vers « {SECTION_TITLES.get(section, section).lower()} »"
        case "replacement", _:
            return "remplacement complet (libellé, condition et rémunération)"
        case "modification", n.Modify():
            changed = [f"« {keywords.ATTRIBUTES[a.name]} »" for a in node.attributes]
            changed += ["le libellé"] if node.label else []
            changed += [f"le critère `{c.id}`" for c in node.criteres]
            return "modification de " + ", ".join(changed) if changed else "modification (rien n'est listé)"
        case "declaration", n.Parametre() if isinstance(previous := getattr(before, "node", None), n.Parametre):
            return f"nouvelle valeur `{print_expr(node.value)}` (avant : `{print_expr(previous.value)}`)"
        case "declaration", n.Donnee() if isinstance(previous := getattr(before, "node", None), n.Donnee):
            return f"nouveau type `{print_type(node.type)}` (avant : `{print_type(previous.type)}`)"
        case "declaration", _:
            return "ajout"
    return occurrence.role


def _where(span: Span, relative_to: str) -> str:
    """`fichier.conv:42`, as a link that opens the file at that line."""
    shown = os.path.relpath(span.file, os.path.dirname(relative_to)) if os.path.isabs(span.file) else span.file
    return f"[{shown}:{span.line}]({from_fs_path(os.path.abspath(span.file))}#L{span.line})"
