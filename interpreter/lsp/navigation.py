"""Go to definition, find references and rename, across a chain of bases and the avenants built on it.

An id keeps its meaning along a chain: `modifie critère rcp` in an avenant is the `rcp` of its
base. A definition is the declaration in force where the cursor stands: the latest one before it
in the chain (a base's `critère rcp`, an avenant's `remplace critère rcp` or its new value of a
paramètre), else the first one after it. References and renames reach the file that first declares
the id and every file that builds on it: its chain, and the avenants of the workspace on top of it.
"""

from __future__ import annotations

import os
from functools import lru_cache

from lsprotocol import types as lsp
from pygls.uris import from_fs_path

from dsl.errors import ConvcheckError
from dsl.keywords import IDENTIFIER, RESERVED, VALUE_RESERVED, fold_accents
from dsl.kinds import CLAUSES
from dsl.lexing import lark_parser
from dsl.records import frozen
from interpreter.lsp.index import DEFINING, ELEMENT, VALUE, FileIndex, Occurrence
from interpreter.lsp.positions import UTF16, to_range
from interpreter.lsp.project import Analysis, Project, realpath

RENAMEABLE = (VALUE, ELEMENT)
NAME_OF = {
    **{kind.name: kind.of_one for kind in CLAUSES},
    VALUE: "d'une donnée ou d'un paramètre",
    ELEMENT: "d'un critère ou d'une brique",
}


class RenameRefused(ConvcheckError):
    """A rename that cannot be done, with the reason in French."""


@frozen
class Found:
    """An occurrence in a file."""

    path: str
    occurrence: Occurrence


def occurrence_at(project: Project, path: str, offset: int) -> Occurrence | None:
    index, current = project.index(path)
    return index.at(offset) if current else None


def file_index(project: Project, path: str) -> FileIndex:
    return project.cache.index(path, project.parse(path))


def chain_occurrences(project: Project, analysis: Analysis, key: tuple[str, str]) -> list[Found]:
    """The occurrences of an id along the chain of a document, root convention first."""
    return [Found(p, o) for p in analysis.chain for o in file_index(project, p).of(*key)]


def definition(project: Project, path: str, offset: int, encoding: str = UTF16) -> list[lsp.Location]:
    """Where the id at `offset` is declared, as in force at that point of the chain."""
    occurrence = occurrence_at(project, path, offset)
    if occurrence is None or occurrence.namespace not in (VALUE, ELEMENT, "cas"):
        return base_location(project, path, offset)
    analysis = project.analysis(path)
    found = [f for f in chain_occurrences(project, analysis, occurrence.key) if f.occurrence.role in DEFINING]
    rank = {realpath(p): i for i, p in enumerate(analysis.chain)}
    here = (rank.get(realpath(path), len(rank)), occurrence.span.start)
    before = [f for f in found if (rank[realpath(f.path)], f.occurrence.span.start) <= here]
    target = before[-1] if before else (found[0] if found else None)
    return [location(project, target, encoding)] if target is not None else []


def base_location(project: Project, path: str, offset: int) -> list[lsp.Location]:
    """On the `base : "…"` header of an avenant: the base file."""
    file = project.parse(path).file
    header = next((h for h in file.headers if h.key == "base"), None) if file is not None else None
    if header is None or header.span is None or not header.span.start <= offset <= header.span.end:
        return []
    base = os.path.normpath(os.path.join(os.path.dirname(path), str(header.value)))
    if not os.path.isfile(base):
        return []
    start = lsp.Position(line=0, character=0)
    return [lsp.Location(uri=from_fs_path(os.path.abspath(base)), range=lsp.Range(start=start, end=start))]


def location(project: Project, found: Found, encoding: str) -> lsp.Location:
    return lsp.Location(
        uri=from_fs_path(found.path), range=to_range(found.occurrence.span, project.source(found.path), encoding)
    )


def scope(project: Project, path: str, key: tuple[str, str]) -> list[str]:
    """The files an id's references and renames reach: the chain of the document, and every file that
    builds on the file that first declares the id."""
    analysis = project.analysis(path)
    declaring = next(
        (p for p in analysis.chain if any(o.role in DEFINING for o in file_index(project, p).of(*key))), path
    )
    files = dict.fromkeys(analysis.chain)
    files.update(dict.fromkeys(project.dependants(declaring)))
    seen: set[str] = set()
    result = []
    for file in files:
        if realpath(file) not in seen:
            seen.add(realpath(file))
            result.append(file)
    return result


def references(
    project: Project, path: str, offset: int, include_declaration: bool = True, encoding: str = UTF16
) -> list[lsp.Location]:
    """Every place the id at `offset` is written, in the files its meaning reaches."""
    occurrence = occurrence_at(project, path, offset)
    if occurrence is None or occurrence.namespace not in (VALUE, ELEMENT, "cas"):
        return []
    found = [
        Found(p, o)
        for p in scope(project, path, occurrence.key)
        for o in file_index(project, p).of(*occurrence.key)
        if include_declaration or o.role not in DEFINING
    ]
    return [location(project, f, encoding) for f in found]


def prepare_rename(project: Project, path: str, offset: int, encoding: str = UTF16) -> lsp.Range:
    """The range of the id to rename at `offset`; `RenameRefused` when there is none."""
    occurrence = renameable(project, path, offset)
    return to_range(occurrence.span, project.source(path), encoding)


def renameable(project: Project, path: str, offset: int) -> Occurrence:
    occurrence = occurrence_at(project, path, offset)
    if occurrence is None or occurrence.namespace not in RENAMEABLE:
        raise RenameRefused(
            "seul l'identifiant d'un critère, d'une brique, d'une donnée ou d'un paramètre se renomme : "
            "placez le curseur sur l'un d'eux"
        )
    declared = any(
        o.role in DEFINING
        for p in scope(project, path, occurrence.key)
        for o in file_index(project, p).of(*occurrence.key)
    )
    if not declared:
        raise RenameRefused(f"« {occurrence.id} » n'est déclaré nulle part : il n'y a rien à renommer")
    return occurrence


def rename(project: Project, path: str, offset: int, new_name: str, encoding: str = UTF16) -> lsp.WorkspaceEdit:
    """Rename the id at `offset` wherever it means the same thing; `RenameRefused` says why not."""
    occurrence = renameable(project, path, offset)
    check_new_name(new_name, occurrence.namespace)
    files = scope(project, path, occurrence.key)
    for file in files:
        clash = file_index(project, file).of(occurrence.namespace, new_name)
        if clash:
            first = next((o for o in clash if o.role in DEFINING), clash[0])
            what = NAME_OF.get(first.kind or "", NAME_OF[occurrence.namespace])
            raise RenameRefused(
                f"« {new_name} » est déjà le nom {what} ({os.path.basename(file)}, ligne "
                f"{first.span.line}) : choisissez un autre nom"
            )
    changes: dict[str, list[lsp.TextEdit]] = {}
    for file in files:
        source = project.source(file)
        for found in file_index(project, file).of(*occurrence.key):
            changes.setdefault(from_fs_path(file), []).append(
                lsp.TextEdit(range=to_range(found.span, source, encoding), new_text=new_name)
            )
    return lsp.WorkspaceEdit(changes=changes)


def check_new_name(name: str, namespace: str) -> None:
    """An id must be a lower-case ASCII identifier and no word of the language."""
    if not IDENTIFIER.match(name):
        raise RenameRefused(
            f"« {name} » n'est pas un identifiant valide : les identifiants s'écrivent en minuscules "
            "ASCII, chiffres et « _ », sans commencer par un chiffre"
        )
    reserved = VALUE_RESERVED if namespace == VALUE else RESERVED
    if name in reserved or name in keywords():
        raise RenameRefused(f"« {name} » est un mot réservé du langage : choisissez un autre nom")


@lru_cache(maxsize=1)
def keywords() -> frozenset[str]:
    """The words of the grammar, accent-free."""
    return frozenset(
        fold_accents(t.pattern.value)
        for t in lark_parser().terminals
        if t.pattern.type == "str" and t.pattern.value.isalpha()
    )
