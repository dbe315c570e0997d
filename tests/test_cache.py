"""The disk cache of checked versions: used only while every file of the chain is unchanged."""

from __future__ import annotations

import shutil

from dsl import cache
from interpreter import api
from tests.conftest import ROOT


def copy_chain(tmp_path):
    for name in ("aci-msp-2017.conv", "aci-msp-avenant-1.conv"):
        shutil.copy(ROOT / "conventions" / name, tmp_path / name)
    return tmp_path / "aci-msp-avenant-1.conv"


def test_a_version_read_again_comes_from_the_cache(tmp_path):
    path = copy_chain(tmp_path)
    first = api.load(path)
    assert cache.load(str(path)) is not None
    again = api.load(path)
    assert again.model == first.model and again.parametres == first.parametres


def test_a_changed_base_is_a_miss(tmp_path):
    path = copy_chain(tmp_path)
    api.load(path)
    base = tmp_path / "aci-msp-2017.conv"
    base.write_text(
        base.read_text(encoding="utf-8").replace("valeur_point = 7 €", "valeur_point = 8 €"), encoding="utf-8"
    )
    assert cache.load(str(path)) is None
    assert api.load(path).parametres["valeur_point"] == 8


def test_a_damaged_entry_or_a_disabled_cache_is_a_miss(tmp_path, monkeypatch):
    path = copy_chain(tmp_path)
    api.load(path)
    for entry in cache.folder().glob("*.pickle"):
        entry.write_bytes(b"not a pickle")
    assert cache.load(str(path)) is None
    assert api.load(path).model is not None
    monkeypatch.setenv("CONVCHECK_CACHE", "0")
    assert cache.folder() is None and cache.load(str(path)) is None


def test_a_version_with_errors_is_not_cached(tmp_path):
    path = tmp_path / "faux.conv"
    path.write_text(
        'convention f "F"\nversion : "1"\nsocle {\n  critère c "C" { condition : inconnu }\n}\n', encoding="utf-8"
    )
    try:
        api.load(path)
    except api.ConvError:
        pass
    assert cache.load(str(path)) is None


def test_a_version_is_named_as_given_whether_cached_or_not(tmp_path, monkeypatch):
    """The same file read as `convention.conv` and by its absolute path: each load names it as it was given."""
    from interpreter import api

    source = ROOT / "tests" / "golden" / "cli" / "convention.conv"
    (tmp_path / "convention.conv").write_bytes(source.read_bytes())
    monkeypatch.chdir(tmp_path)
    assert api.load(str(tmp_path / "convention.conv")).chain == (str(tmp_path / "convention.conv"),)
    assert api.load("convention.conv").chain == ("convention.conv",)


def test_a_value_that_cannot_be_kept_leaves_nothing_behind(tmp_path):
    """A value pickle refuses is no entry, and no half-written file in the cache's folder."""
    path = copy_chain(tmp_path)
    cache.store(str(path), [str(path)], lambda: None)  # a lambda: pickle refuses it
    assert cache.load(str(path)) is None
    assert not [p for p in cache.folder().iterdir() if p.name.endswith(".tmp")]
