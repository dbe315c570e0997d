"""The README's map (« What is where ») is true: the map of the code is the one the tree gives (every module of
`dsl` and `interpreter` named, with its docstring's summary), and every path the section names exists."""

from __future__ import annotations

import re

from tests import readme_map
from tests.conftest import ROOT

PATH = re.compile(r"`([^`\s]+)`")
SUFFIXES = (".py", ".md", ".lark", ".json", ".js", ".conv", ".sh", ".yaml", ".csv", ".parquet", ".xlsx", ".toml")


def section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("## What is where")
    return text[start : text.index("\n## ", start + 1)]


def test_the_map_of_the_code_is_the_one_the_tree_gives():
    assert readme_map.in_readme(section()) == readme_map.generated(), (
        "the README's map is out of date: run `python -m tests.readme_map --write` and review the diff"
    )


def test_every_module_of_the_language_and_the_interpreter_is_named():
    named = set(PATH.findall(section()))
    for package in readme_map.PACKAGES:
        for module in (ROOT / package).rglob("*.py"):
            path = module.relative_to(ROOT).as_posix()
            folder = module.parent.relative_to(ROOT).as_posix() + "/"
            assert path in named or (module.name == "__init__.py" and folder in named), path


def named_paths() -> list[tuple[str, str]]:
    """(the folder of a row, a path it names) for the paths of the section's tables. In the generated map, the
    module or package each row is about (its summary may name what a command writes, `simulateur/`); in the
    table of everything else, every path a row names, a bare file name read in the folder of a folder's row
    (`parse.py` in the row of `benchmarks/`)."""
    found = []
    generated = False
    for row in section().splitlines():
        generated = (generated or row == readme_map.BEGIN) and row != readme_map.END
        if not row.startswith("| "):
            continue
        first = row.split(" | ")[0]
        names = PATH.findall(first)
        folder = names[0] if names and names[0].endswith("/") else ""
        for name in PATH.findall(first if generated else row):
            if "/" in name or (folder and name.endswith(SUFFIXES)):
                found.append((folder, name))
    return found


def test_every_path_the_section_names_exists():
    paths = named_paths()
    assert len(paths) > 100
    missing = []
    for folder, name in paths:
        if name.startswith(("../", "--", ".")):
            continue  # outside the repository (`../shared/domain/`), an option, an extension (`.conv`)
        candidates = [ROOT / name, ROOT / folder / name]
        if not any(c.exists() for c in candidates):
            missing.append(name)
    assert missing == []
