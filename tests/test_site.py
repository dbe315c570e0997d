"""The explorer of the conventions (`convcheck site`): every local link resolves, the search finds a
clause by the words of its label, and pages render without horizontal scroll at 1280 px — in
headless Chromium (skipped, saying how to install it, where Chromium is absent)."""

from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import pytest
from click.testing import CliRunner

from dsl.comments import figure_statuses
from interpreter.cli import cli
from tests.conftest import ROOT

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium absent : installez-le (« apt-get install chromium ») pour ce test"
)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("site") / "site"
    result = CliRunner().invoke(cli, ["site", str(ROOT / "conventions"), "-o", str(folder)])
    assert result.exit_code == 0, result.output
    return folder


class Links(HTMLParser):
    """The targets of `href` and `src`, and the ids of a page."""

    def __init__(self):
        super().__init__()
        self.targets: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.targets.append(value)
            if name == "id" and value:
                self.ids.add(value)


def test_every_local_link_resolves_and_nothing_is_fetched(site):
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 100  # the index, 3 versions, a page per clause
    for page in pages:
        parser = Links()
        parser.feed(page.read_text(encoding="utf-8"))
        for target in parser.targets:
            parts = urlsplit(target)
            assert not parts.scheme and not parts.netloc, (page.name, target)  # no external asset, no network
            if parts.path:
                assert (page.parent / unquote(parts.path)).resolve().is_file(), (page.name, target)


def test_the_site_shows_status_history_cas_and_amounts(site):
    page = (site / "clauses" / "aci_msp--critere-demarche_qualite.html").read_text(encoding="utf-8")
    assert "Démarche qualité" in page
    assert '<span class="badge confirme">confirmé (guide Cnam 2022, p. 31, 36–37)</span>' in page
    mrtc = (site / "clauses" / "aci_msp--critere-parcours_mrtc.html").read_text(encoding="utf-8")
    assert '<span class="badge choix">choix</span>' in mrtc and "confirmé (guide Cnam 2022, p. 42)" in mrtc
    assert "avenant 2 (proposition 2026)" in page and "proposition non signée" in page
    assert "msp_urbaine_9000_ipa" in page and re.search(r"4\W200,00\W€", page)
    version = (site / "versions" / "aci-msp-avenant-1.html").read_text(encoding="utf-8")
    assert "Ce qui change depuis sa base" in version and "texte signé" in version


def chromium(tmp_path: Path, *arguments: str) -> str:
    profile = tmp_path / f"profil-{len(list(tmp_path.glob('profil-*')))}"
    done = subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *arguments], capture_output=True, text=True, timeout=120
    )
    return done.stdout


@needs_chromium
@pytest.mark.parametrize(
    "words, expected",
    [
        ("qualité", "aci_msp--critere-demarche_qualite.html"),
        ("fonction coordination", "aci_msp--critere-fonction_coordination.html"),
        ("plafond ratio", "aci_msp--parametre-plafond_ratio_patientele.html"),
    ],
)
def test_search_finds_a_clause_by_the_words_of_its_label(site, tmp_path, words, expected):
    url = (site / "index.html").as_uri() + "?q=" + quote(words)
    dom = chromium(tmp_path, "--dump-dom", url)
    results = re.search(r'<ul id="resultats">(.*?)</ul>', dom, flags=re.S)
    assert results is not None, dom[:500]
    assert f'href="clauses/{expected}"' in results.group(1), results.group(1)[:1000]


@needs_chromium
def test_pages_fit_1280_pixels_without_horizontal_scroll(site, tmp_path):
    clauses = sorted((site / "clauses").glob("*.html"), key=lambda p: -p.stat().st_size)[:5]
    pages = [site / "index.html", *sorted((site / "versions").glob("*.html")), *clauses]
    probe = (
        "<script>document.title = 'LARGEUR ' + document.documentElement.scrollWidth + ' ' + window.innerWidth;</script>"
    )
    for page in pages:
        measured = page.with_name(f"mesure-{page.name}")
        measured.write_text(page.read_text(encoding="utf-8").replace("</body>", probe + "</body>"), encoding="utf-8")
        dom = chromium(tmp_path, "--window-size=1280,900", "--dump-dom", measured.as_uri())
        measured.unlink()
        found = re.search(r"<title>LARGEUR (\d+) (\d+)</title>", dom)
        assert found is not None, (page.name, dom[:300])
        scroll, viewport = int(found.group(1)), int(found.group(2))
        assert viewport >= 1200 and scroll <= viewport, (page.name, scroll, viewport)


HOSTILE_LABEL = """convention piege "Piège"
version : "1"

paramètres {
  valeur_point = 1 €
}

données {
  n : entier entre 0 et 100 "N"
}

socle {
  critère piege "Accès <!--<script> piège </script>" {
    condition : n >= 1
    points fixes : 1
  }
  critère qualite "Démarche qualité" {
    condition : n >= 2
    points fixes : 1
  }
}
"""


@needs_chromium
@pytest.mark.parametrize(
    "words, expected", [("qualité", "piege--critere-qualite.html"), ("piège", "piege--critere-piege.html")]
)
def test_a_label_with_a_script_tag_does_not_break_the_search(tmp_path, words, expected):
    """A label holding `<!--<script` kept the page's JSON index from ending: the search found nothing."""
    (tmp_path / "conventions").mkdir()
    (tmp_path / "conventions" / "piege.conv").write_text(HOSTILE_LABEL, encoding="utf-8")
    result = CliRunner().invoke(cli, ["site", str(tmp_path / "conventions"), "-o", str(tmp_path / "site")])
    assert result.exit_code == 0, result.output
    index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    script = re.search(r'<script type="application/json" id="index-clauses">(.*?)</script>', index, flags=re.S)
    assert script is not None and "<" not in script.group(1)
    dom = chromium(tmp_path, "--dump-dom", (tmp_path / "site" / "index.html").as_uri() + "?q=" + quote(words))
    results = re.search(r'<ul id="resultats">(.*?)</ul>', dom, flags=re.S)
    assert results is not None and f'href="clauses/{expected}"' in results.group(1), dom[-2000:]


@pytest.mark.parametrize(
    "comment, statuses",
    [
        ("confirmé (guide Cnam 2022, p. 3 : « 7 euros x 800 points » ; ameli)", ["confirmé (guide Cnam 2022, p. 3)"]),
        (
            "(confirmé : guide Cnam 2022, p. 20–22 ; 12 000 patients : 5 500 points)",
            ["confirmé (guide Cnam 2022, p. 20–22)"],
        ),
        (
            "confirmé (guide Cnam 2022, p. 16, 22, 35, 37) : pas de plafond",
            ["confirmé (guide Cnam 2022, p. 16, 22, 35, 37)"],
        ),
        (
            "confirmé (guide Cnam 2022, p. 43–46 ; en 2017 : hypothèse)",
            ["confirmé (guide Cnam 2022, p. 43–46)", "hypothèse"],
        ),
        ("hypothèse (calculateur) ; confirmé (support de la Cnam)", ["hypothèse", "confirmé"]),
        ("choix : les taux nationaux ; --set donne l'autre lecture", ["choix"]),
        ("existence attestée, valeur retenue faute de mieux", []),
    ],
)
def test_the_status_of_figures_is_read_from_the_words_of_a_comment(comment, statuses):
    assert figure_statuses(comment) == statuses


def test_no_embedded_json_can_end_its_script_element(tmp_path):
    """The site's search index and each simulator's configuration hold labels: `<` is escaped in both (a label
    holding `<!--<script` or `</script>` would change how the rest of the page is read)."""
    (tmp_path / "conventions").mkdir()
    (tmp_path / "conventions" / "piege.conv").write_text(HOSTILE_LABEL, encoding="utf-8")
    result = CliRunner().invoke(cli, ["site", str(tmp_path / "conventions"), "-o", str(tmp_path / "site")])
    assert result.exit_code == 0, result.output
    pages = [tmp_path / "site" / "index.html", *sorted((tmp_path / "site").glob("simulateur/*/index.html"))]
    assert len(pages) == 2
    for page in pages:
        scripts = re.findall(
            r'<script type="application/json"[^>]*>(.*?)</script>', page.read_text(encoding="utf-8"), flags=re.S
        )
        assert scripts and all("<" not in script for script in scripts), page
    index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "Accès \\u003c!--\\u003cscript" in index
