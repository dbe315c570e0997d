"""`convcheck check`: exit codes, formats, and hostile inputs that must never produce a traceback."""

from __future__ import annotations

import gc
import json
import os
import random
import subprocess
import sys
from pathlib import Path
from unittest.mock import Mock, patch

import pytest
from click.testing import CliRunner

from interpreter.cli import cli
from interpreter.cli.entry import COMMANDS
from tests.conftest import GOLDEN, ROOT

LANGUAGE = GOLDEN / "language"


def run(*args: str):
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def test_language_examples_check_without_error():
    code, output = run("check", str(LANGUAGE / "convention.conv"), str(LANGUAGE / "avenant.conv"))
    assert code == 0, output
    assert "erreur[" not in output


def test_language_convention_example_has_no_diagnostic_at_all():
    code, output = run("check", "--strict", str(LANGUAGE / "convention.conv"))
    assert (code, output.strip()) == (0, "1 fichier vérifié : aucun problème.")


def test_avenant_example_warns_about_donnees_it_left_unused():
    """At the avenant's lines that stopped using them (`remplace`, `supprime`), not in the base."""
    code, output = run("check", "--format", "json", str(LANGUAGE / "avenant.conv"))
    found = {(d["code"], Path(d["file"]).name, d["line"], d["suggestion"]) for d in json.loads(output)}
    assert found == {
        ("donnee-inutilisee", "avenant.conv", 13, "supprimez-la aussi : « supprime donnée samedi_matin »"),
        ("donnee-inutilisee", "avenant.conv", 15, "supprimez-la aussi : « supprime donnée zone »"),
    }
    assert code == 0
    assert run("check", "--strict", str(LANGUAGE / "avenant.conv"))[0] == 1


def test_json_output_has_the_documented_keys(tmp_path):
    bad = tmp_path / "x.conv"
    bad.write_text((GOLDEN / "check" / "donnee-inconnue.conv").read_text(encoding="utf-8"), encoding="utf-8")
    code, output = run("check", "--format", "json", str(bad))
    assert code == 1
    error = next(d for d in json.loads(output) if d["severity"] == "erreur")
    assert error == {
        "file": str(bad),
        "line": 15,
        "column": 17,
        "end_line": 15,
        "end_column": 31,
        "severity": "erreur",
        "code": "donnee-inconnue",
        "message": "donnée inconnue « jours_ouvertur »",
        "suggestion": "vouliez-vous dire « jours_ouverture » ?",
        "notes": [],
    }


@pytest.mark.parametrize(
    "args",
    [
        ["check", "absent.conv"],
        ["check"],
        ["check", "--inconnue", "x.conv"],
        ["check", "--format", "xml", "x.conv"],
        ["verifier"],
    ],
)
def test_usage_errors_exit_2_in_french(args, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x.conv").write_text('convention x "x"\nversion : "1"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2
    assert "convcheck :" in result.output and "Error" not in result.output


def test_directory_is_a_usage_error(tmp_path):
    code, output = run("check", str(tmp_path))
    assert code == 2 and "est un dossier" in output


def hostile_inputs(tmp_path: Path) -> dict[str, bytes]:
    rng = random.Random(1)
    return {
        "aleatoire": bytes(rng.randrange(256) for _ in range(4096)),
        "utf8_invalide": 'convention x "é"\n'.encode("latin-1"),
        "vide": b"",
        "commentaire": b"# seulement un commentaire\n",
        "parentheses": b'convention x "x"\nversion : "1"\nparam\xc3\xa8tres {\n  p = '
        + b"(" * 1000
        + b"1"
        + b")" * 1000
        + b"\n}\n",
        "moins": b'convention x "x"\nversion : "1"\nparam\xc3\xa8tres {\n  p = ' + b"-" * 1000 + b"1\n}\n",
        "accolades": b"{" * 1000,
        "gros": b"# " + b"x" * 10_000_000 + b"\nconvention",
        "nul": b"convention\x00x",
        "bom_crlf": b'\xef\xbb\xbfconvention x "x"\r\nversion : "1"\r\n',
    }


def test_hostile_inputs_never_produce_a_traceback(tmp_path):
    for name, data in hostile_inputs(tmp_path).items():
        path = tmp_path / f"{name}.conv"
        path.write_bytes(data)
        result = CliRunner().invoke(cli, ["check", str(path)])
        assert result.exception is None or isinstance(result.exception, SystemExit), (name, result.exception)
        assert result.exit_code in (0, 1), (name, result.output[-500:])
        assert "Traceback" not in result.output


def test_bom_and_crlf_are_accepted(tmp_path):
    path = tmp_path / "x.conv"
    path.write_bytes(b'\xef\xbb\xbfconvention x "x"\r\nversion : "1"\r\n')
    assert run("check", str(path)) == (0, "1 fichier vérifié : aucun problème.\n")


def test_installed_command_runs_as_a_process():
    """The console script, in a real process (start-up included), on the bundled conventions."""
    files = sorted(str(p) for p in (ROOT / "conventions").glob("*.conv"))
    result = subprocess.run(
        [sys.executable, "-m", "interpreter.cli", "check", "--strict", *files],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_command_list_says_what_each_command_s_help_says():
    """`convcheck --help` lists the commands without importing them: the list is theirs, in their order."""
    from interpreter.cli import commands, entry

    assert list(entry.COMMANDS) == list(commands.cli.commands)
    for name, command in commands.cli.commands.items():
        assert entry.short_help(entry.COMMANDS[name]) == command.get_short_help_str(60), name
    assert CliRunner().invoke(entry.cli, ["--help"]).output == CliRunner().invoke(commands.cli, ["--help"]).output
    from interpreter.cli import publishing

    assert list(publishing.PUBLISHED) == list(entry.PUBLISHING)  # the entry point takes these from their module
    for name, command in publishing.PUBLISHED.items():
        assert command is commands.cli.commands[name], name


@pytest.mark.parametrize("name", list(COMMANDS))
def test_every_command_s_help_speaks_french(name):
    """`convcheck CMD --help` in French, whichever module the command lives in (sql, js… said « Usage: »)."""
    help = CliRunner().invoke(cli, [name, "--help"], prog_name="convcheck").output
    assert help.startswith(f"Usage : convcheck {name} "), help
    assert "Afficher cette aide et quitter." in help


IMPORTED = """import sys
from interpreter.cli import main
asked, sys.argv = sys.argv[1].split(","), ["convcheck", *sys.argv[2:]]
try:
    main()
except SystemExit:
    pass
print("imported:", *(m for m in asked if m in sys.modules))
"""


@pytest.mark.parametrize(
    ("args", "absent"),
    [
        (["--help"], ["interpreter.cli.commands", "lark", "polars", "numpy"]),
        (
            ["check", str(ROOT / "examples" / "faute-de-frappe.conv")],
            ["polars", "numpy", "openpyxl", "matplotlib", "yaml", "attrs", "attr"],
        ),
        (  # the commands of interpreter.cli.publishing: neither the population readers nor the impact reports
            ["js", str(ROOT / "conventions" / "aci-msp-2017.conv"), "-o", "{tmp}/m.mjs"],
            ["interpreter.cli.commands", "polars", "numpy", "openpyxl", "matplotlib", "interpreter.report.impact"],
        ),
        (  # a version read from the cache, a population the default engine reads: no parser, no other report
            [
                "simulate",
                str(ROOT / "conventions" / "aci-msp-avenant-1.conv"),
                str(ROOT / "examples" / "population" / "population.csv"),
            ],
            [
                "lark",
                "dsl.parser",
                "numpy",
                "interpreter.compare.diff",
                "interpreter.report.diff",
                "interpreter.report.site",
                "interpreter.backends.vector",
                "matplotlib",
                "openpyxl",
                "tomllib",  # declarations and project files
                "xml.etree",  # workbooks
                "interpreter.io.workbooks",
                "interpreter.report.evaluation",
                "interpreter.report.projection",
                "interpreter.report.simulator",
                "interpreter.lsp",
                "attrs",  # records are made by `dsl.records` (attrs: 0.04 s of a start)
                "attr",
            ],
        ),
    ],
)
def test_a_command_imports_only_what_it_needs(args, absent, tmp_path):
    """Start-up: the list of commands imports none of them; `check` none of the heavy libraries of populations,
    reports and declarations; `js` only its own module of commands; `simulate` of a version read from the
    cache neither the parser (Lark: 0.04 s), nor numpy (0.04 s: `interpreter.ondemand`), nor another command's report (`benchmarks/startup.py` measures the
    times)."""
    args = [arg.replace("{tmp}", str(tmp_path)) for arg in args]
    command = [sys.executable, "-c", IMPORTED, ",".join(absent), *args]
    subprocess.run(command, capture_output=True, cwd=ROOT, check=True)  # the version checked, and cached
    found = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    assert found.stdout.strip().splitlines()[-1] == "imported:", found.stdout


COLLECTOR = """import atexit, gc, sys
from interpreter.cli import main
sys.argv = ["convcheck", *sys.argv[1:]]
atexit.register(lambda: print("collector:", gc.get_threshold(), gc.get_freeze_count() > 10_000))
main()
"""


def test_a_command_runs_the_cyclic_collector_rarely_and_freezes_what_is_left():
    """The collector every 200,000 new objects, and what lives at the end frozen before exit (0.07 s of a
    `simulate` of 1 M structures: `interpreter.cli.entry.main`); the language server, which lives long, runs it
    as Python does by default."""
    from interpreter.cli import entry
    from interpreter.lsp import server

    command = [sys.executable, "-c", COLLECTOR, "check", str(ROOT / "conventions" / "aci-msp-2017.conv")]
    found = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    assert found.stdout.strip().splitlines()[-1] == f"collector: {entry.COLLECTIONS} True", found.stdout

    seen = []
    before = gc.get_threshold()
    gc.set_threshold(*entry.COLLECTIONS)
    try:
        with patch.object(server, "create_server", lambda: seen.append(gc.get_threshold()) or Mock()):
            server.serve()
    finally:
        gc.set_threshold(*before)
    assert seen == [server.DEFAULT_COLLECTIONS]
