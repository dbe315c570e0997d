"""The one writer: every file convcheck writes goes through `write_bytes` or `replacing`.

Reports (`-o`), results tables, rejects, the chart beside a Markdown report and the files
that `fmt` rewrites are all written here, in the same way:

1. The destination is checked before anything is written: never one of the files the
   command read (the same path, or the same file through a symbolic or hard link), never
   a device, a FIFO, a socket or a folder, never a read-only file, and its folder must exist.
2. The content goes to a temporary file (`.convcheck-*.tmp`) in the destination's folder,
   is flushed to the disk, then renamed over the destination: a reader sees the old file
   or the new one, never half of it. A symbolic link is written through (it stays a link)
   and the file keeps its mode and its owner. A file with other hard links (or whose owner
   could not be kept) is rewritten in place instead, so that every name still shows it.
3. On any failure, interruptions included, the temporary file is removed and the problem
   becomes a `WriteError`: a French diagnostic and the exit code — 2 when the destination
   cannot be used, 1 when the writing itself failed (disk full…).
"""

from __future__ import annotations

import errno
import io
import os
import shutil
import stat
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import BinaryIO

from dsl.diagnostics import Diagnostic
from dsl.errors import ConvcheckError
from dsl.source import special_kind

PREFIX = ".convcheck-"  # temporary files: `.convcheck-XXXXXXXX.tmp`, beside the destination
EXIT_DESTINATION, EXIT_FAILED = 2, 1
STANDARD_OUTPUT_HINT = "indiquez un fichier ordinaire ; sans -o, le rapport s'affiche sur la sortie standard"

# errno → (reason, hint) for a destination that cannot be used (exit 2)
DESTINATION_ERRORS = {
    errno.EACCES: ("droits insuffisants", "choisissez un dossier où vous avez le droit d'écrire"),
    errno.EPERM: ("opération non permise", "choisissez un dossier où vous avez le droit d'écrire"),
    errno.EROFS: ("système de fichiers en lecture seule", "choisissez un dossier où l'on peut écrire"),
    errno.ENOENT: ("dossier introuvable", "créez d'abord le dossier, ou choisissez un autre chemin"),
    errno.ENOTDIR: ("un élément du chemin n'est pas un dossier", "vérifiez le chemin"),
    errno.EISDIR: ("c'est un dossier", "donnez le chemin d'un fichier"),
    errno.ENAMETOOLONG: ("nom de fichier trop long", "choisissez un nom plus court"),
    errno.ELOOP: ("trop de liens symboliques", "vérifiez les liens du chemin"),
    errno.ENXIO: ("c'est un périphérique ou un tube sans lecteur", STANDARD_OUTPUT_HINT),
}
# errno → (reason, hint) for a write that failed on the way (exit 1)
WRITE_ERRORS = {
    errno.ENOSPC: ("disque plein", "libérez de la place sur le disque, ou écrivez ailleurs"),
    errno.EDQUOT: ("quota de disque dépassé", "libérez de la place, ou écrivez ailleurs"),
    errno.EFBIG: ("fichier trop gros pour ce système de fichiers", "écrivez ailleurs, ou dans un autre format"),
    errno.EIO: ("erreur d'entrée-sortie du disque", "vérifiez le disque, puis recommencez"),
}


class WriteError(ConvcheckError):
    """A file that could not be written: a French diagnostic, and the exit code it calls for."""

    def __init__(self, diagnostic: Diagnostic, exit_code: int):
        super().__init__(diagnostic.message, [diagnostic])
        self.diagnostic = diagnostic
        self.exit_code = exit_code


# ---- writing -------------------------------------------------------------------------------------------


def write_text(path: str, text: str, inputs: Iterable[str] = ()) -> None:
    """Write UTF-8 text to `path` (see `replacing`)."""
    write_bytes(path, text.encode("utf-8"), inputs)


def write_bytes(path: str, data: bytes, inputs: Iterable[str] = ()) -> None:
    """Write bytes to `path` (see `replacing`)."""
    with replacing(path, inputs) as handle:
        handle.write(data)


@contextmanager
def replacing(path: str, inputs: Iterable[str] = ()) -> Iterator[BinaryIO]:
    """A binary handle whose content replaces `path` when the block ends without error.

    `inputs` are the files the command read: `path` must not be one of them. Raises
    `WriteError`; on any failure no temporary file remains and the destination is untouched
    (but for a hard-linked file, which is rewritten in place).
    """
    target = check_destination(path, inputs)
    temporary = raw = None
    try:
        descriptor, temporary = tempfile.mkstemp(prefix=PREFIX, suffix=".tmp", dir=os.path.dirname(target))
        raw = RecordingFile(descriptor)
        with io.BufferedWriter(raw) as handle:
            yield handle
            handle.flush()
            os.fsync(descriptor)
        place(temporary, target)
    except BaseException as error:
        if temporary is not None:
            remove_quietly(temporary)
        # A library may wrap our OSError in its own exception (polars does): the recorded one keeps its errno.
        cause = (raw.error if raw is not None else None) or (error if isinstance(error, OSError) else None)
        if cause is None or isinstance(error, KeyboardInterrupt):
            raise
        raise write_error(path, cause) from None


@contextmanager
def replacing_path(path: str, inputs: Iterable[str] = ()) -> Iterator[str]:
    """Like `replacing`, for a tool that writes a file by its name (DuckDB's COPY): the path of the
    temporary file, which replaces `path` when the block ends without error."""
    target = check_destination(path, inputs)
    temporary = None
    try:
        descriptor, temporary = tempfile.mkstemp(prefix=PREFIX, suffix=".tmp", dir=os.path.dirname(target))
        os.close(descriptor)
        yield temporary
        descriptor = os.open(temporary, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        place(temporary, target)
    except BaseException as error:
        if temporary is not None:
            remove_quietly(temporary)
        if not isinstance(error, OSError):
            raise
        raise write_error(path, error) from None


class RecordingFile(io.RawIOBase):
    """The temporary file, written with `os.write`; it keeps the first OSError it met.

    Libraries that write through a handle (polars) may turn our OSError into their own
    exception and lose its errno: the writer still knows that the disk was full.
    """

    def __init__(self, descriptor: int):
        super().__init__()
        self.descriptor = descriptor
        self.error: OSError | None = None

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        try:
            return os.write(self.descriptor, data)
        except OSError as error:
            self.error = self.error or error
            raise

    def close(self) -> None:
        if not self.closed:
            os.close(self.descriptor)
        super().close()


def place(temporary: str, target: str) -> None:
    """Put the finished temporary file in the target's place, keeping its mode, owner and links."""
    try:
        existing = os.stat(target)
    except FileNotFoundError:
        existing = None
    if existing is None:
        os.chmod(temporary, 0o666 & ~current_umask())
    elif existing.st_nlink > 1 or not keep_owner(temporary, existing):
        copy_into(temporary, target)
        return
    else:
        os.chmod(temporary, stat.S_IMODE(existing.st_mode))
    os.replace(temporary, target)
    sync_folder(os.path.dirname(target))


def keep_owner(temporary: str, existing: os.stat_result) -> bool:
    """Give the temporary file the target's owner and group; False when that is not allowed."""
    mine = os.stat(temporary)
    if (mine.st_uid, mine.st_gid) == (existing.st_uid, existing.st_gid):
        return True
    try:
        os.chown(temporary, existing.st_uid, existing.st_gid)
    except PermissionError:
        return False
    return True


def copy_into(temporary: str, target: str) -> None:
    """Rewrite the target's own inode (hard links keep sharing it). Not atomic: only for linked files."""
    with open(temporary, "rb") as source, open(os.open(target, os.O_WRONLY), "wb") as destination:
        shutil.copyfileobj(source, destination)
        destination.truncate()
        destination.flush()
        os.fsync(destination.fileno())
    os.unlink(temporary)


def sync_folder(folder: str) -> None:
    """Make the rename durable; some file systems cannot, which is no reason to fail."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def current_umask() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return umask


def remove_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:  # already gone (renamed into place, or never made): nothing left behind
        pass


# ---- checking the destination ---------------------------------------------------------------------


def check_destination(path: str, inputs: Iterable[str] = ()) -> str:
    """The file that writing `path` would change (symbolic links followed), or a `WriteError`
    when it must not be written: a device, a FIFO, a folder, a missing folder, or an input."""
    if device_name(path):
        refuse(path, f"« {path} » est un périphérique, pas un fichier ordinaire", STANDARD_OUTPUT_HINT)
    target = os.path.realpath(path)
    kind = special_kind(target)
    if kind is not None:
        hint = "donnez le chemin d'un fichier" if kind == "un dossier" else STANDARD_OUTPUT_HINT
        refuse(path, f"« {path} » est {kind}, pas un fichier ordinaire", hint)
    same = next((i for i in inputs if same_file(i, target)), None)
    if same is not None:
        message = (
            f"« {path} » est un des fichiers lus par cette commande : l'écrire l'effacerait"
            if same == path
            else f"« {path} » est le même fichier que « {same} », lu par cette commande : l'écrire l'effacerait"
        )
        raise WriteError(
            Diagnostic("sortie-est-une-entree", message, file=path, suggestion="choisissez un autre fichier de sortie"),
            EXIT_DESTINATION,
        )
    if read_only(target):
        refuse(
            path,
            f"« {path} » est en lecture seule : convcheck ne le remplace pas",
            "rendez-le modifiable (chmod u+w, ou décochez « Lecture seule »), ou écrivez ailleurs",
        )
    folder = os.path.dirname(target)
    if not os.path.isdir(folder):
        shown = folder if os.path.islink(path) else os.path.dirname(path) or "."
        what = "n'est pas un dossier" if os.path.exists(folder) else "n'existe pas"
        refuse(
            path,
            f"impossible d'écrire « {path} » : le dossier « {shown} » {what}",
            "créez d'abord le dossier, ou choisissez un autre chemin",
        )
    return target


def read_only(target: str) -> bool:
    """Whether an existing file is write-protected: no write permission for anyone (even for root, who may write
    anything: a file made read-only says « do not change me »), or none for us. Renaming a temporary over it would
    replace it all the same: the permission of the file is asked first."""
    try:
        mode = os.stat(target).st_mode
    except OSError:  # absent: a new file
        return False
    return not mode & 0o222 or not os.access(target, os.W_OK)


def device_name(path: str) -> bool:
    """Whether the path, or a symbolic link on the way, names /dev/… or /proc/… (/dev/stdout
    leads to the terminal, a pipe, or the very file the shell redirects to)."""
    current = os.path.abspath(path)
    for _ in range(40):
        if current.startswith(("/dev/", "/proc/")) and not current.startswith("/dev/shm/"):
            return True
        if not os.path.islink(current):
            return False
        current = os.path.normpath(os.path.join(os.path.dirname(current), os.readlink(current)))
    return False


def same_file(input: str, target: str) -> bool:
    """Whether an input is the target: same resolved path, or same file (device and inode)."""
    if os.path.realpath(input) == target:
        return True
    try:
        return os.path.samefile(input, target)
    except OSError:  # one of them does not exist: they are not the same file
        return False


def refuse(path: str, message: str, hint: str) -> None:
    raise WriteError(Diagnostic("sortie-invalide", message, file=path, suggestion=hint), EXIT_DESTINATION)


def write_error(path: str, error: OSError) -> WriteError:
    """An OSError met while writing `path`, as a French diagnostic and its exit code."""
    if error.errno in DESTINATION_ERRORS:
        reason, hint = DESTINATION_ERRORS[error.errno]
        code, exit_code = "sortie-invalide", EXIT_DESTINATION
    else:
        number = -1 if error.errno is None else error.errno  # -1: no such code, as None
        name = errno.errorcode.get(number, str(error.errno))
        reason, hint = WRITE_ERRORS.get(number, (f"erreur du système ({name})", "recommencez, ou écrivez ailleurs"))
        code, exit_code = "ecriture-impossible", EXIT_FAILED
    message = f"impossible d'écrire « {path} » : {reason}"
    return WriteError(Diagnostic(code, message, file=path, suggestion=hint), exit_code)
