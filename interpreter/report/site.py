"""The explorer of the conventions (`convcheck site`): a static site, what OpenFisca's legislation
explorer is to the tax system — no server, no network, no external asset.

- `index.html`: the versions (with their status) and every clause, with a search over labels and ids
  (a small inline script over an inline JSON index; `index.html?q=qualité` opens with a search);
- `versions/<fichier>.html`: one page per version, with its diff from its base (the diff report's HTML);
- `clauses/<convention>--<sorte>-<id>.html`: one page per clause: label, référence, current text, the
  status of each figure read from the comments that belong to it (« confirmé (guide Cnam 2022, p. N) »,
  « hypothèse », « choix »), its history
  along the versions (field-level changes), the cas that use it, and its amount at each version's
  maximal structure (the diff's reference structure).

`build_site` computes every page as text (path → HTML); the CLI writes them.
"""

from __future__ import annotations

import html
import re
from decimal import Decimal
from pathlib import Path

from dsl import nodes as n
from dsl.avenants import Loader
from dsl.comments import clause_comments, comments_of, figure_statuses
from dsl.kinds import KINDS
from dsl.printer import print_expr
from dsl.records import define, field
from interpreter.api import chain_versions, load
from interpreter.backends.scalar import compile_model
from interpreter.compare.diff import diff_models, element_fields, exercice_rules
from interpreter.compare.history import ClauseHistory, Version, build_history
from interpreter.compare.maximal import line_values, maximal_structure
from interpreter.numbers import euros
from interpreter.report.diff import diff_document, place_text
from interpreter.report.document import STYLE as REPORT_STYLE
from interpreter.report.document import render_html, script_json
from interpreter.report.history import field_words, step_words
from interpreter.report.simulator import simulator_files
from interpreter.report.status import status_words

CSS = """
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:1100px;padding:1rem 1.5rem;
color:#1b1b1b;line-height:1.45;overflow-wrap:anywhere}
nav{font-size:.9rem;margin-bottom:1rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem}
th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top;overflow-wrap:anywhere;
word-break:break-word}
code,pre{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.9em;white-space:pre-wrap;
overflow-wrap:anywhere;word-break:break-word}
pre{background:#f5f5f5;padding:.6rem;border-radius:4px}
.badge{display:inline-block;border-radius:3px;padding:0 .4rem;font-size:.8rem;margin-right:.4rem}
.hypothese{background:#fff0c2}.confirme{background:#d9f2d9}.choix{background:#dde6ff}.note{background:#eee}
.proposition{background:#ffe0e0;padding:.2rem .5rem;border-radius:3px}
#recherche{width:100%;font-size:1.1rem;padding:.4rem}
#resultats li{margin:.15rem 0}
img,svg,figure{max-width:100%}
"""

SEARCH_SCRIPT = """
(function(){
  var index = JSON.parse(document.getElementById('index-clauses').textContent);
  var box = document.getElementById('recherche'), list = document.getElementById('resultats');
  function plain(s){ return s.normalize('NFD').replace(/[\\u0300-\\u036f]/g,'').toLowerCase(); }
  index.forEach(function(e){ e.cle = plain(e.libelle + ' ' + e.id + ' ' + e.sorte); });
  function show(){
    var words = plain(box.value).split(/[^a-z0-9_]+/).filter(Boolean);
    list.innerHTML = '';
    if (!words.length) return;
    var found = index.filter(function(e){ return words.every(function(w){ return e.cle.indexOf(w) >= 0; }); });
    found.slice(0, 100).forEach(function(e){
      var li = document.createElement('li'), a = document.createElement('a');
      a.href = e.page; a.textContent = e.libelle + ' (' + e.id + ')';
      li.appendChild(a); li.appendChild(document.createTextNode(' — ' + e.sorte + ', ' + e.version));
      list.appendChild(li);
    });
    document.getElementById('compte').textContent = found.length + (found.length > 1 ? ' clauses' : ' clause');
  }
  box.addEventListener('input', show);
  var q = new URLSearchParams(location.search).get('q');
  if (q) { box.value = q; }
  show();
})();
"""


@define
class Clause:
    """A clause of one convention as the site shows it: its history, and where it last appears."""

    convention: str
    history: ClauseHistory
    latest: Version | None = None  # the last version that has it (None: removed everywhere)
    page: str = ""


@define
class Site:
    versions: list[Version] = field(factory=list)
    bases: dict[str, str | None] = field(factory=dict)  # version path → its base's path
    clauses: dict[tuple[str, str, str], Clause] = field(factory=dict)
    amounts: dict[str, dict[str, Decimal]] = field(factory=dict)  # version path → line id → amount
    _comments: dict = field(factory=dict)

    def comments(self, version: Version, loader: Loader) -> dict:
        """The comments that belong to the clauses of a version (computed once per version)."""
        if version.path not in self._comments:
            self._comments[version.path] = clause_comments(version.model.file, loader.sources)
        return self._comments[version.path]


def esc(text) -> str:
    return html.escape(str(text))


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9_-]+", "-", text.lower()).strip("-") or "version"


def version_page(version: Version) -> str:
    return f"versions/{slug(Path(version.path).stem)}.html"


def clause_page(convention: str, element: str, id: str) -> str:
    return f"clauses/{slug(convention)}--{element}-{id}.html"


def collect(paths: list[str], loader: Loader) -> tuple[Site, list]:
    """Every version of the files and the history of every clause, or the errors found."""
    site = Site()
    conventions = [p for p in paths if not _is_scenario(p, loader)]
    chains: dict[str, tuple[Version, ...]] = {}
    for path in conventions:
        versions, errors = chain_versions(path, loader)
        if errors:
            return site, errors
        chains[path] = versions
    seen: dict[str, Version] = {}
    for versions in chains.values():
        for position, version in enumerate(versions):
            if version.path not in seen:
                seen[version.path] = version
                site.bases[version.path] = versions[position - 1].path if position else None

    def depth(path: str) -> int:
        base = site.bases[path]
        return 0 if base is None else 1 + depth(base)

    site.versions = sorted(seen.values(), key=lambda v: (v.model.id, depth(v.path), v.path))
    used_as_base = {b for b in site.bases.values() if b}
    for path, versions in chains.items():
        if path in used_as_base:
            continue
        for clause in build_history(versions).clauses:
            key = (versions[0].model.id, clause.element, clause.id)
            known = site.clauses.get(key)
            if known is None or len(clause.steps) > len(known.history.steps):
                site.clauses[key] = Clause(key[0], clause, page=clause_page(*key))
    for key, shown in site.clauses.items():
        having = [v for v in site.versions if v.model.id == key[0] and key[2] in _elements(v.model, key[1])]
        shown.latest = having[-1] if having else None
    for version in site.versions:
        program = compile_model(version.model)
        site.amounts[version.path] = line_values(program, maximal_structure(program))
    return site, []


def _is_scenario(path: str, loader: Loader) -> bool:
    file = loader.parse(path).file
    return file is not None and file.kind == "scenario"


def _kind_word(element: str) -> str:
    return KINDS[element].keyword if element in KINDS else element


def _elements(model, element: str) -> dict:
    kind = KINDS.get(element)
    return getattr(model, kind.table, {}) if kind is not None else {}


# ---- pages ---------------------------------------------------------------------------------------------


def page(title: str, body: str, depth: int, extra_style: str = "") -> str:
    up = "../" * depth
    return (
        '<!DOCTYPE html>\n<html lang="fr">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)}</title>\n<style>{extra_style}{CSS}</style>\n</head>\n<body>\n"
        f'<nav><a href="{up}index.html">Explorateur des conventions</a></nav>\n{body}\n</body>\n</html>\n'
    )


def status_badge(model) -> str:
    words = status_words(model)
    if words is None:
        return ""
    css = "proposition" if model.statut == "proposition" else "confirme badge"
    return f' <span class="{css}">{esc(words)}</span>'


def index_html(site: Site) -> str:
    rows = []
    for version in site.versions:
        date = version.en_vigueur.isoformat() if version.en_vigueur else "—"
        rows.append(
            f'<tr><td><a href="{version_page(version)}">{esc(version.name)}</a></td><td>{esc(date)}</td>'
            f"<td>{status_badge(version.model) or '—'}</td><td><code>{esc(version.path)}</code></td></tr>"
        )
    entries, items = [], []
    for (_convention, element, id), clause in sorted(
        site.clauses.items(), key=lambda kv: (kv[0][0], kv[0][1], kv[0][2])
    ):
        label = clause.history.label or id
        where = clause.latest.name if clause.latest else "supprimé"
        entries.append(
            {"libelle": label, "id": id, "sorte": _kind_word(element), "page": clause.page, "version": where}
        )
        items.append(
            f'<li><a href="{clause.page}">{esc(label)}</a> (<code>{esc(id)}</code>) — '
            f"{esc(_kind_word(element))}, {esc(where)}</li>"
        )
    index_json = script_json(entries)
    body = (
        "<h1>Explorateur des conventions</h1>\n"
        "<p>Chaque version, chaque clause, son histoire et le statut de chaque chiffre.</p>\n"
        "<h2>Rechercher une clause</h2>\n"
        '<input id="recherche" type="search" placeholder="mots du libellé ou identifiant, par exemple « qualité »" '
        'aria-label="Rechercher une clause">\n<p id="compte"></p>\n<ul id="resultats"></ul>\n'
        f"{simulator_links(site)}"
        "<h2>Versions</h2>\n<table><thead><tr><th>Version</th><th>En vigueur</th><th>Statut</th><th>Fichier</th></tr>"
        f"</thead><tbody>{''.join(rows)}</tbody></table>\n"
        f"<h2>Toutes les clauses ({len(entries)})</h2>\n<ul>{''.join(items)}</ul>\n"
        f'<script type="application/json" id="index-clauses">{index_json}</script>\n'
        f"<script>{SEARCH_SCRIPT}</script>"
    )
    return page("Explorateur des conventions", body, 0)


def simulator_groups(site: Site) -> dict[str, list[Version]]:
    """The versions of each convention, in the site's order: each convention has its simulator."""
    groups: dict[str, list[Version]] = {}
    for version in site.versions:
        groups.setdefault(version.model.id, []).append(version)
    return groups


def simulator_links(site: Site) -> str:
    items = [
        f'<li><a href="simulateur/{slug(id)}/index.html">{esc(versions[-1].model.label or id)}</a> — '
        f"{len(versions)} version{'s' if len(versions) > 1 else ''}</li>"
        for id, versions in simulator_groups(site).items()
    ]
    return (
        (
            "<h2>Simulateur</h2>\n<p>La rémunération d'une structure, calculée dans le navigateur, version par version, "
            f"avec l'explication de chaque ligne.</p>\n<ul>{''.join(items)}</ul>\n"
        )
        if items
        else ""
    )


def simulators(site: Site, loader: Loader) -> dict[str, str]:
    """The simulator of each convention (`interpreter.report.simulator`), under `simulateur/<convention>/`: its
    versions in the site's order, the last signed one and those after it shown side by side at first."""
    pages = {}
    for id, versions in simulator_groups(site).items():
        loaded = [load(version.path, loader=loader) for version in versions]
        signed = [i for i, v in enumerate(versions) if v.model.statut == "signe"]
        start = signed[-1] if signed else len(versions) - 1
        for relative, text in simulator_files(loaded, first=range(start, len(versions))).items():
            pages[f"simulateur/{slug(id)}/{relative}"] = text
    return pages


def version_html(site: Site, version: Version) -> str:
    model = version.model
    date = version.en_vigueur.isoformat() if version.en_vigueur else "—"
    parts = [
        f"<h1>{esc(model.label or model.id)} — « {esc(version.name)} »{status_badge(model)}</h1>",
        f"<p>En vigueur le {esc(date)} ; fichier <code>{esc(version.path)}</code>.</p>",
    ]
    base = site.bases.get(version.path)
    if base is None:
        parts.append("<p>Version initiale : elle n'a pas de base.</p>")
    else:
        base_version = next(v for v in site.versions if v.path == base)
        parts.append(f'<p>Base : <a href="../{version_page(base_version)}">« {esc(base_version.name)} »</a>.</p>')
    parts.extend(year_rules_html(model))
    clauses = [
        c
        for (conv, element, id), c in sorted(site.clauses.items())
        if conv == model.id and id in _elements(model, element)
    ]
    parts.append(
        "<h2>Clauses de cette version</h2><ul>"
        + "".join(
            f'<li><a href="../{c.page}">{esc(_elements(model, c.history.element)[c.history.id].label or c.history.id)}</a>'
            f" (<code>{esc(c.history.id)}</code>, {esc(_kind_word(c.history.element))})</li>"
            for c in clauses
        )
        + "</ul>"
    )
    if base is not None:
        base_model = next(v for v in site.versions if v.path == base).model
        report = render_html(diff_document(diff_models(base_model, model)))
        inner = report.split("<body>\n", 1)[1].rsplit("\n</body>", 1)[0]
        inner = inner.replace("<h1>", "<h2>", 1).replace("</h1>", "</h2>", 1)
        parts.append(f'<h2>Ce qui change depuis sa base</h2>\n<section class="diff">{inner}</section>')
    return page(f"{model.label or model.id} — {version.name}", "\n".join(parts), 1, REPORT_STYLE)


def year_rules_html(model) -> list[str]:
    """The version's rules about the year, as the diff shows them: its `prorata : …` (each line's share of the
    year) and the rules of each exercise that has its own (`exercice AAAA { … }`, applied by `--exercice`)."""
    parts = ["<h2>Règles de l'année</h2>"]
    if model.prorata is None:
        parts.append("<p>Pas de <code>prorata</code> : chaque ligne est payée pour l'année entière.</p>")
    else:
        written = print_expr(model.prorata.value.source) if model.prorata.value.source else "…"
        parts.append(
            f"<p>Chaque ligne est proratisée : <code>prorata : {esc(written)}</code> "
            "(avant l'arrondi de chaque ligne ; un minimum garde son propre prorata).</p>"
        )
    rules = exercice_rules(model)
    if rules:
        parts.append(
            "<p>Exercices aux règles propres (appliquées avec <code>--exercice AAAA</code>) :</p><ul>"
            + "".join(f"<li>{esc(year)} : <code>{esc(rule.text)}</code></li>" for year, rule in sorted(rules.items()))
            + "</ul>"
        )
    return parts


def figure_status(text: str) -> list[tuple[str, str]]:
    """The badges of a comment (css class, words): « confirmé (guide Cnam 2022, p. N) », « hypothèse »,
    « choix », as many as it says, or a note."""
    css = {"confirmé": "confirme", "hypothèse": "hypothese", "choix": "choix"}
    found = [(css[status.split(" (")[0]], status) for status in figure_statuses(text)]
    return found or [("note", "note")]


def paragraphs(comments) -> list[str]:
    """Comments as paragraphs: consecutive own-line comments joined, `#` removed."""
    result: list[str] = []
    previous = None
    for comment in sorted(comments, key=lambda c: c.line):
        text = comment.text.lstrip("#").strip()
        if previous is not None and comment.own_line and previous.own_line and comment.line == previous.line + 1:
            result[-1] += " " + text
        else:
            result.append(text)
        previous = comment
    return result


def cas_using(model, element: str, id: str) -> list[str]:
    """The cas of a version whose `attendu` names the clause, or (a donnée) whose données give it."""
    found = []
    for cas in model.cas:
        named = False
        for expr in cas.node.attendu or ():
            for node in n.walk(expr):
                if (
                    isinstance(node, n.Call)
                    and node.func in ("points", "montant", "atteint")
                    and any(isinstance(a, n.Name) and a.id == id for a in node.args)
                ):
                    named = True
        if element == "donnee" and any(a.id == id for a in cas.node.donnees or ()):
            named = True
        if named:
            found.append(f"{cas.id} — {cas.label}" if cas.label else cas.id)
    return found


def clause_html(site: Site, clause: Clause, loader: Loader) -> str:
    element, id = clause.history.element, clause.history.id
    label = clause.history.label or id
    kind = _kind_word(element)
    parts = [f"<h1>{esc(label)}</h1>", f"<p>{esc(kind.capitalize())} <code>{esc(id)}</code>"]
    latest = clause.latest
    if latest is None:
        parts[-1] += " — supprimé(e) dans la dernière version qui le contenait.</p>"
    else:
        node = _elements(latest.model, element)[id]
        place = getattr(node, "section", None) or (f"brique:{node.brique}" if getattr(node, "brique", None) else None)
        where = f", {esc(place_text(place))}" if place else ""
        parts[-1] += (
            f'{where} — texte de <a href="../{version_page(latest)}">« {esc(latest.name)} »</a>'
            f"{status_badge(latest.model)}.</p>"
        )
        reference = getattr(node, "reference", None)
        if reference:
            parts.append(f"<p>Référence : {esc(reference)}</p>")
        fields = [(name, value[1]) for name, value in element_fields(node).items() if value is not None]
        parts.append(
            "<h2>Texte actuel</h2><table><tbody>"
            + "".join(
                f'<tr><th style="width:22%">{esc(name)}</th><td><code>{esc(text)}</code></td></tr>'
                for name, text in fields
            )
            + "</tbody></table>"
        )
        named = [
            w
            for w in dict.fromkeys(re.findall(r"[a-z_][a-z0-9_]*", " ".join(t for _, t in fields)))
            if w != id and (w in latest.model.parametres or w in latest.model.donnees)
        ]
        if named:
            links = [
                f'<a href="../{clause_page(clause.convention, "parametre" if w in latest.model.parametres else "donnee", w)}">'
                f"<code>{esc(w)}</code></a>"
                for w in named
            ]
            parts.append(f"<p>Lit : {', '.join(links)}.</p>")
    parts.append("<h2>Statut des chiffres</h2>")
    items = []
    for version in [v for v in site.versions if v.model.id == clause.convention]:
        node = _elements(version.model, element).get(id)
        if node is None:
            continue
        written = next((v for v in site.versions if node.node.span and v.path == node.node.span.file), version)
        for text in paragraphs(comments_of(node.node, site.comments(version, loader))):
            badges = "".join(f'<span class="badge {css}">{word}</span>' for css, word in figure_status(text))
            items.append(f"<li>« {esc(written.name)} » : {badges}{esc(text)}</li>")
    items = list(dict.fromkeys(items))
    parts.append(
        "<p>Lu dans les commentaires de la clause, version par version.</p><ul>" + "".join(items) + "</ul>"
        if items
        else "<p>Aucun commentaire ne qualifie ses chiffres.</p>"
    )
    parts.append(
        '<h2>Histoire</h2><table><colgroup><col style="width:18%"><col style="width:12%">'
        '<col style="width:18%"><col></colgroup><thead><tr><th>Version</th><th>En vigueur</th><th>Changement</th>'
        "<th>Détail</th></tr></thead><tbody>"
        + "".join(
            f'<tr><td><a href="../{version_page(s.version)}">{esc(s.version.name)}</a>'
            f"{status_badge(s.version.model)}</td>"
            f"<td>{esc(s.version.en_vigueur.isoformat() if s.version.en_vigueur else '—')}</td>"
            f"<td>{esc(step_words(s))}</td><td><code>{esc(field_words(s))}</code></td></tr>"
            for s in clause.history.steps
        )
        + "</tbody></table>"
    )
    versions = [v for v in site.versions if v.model.id == clause.convention]
    if element in KINDS and KINDS[element].pays:
        rows = []
        for version in versions:
            amount = site.amounts.get(version.path, {}).get(id)
            present = id in _elements(version.model, element)
            text = euros(amount) if amount is not None else ("non rémunéré" if present else "absent")
            rows.append(f"<tr><td>{esc(version.name)}</td><td>{esc(text)}</td></tr>")
        parts.append(
            "<h2>Montant pour la structure maximale</h2><p>Comme dans <code>convcheck diff</code> : "
            "la structure maximale de chaque version, la clause valorisée comme si elle était atteinte.</p>"
            "<table><thead><tr><th>Version</th><th>Montant</th></tr></thead><tbody>"
            + "".join(rows)
            + "</tbody></table>"
        )
    cas_rows = []
    for version in versions:
        for cas in cas_using(version.model, element, id):
            cas_rows.append(f"<li>« {esc(version.name)} » : {esc(cas)}</li>")
    parts.append(
        "<h2>Cas qui l'utilisent</h2>"
        + (f"<ul>{''.join(cas_rows)}</ul>" if cas_rows else "<p>Aucun cas ne la nomme.</p>")
    )
    return page(f"{label} ({id})", "\n".join(parts), 1)


def build_site(folder: str, loader: Loader | None = None) -> tuple[dict[str, str], list, list[str]]:
    """Every page of the site (relative path → HTML), the errors found, and the files read."""
    loader = loader if loader is not None else Loader()
    paths = sorted(str(p) for p in Path(folder).glob("*.conv"))
    site, errors = collect(paths, loader)
    if errors:
        return {}, errors, list(loader.sources)
    pages = {"index.html": index_html(site)}
    pages.update(simulators(site, loader))
    for version in site.versions:
        pages[version_page(version)] = version_html(site, version)
    for clause in site.clauses.values():
        pages[clause.page] = clause_html(site, clause, loader)
    return pages, [], list(loader.sources)
