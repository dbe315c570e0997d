"""The one writer (`interpreter.io.writer`): every output of every command, and hostile destinations.

The CLI matrix runs `simulate -o`, `diff -o`, `consolidate -o` and `fmt` against destinations
that must be refused (an input, its base, links to an input, devices, FIFOs, folders…) or
written carefully (through a symbolic link, into a hard-linked file). Each case checks the
exit code, the French message, that every input is unchanged and that no temporary file
is left behind.

Tests run as root here, and root may write into a read-only folder: the read-only cases
make the folder read-only *and* make the temporary file's creation fail with EACCES in
that folder, which is what a normal user meets. Disk-full cases make `os.write` fail with
ENOSPC (and, where this machine allows mounting one, fill a tiny tmpfs for real).
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import stat
import subprocess
import tempfile
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from interpreter.cli import cli
from interpreter.io import writer
from interpreter.io.resultsfile import write_results
from interpreter.io.writer import WriteError, write_bytes
from tests.conftest import GOLDEN, assert_golden

CLI_FILES = [
    "convention.conv",
    "convention-av.conv",
    "population.csv",
    "petite-v1.conv",
    "petite-v2.conv",
    "petite-avenant.conv",
    "mal-forme.conv",
]

# command → (arguments before the destination, the input, the input's base, the suffix of outputs)
COMMANDS = {
    "simulate": (
        ["simulate", "convention-av.conv", "population.csv", "-o"],
        "population.csv",
        "convention.conv",
        ".csv",
    ),
    "diff": (["diff", "petite-v2.conv", "petite-avenant.conv", "-o"], "petite-avenant.conv", "petite-v1.conv", ".md"),
    "consolidate": (["consolidate", "petite-avenant.conv", "-o"], "petite-avenant.conv", "petite-v1.conv", ".conv"),
}


@pytest.fixture
def folder(tmp_path, monkeypatch) -> Path:
    """A working folder with the CLI golden inputs, as the current directory."""
    for name in CLI_FILES:
        shutil.copy(GOLDEN / "cli" / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NO_COLOR", "1")
    return tmp_path


@pytest.fixture
def alarm():
    """Fail instead of hanging for ever if something opens a FIFO or reads a device."""

    def hung(signum, frame):
        raise TimeoutError("convcheck a bloqué sur un fichier spécial")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(120)  # a hang guard, not a measure: generous for a loaded machine
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def snapshot(folder: Path) -> dict[str, bytes]:
    """The bytes of every regular file under the folder (links followed)."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.rglob(f"{writer.PREFIX}*")]


def run(*args: str):
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def fail_creation_in(monkeypatch, read_only: Path) -> None:
    """A read-only folder, as a normal user meets it even when the tests run as root."""
    read_only.chmod(0o555)
    create = tempfile.mkstemp

    def mkstemp(*args, **kwargs):
        if Path(kwargs.get("dir", "")).resolve() == read_only.resolve():
            raise PermissionError(errno.EACCES, "Permission denied")
        return create(*args, **kwargs)

    monkeypatch.setattr(writer.tempfile, "mkstemp", mkstemp)


# ---- refused destinations: (name, how to make it from the folder) → exit code and message -------


def _input(folder, command):
    return COMMANDS[command][1]


def _base(folder, command):
    return COMMANDS[command][2]


def _symlink_to_input(folder, command):
    (folder / f"lien{COMMANDS[command][3]}").symlink_to(COMMANDS[command][1])
    return f"lien{COMMANDS[command][3]}"


def _hard_link_to_input(folder, command):
    os.link(folder / COMMANDS[command][1], folder / f"dur{COMMANDS[command][3]}")
    return f"dur{COMMANDS[command][3]}"


def _symlink_to_base(folder, command):
    (folder / "sous").mkdir()
    (folder / "sous" / f"b{COMMANDS[command][3]}").symlink_to(Path("..") / COMMANDS[command][2])
    return f"sous/b{COMMANDS[command][3]}"


def _missing_folder(folder, command):
    return f"absent/sortie{COMMANDS[command][3]}"


def _file_as_folder(folder, command):
    return f"{COMMANDS[command][1]}/sortie{COMMANDS[command][3]}"


def _directory(folder, command):
    (folder / "dossier").mkdir()
    return "dossier"


def _fifo(folder, command):
    os.mkfifo(folder / f"tube{COMMANDS[command][3]}")
    return f"tube{COMMANDS[command][3]}"


def _symlink_to_fifo(folder, command):
    os.mkfifo(folder / "tube")
    (folder / f"vers-tube{COMMANDS[command][3]}").symlink_to("tube")
    return f"vers-tube{COMMANDS[command][3]}"


REFUSED = {
    "l'entrée elle-même": (_input, "sortie-est-une-entree", "est un des fichiers lus par cette commande"),
    "sa base": (_base, "sortie-est-une-entree", "lus par cette commande"),
    "lien symbolique vers l'entrée": (_symlink_to_input, "sortie-est-une-entree", "est le même fichier que"),
    "lien physique vers l'entrée": (_hard_link_to_input, "sortie-est-une-entree", "est le même fichier que"),
    "lien symbolique vers la base": (_symlink_to_base, "sortie-est-une-entree", "est le même fichier que"),
    "dossier absent": (_missing_folder, "sortie-invalide", "n'existe pas"),
    "fichier pris pour un dossier": (_file_as_folder, "sortie-invalide", "n'est pas un dossier"),
    "dossier": (_directory, "sortie-invalide", "est un dossier"),
    "/dev/null": (lambda folder, command: "/dev/null", "sortie-invalide", "est un périphérique"),
    "/dev/stdout": (lambda folder, command: "/dev/stdout", "sortie-invalide", "est un périphérique"),
    "FIFO": (_fifo, "sortie-invalide", "est un tube nommé (FIFO)"),
    "lien vers une FIFO": (_symlink_to_fifo, "sortie-invalide", "est un tube nommé (FIFO)"),
}


@pytest.mark.parametrize("case", REFUSED, ids=list(REFUSED))
@pytest.mark.parametrize("command", COMMANDS)
def test_refused_destinations(command, case, folder, alarm):
    make, code, message = REFUSED[case]
    destination = make(folder, command)
    before = snapshot(folder)
    exit_code, output = run(*COMMANDS[command][0], destination)
    assert exit_code == 2, output
    assert f"erreur[{code}]" in output and message in output, output
    assert "= aide : " in output, output  # every refusal says what to do instead
    assert snapshot(folder) == before, "an input or an existing file changed"
    assert leftovers(folder) == []


@pytest.mark.parametrize("command", COMMANDS)
def test_read_only_folder(command, folder, monkeypatch):
    read_only = folder / "lecture-seule"
    read_only.mkdir()
    fail_creation_in(monkeypatch, read_only)
    before = snapshot(folder)
    try:
        exit_code, output = run(*COMMANDS[command][0], f"lecture-seule/sortie{COMMANDS[command][3]}")
    finally:
        read_only.chmod(0o755)
    assert exit_code == 2 and "erreur[sortie-invalide]" in output and "droits insuffisants" in output, output
    assert snapshot(folder) == before and leftovers(folder) == []


@pytest.mark.parametrize("command", COMMANDS)
def test_symlink_destination_is_written_through(command, folder):
    suffix = COMMANDS[command][3]
    (folder / "cible").mkdir()
    real = folder / "cible" / f"vrai{suffix}"
    real.write_bytes(b"ancien contenu\n")
    (folder / f"lien{suffix}").symlink_to(Path("cible") / real.name)
    before = snapshot(folder)
    exit_code, output = run(*COMMANDS[command][0], f"lien{suffix}")
    assert exit_code == 0, output
    assert (folder / f"lien{suffix}").is_symlink(), "the link was replaced by a file"
    assert real.read_bytes() != b"ancien contenu\n"
    after = snapshot(folder)
    assert {k: v for k, v in after.items() if "vrai" not in k and "lien" not in k} == {
        k: v for k, v in before.items() if "vrai" not in k and "lien" not in k
    }
    assert leftovers(folder) == []


@pytest.mark.parametrize("command", COMMANDS)
def test_hard_linked_destination_keeps_its_links(command, folder):
    suffix = COMMANDS[command][3]
    first, second = folder / f"sortie{suffix}", folder / f"autre-nom{suffix}"
    first.write_bytes(b"ancien contenu\n")
    os.link(first, second)
    inode = first.stat().st_ino
    exit_code, output = run(*COMMANDS[command][0], first.name)
    assert exit_code == 0, output
    assert first.stat().st_ino == inode and first.stat().st_nlink == 2
    assert second.read_bytes() == first.read_bytes() != b"ancien contenu\n"
    assert leftovers(folder) == []


def test_rejects_never_overwrite_an_input(folder):
    """`--ignorer-invalides` writes `<stem>.rejets.csv` beside the results: here that name is the population itself
    (a convention is a .conv file: it cannot be named so)."""
    shutil.copy(GOLDEN / "cli" / "population-erreurs.csv", folder / "pop.rejets.csv")
    before = snapshot(folder)
    exit_code, output = run("simulate", "convention.conv", "pop.rejets.csv", "-o", "pop.csv", "--ignorer-invalides")
    assert exit_code == 2 and "erreur[sortie-est-une-entree]" in output and "pop.rejets.csv" in output, output
    assert snapshot(folder) == before and leftovers(folder) == []


def test_rejects_and_results_are_written_through_the_writer(folder):
    shutil.copy(GOLDEN / "cli" / "population-erreurs.csv", folder / "pop.csv")
    exit_code, output = run("simulate", "convention.conv", "pop.csv", "--ignorer-invalides", "-o", "res.parquet")
    assert exit_code == 0, output
    assert pl.read_parquet(folder / "res.parquet").height > 0
    assert pl.read_csv(folder / "res.rejets.csv").height > 0
    assert leftovers(folder) == []


def test_markdown_chart_is_never_the_report(folder):
    """A report is written under the extension of its format, a chart under .png: `-o x.png` is refused before
    anything is written, and the charts of `-o rapport.md` have names of their own."""
    before = snapshot(folder)
    exit_code, output = run(
        "diff",
        "convention.conv",
        "convention-av.conv",
        "--population",
        "population.csv",
        "--format",
        "markdown",
        "-o",
        "rapport.png",
    )
    assert exit_code == 2 and "« .png »" in output and ".md" in output, output
    assert snapshot(folder) == before and leftovers(folder) == []
    exit_code, output = run(
        "diff", "convention.conv", "convention-av.conv", "--population", "population.csv", "-o", "rapport.md"
    )
    assert exit_code == 0, output
    assert (folder / "rapport.md").read_text(encoding="utf-8").startswith("#")
    assert (folder / "rapport-histogramme.png").read_bytes().startswith(b"\x89PNG")


# ---- fmt ------------------------------------------------------------------------------------------------


def test_fmt_writes_through_a_symlink_and_keeps_the_mode(folder):
    (folder / "vrai.conv").write_bytes((folder / "mal-forme.conv").read_bytes())
    (folder / "vrai.conv").chmod(0o640)
    (folder / "lien.conv").symlink_to("vrai.conv")
    exit_code, output = run("fmt", "lien.conv")
    assert exit_code == 0, output
    assert (folder / "lien.conv").is_symlink()
    assert (folder / "vrai.conv").read_bytes() == (GOLDEN / "cli" / "mal-forme.formatted").read_bytes()
    assert stat.S_IMODE((folder / "vrai.conv").stat().st_mode) == 0o640
    assert leftovers(folder) == []


def test_fmt_keeps_hard_links(folder):
    os.link(folder / "mal-forme.conv", folder / "autre.conv")
    exit_code, output = run("fmt", "mal-forme.conv")
    assert exit_code == 0, output
    assert (folder / "autre.conv").read_bytes() == (GOLDEN / "cli" / "mal-forme.formatted").read_bytes()
    assert (folder / "autre.conv").stat().st_nlink == 2


def test_fmt_in_a_read_only_folder(folder, monkeypatch):
    read_only = folder / "lecture-seule"
    read_only.mkdir()
    shutil.copy(folder / "mal-forme.conv", read_only / "m.conv")
    fail_creation_in(monkeypatch, read_only)
    try:
        exit_code, output = run("fmt", "lecture-seule/m.conv")
    finally:
        read_only.chmod(0o755)
    assert exit_code == 2 and "erreur[sortie-invalide]" in output and "droits insuffisants" in output, output
    assert (read_only / "m.conv").read_bytes() == (folder / "mal-forme.conv").read_bytes()
    assert leftovers(folder) == []


def test_fmt_goes_on_after_a_file_it_cannot_write(folder, monkeypatch):
    read_only = folder / "lecture-seule"
    read_only.mkdir()
    shutil.copy(folder / "mal-forme.conv", read_only / "m.conv")
    fail_creation_in(monkeypatch, read_only)
    try:
        exit_code, output = run("fmt", "lecture-seule/m.conv", "mal-forme.conv")
    finally:
        read_only.chmod(0o755)
    assert exit_code == 2 and "droits insuffisants" in output and "1 fichier reformaté sur 2." in output, output
    assert (folder / "mal-forme.conv").read_bytes() == (GOLDEN / "cli" / "mal-forme.formatted").read_bytes()


@pytest.mark.parametrize(
    "make",
    [
        lambda f: "/dev/null",
        lambda f: "dossier",
        lambda f: "absent.conv",
        lambda f: (os.mkfifo(f / "tube.conv"), "tube.conv")[1],
    ],
    ids=["/dev/null", "dossier", "absent", "FIFO"],
)
def test_fmt_refuses_what_is_not_a_file(make, folder, alarm):
    (folder / "dossier").mkdir()
    exit_code, output = run("fmt", make(folder))
    assert exit_code == 2 and "convcheck :" in output, output
    assert leftovers(folder) == []


@pytest.mark.parametrize(
    "bom, newline",
    [(b"", b"\r\n"), (b"\xef\xbb\xbf", b"\n"), (b"\xef\xbb\xbf", b"\r\n"), (b"", b"\r")],
    ids=["crlf", "bom", "bom-crlf", "cr"],
)
def test_fmt_keeps_bom_and_line_ends(bom, newline, folder):
    messy = (folder / "mal-forme.conv").read_bytes().replace(b"\n", newline)
    formatted = (GOLDEN / "cli" / "mal-forme.formatted").read_bytes().replace(b"\n", newline)
    (folder / "m.conv").write_bytes(bom + messy)
    (folder / "f.conv").write_bytes(bom + formatted)
    assert run("fmt", "--check", "f.conv")[0] == 0, "a formatted file is not changed by its BOM or its line ends"
    assert run("fmt", "m.conv")[0] == 0
    assert (folder / "m.conv").read_bytes() == bom + formatted


# ---- the writer itself ------------------------------------------------------------------------------------


def refuse_writes(monkeypatch, error: BaseException) -> None:
    """Make every write to a file (not to the terminal) fail with `error`."""
    real = os.write

    def write(descriptor, data):
        if descriptor > 2:
            raise error
        return real(descriptor, data)

    monkeypatch.setattr(writer.os, "write", write)


def test_disk_full_keeps_the_old_file_and_leaves_nothing(tmp_path, monkeypatch):
    target = tmp_path / "rapport.md"
    target.write_bytes(b"ancien")
    refuse_writes(monkeypatch, OSError(errno.ENOSPC, "No space left on device"))
    with pytest.raises(WriteError) as raised:
        write_bytes(str(target), b"x" * 100_000)
    assert raised.value.exit_code == 1 and raised.value.diagnostic.code == "ecriture-impossible"
    assert "disque plein" in raised.value.diagnostic.message
    assert target.read_bytes() == b"ancien" and leftovers(tmp_path) == []


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".jsonl"])
def test_disk_full_is_known_through_polars(suffix, tmp_path, monkeypatch):
    """polars turns a failing write into its own exception: the errno still reaches the message."""
    refuse_writes(monkeypatch, OSError(errno.ENOSPC, "No space left on device"))
    with pytest.raises(WriteError) as raised:
        write_results(pl.DataFrame({"id": [f"s{i}" for i in range(50_000)]}), str(tmp_path / f"r{suffix}"))
    assert raised.value.exit_code == 1 and "disque plein" in raised.value.diagnostic.message
    assert leftovers(tmp_path) == []


def test_interrupted_write_leaves_nothing(tmp_path, monkeypatch):
    target = tmp_path / "rapport.md"
    target.write_bytes(b"ancien")
    refuse_writes(monkeypatch, KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):
        write_bytes(str(target), b"x" * 100_000)
    assert target.read_bytes() == b"ancien" and leftovers(tmp_path) == []


def test_other_errors_exit_1_with_a_french_message(tmp_path, monkeypatch):
    refuse_writes(monkeypatch, OSError(errno.EIO, "Input/output error"))
    with pytest.raises(WriteError) as raised:
        write_bytes(str(tmp_path / "r.md"), b"x")
    assert raised.value.exit_code == 1 and "entrée-sortie" in raised.value.diagnostic.message
    refuse_writes(monkeypatch, OSError(errno.ESTALE, "Stale file handle"))
    with pytest.raises(WriteError) as raised:
        write_bytes(str(tmp_path / "r.md"), b"x")
    assert raised.value.exit_code == 1 and "ESTALE" in raised.value.diagnostic.message


def test_disk_full_in_the_cli(folder, monkeypatch, update_golden):
    """The golden case of `ecriture-impossible`: a report that does not fit on the disk."""
    refuse_writes(monkeypatch, OSError(errno.ENOSPC, "No space left on device"))
    arguments = ["diff", "petite-v1.conv", "petite-v2.conv", "-o", "rapport.md"]
    result = CliRunner().invoke(cli, arguments, prog_name="convcheck")
    shown = f"$ convcheck {' '.join(arguments)}\n{result.output}[exit {result.exit_code}]\n"
    assert_golden(GOLDEN / "ecriture" / "disque-plein.expected", shown, update_golden)
    assert result.exit_code == 1 and leftovers(folder) == [] and not (folder / "rapport.md").exists()


def test_real_disk_full_on_a_tiny_tmpfs(tmp_path):
    """Where this machine lets root mount a 64 kB tmpfs, fill it for real."""
    mount = tmp_path / "petit"
    mount.mkdir()
    if (
        os.geteuid() != 0
        or shutil.which("mount") is None
        or subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)], capture_output=True
        ).returncode
        != 0
    ):
        pytest.skip("no tmpfs can be mounted here; the disk-full path is covered by the os.write tests")
    try:
        (mount / "r.md").write_bytes(b"ancien")
        with pytest.raises(WriteError) as raised:
            write_bytes(str(mount / "r.md"), b"x" * 1_000_000)
        assert raised.value.exit_code == 1 and "disque plein" in raised.value.diagnostic.message
        assert (mount / "r.md").read_bytes() == b"ancien" and leftovers(mount) == []
    finally:
        subprocess.run(["umount", str(mount)], capture_output=True)


def test_new_files_follow_the_umask(tmp_path):
    umask = os.umask(0o027)
    try:
        write_bytes(str(tmp_path / "n.md"), b"x")
    finally:
        os.umask(umask)
    assert stat.S_IMODE((tmp_path / "n.md").stat().st_mode) == 0o640


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file to another owner")
def test_owner_is_kept(tmp_path):
    target = tmp_path / "r.md"
    target.write_bytes(b"ancien")
    os.chown(target, 4321, 4321)
    write_bytes(str(target), b"nouveau")
    assert (target.stat().st_uid, target.stat().st_gid) == (4321, 4321) and target.read_bytes() == b"nouveau"


def test_a_file_whose_owner_cannot_be_kept_is_rewritten_in_place(tmp_path, monkeypatch):
    target = tmp_path / "r.md"
    target.write_bytes(b"un ancien contenu plus long")
    inode = target.stat().st_ino
    real = os.stat

    def other_owner(path, *args, **kwargs):  # the target belongs to someone else
        result = real(path, *args, **kwargs)
        if str(path) == str(target):
            values = list(result)
            values[stat.ST_UID] = result.st_uid + 1
            return os.stat_result(values)
        return result

    def chown(*args):
        raise PermissionError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(writer.os, "stat", other_owner)
    monkeypatch.setattr(writer.os, "chown", chown)
    write_bytes(str(target), b"nouveau")
    assert target.read_bytes() == b"nouveau" and real(target).st_ino == inode and leftovers(tmp_path) == []


def test_a_dangling_symlink_is_written_through(tmp_path):
    (tmp_path / "lien.md").symlink_to("cible.md")
    write_bytes(str(tmp_path / "lien.md"), b"nouveau")
    assert (tmp_path / "lien.md").is_symlink() and (tmp_path / "cible.md").read_bytes() == b"nouveau"


def test_fmt_refuses_a_read_only_file(tmp_path):
    """`fmt` rewrote a read-only file (the rename of its temporary ignored the file's permission)."""
    path = tmp_path / "ancienne.conv"
    original = 'convention x "X"\nversion : "1"\n\n\n\nparamètres {\n  p = 1\n}\n'
    path.write_text(original, encoding="utf-8")
    path.chmod(0o444)
    result = CliRunner().invoke(cli, ["fmt", str(path)], prog_name="convcheck")
    assert result.exit_code == 2 and "est en lecture seule : convcheck ne le remplace pas" in result.output
    assert path.read_text(encoding="utf-8") == original and stat.S_IMODE(path.stat().st_mode) == 0o444
    assert leftovers(tmp_path) == []


def test_a_read_only_output_is_not_replaced(folder):
    (folder / "rapport.md").write_text("gardé", encoding="utf-8")
    (folder / "rapport.md").chmod(0o444)
    result = CliRunner().invoke(cli, ["diff", "petite-v1.conv", "petite-v2.conv", "-o", "rapport.md"])
    assert result.exit_code == 2 and "lecture seule" in result.output
    assert (folder / "rapport.md").read_text(encoding="utf-8") == "gardé"
