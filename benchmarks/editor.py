"""Benchmark: the language server as an editor uses it, on the 2026 proposal (an avenant with two bases).

Starts `convcheck lsp` as an editor does (a real LSP client over stdio), opens
`conventions/aci-msp-avenant-2-france-sante.conv`, then measures, from the client:
- the time from an edit (one figure changed, as when typing) to the diagnostics of the avenant;
- the same for an edit that introduces an error, then one that fixes it;
- hover and completion requests.
Targets on this machine: diagnostics within 150 ms of an edit; hover and completion within 50 ms.
Prints the median and the worst of each, and the time the server spends checking in-process
(parse of the edited avenant, consolidation on the cached bases, check, paramètres).
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from pathlib import Path

from lsprotocol import types as lsp
from pygls.lsp.client import LanguageClient

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

AVENANT = ROOT / "conventions" / "aci-msp-avenant-2-france-sante.conv"
VALUE = "montant_rcp = 7_000 €"
TYPO = "amplitude_quotidienne >= horaires_amplitude_minimale"


def position_of(text: str, needle: str, shift: int = 0) -> lsp.Position:
    index = text.index(needle) + shift
    return lsp.Position(line=text.count("\n", 0, index), character=index - (text.rfind("\n", 0, index) + 1))


class Editor:
    """A client that edits one document and waits for its diagnostics."""

    def __init__(self):
        self.client = LanguageClient("banc-editeur", "1")
        self.uri = AVENANT.as_uri()
        self.text = AVENANT.read_text(encoding="utf-8")
        self.version = 1
        self.arrived: asyncio.Queue = asyncio.Queue()

        @self.client.feature(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def diagnostics(params: lsp.PublishDiagnosticsParams):
            if params.uri == self.uri:
                self.arrived.put_nowait((time.perf_counter(), params.diagnostics))

    async def start(self) -> None:
        await self.client.start_io(sys.executable, "-m", "interpreter.cli", "lsp")
        await self.client.initialize_async(
            lsp.InitializeParams(capabilities=lsp.ClientCapabilities(), root_uri=(ROOT / "conventions").as_uri())
        )
        self.client.initialized(lsp.InitializedParams())
        self.client.text_document_did_open(
            lsp.DidOpenTextDocumentParams(
                text_document=lsp.TextDocumentItem(uri=self.uri, language_id="conv", version=1, text=self.text)
            )
        )
        await self.arrived.get()

    async def stop(self) -> None:
        await self.client.shutdown_async(None)
        self.client.exit(None)
        await self.client.stop()

    def send_edit(self, old: str, new: str) -> float:
        """Replace `old` by `new` (an incremental change); when it was sent."""
        start, end = position_of(self.text, old), position_of(self.text, old, len(old))
        self.text = self.text.replace(old, new, 1)
        self.version += 1
        sent = time.perf_counter()
        self.client.text_document_did_change(
            lsp.DidChangeTextDocumentParams(
                text_document=lsp.VersionedTextDocumentIdentifier(uri=self.uri, version=self.version),
                content_changes=[lsp.TextDocumentContentChangePartial(range=lsp.Range(start=start, end=end), text=new)],
            )
        )
        return sent

    async def edit(self, old: str, new: str) -> tuple[float, list]:
        """Replace `old` by `new`; the time until the avenant's diagnostics, and them."""
        sent = self.send_edit(old, new)
        arrived, diagnostics = await self.arrived.get()
        return arrived - sent, diagnostics

    async def timed(self, request) -> float:
        start = time.perf_counter()
        await request
        return time.perf_counter() - start


def report(name: str, times: list[float], target_ms: float) -> None:
    median, worst = statistics.median(times) * 1000, max(times) * 1000
    verdict = "tenu" if median <= target_ms else "NON TENU"
    print(f"{name:<42} médiane {median:6.1f} ms, pire {worst:6.1f} ms (objectif {target_ms:.0f} ms : {verdict})")


async def run(rounds: int) -> dict[str, list[float]]:
    editor = Editor()
    await editor.start()
    figures: dict[str, list[float]] = {
        "edit": [],
        "error": [],
        "fix": [],
        "hover": [],
        "completion": [],
        "hover_after_edit": [],
    }
    try:
        for i in range(rounds):
            elapsed, _ = await editor.edit(
                VALUE if i % 2 == 0 else VALUE.replace("7_000", "7_001"),
                VALUE.replace("7_000", "7_001") if i % 2 == 0 else VALUE,
            )
            figures["edit"].append(elapsed)
        for _ in range(rounds):
            elapsed, found = await editor.edit(TYPO, TYPO.replace("quotidienne", "quotidiene"))
            assert any(d.code == "donnee-inconnue" for d in found), found
            figures["error"].append(elapsed)
            elapsed, found = await editor.edit(TYPO.replace("quotidienne", "quotidiene"), TYPO)
            assert not found, found
            figures["fix"].append(elapsed)
        document = lsp.TextDocumentIdentifier(uri=editor.uri)
        for i in range(rounds):
            needle = ("montant_rcp", "supprime critère second_recours", "amplitude_quotidienne")[i % 3]
            where = position_of(editor.text, needle, len(needle) - 2)
            figures["hover"].append(
                await editor.timed(
                    editor.client.text_document_hover_async(lsp.HoverParams(text_document=document, position=where))
                )
            )
            where = position_of(editor.text, "condition : ", len("condition : "))
            figures["completion"].append(
                await editor.timed(
                    editor.client.text_document_completion_async(
                        lsp.CompletionParams(text_document=document, position=where)
                    )
                )
            )
        for i in range(rounds):  # a hover sent right after an edit, before its diagnostics
            editor.send_edit(
                VALUE if i % 2 == 0 else VALUE.replace("7_000", "7_001"),
                VALUE.replace("7_000", "7_001") if i % 2 == 0 else VALUE,
            )
            where = position_of(editor.text, "montant_rcp", 3)
            figures["hover_after_edit"].append(
                await editor.timed(
                    editor.client.text_document_hover_async(lsp.HoverParams(text_document=document, position=where))
                )
            )
            await editor.arrived.get()
    finally:
        await editor.stop()
    return figures


def in_process(rounds: int) -> list[float]:
    """The server's own time to check the avenant after an edit, bases cached (no protocol)."""
    from interpreter.lsp.project import Project

    project = Project()
    text = AVENANT.read_text(encoding="utf-8")
    project.open(str(AVENANT), text)
    project.analyse(str(AVENANT))
    times = []
    for i in range(rounds):
        project.change(str(AVENANT), text.replace("7_000", f"7_{i:03d}", 1))
        start = time.perf_counter()
        project.analyse(str(AVENANT))
        times.append(time.perf_counter() - start)
    return times


def main(rounds: int = 20) -> dict[str, list[float]]:
    figures = asyncio.run(run(rounds))
    print(f"convcheck lsp sur {AVENANT.name} (avenant sur deux bases), {rounds} mesures de chaque :")
    report("modification → diagnostics", figures["edit"], 150)
    report("faute introduite → diagnostic", figures["error"], 150)
    report("faute corrigée → diagnostics vides", figures["fix"], 150)
    report("survol", figures["hover"], 50)
    report("survol juste après une modification", figures["hover_after_edit"], 50)
    report("complétion", figures["completion"], 50)
    report("dont vérification dans le serveur", in_process(rounds), 150)
    return figures


if __name__ == "__main__":
    main()
