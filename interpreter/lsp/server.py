"""The language server behind `convcheck lsp` (pygls, over stdio).

Diagnostics come from the pipeline of `convcheck check` run on the editor's unsaved texts, and
are published on the document of each file they point at (a base's problem on the base); a
change re-checks the open documents that read the changed file. Hover, completion, definition,
references, rename, outline and formatting are in the modules beside this one; this module only
connects them to the protocol.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import sys
import threading

from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException
from pygls.io_ import StdoutWriter
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path

from dsl.diagnostics import Diagnostic
from dsl.source import SourceFile, normalise
from interpreter.lsp.completion import completion
from interpreter.lsp.framing import reader, serve_stream
from interpreter.lsp.hover import hover
from interpreter.lsp.navigation import RenameRefused, definition, prepare_rename, references, rename
from interpreter.lsp.positions import UTF16, offset_at, to_range
from interpreter.lsp.project import Project, realpath
from interpreter.lsp.symbols import document_symbols, formatting

logger = logging.getLogger(__name__)

VERSION = "0.1.0"
DEBOUNCE = 0.02  # seconds: edits arriving together are checked once
DEFAULT_COLLECTIONS = (700, 10, 10)  # Python's cyclic collector as it starts
SOURCE = "convcheck"


class ConvServer(LanguageServer):
    """The `.conv` language server: a `Project` and the diagnostics published from its analyses."""

    def __init__(self):
        super().__init__("convcheck", VERSION, text_document_sync_kind=lsp.TextDocumentSyncKind.Incremental)
        self.project = Project()
        self.uris: dict[str, str] = {}  # realpath → the URI the client opened it with
        self.dirty: dict[str, None] = {}  # open documents to check again (in order)
        self.scheduled: asyncio.TimerHandle | None = None

    @property
    def encoding(self) -> str:
        return self.workspace.position_encoding or UTF16

    # -- documents

    def opened(self, uri: str, text: str) -> str | None:
        path = to_fs_path(uri)
        if path is None:
            return None
        self.uris[realpath(path)] = uri
        self.project.open(path, text)
        return path

    def uri(self, path: str) -> str:
        return self.uris.get(realpath(path)) or from_fs_path(os.path.abspath(path))

    def path(self, uri: str) -> str | None:
        return to_fs_path(uri)

    def current_source(self, path: str) -> SourceFile:
        """The text of a document as the editor has it now, normalised (no parse)."""
        text = self.project.text(path)
        if text is None:
            source = self.project.source(path)
            return source if source is not None else SourceFile(path, "")
        return SourceFile(path, normalise(text))

    def offset(self, path: str, position: lsp.Position) -> int:
        return offset_at(self.current_source(path), position, self.encoding)

    def read_folders(self) -> None:
        """The workspace folders, where the avenants built on a file are looked for (rename, references)."""
        folders = [to_fs_path(f.uri) for f in self.workspace.folders.values()]
        if not folders and self.workspace.root_path:
            folders = [self.workspace.root_path]
        self.project.folders = [f for f in folders if f]

    # -- checking and publishing

    def schedule(self, paths: list[str], delay: float = DEBOUNCE) -> None:
        """Check these files again soon, and every open document that reads them."""
        for path in paths:
            if self.project.is_open(path):
                self.dirty[path] = None
            self.dirty.update(dict.fromkeys(self.project.open_dependants(path)))
        if self.scheduled is None:
            try:
                self.scheduled = asyncio.get_running_loop().call_later(delay, self.flush)
            except RuntimeError:  # no event loop (called outside the server): check now
                self.flush()

    def flush(self) -> None:
        """Check the documents waiting to be, then publish the diagnostics of every file concerned."""
        if self.scheduled is not None:
            self.scheduled.cancel()
            self.scheduled = None
        paths, self.dirty = list(self.dirty), {}
        touched: set[str] = set()
        for path in paths:
            if not self.project.is_open(path):
                continue
            previous = self.project.analyses.get(realpath(path))
            if previous is not None:
                touched |= previous.files
            try:
                touched |= self.project.analyse(path).files
            except Exception:  # a bug of ours must not stop the server: it is logged, the editor goes on
                logger.exception("analysis of %s failed", path)
        self.publish(touched)

    def publish(self, files: set[str]) -> None:
        """Publish, for each file, what the analyses of the open documents say about it."""
        keys = {realpath(f): f for f in files}
        found: dict[str, dict[Diagnostic, dict]] = {key: {} for key in keys}
        for analysis in self.project.analyses.values():
            for path, diagnostics in analysis.diagnostics_by_file().items():
                bucket = found.get(realpath(path))
                if bucket is None:
                    continue
                for diagnostic in diagnostics:
                    bucket.setdefault(diagnostic, analysis.sources)
        for key, sources_of in found.items():
            items = [self.to_lsp(d, sources) for d, sources in sources_of.items()]
            self.text_document_publish_diagnostics(
                lsp.PublishDiagnosticsParams(uri=self.uri(keys[key]), diagnostics=items)
            )

    def to_lsp(self, diagnostic: Diagnostic, sources: dict[str, SourceFile]) -> lsp.Diagnostic:
        """A diagnostic as the editor shows it: the help after the message, notes as related places."""
        span = diagnostic.span
        message = diagnostic.message + (f"\naide : {diagnostic.suggestion}" if diagnostic.suggestion else "")
        related = [
            lsp.DiagnosticRelatedInformation(
                location=lsp.Location(
                    uri=self.uri(note.span.file), range=to_range(note.span, sources.get(note.span.file), self.encoding)
                ),
                message=note.message,
            )
            for note in diagnostic.notes
        ]
        return lsp.Diagnostic(
            range=to_range(span, sources.get(span.file) if span is not None else None, self.encoding),
            message=message,
            severity=lsp.DiagnosticSeverity.Error if diagnostic.is_error else lsp.DiagnosticSeverity.Warning,
            code=diagnostic.code,
            source=SOURCE,
            related_information=related or None,
        )

    def fresh(self) -> None:
        """Requests that compute across files first check what is waiting to be checked."""
        if self.dirty:
            self.flush()

    def start_io(self, stdin=None, stdout=None):
        """Serve on standard input and output, reading messages with `interpreter.lsp.framing`: bad framing is
        skipped and the stream read in step again, every request is answered (pygls' own loop died, or went
        deaf, on a wrong `Content-Length`)."""
        self._stop_event = threading.Event()
        self.protocol.set_writer(StdoutWriter(stdout or sys.stdout.buffer))
        read = reader(stdin or sys.stdin.buffer, self.thread_pool)
        try:
            asyncio.run(serve_stream(self._stop_event, read, self.protocol))
        except BrokenPipeError:
            logger.error("la connexion avec l'éditeur est perdue : arrêt du serveur")
        except (KeyboardInterrupt, SystemExit):
            pass
        finally:
            self.shutdown()


def refused(message: str) -> JsonRpcException:
    return JsonRpcException(message, code=lsp.LSPErrorCodes.RequestFailed)


def create_server() -> ConvServer:
    """A server with every feature registered."""
    server = ConvServer()

    @server.feature(lsp.INITIALIZED)
    def initialized(ls: ConvServer, params: lsp.InitializedParams):
        ls.read_folders()
        watched = ls.client_capabilities.workspace and ls.client_capabilities.workspace.did_change_watched_files
        if watched and watched.dynamic_registration:
            options = lsp.DidChangeWatchedFilesRegistrationOptions(
                watchers=[lsp.FileSystemWatcher(glob_pattern="**/*.conv")]
            )
            ls.client_register_capability(
                lsp.RegistrationParams(
                    registrations=[
                        lsp.Registration(
                            id="convcheck-fichiers-conv",
                            method=lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                            register_options=options,
                        )
                    ]
                )
            )

    @server.feature(lsp.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)
    def did_change_folders(ls: ConvServer, params: lsp.DidChangeWorkspaceFoldersParams):
        ls.read_folders()

    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: ConvServer, params: lsp.DidOpenTextDocumentParams):
        path = ls.opened(params.text_document.uri, params.text_document.text)
        if path is not None:
            ls.schedule([path], delay=0)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: ConvServer, params: lsp.DidChangeTextDocumentParams):
        document = ls.workspace.get_text_document(params.text_document.uri)
        path = ls.opened(params.text_document.uri, document.source)
        if path is not None:
            ls.schedule([path])

    @server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: ConvServer, params: lsp.DidSaveTextDocumentParams):
        path = ls.path(params.text_document.uri)
        if path is not None:
            ls.project.disk_changed(path)
            ls.schedule([path])

    @server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: ConvServer, params: lsp.DidCloseTextDocumentParams):
        path = ls.path(params.text_document.uri)
        if path is None:
            return
        analysis = ls.project.analyses.get(realpath(path))
        ls.project.close(path)
        ls.dirty.pop(path, None)
        ls.publish(analysis.files if analysis is not None else {path})

    @server.feature(lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched_files(ls: ConvServer, params: lsp.DidChangeWatchedFilesParams):
        for change in params.changes:
            path = ls.path(change.uri)
            if path is not None:
                ls.project.disk_changed(path)
        ls.schedule(list(ls.project.paths.values()))  # a base that appears or goes away concerns any document

    @server.feature(lsp.TEXT_DOCUMENT_HOVER)
    def on_hover(ls: ConvServer, params: lsp.HoverParams):
        path = ls.path(params.text_document.uri)
        return hover(ls.project, path, ls.offset(path, params.position), ls.encoding) if path else None

    @server.feature(lsp.TEXT_DOCUMENT_COMPLETION, lsp.CompletionOptions(trigger_characters=["(", " "]))
    def on_completion(ls: ConvServer, params: lsp.CompletionParams):
        path = ls.path(params.text_document.uri)
        return completion(ls.project, path, ls.offset(path, params.position)) if path else None

    @server.feature(lsp.TEXT_DOCUMENT_DEFINITION)
    def on_definition(ls: ConvServer, params: lsp.DefinitionParams):
        path = ls.path(params.text_document.uri)
        if path is None:
            return None
        ls.fresh()
        return definition(ls.project, path, ls.offset(path, params.position), ls.encoding)

    @server.feature(lsp.TEXT_DOCUMENT_REFERENCES)
    def on_references(ls: ConvServer, params: lsp.ReferenceParams):
        path = ls.path(params.text_document.uri)
        if path is None:
            return None
        ls.fresh()
        return references(
            ls.project, path, ls.offset(path, params.position), params.context.include_declaration, ls.encoding
        )

    @server.feature(lsp.TEXT_DOCUMENT_PREPARE_RENAME)
    def on_prepare_rename(ls: ConvServer, params: lsp.PrepareRenameParams):
        path = ls.path(params.text_document.uri)
        if path is None:
            return None
        ls.fresh()
        try:
            return prepare_rename(ls.project, path, ls.offset(path, params.position), ls.encoding)
        except RenameRefused as refusal:
            raise refused(str(refusal)) from None

    @server.feature(lsp.TEXT_DOCUMENT_RENAME, lsp.RenameOptions(prepare_provider=True))
    def on_rename(ls: ConvServer, params: lsp.RenameParams):
        path = ls.path(params.text_document.uri)
        if path is None:
            return None
        ls.fresh()
        try:
            return rename(ls.project, path, ls.offset(path, params.position), params.new_name, ls.encoding)
        except RenameRefused as refusal:
            raise refused(str(refusal)) from None

    @server.feature(lsp.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    def on_symbols(ls: ConvServer, params: lsp.DocumentSymbolParams):
        path = ls.path(params.text_document.uri)
        if path is None:
            return None
        index, current = ls.project.index(path)
        source = ls.project.source(path) if current else ls.project.good_analysis(path).parsed().source
        return document_symbols(index.file, source, ls.encoding) if source is not None else []

    @server.feature(lsp.TEXT_DOCUMENT_FORMATTING)
    def on_formatting(ls: ConvServer, params: lsp.DocumentFormattingParams):
        document = ls.workspace.get_text_document(params.text_document.uri)
        path = ls.path(params.text_document.uri)
        if path is None:
            return None
        edits = formatting(SourceFile(path, normalise(document.source)), len(document.lines))
        if edits is None:
            ls.window_show_message(
                lsp.ShowMessageParams(
                    type=lsp.MessageType.Warning,
                    message="convcheck : le fichier a une erreur de syntaxe, il n'est pas remis en forme.",
                )
            )
        return edits

    return server


def serve() -> None:
    """Run the server on standard input and output until the editor closes it. It lives long: Python's cyclic
    collector runs as by default, every 700 new objects (a command runs it every 200,000: `interpreter.cli.entry`)."""
    gc.set_threshold(*DEFAULT_COLLECTIONS)
    logging.basicConfig(level=logging.WARNING, format="convcheck lsp: %(levelname)s %(message)s")
    create_server().start_io()
