"""The editor's view of the files: unsaved texts, parses kept between edits, one analysis per open file.

An open document is checked by the same pipeline as `convcheck check` (`api.check_version`), with an
`EditorLoader` that reads open documents from the editor rather than from disk. Parsed files and
consolidated bases are kept between edits and reused while their text (or, on disk, their size
and modification time) is unchanged: editing an avenant re-parses that avenant only, and applies
it to the consolidation of its bases computed before.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from dsl.avenants import Loaded, Loader
from dsl.diagnostics import Diagnostic
from dsl.driver import Checked
from dsl.model import Model
from dsl.parser import ParseResult, cycle_collector_paused, parse_file, parse_source
from dsl.records import define, field, frozen
from dsl.source import SourceFile, normalise
from interpreter import api
from interpreter.lsp.index import FileIndex

BASE_HEADER = re.compile(r'^\s*base\s*:\s*"((?:[^"\\\n]|\\.)*)"', re.M)
SKIPPED_FOLDERS = {".git", ".venv", "venv", "node_modules", "__pycache__", ".mypy_cache", ".pytest_cache"}
MAX_WORKSPACE_FILES = 5_000


def realpath(path: str) -> str:
    return os.path.realpath(path)


class ParseCache:
    """Parses and indexes of files, and consolidations of bases, kept between edits."""

    def __init__(self):
        self._texts: dict[str, tuple[str, ParseResult]] = {}  # realpath → (editor text, its parse)
        self._disk: dict[str, tuple[tuple[int, int], ParseResult]] = {}  # realpath → ((mtime, size), parse)
        self._indexes: dict[str, tuple[ParseResult, FileIndex]] = {}
        self.loaded: dict[str, tuple[Loaded, tuple[tuple[str, ParseResult], ...]]] = {}
        self.parses = 0  # how many times a file was actually parsed (for tests and the benchmark)

    def parse(self, path: str, text: str | None) -> ParseResult:
        """The parse of a file: of `text` when the editor has it open, else of the file on disk."""
        key = realpath(path)
        if text is not None:
            edited = self._texts.get(key)
            if edited is None or edited[0] != text:
                self.parses += 1
                with cycle_collector_paused():
                    edited = self._texts[key] = (text, parse_source(SourceFile(path, normalise(text))))
            return edited[1]
        try:
            stat = os.stat(path)
            stamp = (stat.st_mtime_ns, stat.st_size)
        except OSError:
            stamp = None
        saved = self._disk.get(key)
        if stamp is None or saved is None or saved[0] != stamp:
            self.parses += 1
            parsed = parse_file(path)
            if stamp is not None:
                self._disk[key] = (stamp, parsed)
            return parsed
        return saved[1]

    def index(self, path: str, result: ParseResult) -> FileIndex:
        """The occurrences of a parsed file, built once per parse."""
        key = realpath(path)
        cached = self._indexes.get(key)
        if cached is None or cached[0] is not result:
            cached = self._indexes[key] = (result, FileIndex(result.file))
        return cached[1]

    def forget(self, path: str) -> None:
        """A file changed on disk: read it again next time."""
        key = realpath(path)
        self._disk.pop(key, None)
        self.loaded.pop(key, None)


@define
class EditorLoader(Loader):
    """A `Loader` that reads open documents' text from the editor and reuses what the cache holds."""

    cache: ParseCache = field(factory=ParseCache)
    texts: dict[str, str] = field(factory=dict)  # realpath → text of each open document

    def parse(self, path: str) -> ParseResult:
        key = realpath(path)
        if key not in self._parsed:
            result = self.cache.parse(path, self.texts.get(key))
            self._parsed[key] = result
            if result.source is not None:
                self.sources[path] = result.source
        return self._parsed[key]

    def load(self, path: str, _visiting: tuple[str, ...] = ()) -> Loaded:
        key = realpath(path)
        if key in self._loaded:
            return self._loaded[key]
        cached = self.cache.loaded.get(key)
        if cached is not None and all(self.parse(p) is parsed for p, parsed in cached[1]):
            self._loaded[key] = cached[0]
            return cached[0]
        loaded = super().load(path, _visiting)
        if loaded.consolidated is not None:  # a chain that loops or fails is loaded afresh each time
            self.cache.loaded[key] = (loaded, tuple((p, self.parse(p)) for p in loaded.chain))
        return loaded

    def loaded(self, path: str) -> Loaded | None:
        """What `load` gave for a file of the chain."""
        return self._loaded.get(realpath(path))


@frozen
class Analysis:
    """One open document checked with its chain of bases: diagnostics by file, and what navigation needs."""

    path: str
    checked: Checked
    loader: EditorLoader
    indexes: dict[str, FileIndex]  # path of each file of the chain → its occurrences
    cache: dict = field(factory=dict, eq=False)  # what hovers compute once per analysis

    @property
    def chain(self) -> tuple[str, ...]:
        return self.checked.chain

    @property
    def model(self) -> Model | None:
        return self.checked.model

    @property
    def sources(self) -> dict[str, SourceFile]:
        return self.checked.sources

    def parsed(self, path: str | None = None) -> ParseResult:
        return self.loader.parse(path or self.path)

    def index(self, path: str | None = None) -> FileIndex:
        return self.indexes.get(path or self.path) or FileIndex(None)

    def consolidated(self, path: str | None = None):
        """The consolidated AST of a file of the chain (the document itself by default), or None."""
        loaded = self.loader.loaded(path or self.path)
        return loaded.consolidated if loaded is not None else None

    def diagnostics_by_file(self) -> dict[str, list[Diagnostic]]:
        found: dict[str, list[Diagnostic]] = {}
        for diagnostic in self.checked.diagnostics:
            found.setdefault(diagnostic.path or self.path, []).append(diagnostic)
        return found

    @property
    def files(self) -> set[str]:
        """The files this analysis says something about: its chain, and wherever a diagnostic points."""
        return set(self.chain) | {d.path for d in self.checked.diagnostics if d.path}


class Project:
    """Open documents, their analyses, and the `.conv` files of the workspace folders."""

    def __init__(self, folders: list[str] | None = None):
        self.cache = ParseCache()
        self.texts: dict[str, str] = {}  # realpath → text of each open document
        self.paths: dict[str, str] = {}  # realpath → the path of each open document, as opened
        self.analyses: dict[str, Analysis] = {}  # realpath → the latest analysis of each open document
        self.good: dict[str, Analysis] = {}  # realpath → the latest analysis whose document parsed
        self.models: dict[str, Model] = {}  # realpath → the latest model without error
        self.folders = list(folders or [])

    # -- documents

    def open(self, path: str, text: str) -> None:
        self.texts[realpath(path)] = text
        self.paths[realpath(path)] = path

    change = open

    def close(self, path: str) -> None:
        key = realpath(path)
        for table in (self.texts, self.paths, self.analyses, self.good, self.models):
            table.pop(key, None)

    def is_open(self, path: str) -> bool:
        return realpath(path) in self.texts

    def text(self, path: str) -> str | None:
        return self.texts.get(realpath(path))

    def source(self, path: str) -> SourceFile | None:
        """The current text of an open document as the parser sees it (or of the file on disk)."""
        return self.parse(path).source

    def parse(self, path: str) -> ParseResult:
        """The parse of a file's current text (cached while the text does not change)."""
        return self.cache.parse(path, self.text(path))

    def index(self, path: str) -> tuple[FileIndex, bool]:
        """The occurrences of a document's current text, and whether they are current: when the text
        does not parse, those of its latest text that did, marked stale."""
        result = self.parse(path)
        if result.file is not None:
            return self.cache.index(path, result), True
        good = self.good.get(realpath(path))
        return (good.index() if good is not None else FileIndex(None)), False

    def disk_changed(self, path: str) -> None:
        self.cache.forget(path)

    # -- analyses

    def loader(self) -> EditorLoader:
        return EditorLoader(cache=self.cache, texts=self.texts)

    def analyse(self, path: str) -> Analysis:
        """Check a file with its chain of bases, as `convcheck check` does, on the editor's texts."""
        loader = self.loader()
        checked = api.check_version(path, loader)
        indexes = {p: self.cache.index(p, loader.parse(p)) for p in checked.chain}
        analysis = Analysis(path, checked, loader, indexes)
        key = realpath(path)
        if key in self.texts:
            self.analyses[key] = analysis
            if loader.parse(path).file is not None:
                self.good[key] = analysis
            if checked.model is not None:
                self.models[key] = checked.model
        return analysis

    def analysis(self, path: str) -> Analysis:
        """The latest analysis of an open document (made now if there is none)."""
        return self.analyses.get(realpath(path)) or self.analyse(path)

    def good_analysis(self, path: str) -> Analysis:
        """The latest analysis of a document whose text parsed (for names, while the text is being typed)."""
        return self.good.get(realpath(path)) or self.analysis(path)

    def model(self, path: str) -> Model | None:
        """The latest model of the document that had no error."""
        return self.models.get(realpath(path))

    def open_dependants(self, path: str) -> list[str]:
        """Open documents whose latest analysis reads `path` (itself included when open)."""
        key = realpath(path)
        return [
            self.paths[k]
            for k, analysis in self.analyses.items()
            if k == key or any(realpath(p) == key for p in analysis.chain)
        ]

    # -- the workspace

    def workspace_files(self) -> list[str]:
        """The `.conv` files of the workspace folders and the open documents' folders, and open documents."""
        found = dict.fromkeys(self.paths.values())
        folders = list(self.folders) + sorted({os.path.dirname(p) for p in self.paths.values()})
        for folder in folders:
            for root, dirs, files in os.walk(folder):
                dirs[:] = sorted(d for d in dirs if d not in SKIPPED_FOLDERS and not d.startswith("."))
                for name in sorted(files):
                    if name.endswith(".conv"):
                        found.setdefault(os.path.join(root, name))
                if len(found) > MAX_WORKSPACE_FILES:
                    return list(found)
        return list(found)

    def base_of(self, path: str) -> str | None:
        """The base a file names in its header (read with a regular expression: no parse needed)."""
        text = self.text(path)
        if text is None:
            try:
                text = Path(path).read_text(encoding="utf-8", errors="replace")
            except OSError:
                return None
        match = BASE_HEADER.search(text)
        return os.path.normpath(os.path.join(os.path.dirname(path), match.group(1))) if match else None

    def dependants(self, path: str) -> list[str]:
        """Every file of the workspace that builds on `path`, directly or through other avenants."""
        bases = {candidate: self.base_of(candidate) for candidate in self.workspace_files()}
        found: list[str] = []
        targets = {realpath(path)}
        changed = True
        while changed:
            changed = False
            for candidate, base in bases.items():
                if base is not None and realpath(base) in targets and realpath(candidate) not in targets:
                    targets.add(realpath(candidate))
                    found.append(candidate)
                    changed = True
        return found
