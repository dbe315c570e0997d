"""The HTML report, rendered in a real browser (headless Chromium): not blank, headings in place.

Skipped, saying how to install it, where Chromium is absent; `.ci/run` installs it.
"""

from __future__ import annotations

import re
import shutil
import subprocess

import numpy as np
import pytest
from click.testing import CliRunner

from interpreter.cli import cli
from tests.conftest import GOLDEN

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars"]

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium absent : installez-le (« apt-get install chromium ») pour ce test")


def chromium(tmp_path, *arguments: str) -> subprocess.CompletedProcess:
    profile = tmp_path / "profil"
    return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *arguments],
                          capture_output=True, text=True, timeout=120)


def test_impact_report_renders_in_a_browser(tmp_path, monkeypatch):
    monkeypatch.chdir(GOLDEN / "cli")
    report = tmp_path / "rapport.html"
    result = CliRunner().invoke(cli, ["diff", "convention.conv", "convention-av.conv", "--population",
                                      "population.csv", "--format", "html", "-o", str(report)])
    assert result.exit_code == 0, result.output
    screenshot = tmp_path / "rapport.png"
    chromium(tmp_path, "--window-size=1200,1800", f"--screenshot={screenshot}", report.as_uri())
    assert screenshot.exists(), "Chromium did not write a screenshot"
    import matplotlib.image

    pixels = matplotlib.image.imread(str(screenshot))[..., :3]
    ink = (pixels.mean(axis=2) < 0.9).mean()
    assert ink > 0.02, f"the page looks blank ({ink:.1%} of non-white pixels)"
    assert np.std(pixels) > 0.05
    dom = chromium(tmp_path, "--dump-dom", report.as_uri()).stdout
    headings = [re.sub(r"<[^>]+>", "", h) for h in re.findall(r"<h[12][^>]*>(.*?)</h[12]>", dom, flags=re.S)]
    assert headings[0].startswith("Accord conventionnel interprofessionnel — MSP : ce qui change")
    for expected in ("Ce que vaut chaque clause pour la structure de référence", "Critères et briques, clause par clause",
                     "Paramètres", "Impact sur la population"):
        assert expected in headings, (expected, headings)
    assert "<svg" in dom and "<figure>" in dom
