"""The simulator (`convcheck simulateur`, and `simulateur/` in `convcheck site`): a self-contained folder
with a French page that computes a structure's payment under one or several versions, in the browser.

- `index.html`: the page (no server, no network, no external asset: it works opened from `file://`);
- `simulateur.js`, `simulateur.css`: the page's script and styles (`simulator/` beside this module);
- `moteurs/<version>.js`: each version compiled to JavaScript (`interpreter.backends.javascript`, as a
  classic script: a page opened from `file://` cannot import an ES module).

The page builds its form from the engines' descriptions of the données, grouped by the line that reads each
first; it is pre-filled with each version's reference structure (`reference_cas`). What the page does is
said in `docs/simulateur.md`.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from dsl.model import Model
from dsl.records import frozen
from interpreter.backends.javascript import JsModule, form_value
from interpreter.cases import cas_donnees
from interpreter.report.document import script_json
from interpreter.report.provenance import provenance_of
from interpreter.report.status import status_words

if TYPE_CHECKING:  # annotations only: the API calls the reports
    from interpreter.convention import Convention

ASSETS = Path(__file__).with_name("simulator")


@frozen
class Shown:
    """A version as the simulator shows it."""

    slug: str
    convention: Convention
    module: JsModule


def reference_cas(model: Model):
    """The cas that pre-fills the form: the version's first cas named `structure_reference…`, else its first
    cas, else None."""
    named = [c for c in model.cas if c.id.startswith("structure_reference")]
    found = named or list(model.cas)
    return found[0] if found else None


def reference_values(convention) -> dict:
    """The données of a version's reference cas, as the form holds them (empty without a cas)."""
    cas = reference_cas(convention.model)
    if cas is None:
        return {}
    donnees = convention.model.donnees
    return {
        id: form_value(v, donnees[id].type) for id, v in cas_donnees(convention.program, cas).items() if id in donnees
    }


def slugs(conventions: Sequence) -> list[str]:
    """A file name for each version's engine, from its file's name, unique."""
    found: list[str] = []
    for convention in conventions:
        base = re.sub(r"[^a-z0-9_-]+", "-", Path(convention.path).stem.lower()).strip("-") or "version"
        slug, n = base, 2
        while slug in found:
            slug, n = f"{base}-{n}", n + 1
        found.append(slug)
    return found


def configuration(shown: list[Shown], first: Sequence[str]) -> dict:
    """What the page's script reads: each version (name, status, reference structure) and those shown first."""
    versions = []
    for version in shown:
        model = version.convention.model
        cas = reference_cas(model)
        versions.append(
            {
                "slug": version.slug,
                "fichier": version.convention.path,
                "nom": (model.version or model.id)
                + (f", exercice {model.exercice}" if model.exercice is not None else ""),
                "libelle": model.label or model.id,
                "statut": model.statut,
                "statutMots": status_words(model),
                "enVigueur": model.en_vigueur.isoformat() if model.en_vigueur else None,
                "cas": None if cas is None else {"id": cas.id, "libelle": cas.label},
                "reference": reference_values(version.convention),
                "hypotheses": [
                    line
                    for title, lines in version.convention.hypotheses()
                    for line in (f"{title} : {item}" for item in lines)
                ],
            }
        )
    return {"versions": versions, "affichees": list(first)}


def simulator_files(conventions: Sequence, first: Sequence[int] | None = None) -> dict[str, str]:
    """The simulator's files (relative path → text) for some versions (`interpreter.convention.Convention`); `first`:
    the indices of the versions shown side by side when the page opens (all of them by default)."""
    shown = [
        Shown(slug, convention, convention.javascript(provenance_of([(None, convention)]).lines()))
        for slug, convention in zip(slugs(conventions), conventions, strict=True)
    ]
    opened = [shown[i].slug for i in (first if first is not None else range(len(shown)))]
    files = {f"moteurs/{version.slug}.js": version.module.script for version in shown}
    files["simulateur.js"] = (ASSETS / "simulateur.js").read_text(encoding="utf-8")
    files["simulateur.css"] = (ASSETS / "simulateur.css").read_text(encoding="utf-8")
    config = configuration(shown, opened)
    config["provenance"] = provenance_of([(None, convention) for convention in conventions]).lines()
    files["index.html"] = page(shown, config)
    return files


def page(shown: list[Shown], config: dict) -> str:
    """The page: a skeleton the script fills from the engines (without JavaScript it says so)."""
    main = shown[0].convention.model
    title = f"Simulateur — {main.label or main.id}"
    scripts = "".join(f'<script src="moteurs/{html.escape(v.slug)}.js"></script>\n' for v in shown)
    data = script_json(config)  # a label holding `<!--<script` cannot end the element
    holes = {"titre": html.escape(title), "moteurs": scripts, "configuration": data}
    template = (ASSETS / "index.html").read_text(encoding="utf-8")
    return re.sub(r"\{(titre|moteurs|configuration)\}", lambda m: holes[m.group(1)], template)
