"""Avenant resolution: operations, chains of bases, and where diagnostics point."""

from __future__ import annotations

from pathlib import Path

from dsl.avenants import Loader
from dsl.driver import check_file
from dsl.printer import print_expr
from tests.conftest import ROOT

BASE = """convention mini "Mini"
version : "1"

paramètres {
  valeur_point = 7 € "Valeur du point"
}

données {
  jours : entier entre 0 et 7 "Jours"
  samedi : booléen "Samedi"
}

socle {
  critère horaires "Horaires" {
    axe : acces
    condition : jours >= 5
    points fixes : 800
  }
  critère samedi_matin "Samedi matin" {
    condition : samedi
    points fixes : 100
  }
}

cas base_cas "Cas de la base" {
  données {
    jours = 5
    samedi = vrai
  }
}
"""


def write(folder: Path, name: str, text: str) -> str:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def avenant(body: str, base: str = "base.conv", version: str = "av") -> str:
    return f'avenant mini_av "Avenant"\nbase : "{base}"\nversion : "{version}"\n\n{body}'


def consolidated(tmp_path: Path, body: str):
    write(tmp_path, "base.conv", BASE)
    path = write(tmp_path, "av.conv", avenant(body))
    result = check_file(path)
    return result


def test_modifie_changes_listed_attributes_only(tmp_path):
    result = consolidated(tmp_path, "modifie critère horaires {\n  points fixes : 900\n}\n")
    assert result.ok, result.diagnostics
    horaires = result.model.criteres["horaires"]
    assert (print_expr(horaires.points_fixes.source), horaires.axe, print_expr(horaires.condition.source)) == (
        "900",
        "acces",
        "jours >= 5",
    )
    assert horaires.label == "Horaires"


def test_remplace_replaces_the_body_and_keeps_the_label_unless_given(tmp_path):
    result = consolidated(tmp_path, "remplace critère horaires {\n  condition : jours >= 6\n  montant : 5 €\n}\n")
    horaires = result.model.criteres["horaires"]
    assert horaires.axe is None and horaires.points_fixes is None and horaires.label == "Horaires"
    result = consolidated(
        tmp_path, 'remplace critère horaires "Nouveau" {\n  condition : jours >= 6\n  montant : 5 €\n}\n'
    )
    assert result.model.criteres["horaires"].label == "Nouveau"


def test_deplace_and_supprime(tmp_path):
    result = consolidated(
        tmp_path,
        "déplace critère samedi_matin vers options\nsupprime critère horaires\n"
        "modifie critère samedi_matin {\n  condition : samedi et jours >= 1\n}\n",
    )
    assert result.ok, result.diagnostics
    assert list(result.model.criteres) == ["samedi_matin"]
    assert result.model.criteres["samedi_matin"].section == "options"


def test_redefined_parametre_keeps_its_label_and_new_ones_are_added(tmp_path):
    result = consolidated(tmp_path, "paramètres {\n  valeur_point = 7.5 €\n}\n")
    point = result.model.parametres["valeur_point"]
    assert (print_expr(point.value.source), point.label) == ("7.5 €", "Valeur du point")


def test_consolidated_model_keeps_base_identity_and_avenant_version(tmp_path):
    result = consolidated(tmp_path, "supprime critère samedi_matin\nsupprime donnée samedi\n")
    model = result.model
    assert (model.id, model.label, model.version) == ("mini", "Mini", "av")
    assert model.cas == ()  # the base's worked cases describe the base, not the avenant


def test_diagnostics_point_where_an_element_was_last_written(tmp_path):
    result = consolidated(tmp_path, "modifie critère horaires {\n  points fixes : jour * 100\n}\n")
    error = next(d for d in result.diagnostics if d.code == "donnee-inconnue")
    assert (Path(error.span.file).name, error.span.line) == ("av.conv", 6)
    result = consolidated(tmp_path, "supprime donnée jours\n")
    error = next(d for d in result.diagnostics if d.code == "donnee-inconnue")
    assert Path(error.span.file).name == "base.conv"
    assert Path(error.notes[0].span.file).name == "av.conv"


def test_chain_of_avenants(tmp_path):
    write(tmp_path, "base.conv", BASE)
    write(tmp_path, "av1.conv", avenant("modifie critère horaires {\n  points fixes : 900\n}\n", version="av1"))
    (tmp_path / "sub").mkdir()
    path = write(
        tmp_path / "sub",
        "av2.conv",
        avenant("modifie critère horaires {\n  points fixes : 1_000\n}\n", base="../av1.conv", version="av2"),
    )
    loader = Loader()
    result = check_file(path, loader)
    assert result.ok, result.diagnostics
    assert print_expr(result.model.criteres["horaires"].points_fixes.source) == "1_000"
    assert [Path(p).name for p in result.chain] == ["base.conv", "av1.conv", "av2.conv"]


def test_the_real_avenant_consolidates_on_the_2017_accord():
    result = check_file(str(ROOT / "conventions" / "aci-msp-avenant-1.conv"))
    assert result.ok and not result.diagnostics
    model = result.model
    assert model.version == "avenant 1"
    assert "satisfaction_patients" not in model.criteres and "implication_usagers" in model.criteres
    assert model.criteres["crise_sanitaire"].section == "prerequis"
