"""A project's settings: `convcheck.toml`, found in the folder of the file a command reads or in one of its
parents (the nearest wins), as ruff and black find theirs.

Today one setting: `strict = true` — the warnings of a version block every command that computes with it
(`check` fails on them as with `--strict`; `eval`, `simulate`, `diff`, `calibre`, `balaye` refuse to
compute), so that a team that has decided that no warning may go to the table cannot forget it. A key the
file does not know is an error, with « vouliez-vous dire » (a misspelt `strict` must not switch it off).
"""

from __future__ import annotations

import os
from pathlib import Path

from dsl.diagnostics import Diagnostic, suggest
from dsl.errors import ConvcheckError
from dsl.records import frozen
from interpreter.io.words import toml_problem

FILE = "convcheck.toml"
KEYS = {"strict": bool}


class ProjectError(ConvcheckError):
    """A `convcheck.toml` that cannot be read as settings."""


@frozen
class Settings:
    """The settings that apply to a file, and the file they come from (None: the defaults)."""

    strict: bool = False
    path: str | None = None


def settings_for(path: str | Path) -> Settings:
    """The settings of the project a file belongs to. Raises `ProjectError`."""
    return _settings_in(Path(path).resolve().parent)


def _settings_in(folder: Path) -> Settings:
    for candidate in (folder, *folder.parents):
        found = candidate / FILE
        if found.is_file():
            return _read(_shown(found))
    return Settings()


def _shown(path: Path) -> Path:
    """The path as messages give it: relative to the current folder when it is inside it."""
    relative = Path(os.path.relpath(path))
    return path if relative.parts[:1] == ("..",) else relative


def _read(path: Path) -> Settings:
    import tomllib  # only where a project file is found

    text = path.read_text(encoding="utf-8", errors="replace")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        problem, line, column = toml_problem(str(error))
        where = f" (ligne {line}, colonne {column})" if line is not None else ""
        raise ProjectError(
            diagnostics=[
                Diagnostic(
                    "projet-invalide",
                    f"{problem}{where}",
                    file=str(path),
                    suggestion="écrivez par exemple « strict = true »",
                )
            ]
        ) from None
    problems = []
    for key, value in data.items():
        wanted = KEYS.get(key)
        if wanted is None:
            problems.append(
                Diagnostic(
                    "projet-invalide",
                    f"réglage inconnu « {key} » (ligne {_line(text, key)})",
                    file=str(path),
                    suggestion=suggest(key, KEYS) or f"réglages : {', '.join(KEYS)}",
                )
            )
        elif not isinstance(value, wanted):
            problems.append(
                Diagnostic(
                    "projet-invalide",
                    f"« {key} » (ligne {_line(text, key)}) vaut vrai ou faux",
                    file=str(path),
                    suggestion=f"écrivez « {key} = true » ou « {key} = false »",
                )
            )
    if problems:
        raise ProjectError(diagnostics=problems)
    return Settings(strict=bool(data.get("strict", False)), path=str(path))


def _line(text: str, key: str) -> int:
    """The line a key is written on (tomllib does not say)."""
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip().startswith(key):
            return number
    return 1
