"""A cache of checked versions on disk: reading a version again costs a hash, not a parse.

Like Python's `.pyc` and Lark's own grammar cache, a checked version (its model, diagnostics and
sources) is kept in the user's cache folder (`$XDG_CACHE_HOME/convcheck`, or `~/.cache/convcheck`;
`CONVCHECK_CACHE=0` turns it off). An entry is used only when every file it was read from — the
version and each base of its chain — still has the same content, and when convcheck's own
language code (this package and the grammar) is the same: a change to either is a miss. Any
problem with the folder (missing, read-only, a damaged entry) is a miss, never an error.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
from functools import lru_cache
from pathlib import Path

ENTRY_FORMAT = 1


def folder() -> Path | None:
    if os.environ.get("CONVCHECK_CACHE", "1") == "0":
        return None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "convcheck"


@lru_cache(maxsize=1)
def code_stamp() -> str:
    """A hash of the language's code: the `dsl` package and the grammar."""
    digest = hashlib.sha256(str(ENTRY_FORMAT).encode())
    here = Path(__file__).resolve().parent
    for path in sorted([*here.glob("*.py"), here.parent / "grammar" / "conv.lark"]):
        try:
            digest.update(path.read_bytes())
        except OSError:
            pass
    return digest.hexdigest()


def _digest(path: str) -> str | None:
    try:
        with open(path, "rb") as handle:
            return hashlib.sha256(handle.read()).hexdigest()
    except OSError:
        return None


def _entry(path: str) -> Path | None:
    where = folder()
    content = _digest(path)
    if where is None or content is None:
        return None
    # The path as given is part of the key: the version's files are named as the user names them
    # (`convention.conv` here, an absolute path there), in diagnostics and reports.
    key = hashlib.sha256(f"{code_stamp()}\0{path}\0{os.path.realpath(path)}\0{content}".encode()).hexdigest()
    return where / f"{key}.pickle"


def load(path: str):
    """The value stored for this file, if every file it was read from is unchanged; else None."""
    entry = _entry(path)
    if entry is None:
        return None
    try:
        with open(entry, "rb") as handle:
            files, value = pickle.load(handle)
    except Exception:  # a miss: absent, unreadable or damaged — the version is read again
        return None
    if all(_digest(name) == digest for name, digest in files.items()):
        return value
    return None


def store(path: str, files: list[str], value) -> None:
    """Keep a value for this file, valid while `files` (its chain) keep their content."""
    entry = _entry(path)
    if entry is None:
        return
    temporary = entry.with_name(f".{entry.name}.{os.getpid()}.tmp")
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        digests = {name: _digest(name) for name in files}
        with open(temporary, "wb") as handle:
            pickle.dump((digests, value), handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, entry)
    except Exception:  # a cache that cannot be written is no cache, not an error, and leaves no half-written file
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
