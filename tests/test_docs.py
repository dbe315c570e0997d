"""The user documentation is checked: every example of the language guide, every error code."""

from __future__ import annotations

import re

from dsl.diagnostics import CODES
from dsl.driver import check_file
from tests.conftest import GOLDEN, ROOT

DOCS = ROOT / "docs"


def conv_blocks(markdown: str) -> list[str]:
    return re.findall(r"```conv\n(.*?)```", markdown, flags=re.S)


def test_every_example_of_the_language_guide_checks_clean(tmp_path):
    blocks = conv_blocks((DOCS / "langage.md").read_text(encoding="utf-8"))
    assert len(blocks) >= 7
    paths = []
    for i, block in enumerate(blocks):
        named = re.match(r"# fichier : (\S+)", block)
        path = tmp_path / (named.group(1) if named else f"exemple_{i}.conv")
        path.write_text(block, encoding="utf-8")
        paths.append(path)
    for path in paths:
        result = check_file(str(path))
        assert result.diagnostics == (), (path.name, result.diagnostics)


def test_every_cas_of_the_language_guide_passes(tmp_path):
    """The guide's figures are not only well typed: its worked cas give the amounts the text states."""
    from interpreter import api

    blocks = conv_blocks((DOCS / "langage.md").read_text(encoding="utf-8"))
    paths = []
    for i, block in enumerate(blocks):
        named = re.match(r"# fichier : (\S+)", block)
        path = tmp_path / (named.group(1) if named else f"exemple_{i}.conv")
        path.write_text(block, encoding="utf-8")
        paths.append(path)
    ran = 0
    for path in paths:
        if api.is_scenario(path):
            continue
        version = api.load(path)
        results = version.cases()
        for year in version.model.exercices:  # the cas of an exercise, with its rules
            results += api.load(path, exercice=year).cases()
        ran += len(results)
        assert all(r.passed for r in results), (path.name, [r for r in results if not r.passed])
    assert ran >= 5


def test_the_guide_shows_every_construct():
    text = (DOCS / "langage.md").read_text(encoding="utf-8")
    examples = "\n".join(conv_blocks(text))
    for construct in [
        "convention",
        "avenant",
        "version :",
        "en vigueur :",
        "statut :",
        "base :",
        "paramètres",
        "données",
        "prérequis",
        "socle",
        "options",
        "brique",
        "cas",
        "attendu",
        "condition :",
        "points fixes :",
        "points variables :",
        "montant :",
        "axe :",
        "référence :",
        "entre",
        "choix(",
        "booléen",
        "entier",
        "nombre",
        "montant entre",
        "pourcentage",
        "date",
        " dans (",
        "si ",
        " alors ",
        " sinon ",
        " ou ",
        " et ",
        "non ",
        "min(",
        "max(",
        "arrondi(",
        "atteint(",
        "€",
        "%",
        "vrai",
        "faux",
        "ajoute dans",
        "ajoute brique",
        "modifie critère",
        "remplace critère",
        "déplace critère",
        "éligible",
        "total =",
        "total_points",
        "points(",
        "montant(",
        "1_000",
        "majoration",
        "assiette :",
        "taux :",
        " dans (prérequis, socle)",
        "minimum",
        "prorata :",
        "ajoute minimum",
        "modifie majoration",
        "taux_avance",
        "par défaut",
        "\nprorata : ",
        "exercice 2022 {",
    ]:
        assert construct in examples, construct


def test_every_diagnostic_code_is_documented_with_a_real_example():
    text = (DOCS / "erreurs.md").read_text(encoding="utf-8")
    goldens = "\n".join(p.read_text(encoding="utf-8") for p in GOLDEN.glob("*/*.expected"))
    for code in CODES:
        assert f"### `{code}`" in text, code
    for block in re.findall(r"```text\n(.*?)```", text, flags=re.S)[1:]:
        assert block.strip() in goldens, block.splitlines()[0]


def test_the_python_example_of_the_readme_runs(monkeypatch, capsys):
    """The README's « Python » section is executed as written, from the root of the checkout."""
    blocks = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), flags=re.S)
    assert blocks, "the README has no Python example"
    monkeypatch.chdir(ROOT)
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {"__name__": "readme"})  # noqa: S102 - our own documentation
    assert "declaration-donnee-manquante" in capsys.readouterr().out


def test_no_diagnostic_code_is_registered_twice():
    """A code written twice in the registry would silently keep only its last description."""
    import ast

    tree = ast.parse((ROOT / "dsl" / "diagnostics.py").read_text(encoding="utf-8"))
    registry = next(
        node.value
        for node in tree.body
        if isinstance(node, (ast.Assign, ast.AnnAssign))
        and "CODES" in ast.unparse(node.targets[0] if isinstance(node, ast.Assign) else node.target)
    )
    keys = [key.value for key in registry.keys]
    assert len(keys) == len(set(keys)), sorted({k for k in keys if keys.count(k) > 1})
