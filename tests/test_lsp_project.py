"""The language server's model of the files, in process: caching between edits, unsaved texts, and what
hover, completion, definition, rename and the outline answer (the protocol itself is tested in test_lsp.py)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from interpreter.lsp import navigation
from interpreter.lsp.completion import completion
from interpreter.lsp.hover import hover
from interpreter.lsp.navigation import RenameRefused
from interpreter.lsp.project import Project
from interpreter.lsp.symbols import document_symbols
from tests.conftest import GOLDEN, ROOT

LANGUAGE = GOLDEN / "language"


@pytest.fixture
def files(tmp_path) -> Path:
    for path in [*(ROOT / "conventions").glob("*.conv"), LANGUAGE / "convention.conv", LANGUAGE / "avenant.conv"]:
        shutil.copy(path, tmp_path / path.name)
    return tmp_path


def opened(files: Path, name: str, text: str | None = None) -> tuple[Project, str, str]:
    project = Project([str(files)])
    path = str(files / name)
    text = text if text is not None else Path(path).read_text(encoding="utf-8")
    project.open(path, text)
    project.analyse(path)
    return project, path, text


def at(text: str, needle: str, shift: int = 0) -> int:
    return text.index(needle) + shift


def test_an_edit_of_an_avenant_parses_the_avenant_again_and_nothing_else(files):
    project, path, text = opened(files, "aci-msp-avenant-2-france-sante.conv")
    assert project.cache.parses == 3
    bases = project.analysis(path).loader.loaded(str(files / "aci-msp-avenant-1.conv"))
    project.change(path, text.replace("montant_rcp = 7_000 €", "montant_rcp = 7_500 €"))
    analysis = project.analyse(path)
    assert project.cache.parses == 4
    assert analysis.loader.loaded(str(files / "aci-msp-avenant-1.conv")) is bases  # consolidation reused
    assert analysis.checked.diagnostics == ()


def test_the_unsaved_text_of_a_base_is_what_its_avenant_reads(files):
    project, base, text = opened(files, "convention.conv")
    project.change(base, text.replace("critère majoration_drom", "critère majoration_outre_mer"))
    avenant = str(files / "avenant.conv")
    project.open(avenant, Path(avenant).read_text(encoding="utf-8"))
    found = project.analyse(avenant).checked.diagnostics
    assert [(d.code, d.span.line) for d in found if d.is_error] == [("id-inconnu", 15)]
    assert project.open_dependants(base) == [base, avenant]


def test_hover_in_an_avenant_says_what_it_changes(files):
    project, path, text = opened(files, "avenant.conv")
    value = hover(project, path, at(text, "valeur_point")).contents.value
    assert value.startswith("**paramètre** `valeur_point`")
    assert "Valeur consolidée : **7,50 €**" in value
    assert "Cet avenant : nouvelle valeur `7.5 €` (avant : `7 €`)" in value
    assert "Avant cet avenant : dernière écriture à [convention.conv:7]" in value
    value = hover(project, path, at(text, "modifie critère protocoles", len("modifie critère "))).contents.value
    assert "Section : socle" in value and "points fixes : 150 * min(nb_protocoles, 2)" in value
    assert "Cet avenant : modification de « points fixes »" in value
    value = hover(project, path, at(text, "déplace critère rcp", len("déplace critère "))).contents.value
    assert "Cet avenant : déplacement vers « socle »" in value and "Section : socle" in value
    value = hover(project, path, at(text, "remplace critère horaires", len("remplace critère "))).contents.value
    assert "Cet avenant : remplacement complet" in value
    assert hover(project, path, at(text, "Avenant n°2")) is None  # a label


def test_hover_on_a_donnee_while_the_text_does_not_parse(files):
    project, path, text = opened(files, "convention.conv")
    broken = text.replace("points fixes : 800", "points fixes : 800 +")
    project.change(path, broken)
    value = hover(project, path, at(broken, "samedi_matin", 3)).contents.value
    assert value.startswith("**donnée** `samedi_matin` — Ouverte le samedi matin") and "Type : `booléen`" in value


def labels(project: Project, path: str, text: str, offset: int) -> set[str]:
    project.change(path, text)
    return {item.label for item in completion(project, path, offset).items}


@pytest.mark.parametrize(
    "typed, expected, absent",
    [
        ("\nmodifie critère ", {"horaires", "rcp", "cinq_jours"}, {"france_sante", "zone"}),
        ("\nsupprime brique ", {"france_sante"}, {"rcp"}),
        ("\nsupprime donnée ", {"zone", "samedi_matin", "tarifs_opposables"}, {"valeur_point"}),
        ("\nsupprime paramètre ", {"valeur_point"}, {"zone"}),
        ("\nsupprime ", {"critère", "brique", "donnée", "paramètre"}, set()),
        ("\najoute dans ", {"prérequis", "socle", "options", "brique"}, set()),
        ("\ndéplace critère rcp vers ", {"prérequis", "socle", "options"}, set()),
        ('\najoute dans socle {\n  critère x "X" {\n    condition : atteint(', {"rcp", "france_sante"}, {"zone"}),
        (
            '\najoute dans socle {\n  critère x "X" {\n    condition : sam',
            {"samedi_matin", "valeur_point", "min", "si"},
            {"rcp"},
        ),
        ('\najoute dans socle {\n  critère x "X" {\n    ', {"condition :", "points fixes :", "montant :"}, {"zone"}),
        ("\najoute dans socle {\n  ", {"critère"}, {"zone"}),
        ("\ndonnées {\n  nouvelle : ", {"booléen", "entier", "montant", "pourcentage", "choix"}, set()),
        ("\n", {"paramètres", "données", "ajoute dans", "modifie critère", "supprime donnée", "cas"}, {"zone"}),
        ('\ncas c "C" {\n  attendu {\n    ', {"éligible", "total", "points", "zone"}, set()),
        ('\ncas c "C" {\n  données {\n    ', {"zone", "patientele"}, {"valeur_point"}),
        ("\n# un commentaire ", set(), {"zone", "critère"}),
    ],
)
def test_completion_offers_what_the_grammar_expects_there(files, typed, expected, absent):
    project, path, text = opened(files, "avenant.conv")
    found = labels(project, path, text + typed, len(text + typed))
    assert expected <= found, expected - found
    assert not (absent & found), absent & found


def test_definition_is_the_declaration_in_force_where_the_cursor_is(files):
    project, path, text = opened(files, "avenant.conv")
    base_text = (files / "convention.conv").read_text(encoding="utf-8")

    def target(offset: int) -> tuple[str, int]:
        [found] = navigation.definition(project, path, offset)
        return Path(found.uri).name, found.range.start.line + 1

    assert target(at(text, "supprime critère majoration_drom", len("supprime critère "))) == (
        "convention.conv",
        base_text[: base_text.index("critère majoration_drom")].count("\n") + 1,
    )
    assert target(at(text, "condition : tarifs_opposables", len("condition : "))) == ("avenant.conv", 7)
    assert target(at(text, "valeur_point")) == ("avenant.conv", 6)  # a declaration is its own definition
    assert target(at(text, 'base : "', len('base : "'))) == ("convention.conv", 1)


def test_references_and_rename_reach_the_base_and_its_avenants(files):
    project, path, text = opened(files, "convention.conv")
    offset = at(text, "taux_rcp")
    found = navigation.references(project, path, offset)
    assert {Path(f.uri).name for f in found} == {"convention.conv"}  # the avenant does not name it
    edit = navigation.rename(project, path, at(text, "critère rcp", len("critère ")), "concertation")
    changed = {
        Path(uri).name: [(e.range.start.line + 1, e.new_text) for e in edits] for uri, edits in edit.changes.items()
    }
    assert changed == {"convention.conv": [(44, "concertation")], "avenant.conv": [(14, "concertation")]}


@pytest.mark.parametrize(
    "name, message",
    [
        ("Concertation", "« Concertation » n'est pas un identifiant valide"),
        ("2rcp", "« 2rcp » n'est pas un identifiant valide"),
        ("si", "« si » est un mot réservé du langage"),
        ("socle", "« socle » est un mot réservé du langage"),
        ("horaires", "« horaires » est déjà le nom d'un critère (convention.conv, ligne 23)"),
        ("france_sante", "« france_sante » est déjà le nom d'une brique (convention.conv, ligne 54)"),
    ],
)
def test_rename_is_refused_with_the_reason(files, name, message):
    project, path, text = opened(files, "convention.conv")
    with pytest.raises(RenameRefused, match=re.escape(message)):
        navigation.rename(project, path, at(text, "critère rcp", len("critère ")), name)


def test_only_ids_of_declared_things_are_renamed(files):
    project, path, text = opened(files, "convention.conv")
    with pytest.raises(RenameRefused, match="seul l'identifiant d'un critère"):
        navigation.prepare_rename(project, path, at(text, "Accord"))
    with pytest.raises(RenameRefused, match="« drom » n'est déclaré nulle part"):
        navigation.prepare_rename(project, path, at(text, "dans (drom)", len("dans (")))


def test_the_outline_of_an_avenant_lists_its_operations(files):
    project, path, text = opened(files, "avenant.conv")
    parsed = project.parse(path)
    names = [(s.name, [c.name for c in s.children or ()]) for s in document_symbols(parsed.file, parsed.source)]
    assert names == [
        ("paramètres", ["valeur_point"]),
        ("données", ["tarifs_opposables"]),
        ("ajoute dans socle", ["tarifs"]),
        ("modifie critère protocoles", []),
        ("remplace critère horaires", []),
        ("déplace critère rcp vers socle", []),
        ("supprime critère majoration_drom", []),
    ]


def test_positions_count_utf16_code_units_as_vs_code_does():
    from lsprotocol import types as lsp

    from dsl.source import SourceFile
    from interpreter.lsp.positions import UTF8, UTF16, UTF32, offset_at, to_range

    source = SourceFile("x.conv", 'a\n  "😀 é" x\n')
    span = source.span(source.text.index("x"), source.text.index("x") + 1)
    assert to_range(span, source, UTF16).start == lsp.Position(line=1, character=9)  # 😀 is two UTF-16 units
    assert to_range(span, source, UTF32).start == lsp.Position(line=1, character=8)
    assert to_range(span, source, UTF8).start == lsp.Position(line=1, character=12)
    for encoding in (UTF8, UTF16, UTF32):
        assert offset_at(source, to_range(span, source, encoding).start, encoding) == span.start
    assert offset_at(source, lsp.Position(line=9, character=0)) == len(source.text)


def test_hover_and_completion_know_majorations_and_minimums(files):
    project, path, text = opened(files, "aci-msp-avenant-2-france-sante.conv")
    value = hover(project, path, at(text, "modifie majoration precarite", len("modifie majoration "))).contents.value
    assert value.startswith("**majoration** `precarite` — Majoration précarité") and "assiette : total" in value
    assert "Cet avenant : modification de « assiette »" in value
    assert {"precarite"} <= labels(project, path, text + "\nmodifie majoration ", len(text) + 20)
    assert {"premiere_annee"} <= labels(project, path, text + "\nsupprime minimum ", len(text) + 18)
    assert {"majoration", "minimum"} <= labels(project, path, text + "\najoute ", len(text) + 8)
