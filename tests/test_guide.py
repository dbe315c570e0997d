"""The negotiation guide (`docs/guide-negociation.md`) shows real output: each `$ convcheck …` block is
run, and the lines it shows must appear, in order, in what the command writes (`…` skips lines)."""

from __future__ import annotations

import re
import shlex
import shutil

import pytest
from click.testing import CliRunner

from interpreter.cli import cli
from tests.conftest import ROOT

GUIDE = (ROOT / "docs" / "guide-negociation.md").read_text(encoding="utf-8")
BLOCKS = [b for b in re.findall(r"```text\n(.*?)```", GUIDE, flags=re.S) if b.startswith("$ convcheck")]


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    """The bundled conventions and examples, copied: commands may write files beside them."""
    folder = tmp_path_factory.mktemp("guide")
    for name in ("conventions", "examples"):
        shutil.copytree(ROOT / name, folder / name)
    return folder


def plain(line: str) -> str:
    """A line with the French narrow spaces as plain ones (the guide is typed, the tool writes U+202F)."""
    return line.replace("\u202f", " ").replace("\u00a0", " ").rstrip()


def shown_in_order(shown: list[str], output: list[str]) -> str | None:
    """None when every shown line is found, in order; else the first line that is not."""
    shown, output = [plain(line) for line in shown], [plain(line) for line in output]
    position = 0
    for line in shown:
        if line == "…":
            continue
        try:
            position = output.index(line, position) + 1
        except ValueError:
            return line
    return None


@pytest.mark.parametrize("block", BLOCKS, ids=[b.splitlines()[0][12:60] for b in BLOCKS])
def test_the_guide_shows_what_the_command_writes(block, workspace, monkeypatch):
    monkeypatch.chdir(workspace)
    monkeypatch.setenv("NO_COLOR", "1")
    command, *shown = block.rstrip("\n").split("\n")
    result = CliRunner().invoke(cli, shlex.split(command[len("$ convcheck ") :]), catch_exceptions=False)
    missing = shown_in_order(shown, result.output.split("\n"))
    assert missing is None, f"not in the output of {command!r}: {missing!r}\n{result.output}"


def test_the_guide_answers_seven_questions_and_shows_the_scenario_as_it_is():
    assert len(re.findall(r"^## \d\. ", GUIDE, flags=re.M)) == 7
    for name, bundled in (
        ("comite-usagers.conv", ROOT / "examples" / "avenant-3" / "comite-usagers.conv"),
        ("croissance.conv", ROOT / "examples" / "projection" / "croissance.conv"),
    ):
        scenario = re.search(rf"```conv\n# fichier : {name}\n(.*?)```", GUIDE, flags=re.S).group(1)
        kept = [line for line in bundled.read_text(encoding="utf-8").splitlines() if not line.startswith(("#", "pour"))]
        assert scenario.splitlines() == kept
