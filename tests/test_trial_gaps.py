"""The smaller gaps met when negotiators tried the tool: one clause's history (with the paramètres it uses), a date
at which only an unsigned proposal would apply, percentages in a sweep, unchanged structures apart from small losers
in the histogram. (The per-structure table's grouping columns: `tests/test_guarantee.py`.)"""

from __future__ import annotations

import json
from decimal import Decimal

import numpy as np
from click.testing import CliRunner

from interpreter import api
from interpreter.cli import cli
from interpreter.report.charts import histogram_bins
from tests.conftest import GOLDEN, ROOT

AV1 = str(ROOT / "conventions" / "aci-msp-avenant-1.conv")
AV2 = str(ROOT / "conventions" / "aci-msp-avenant-2-france-sante.conv")
POPULATION = str(ROOT / "examples" / "population" / "population.csv")
PROPOSITION = str(GOLDEN / "cli" / "petite-proposition.conv")


def invoke(*arguments):
    return CliRunner().invoke(cli, [str(a) for a in arguments], catch_exceptions=False)


def test_one_clause_s_history_includes_the_changes_of_the_paramètres_it_uses():
    data = json.loads(invoke("historique", AV2, "--clause", "rcp", "--format", "json").output)
    (clause,) = data["clauses"]
    used = {p["id"] for p in clause["parametres_utilises"]}
    assert {"valeur_point", "patientele_reference", "rcp_taux_dossiers_cible"} <= used
    owners = [(step["version"], step["id"]) for step in clause["chronologie"]]
    assert owners[0] == ("2017", "rcp")
    # a paramètre that changes in a version where the clause itself does not: the clause's history says it
    history = api.history(PROPOSITION)
    (timeline,) = api.clause_timelines(history, "protocoles")
    steps = [(step.version.name, owner.id, step.kind) for owner, step in timeline.steps()]
    assert ("v3 (proposition)", "valeur_point", "modification") in steps
    assert not any(owner == "protocoles" and version == "v3 (proposition)" for version, owner, _ in steps)


def test_consolidate_at_a_date_where_only_a_proposal_applies_warns_and_names_it(tmp_path):
    result = invoke("consolidate", "--au", "2027-03-01", PROPOSITION, "-o", tmp_path / "c.conv")
    assert result.exit_code == 0
    assert "avertissement[proposition-non-signee]" in result.output and "« v3 (proposition) »" in result.output
    assert "« v2 »" in result.output  # the last signed text, to consolidate instead
    signed = invoke("consolidate", "--au", "2026-03-01", PROPOSITION, "-o", tmp_path / "s.conv")
    assert signed.exit_code == 0 and "avertissement" not in signed.output


def test_a_sweep_takes_percentages_separated_by_semicolons_with_decimal_commas():
    result = invoke(
        "balaye",
        AV1,
        "--population",
        POPULATION,
        "--parametre",
        "plafond_majoration_precarite",
        "--valeurs",
        "10 %; 12,5 %; 25",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    points = json.loads(result.output)["valeurs"]
    assert [p["valeur"] for p in points] == ["10%", "12.5%", "25%"]
    alone = invoke("simulate", AV1, POPULATION, "--set", "plafond_majoration_precarite=12.5%", "--format", "json")
    assert Decimal(points[1]["budget"]) == Decimal(json.loads(alone.output)["budget"])


def test_a_comma_list_that_splits_a_decimal_comma_is_refused_not_misread():
    result = invoke(
        "balaye",
        AV1,
        "--population",
        POPULATION,
        "--parametre",
        "plafond_majoration_precarite",
        "--valeurs",
        "5 %,7,5 %",
    )
    assert result.exit_code == 1 and "erreur[balayage-invalide]" in result.output
    assert '--valeurs "5 %; 7,5 %; 10 %"' in result.output


class Changes:
    """An impact as the histogram reads it: the change of each structure, in cents."""

    def __init__(self, cents):
        self.changes = np.array(cents, dtype=np.int64)


def test_the_histogram_counts_unchanged_structures_apart_from_small_losers():
    counts, edges, unchanged = histogram_bins(Changes([0, 0, 0, -1, -2, 250_000, 7, -900_000]))
    assert unchanged == 3
    assert 0.0 in list(edges)  # no bar straddles zero
    losing = sum(int(c) for c, right in zip(counts, edges[1:], strict=True) if right <= 0)
    gaining = sum(int(c) for c, left in zip(counts, edges[:-1], strict=True) if left >= 0)
    assert (losing, gaining) == (3, 2)
    assert histogram_bins(Changes([0, 0]))[2] == 2 and len(histogram_bins(Changes([0, 0]))[0]) == 0
    only_losses = histogram_bins(Changes([-5, -1, 0]))
    assert only_losses[1][-1] == 0.0 and int(only_losses[0].sum()) == 2
