"""The multi-year envelope: `convcheck projette` and `diff … --de A --a B`.

The first year, shared between two versions of a chain at the month one enters into force, is checked to the cent
against the part-year rule computed apart: each line's full-year amount (from the scalar evaluation of each
structure) times its version's share of the year, rounded to the cent half away from zero. The growth, the year
blocks of a scénario and the cumulated difference of two versions are checked on their own terms."""

from __future__ import annotations

import json
import textwrap
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
from click.testing import CliRunner

from dsl.parser import parse_text
from dsl.printer import print_file
from interpreter import api
from interpreter.cli import cli
from interpreter.compare import projection as p
from tests.conftest import GOLDEN, ROOT

BASE = GOLDEN / "cli" / "convention.conv"
AV2 = str(ROOT / "conventions" / "aci-msp-avenant-2-france-sante.conv")
AV1 = str(ROOT / "conventions" / "aci-msp-avenant-1.conv")
POPULATION = str(ROOT / "examples" / "population" / "population.csv")
GROWTH = str(ROOT / "examples" / "projection" / "croissance.conv")


@pytest.fixture
def chain(tmp_path):
    """The CLI goldens' small convention (in force since 2017-08-05), an avenant in force on 2026-06-01 that changes
    the point and adds a montant that does not divide by 12, a population of 150 structures."""
    (tmp_path / "convention.conv").write_text(BASE.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "avenant.conv").write_text(
        textwrap.dedent("""\
        avenant proj "Avenant d'essai, en vigueur en juin"
        base : "convention.conv"
        version : "2026"
        en vigueur : 2026-06-01
        paramètres { valeur_point = 7.35 € }
        modifie critère rcp { points variables : 800 }
        ajoute dans options {
          critère nouveau "Nouveau" { condition : coordination  montant : 1_234.57 € }
        }
    """),
        encoding="utf-8",
    )
    rng = np.random.default_rng(7)
    rows = [
        "id,patientele,jours_ouverture,samedi_matin,coordination,nb_protocoles,taux_rcp,zone,engagement_france_sante"
    ]
    for i in range(150):
        rows.append(
            f"s{i},{rng.integers(500, 9000)},{rng.integers(4, 8)},{'vrai' if i % 4 else 'faux'},"
            f"{'vrai' if i % 7 else 'faux'},{rng.integers(0, 9)},{rng.integers(0, 40)},"
            f"{'drom' if i % 5 == 0 else 'metropole'},{'vrai' if i % 3 == 0 else 'faux'}"
        )
    (tmp_path / "population.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return tmp_path


def prorated_by_hand(version: api.Convention, population: str, share: Fraction) -> int:
    """Σ over structures and lines of round(full-year amount × share) in cents — the part-year rule computed apart,
    in fractions (each line of these conventions is paid in points only, or as a montant only)."""
    import polars as pl

    frame = pl.read_csv(population, infer_schema=False)
    point = Decimal(version.parametres["valeur_point"])
    total = 0
    for row in frame.iter_rows(named=True):
        evaluation = version.evaluate(
            {k: ("vrai" == v if v in ("vrai", "faux") else v) for k, v in row.items()}, explain=False
        )
        for line in evaluation.lines:
            if not line.paid:
                continue
            full = line.points * point if line.points else line.montant
            cents = Fraction(full) * share * 100  # positive: rounded half away from zero is half up
            total += int(cents) + (cents - int(cents) >= Fraction(1, 2))
    return int(total)


def test_the_first_year_is_each_version_s_part_year_to_the_cent(chain):
    population = str(chain / "population.csv")
    projection = api.project(str(chain / "avenant.conv"), population, 2026, 2027)
    first, second = projection.years
    assert [(part.version, part.first, part.months) for part in first.parts] == [("2017", 1, 5), ("2026", 6, 7)]
    base, avenant = api.load(str(chain / "convention.conv")), api.load(str(chain / "avenant.conv"))
    by_hand = [
        prorated_by_hand(base, population, Fraction(5, 12)),
        prorated_by_hand(avenant, population, Fraction(7, 12)),
    ]
    assert [part.budget for part in first.parts] == by_hand
    assert first.budget == sum(by_hand)
    full_year = avenant.simulate(population)["total"].sum()
    assert second.budget == int(full_year * 100) and second.parts[0].months == 12


def test_the_years_before_a_chain_is_in_force_pay_nothing_and_a_projection_needs_one_year_in_force(chain):
    population = str(chain / "population.csv")
    with pytest.raises(api.ConvError) as raised:
        api.project(str(chain / "avenant.conv"), population, 2010, 2012)
    assert raised.value.diagnostics[0].code == "projection-invalide"
    early = api.project(str(chain / "avenant.conv"), population, 2017, 2017)
    assert [(part.first, part.months) for part in early.years[0].parts] == [(9, 4)]  # from the first of September


def test_growth_adds_copies_of_the_population_with_the_donnees_of_their_first_year(chain):
    population = str(chain / "population.csv")
    (chain / "croissance.conv").write_text(
        textwrap.dedent("""\
        scénario croissance "Dix pour cent de plus chaque année, sans coordination la première"
        croissance : 10 % par an
        nouvelles structures {
          coordination = faux
        }
    """),
        encoding="utf-8",
    )
    projection = api.project(str(chain / "convention.conv"), population, 2030, 2033, [str(chain / "croissance.conv")])
    counts = [(y.structures, y.new) for y in projection.years]
    assert counts == [(150, 0), (165, 15), (182, 17), (200, 18)]  # 16.5 → 17 and 18.2 → 18, of the year before
    assert all(y.new_budget == 0 for y in projection.years)  # without coordination, the prérequis fail: 0 €
    again = api.project(str(chain / "convention.conv"), population, 2030, 2033, [str(chain / "croissance.conv")])
    assert again.years == projection.years  # the same copies, drawn by a hash


def test_the_following_years_block_applies_to_every_structure_after_the_first_year(chain):
    population = str(chain / "population.csv")
    (chain / "ensuite.conv").write_text(
        textwrap.dedent("""\
        scénario ensuite "Toutes engagées dans France Santé à partir de la deuxième année"
        croissance : 20 par an
        années suivantes {
          engagement_france_sante = vrai
        }
    """),
        encoding="utf-8",
    )
    plain = api.project(str(chain / "convention.conv"), population, 2030, 2031)
    later = api.project(str(chain / "convention.conv"), population, 2030, 2031, [str(chain / "ensuite.conv")])
    assert later.years[0].budget == plain.years[0].budget  # the first year is the population as given
    assert later.years[1].budget - later.years[1].new_budget > plain.years[1].budget


def test_diff_over_years_gives_each_year_and_the_cumulated_change(chain):
    population = str(chain / "population.csv")
    result = CliRunner().invoke(
        cli,
        [
            "diff",
            str(chain / "convention.conv"),
            str(chain / "avenant.conv"),
            "--population",
            population,
            "--de",
            "2026",
            "--a",
            "2028",
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    before = api.project(str(chain / "convention.conv"), population, 2026, 2028)
    after = api.project(str(chain / "avenant.conv"), population, 2026, 2028)
    cumulated = 0
    for row, old, new in zip(data["annees"], before.years, after.years, strict=True):
        cumulated += new.budget - old.budget
        assert (Decimal(row["avant"]), Decimal(row["apres"])) == (Decimal(old.budget) / 100, Decimal(new.budget) / 100)
        assert Decimal(row["ecart_cumule"]) == Decimal(cumulated) / 100
    assert "de 2026 à 2028, l'écart cumulé est de" in data["verdict"]["phrase"]


def test_the_bundled_chain_and_growth_scenario_project(tmp_path):
    result = CliRunner().invoke(
        cli,
        [
            "projette",
            AV2,
            "--population",
            POPULATION,
            "--de",
            "2026",
            "--a",
            "2028",
            "--scenario",
            GROWTH,
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [y["structures"] for y in data["annees"]] == [2300, 2550, 2800]
    assert [v["version"] for v in data["annees"][0]["versions"]] == ["avenant 1", "avenant 2 (proposition 2026)"]
    # the provenance names every version that pays a month, with its status, not only the version asked for
    assert [(v["version"], v["statut"]) for v in data["provenance"]["versions"]] == [
        ("avenant 1", "signe"),
        ("avenant 2 (proposition 2026)", "proposition"),
    ]
    for form in ("md", "html", "xlsx", "txt"):
        written = CliRunner().invoke(
            cli,
            [
                "projette",
                AV2,
                "--population",
                POPULATION,
                "--de",
                "2026",
                "--a",
                "2027",
                "-o",
                str(tmp_path / f"p.{form}"),
            ],
        )
        assert written.exit_code == 0, written.output
    assert (tmp_path / "p-annees.png").exists() and "<svg" in (tmp_path / "p.html").read_text(encoding="utf-8")


def test_a_growth_scenario_prints_as_it_parses():
    text = (ROOT / "examples" / "projection" / "croissance.conv").read_text(encoding="utf-8")
    parsed = parse_text(text, "croissance.conv").file
    again = parse_text(print_file(parsed), "croissance.conv").file
    assert again == parsed
    assert p.arrivals(None, 10, range(2026, 2029)) == {2027: 0, 2028: 0}


def test_the_first_year_of_the_bundled_chain_is_the_prorated_simulate_of_each_version(tmp_path):
    """avenant 2 enters into force on 2026-06-01: 2026 is avenant 1 for five months and avenant 2 for seven — each the
    `simulate` of that version with its prorata (the months of the contract) times 5 / 12 (7 / 12) written in an
    avenant, and each line's own prorata (the SI's, from its software) and its minimum's times the same share."""
    budgets = []
    for name, base, share in (("cinq", AV1, "5 / 12"), ("sept", AV2, "7 / 12")):
        path = tmp_path / f"{name}.conv"
        path.write_text(
            textwrap.dedent(f"""\
            avenant {name} "La version au prorata de l'année"
            base : "{base}"
            version : "{name}"
            prorata : mois_adhesion / 12 * {share}
            modifie critère si_standard {{ prorata : min(mois_si, mois_adhesion) / 12 * {share} }}
            modifie critère si_avance {{ prorata : min(mois_si_avance, mois_adhesion) / 12 * {share} }}
            modifie minimum premiere_annee {{ prorata : mois_adhesion / 12 * {share} }}
        """),
            encoding="utf-8",
        )
        budgets.append(int(api.load(str(path)).simulate(POPULATION)["total"].sum() * 100))
    projection = api.project(AV2, POPULATION, 2026, 2026)
    assert [part.budget for part in projection.years[0].parts] == budgets
    assert projection.years[0].budget == sum(budgets)


def test_a_year_with_rules_of_its_own_is_paid_under_them(tmp_path):
    """The language guide's `exercice 2022 { … }` (the crisis plan optional that year): 2022 is paid under those rules,
    as `simulate --exercice 2022` computes it, 2023 under the general rules."""
    import re

    guide = (ROOT / "docs" / "langage.md").read_text(encoding="utf-8")
    text = re.search(r"```conv\n(# fichier : exercice\.conv\n.*?)```", guide, flags=re.S).group(1)
    (tmp_path / "exercice.conv").write_text(text, encoding="utf-8")
    (tmp_path / "p.csv").write_text(
        "id,horaires,plan_crise,nb_protocoles\na,vrai,faux,2\nb,vrai,vrai,3\nc,faux,vrai,1\n", encoding="utf-8"
    )
    projection = api.project(str(tmp_path / "exercice.conv"), str(tmp_path / "p.csv"), 2022, 2023)
    first, second = projection.years
    assert first.parts[0].exercise and not second.parts[0].exercise
    ruled = api.load(str(tmp_path / "exercice.conv"), exercice=2022).simulate(str(tmp_path / "p.csv"))
    general = api.load(str(tmp_path / "exercice.conv")).simulate(str(tmp_path / "p.csv"))
    assert (first.budget, second.budget) == (int(ruled["total"].sum() * 100), int(general["total"].sum() * 100))
    assert first.budget > second.budget  # the structure without a crisis plan is paid in 2022 only
