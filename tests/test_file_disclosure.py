"""No diagnostic quotes a line of a file that is not a `.conv` file: a scénario's `pour : "../../etc/shadow"`, an
avenant's base that is a `.conv` symbolic link to a text file, or such a file given on the command line is refused
by its name, before a byte of it is read (`check` used to print its first line as an excerpt)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from interpreter.cli import cli

SECRET = "root:$6$sel$empreinte-secrète:19000:0:99999:7:::"
CONVENTION = """convention mini "Mini"
version : "1"

paramètres {
  valeur_point = 1 €
}

données {
  n : entier entre 0 et 100 "N"
}

socle {
  critère a "A" {
    condition : n >= 1
    points fixes : 1
  }
}
"""


@pytest.fixture
def folder(tmp_path, monkeypatch):
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "shadow").write_text(SECRET + "\ndeuxième ligne\n", encoding="utf-8")
    work = tmp_path / "travail" / "conventions"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    (work / "mini.conv").write_text(CONVENTION, encoding="utf-8")
    (work / "pop.csv").write_text("id,n\ns1,5\n", encoding="utf-8")
    return work


def run(*args: str):
    return CliRunner().invoke(cli, list(args), prog_name="convcheck")


def test_a_scenario_aimed_at_a_text_file_does_not_show_it(folder):
    (folder / "s.conv").write_text(
        'scénario s "S"\npour : "../../etc/shadow"\n\nparamètres {\n  valeur_point = 2 €\n}\n', encoding="utf-8"
    )
    result = run("check", "s.conv")
    assert result.exit_code == 1 and SECRET not in result.output and "empreinte" not in result.output
    assert (
        "erreur[version-introuvable]: version introuvable : « ../../etc/shadow » n'est pas un fichier .conv"
        in result.output
    )


def test_a_base_linked_to_a_text_file_does_not_show_it(folder):
    (folder / "base.conv").symlink_to(folder.parent.parent / "etc" / "shadow")
    (folder / "av.conv").write_text('avenant av "Av"\nversion : "2"\nbase : "base.conv"\n', encoding="utf-8")
    for args in (
        ["check", "av.conv"],
        ["eval", "av.conv", "d.yaml"],
        ["simulate", "av.conv", "pop.csv"],
        ["historique", "av.conv"],
        ["consolidate", "av.conv"],
    ):
        (folder / "d.yaml").write_text("n: 5\n", encoding="utf-8")
        result = run(*args)
        assert result.exit_code == 1 and SECRET not in result.output, (args, result.output)
        assert "la base « base.conv » est un lien vers un fichier qui n'est pas un fichier .conv" in result.output


@pytest.mark.parametrize("name", ["../../etc/shadow", "lien.conv"])
def test_a_text_file_given_as_a_convention_is_not_shown(folder, name):
    (folder / "lien.conv").symlink_to(folder.parent.parent / "etc" / "shadow")
    for args in (["check", name], ["fmt", "--check", name], ["simulate", "mini.conv", "pop.csv", "--scenario", name]):
        result = run(*args)
        assert result.exit_code == 1 and SECRET not in result.output, (args, result.output)
        assert "erreur[fichier-illisible]" in result.output and "n'est pas un fichier .conv" in result.output


def test_a_conv_link_to_a_conv_file_is_read(folder):
    (folder / "lien.conv").symlink_to(folder / "mini.conv")
    assert run("check", "lien.conv").exit_code == 0
