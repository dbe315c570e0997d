"""The language server end to end: a real LSP client (pytest-lsp) talking to `convcheck lsp` over stdio.

The bundled conventions are copied to a temporary folder (the workspace), so that edits on disk
and renames never touch the checkout.
"""

from __future__ import annotations

import asyncio
import shutil
import sys
from pathlib import Path

import pytest
import pytest_asyncio
import pytest_lsp
from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from tests.conftest import ROOT

pytestmark = pytest.mark.asyncio(loop_scope="module")

CONVENTIONS = ROOT / "conventions"
BASE, AVENANT_1, AVENANT_2 = "aci-msp-2017.conv", "aci-msp-avenant-1.conv", "aci-msp-avenant-2-france-sante.conv"


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("espace")
    for path in CONVENTIONS.glob("*.conv"):
        shutil.copy(path, folder / path.name)
    return folder


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=[sys.executable, "-m", "interpreter.cli", "lsp"]), scope="module"
)
async def client(lsp_client: LanguageClient, workspace: Path):
    lsp_client.registrations = []

    @lsp_client.feature(lsp.CLIENT_REGISTER_CAPABILITY)
    def register(params: lsp.RegistrationParams):
        lsp_client.registrations += params.registrations

    await lsp_client.initialize_session(
        lsp.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            workspace_folders=[lsp.WorkspaceFolder(uri=workspace.as_uri(), name="espace")],
        )
    )
    yield
    await lsp_client.shutdown_session()


# ---- helpers ------------------------------------------------------------------------------------------


async def diagnostics(client: LanguageClient, uri: str, until=lambda found: True, timeout: float = 120):
    """The diagnostics published for `uri`, once they satisfy `until`."""

    async def wait():
        while uri not in client.diagnostics or not until(client.diagnostics[uri]):
            await client.wait_for_notification(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)

    await asyncio.wait_for(wait(), timeout)
    return list(client.diagnostics[uri])


def open_document(client: LanguageClient, path: Path, text: str | None = None) -> str:
    uri = path.as_uri()
    client.text_document_did_open(
        lsp.DidOpenTextDocumentParams(
            text_document=lsp.TextDocumentItem(
                uri=uri,
                language_id="conv",
                version=1,
                text=text if text is not None else path.read_text(encoding="utf-8"),
            )
        )
    )
    return uri


def replace_all(client: LanguageClient, uri: str, text: str, version: int) -> None:
    client.text_document_did_change(
        lsp.DidChangeTextDocumentParams(
            text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[lsp.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


def close_document(client: LanguageClient, uri: str) -> None:
    client.text_document_did_close(lsp.DidCloseTextDocumentParams(text_document=lsp.TextDocumentIdentifier(uri=uri)))


def position_of(text: str, needle: str, shift: int = 0, occurrence: int = 0) -> lsp.Position:
    index = -1
    for _ in range(occurrence + 1):
        index = text.index(needle, index + 1)
    index += shift
    line = text.count("\n", 0, index)
    return lsp.Position(line=line, character=index - (text.rfind("\n", 0, index) + 1))


def codes(found) -> list[str]:
    return [d.code for d in found]


# ---- diagnostics ----------------------------------------------------------------------------------------


async def test_the_server_watches_conv_files(client: LanguageClient):
    for _ in range(50):
        if client.registrations:
            break
        await asyncio.sleep(0.05)
    assert [r.method for r in client.registrations] == [lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES]


async def test_an_edit_that_introduces_then_fixes_an_error(client: LanguageClient, workspace: Path):
    path = workspace / BASE
    text = path.read_text(encoding="utf-8")
    uri = open_document(client, path)
    assert await diagnostics(client, uri) == []

    typo = text.replace(
        "condition : soins_non_programmes et (amplitude_quotidienne >= horaires_amplitude_minimale",
        "condition : soins_non_programmes et (amplitude_quotidiene >= horaires_amplitude_minimale",
        1,
    )
    replace_all(client, uri, typo, 2)
    found = await diagnostics(client, uri, until=lambda found: "donnee-inconnue" in codes(found))
    error = next(d for d in found if d.code == "donnee-inconnue")
    assert error.severity == lsp.DiagnosticSeverity.Error and error.source == "convcheck"
    assert (
        error.message
        == "donnée inconnue « amplitude_quotidiene »\naide : vouliez-vous dire « amplitude_quotidienne » ?"
    )
    assert error.range.start == position_of(typo, "amplitude_quotidiene")
    assert error.range.end == position_of(typo, "amplitude_quotidiene", len("amplitude_quotidiene"))

    replace_all(client, uri, text, 3)
    assert await diagnostics(client, uri, until=lambda found: not found) == []
    close_document(client, uri)


async def test_a_syntax_error_while_typing_and_a_warning_with_its_note(client: LanguageClient, workspace: Path):
    path = workspace / "brouillon.conv"
    path.write_text('convention brouillon "Brouillon"\nversion : "1"\n', encoding="utf-8")
    uri = open_document(client, path)
    assert await diagnostics(client, uri) == []
    replace_all(client, uri, 'convention brouillon "Brouillon"\nversion : "1"\nparamètres {\n  v = 250,50 €\n}\n', 2)
    found = await diagnostics(client, uri, until=lambda found: bool(found))
    assert codes(found) == ["syntaxe"]
    assert found[0].message == "nombre mal écrit « 250,50 »\naide : les décimales s'écrivent avec un point : 250.50 €"
    replace_all(client, uri, 'convention brouillon "Brouillon"\nversion : "1"\nparamètres {\n  v = 250.50 €\n}\n', 3)
    found = await diagnostics(client, uri, until=lambda found: codes(found) == ["parametre-inutilise"])
    assert found[0].severity == lsp.DiagnosticSeverity.Warning
    close_document(client, uri)


async def test_diagnostics_land_on_the_base_and_dependants_are_checked_again(client: LanguageClient, workspace: Path):
    base_path, avenant_path = workspace / BASE, workspace / AVENANT_1
    base_text = base_path.read_text(encoding="utf-8")
    avenant_uri = open_document(client, avenant_path)
    assert await diagnostics(client, avenant_uri) == []
    base_uri = open_document(client, base_path)
    assert await diagnostics(client, base_uri) == []

    # The avenant removes this critère: without it in the base, the avenant's `supprime` is an error.
    broken = base_text.replace("critère satisfaction_patients", "critère satisfaction_usagers", 1)
    replace_all(client, base_uri, broken, 2)
    found = await diagnostics(client, avenant_uri, until=lambda found: "id-inconnu" in codes(found))
    error = next(d for d in found if d.code == "id-inconnu")
    assert "« satisfaction_patients »" in error.message and "satisfaction_usagers" in error.message

    # A syntax error in the base is published on the base, where it is.
    replace_all(client, base_uri, base_text.replace("socle {", "socle", 1), 3)
    found = await diagnostics(client, base_uri, until=lambda found: codes(found) == ["syntaxe"])
    assert found[0].message.startswith("on attendait « { » après « socle »")

    replace_all(client, base_uri, base_text, 4)
    assert await diagnostics(client, avenant_uri, until=lambda found: not found) == []
    assert await diagnostics(client, base_uri, until=lambda found: not found) == []
    close_document(client, base_uri)
    close_document(client, avenant_uri)


async def test_notes_are_related_information(client: LanguageClient, workspace: Path):
    path = workspace / "av-bis.conv"
    path.write_text(
        f'avenant bis "Bis"\nbase : "{BASE}"\nversion : "bis"\n\nsupprime donnée samedi_matin\n', encoding="utf-8"
    )
    uri = open_document(client, path)
    found = await diagnostics(
        client, (workspace / BASE).as_uri(), until=lambda found: "donnee-inconnue" in codes(found)
    )
    error = next(d for d in found if d.code == "donnee-inconnue")
    assert error.related_information[0].location.uri == uri
    assert error.related_information[0].message == "un avenant supprime « samedi_matin » ici"
    assert error.related_information[0].location.range.start.line == 4
    close_document(client, uri)
    assert await diagnostics(client, (workspace / BASE).as_uri(), until=lambda found: not found) == []
    path.unlink()


async def test_a_base_changed_on_disk_is_read_again(client: LanguageClient, workspace: Path):
    base = workspace / "base-disque.conv"
    text = (workspace / BASE).read_text(encoding="utf-8")
    base.write_text(text, encoding="utf-8")
    avenant = workspace / "avenant-disque.conv"
    avenant.write_text(
        (workspace / AVENANT_1).read_text(encoding="utf-8").replace(BASE, "base-disque.conv"), encoding="utf-8"
    )
    uri = open_document(client, avenant)
    assert await diagnostics(client, uri) == []
    base.write_text(text.replace("critère satisfaction_patients", "critère satisfaction_usagers", 1), encoding="utf-8")
    client.workspace_did_change_watched_files(
        lsp.DidChangeWatchedFilesParams(changes=[lsp.FileEvent(uri=base.as_uri(), type=lsp.FileChangeType.Changed)])
    )
    found = await diagnostics(client, uri, until=lambda found: "id-inconnu" in codes(found))
    assert any("satisfaction_patients" in d.message for d in found)
    close_document(client, uri)


# ---- navigation -----------------------------------------------------------------------------------------


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def avenant_2(client: LanguageClient, workspace: Path):
    path = workspace / AVENANT_2
    text = path.read_text(encoding="utf-8")
    uri = open_document(client, path)
    await diagnostics(client, uri)
    return uri, text


async def test_hover_on_a_parametre_gives_its_consolidated_value(client: LanguageClient, avenant_2):
    uri, text = avenant_2
    hover = await client.text_document_hover_async(
        lsp.HoverParams(
            text_document=lsp.TextDocumentIdentifier(uri=uri),
            position=position_of(text, "montant_rcp", 2, occurrence=1),
        )
    )
    value = hover.contents.value
    assert value.startswith("**paramètre** `montant_rcp` — Concertation pluriprofessionnelle")
    assert "Type : montant" in value and "Valeur consolidée : **7\u202f000,00 €**" in value
    assert "aci-msp-avenant-2-france-sante.conv:" in value and "Cet avenant : ajout" in value


async def test_hover_on_an_avenant_operation_says_what_it_changes(client: LanguageClient, avenant_2):
    uri, text = avenant_2
    hover = await client.text_document_hover_async(
        lsp.HoverParams(
            text_document=lsp.TextDocumentIdentifier(uri=uri),
            position=position_of(text, "supprime critère second_recours", len("supprime critère ")),
        )
    )
    value = hover.contents.value
    assert value.startswith("**critère** `second_recours`")
    assert "Avant cet avenant : dernière écriture à [aci-msp-2017.conv:" in value
    assert "Absent de cette version" in value and "Cet avenant : suppression" in value


async def test_definition_of_an_avenant_operation_is_in_the_base(client: LanguageClient, avenant_2, workspace: Path):
    uri, text = avenant_2
    found = await client.text_document_definition_async(
        lsp.DefinitionParams(
            text_document=lsp.TextDocumentIdentifier(uri=uri),
            position=position_of(text, "supprime critère second_recours", len("supprime critère ") + 3),
        )
    )
    base_text = (workspace / BASE).read_text(encoding="utf-8")
    assert [(f.uri, f.range.start) for f in found] == [
        ((workspace / BASE).as_uri(), position_of(base_text, "critère second_recours", len("critère ")))
    ]


async def test_references_reach_every_file_of_the_chain(client: LanguageClient, avenant_2, workspace: Path):
    uri, text = avenant_2
    found = await client.text_document_references_async(
        lsp.ReferenceParams(
            text_document=lsp.TextDocumentIdentifier(uri=uri),
            position=position_of(text, "samedi_matin"),
            context=lsp.ReferenceContext(include_declaration=True),
        )
    )
    files = {Path(f.uri).name for f in found}
    assert {BASE, AVENANT_1, AVENANT_2} <= {name.rsplit("/", 1)[-1] for name in files}
    assert len(found) == sum(
        (workspace / name).read_text(encoding="utf-8").count("samedi_matin") for name in (BASE, AVENANT_1, AVENANT_2)
    )


async def test_completion_offers_ids_by_kind_and_keywords(client: LanguageClient, avenant_2):
    uri, text = avenant_2

    async def labels(edited: str, needle: str) -> set[str]:
        replace_all(client, uri, edited, 10 + len(edited))
        found = await client.text_document_completion_async(
            lsp.CompletionParams(
                text_document=lsp.TextDocumentIdentifier(uri=uri), position=position_of(edited, needle, len(needle))
            )
        )
        return {item.label for item in found.items}

    edited = text + "\nmodifie critère \n"
    assert {"rcp", "horaires"} <= await labels(edited, "\nmodifie critère ")
    edited = text + "\najoute dans \n"
    assert {"prérequis", "socle", "options", "brique"} == await labels(edited, "\najoute dans ")
    edited = text.replace(
        "condition : soins_non_programmes et (amplitude_quotidienne",
        "condition : atteint() et soins_non_programmes et (amplitude_quotidienne",
        1,
    )
    assert edited != text
    assert "rcp" in await labels(edited, "condition : atteint(")
    expression = await labels(edited, "condition : ")
    assert {"amplitude_quotidienne", "montant_rcp", "atteint", "si", "non"} <= expression and "rcp" not in expression
    replace_all(client, uri, text, 99)


async def test_document_symbols_outline_the_file(client: LanguageClient, workspace: Path):
    path = workspace / BASE
    uri = open_document(client, path)
    found = await client.text_document_document_symbol_async(
        lsp.DocumentSymbolParams(text_document=lsp.TextDocumentIdentifier(uri=uri))
    )
    names = [s.name for s in found]
    assert names[:2] == ["paramètres", "données"] and {"prérequis", "socle", "options"} <= set(names)
    socle = next(s for s in found if s.name == "socle")
    assert socle.kind == lsp.SymbolKind.Module and "rcp" in {c.name for c in socle.children}
    close_document(client, uri)


async def test_rename_a_donnee_in_the_base_and_its_avenants(client: LanguageClient, workspace: Path):
    path = workspace / BASE
    text = path.read_text(encoding="utf-8")
    uri = open_document(client, path)
    where = position_of(text, "samedi_matin : booléen")
    prepared = await client.text_document_prepare_rename_async(
        lsp.PrepareRenameParams(text_document=lsp.TextDocumentIdentifier(uri=uri), position=where)
    )
    assert prepared.start == where
    edit = await client.text_document_rename_async(
        lsp.RenameParams(text_document=lsp.TextDocumentIdentifier(uri=uri), position=where, new_name="ouverture_samedi")
    )
    by_file = {Path(u).name: edits for u, edits in edit.changes.items()}
    for name in (BASE, AVENANT_1, AVENANT_2):
        assert len(by_file[name]) == (workspace / name).read_text(encoding="utf-8").count("samedi_matin"), name
        assert {e.new_text for e in by_file[name]} == {"ouverture_samedi"}

    with pytest.raises(JsonRpcException, match="n'est pas un identifiant valide"):
        await client.text_document_rename_async(
            lsp.RenameParams(text_document=lsp.TextDocumentIdentifier(uri=uri), position=where, new_name="Samedi-Matin")
        )
    with pytest.raises(
        JsonRpcException, match=r"« patientele » est déjà le nom d'une donnée \(aci-msp-2017.conv, ligne"
    ):
        await client.text_document_rename_async(
            lsp.RenameParams(text_document=lsp.TextDocumentIdentifier(uri=uri), position=where, new_name="patientele")
        )
    close_document(client, uri)


async def test_formatting_gives_the_canonical_layout(client: LanguageClient, workspace: Path):
    path = workspace / "a-formater.conv"
    path.write_text('convention f "F"\nversion : "1"\nparamètres {   valeur_point=7 €  }\n', encoding="utf-8")
    uri = open_document(client, path)
    edits = await client.text_document_formatting_async(
        lsp.DocumentFormattingParams(
            text_document=lsp.TextDocumentIdentifier(uri=uri),
            options=lsp.FormattingOptions(tab_size=2, insert_spaces=True),
        )
    )
    assert [e.new_text for e in edits] == ['convention f "F"\nversion : "1"\n\nparamètres {\n  valeur_point = 7 €\n}\n']
    close_document(client, uri)


async def test_a_scenario_is_checked_against_the_version_it_names(client: LanguageClient, workspace: Path):
    path = workspace / "hypothese.conv"
    text = (
        'scénario hausse "Hypothèse : point à 8 €"\npour : "aci-msp-avenant-1.conv"\n\n'
        "paramètres {\n  valeur_point = 8 €\n}\n"
    )
    typo = text.replace("valeur_point", "valeur_pont")
    path.write_text(text, encoding="utf-8")
    uri = open_document(client, path, typo)
    found = await diagnostics(client, uri, until=lambda found: "parametre-inconnu" in codes(found))
    error = next(d for d in found if d.code == "parametre-inconnu")
    assert error.message == "paramètre inconnu « valeur_pont »\naide : vouliez-vous dire « valeur_point » ?"
    assert error.range.start == position_of(typo, "valeur_pont")

    replace_all(client, uri, text, 2)
    assert await diagnostics(client, uri, until=lambda found: not found) == []
    close_document(client, uri)
