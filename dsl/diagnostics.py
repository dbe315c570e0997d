"""Diagnostics as values: stable codes, French messages, spans; text and JSON rendering.

Every problem a user can cause is a `Diagnostic`, collected rather than raised. The
registry `CODES` names each code once with its severity and a short title; it is what
`docs/erreurs.md` documents, one section per code.
"""

from __future__ import annotations

import difflib
import json
from collections import Counter
from collections.abc import Iterable, Mapping

from dsl.errors import ConvcheckError
from dsl.records import field, frozen
from dsl.source import SourceFile, Span

ERREUR = "erreur"
AVERTISSEMENT = "avertissement"

# code → (severity, title). Codes are stable: tests, golden files and users rely on them.
CODES: dict[str, tuple[str, str]] = {
    # reading and syntax
    "fichier-illisible": (ERREUR, "fichier illisible"),
    "encodage": (ERREUR, "fichier qui n'est pas en UTF-8"),
    "syntaxe": (ERREUR, "erreur de syntaxe"),
    "chaine-non-terminee": (ERREUR, "chaîne non terminée"),
    "accolade-non-fermee": (ERREUR, "accolade jamais fermée"),
    "caractere-inattendu": (ERREUR, "caractère inattendu"),
    "echappement-invalide": (ERREUR, "séquence d'échappement invalide dans un libellé"),
    "identifiant-invalide": (ERREUR, "identifiant mal formé"),
    "mot-reserve": (ERREUR, "mot réservé employé comme identifiant"),
    "expression-trop-imbriquee": (ERREUR, "expression trop imbriquée"),
    # headers and structure of a file
    "en-tete-manquant": (ERREUR, "en-tête obligatoire absent"),
    "en-tete-duplique": (ERREUR, "en-tête répété"),
    "en-tete-invalide": (ERREUR, "en-tête qui n'a pas sa place ici"),
    "statut-inconnu": (ERREUR, "statut d'une version autre que « signé » ou « proposition »"),
    "operation-hors-avenant": (ERREUR, "opération d'avenant dans une convention"),
    "declaration-dans-avenant": (ERREUR, "section ou brique écrite directement dans un avenant"),
    # names
    "donnee-inconnue": (ERREUR, "donnée ou paramètre inconnu"),
    "critere-inconnu": (ERREUR, "critère ou brique inconnu"),
    "fonction-inconnue": (ERREUR, "fonction inconnue"),
    "arguments": (ERREUR, "mauvais nombre ou mauvaise sorte d'arguments"),
    "id-duplique": (ERREUR, "identifiant défini deux fois"),
    "id-reserve": (
        ERREUR,
        "identifiant réservé à une colonne des résultats (id, eligible, total, total_points, erreur)",
    ),
    "attribut-duplique": (ERREUR, "attribut donné deux fois"),
    "attribut-invalide": (ERREUR, "attribut qui n'a pas sa place dans ce bloc"),
    "attribut-manquant": (ERREUR, "attribut obligatoire absent d'une majoration ou d'un minimum"),
    "attendu-seulement": (ERREUR, "fonction réservée aux blocs « attendu »"),
    "tirage-hors-scenario": (ERREUR, "« tirage » en dehors des données d'un scénario"),
    "atteint-dans-scenario": (ERREUR, "« atteint » dans un scénario"),
    "parametre-nouveau": (ERREUR, "nouveau paramètre d'avenant qui ressemble à un paramètre existant"),
    "unite-parametre": (ERREUR, "nouvelle valeur d'un paramètre écrite dans une autre unité (% oublié ou ajouté)"),
    "mot-cle-accent": (ERREUR, "mot-clé mal accentué"),
    "mode-strict": (ERREUR, "avertissements bloquants dans un projet en mode strict (convcheck.toml)"),
    "projet-invalide": (ERREUR, "fichier convcheck.toml illisible ou réglage inconnu"),
    "tirage-part": (ERREUR, "« tirage » d'une part qui n'est pas un pourcentage entre 0 % et 100 %"),
    # types and values
    "type-incompatible": (ERREUR, "types incompatibles"),
    "condition-non-booleenne": (ERREUR, "condition qui n'est pas un booléen"),
    "valeur-choix-inconnue": (ERREUR, "valeur hors de la liste d'un choix"),
    "intervalle-vide": (ERREUR, "intervalle dont le minimum dépasse le maximum"),
    "intervalle-invalide": (ERREUR, "intervalle impossible pour ce type"),
    "parametre-non-constant": (ERREUR, "paramètre qui dépend d'une donnée"),
    "parametre-incalculable": (ERREUR, "paramètre impossible à calculer (division par zéro)"),
    "hors-intervalle": (ERREUR, "valeur hors de l'intervalle de la donnée"),
    "nombre-hors-limites": (ERREUR, "nombre trop grand ou trop précis pour être calculé exactement"),
    "nombre-ambigu": (ERREUR, "nombre dont les séparateurs sont ambigus (milliers ou décimales ?)"),
    # rules of the convention
    "condition-manquante": (ERREUR, "critère ou brique sans condition"),
    "points-variables-sans-patientele": (ERREUR, "points variables sans patientèle de référence"),
    "valeur-point-manquante": (ERREUR, "points sans valeur du point"),
    "remuneration-dans-brique": (ERREUR, "rémunération propre à un critère de brique"),
    "cycle": (ERREUR, "dépendance circulaire"),
    "cas-donnee-manquante": (ERREUR, "donnée absente d'un cas"),
    "cas-inconnu": (ERREUR, "cas nommé par « comme » inconnu"),
    "prorata-duplique": (ERREUR, "prorata de la version écrit deux fois"),
    # avenants
    "base-introuvable": (ERREUR, "base introuvable"),
    "base-cyclique": (ERREUR, "chaîne de bases qui boucle"),
    "base-invalide": (ERREUR, "base qui n'est pas un fichier .conv"),
    "id-inconnu": (ERREUR, "opération sur un identifiant qui n'existe pas"),
    "id-existant": (ERREUR, "ajout d'un identifiant qui existe déjà"),
    "section-inconnue": (ERREUR, "section inconnue"),
    "operation-invalide": (ERREUR, "opération impossible sur cet élément"),
    "aucune-version-en-vigueur": (ERREUR, "aucune version de la chaîne n'est en vigueur à la date demandée"),
    "clause-inconnue": (ERREUR, "clause --clause absente de la chaîne des versions"),
    # exercises
    "exercice-invalide": (ERREUR, "exercice qui n'est pas nommé par une année"),
    "exercice-duplique": (ERREUR, "règles d'un exercice écrites deux fois dans un fichier"),
    "exercice-hors-vigueur": (ERREUR, "version qui n'est pas encore en vigueur pendant l'exercice demandé"),
    # scenarios
    "version-attendue": (ERREUR, "scénario donné là où une version est attendue"),
    "scenario-attendu": (ERREUR, "version donnée là où un scénario est attendu"),
    "version-introuvable": (ERREUR, "version visée par un scénario introuvable"),
    "donnee-non-fournie": (ERREUR, "donnée qu'aucune colonne ni aucun scénario ne fournit"),
    "hypothese-inconnue": (ERREUR, "nom d'un scénario ou d'un --set inconnu des deux versions comparées"),
    "croissance-invalide": (ERREUR, "croissance d'un scénario qui n'est ni un nombre entier ni un pourcentage par an"),
    # declarations of structures, overrides and evaluation
    "declaration-illisible": (ERREUR, "déclaration de structure illisible"),
    "declaration-cle-inconnue": (ERREUR, "clé qui n'est pas une donnée"),
    "declaration-cle-dupliquee": (ERREUR, "donnée déclarée deux fois"),
    "declaration-donnee-manquante": (ERREUR, "donnée manquante dans une déclaration"),
    "declaration-type": (ERREUR, "valeur du mauvais type dans une déclaration"),
    "declaration-choix": (ERREUR, "valeur hors de la liste d'un choix dans une déclaration"),
    "declaration-hors-intervalle": (ERREUR, "valeur hors de l'intervalle dans une déclaration"),
    "parametre-inconnu": (ERREUR, "paramètre inconnu dans --set"),
    "population-illisible": (ERREUR, "table de population illisible"),
    "population-encodage": (ERREUR, "fichier CSV ni en UTF-8 ni en Windows-1252"),
    "population-feuille": (ERREUR, "feuille absente d'un classeur Excel"),
    "population-colonnes": (
        ERREUR,
        "colonne manquante, inconnue, en double ou d'un type inutilisable dans une population",
    ),
    "population-invalide": (ERREUR, "valeur invalide dans une population"),
    "trop-volumineux": (ERREUR, "déclaration, population ou classeur au-delà des tailles que convcheck lit"),
    "evaluation-impossible": (ERREUR, "calcul impossible pour cette structure"),
    "avance-sans-taux": (
        ERREUR,
        "« --avance », ou « avance » dans un cas, sur une version qui ne dit pas la part de l'avance",
    ),
    "groupement-invalide": (ERREUR, "regroupement --par impossible"),
    "diff-cas-inconnu": (ERREUR, "cas --cas absent des versions comparées"),
    "diff-cas-incomplet": (ERREUR, "cas --cas qui ne donne pas toutes les données d'une version"),
    "balayage-invalide": (ERREUR, "valeurs d'un balayage ou d'un calibrage impossibles"),
    "somme-hors-limites": (ERREUR, "budget ou somme d'une population au-delà de 10^15 €"),
    "tirages-sans-tirage": (ERREUR, "--tirages sans aucun « tirage » dans les scénarios appliqués"),
    "tirages-trop-nombreux": (ERREUR, "trop de tirages pour la taille de la population"),
    "projection-invalide": (ERREUR, "années d'une projection impossibles"),
    # SQL (convcheck sql, --moteur duckdb)
    "sql-non-garanti": (ERREUR, "valeur qu'un moteur SQL ne peut pas calculer exactement"),
    "sql-tirage": (ERREUR, "« tirage » que ce moteur SQL ne sait pas refaire"),
    "colonne-absente-invalide": (ERREUR, "--colonne-absente qui ne nomme pas une donnée à valeur par défaut"),
    # writing reports, results and formatted files
    "sortie-est-une-entree": (ERREUR, "fichier de sortie qui est aussi un fichier lu"),
    "sortie-invalide": (ERREUR, "destination où l'on ne peut pas écrire"),
    "ecriture-impossible": (ERREUR, "écriture interrompue"),
    # warnings
    "population-colonne-ignoree": (AVERTISSEMENT, "colonne d'une population qui n'est pas une donnée"),
    "sans-remuneration": (AVERTISSEMENT, "critère qui ne rapporte rien"),
    "donnee-inutilisee": (AVERTISSEMENT, "donnée jamais utilisée"),
    "parametre-inutilise": (AVERTISSEMENT, "paramètre jamais utilisé"),
    "condition-constante": (AVERTISSEMENT, "condition qui ne dépend d'aucune donnée"),
    "libelle-manquant": (AVERTISSEMENT, "critère ou brique sans libellé"),
    "minimum-non-proratise": (AVERTISSEMENT, "minimum pour l'année entière dans une version proratisée"),
    "assiette-vide": (AVERTISSEMENT, "majoration dont l'assiette est toujours nulle"),
    "scenario-sans-version": (AVERTISSEMENT, "scénario qui n'indique pas sa version"),
    "deplacement-inutile": (AVERTISSEMENT, "déplacement vers la section où l'élément se trouve déjà"),
    "moteur-par-defaut": (AVERTISSEMENT, "simulation calculée par le moteur par défaut au lieu du moteur demandé"),
    "proposition-non-signee": (AVERTISSEMENT, "version en vigueur à une date qui n'est qu'une proposition non signée"),
}


@frozen
class Note:
    """A secondary place that helps understand a diagnostic."""

    message: str
    span: Span


def _notes(notes: Iterable[Note]) -> tuple[Note, ...]:
    return tuple(notes)


@frozen
class Diagnostic:
    """One problem found in the user's input."""

    code: str
    message: str
    span: Span | None = None
    file: str | None = None  # for diagnostics without a span (a whole file, a structure)
    suggestion: str | None = None
    notes: tuple[Note, ...] = field(default=(), converter=_notes)

    def __attrs_post_init__(self):
        if self.code not in CODES:
            raise ValueError(f"unregistered diagnostic code {self.code!r}")

    @property
    def severity(self) -> str:
        return CODES[self.code][0]

    @property
    def is_error(self) -> bool:
        return self.severity == ERREUR

    @property
    def path(self) -> str | None:
        return self.span.file if self.span else self.file


def suggest(word: str, candidates: Iterable[str]) -> str | None:
    """« vouliez-vous dire « x » ? » for the closest candidate, if one is close enough."""
    matches = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f"vouliez-vous dire « {matches[0]} » ?" if matches else None


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.is_error for d in diagnostics)


def sort_key(diagnostic: Diagnostic, file_order: Mapping[str, int] | None = None):
    """Order: files in the given order (others by name), then position in the file."""
    path = diagnostic.path or ""
    rank = (file_order or {}).get(path, len(file_order or {}))
    span = diagnostic.span
    return (rank, path, span.start if span else -1, span.end if span else -1, diagnostic.code)


# ---- rendering ------------------------------------------------------------------------


COLORS = {ERREUR: "\033[1;31m", AVERTISSEMENT: "\033[1;33m", "aide": "\033[36m", "bold": "\033[1m"}
RESET = "\033[0m"


def render_text(diagnostic: Diagnostic, sources: Mapping[str, SourceFile], color: bool = False) -> str:
    """The compiler-style rendering: location, message, source line, carets, notes, help.

    A diagnostic without a span (a whole file, a structure) keeps its notes and its help.
    """

    def paint(text: str, key: str) -> str:
        return f"{COLORS[key]}{text}{RESET}" if color else text

    span = diagnostic.span
    head = f"{paint(f'{diagnostic.severity}[{diagnostic.code}]', diagnostic.severity)}: {diagnostic.message}"
    width = 5 if span is None else max(5, len(str(span.line)) + 1)
    if span is None:
        lines = [f"{paint(diagnostic.file or 'convcheck', 'bold')}: {head}"]
    else:
        # A command-line argument (`--set id`) is shown by name: it has no file lines to count.
        where = span.file if span.file.startswith("--") else f"{span.file}:{span.line}:{span.column}"
        lines = [f"{paint(where, 'bold')}: {head}"]
        snippet = _snippet(span, sources.get(span.file), width)
        if snippet:
            lines += [snippet[0], paint(snippet[1], diagnostic.severity) if color else snippet[1]]
    for note in diagnostic.notes:
        where = f"{note.span.file}:{note.span.line}:{note.span.column}"
        lines.append(f"{' ' * width} = note : {note.message} ({where})")
    if diagnostic.suggestion:
        lines.append(paint(f"{' ' * width} = aide : {diagnostic.suggestion}", "aide"))
    return "\n".join(lines)


EXCERPT = 100  # characters of a source line shown: a long line is cut around the span, with « … »
BEFORE = 40  # of which, at most, before the span
MAX_SHOWN = 20  # diagnostics of one code rendered as text; the others are counted (« … et K autres »)


def _snippet(span: Span, source: SourceFile | None, width: int) -> list[str]:
    if source is None:
        return []
    line = source.line_text(span.line)
    end = span.end_column if span.end_line == span.line else len(line) + 1
    text, column, length = excerpt(line, span.column - 1, max(1, end - span.column))
    return [
        f"{span.line:>{width}} | {text}".rstrip(),
        f"{' ' * width} | {' ' * column}{'^' * length}",
    ]


def excerpt(line: str, start: int, length: int) -> tuple[str, int, int]:
    """A source line as shown under a diagnostic: (text, column of the span in it from 0, carets). A line longer
    than `EXCERPT` is cut around the span, with « … » where text is left out (a one-line file of 30 MB is
    shown as 100 characters, not copied whole for each diagnostic)."""
    if len(line) <= EXCERPT:
        return line.replace("\t", " "), start, length
    left = max(0, min(start - BEFORE, len(line) - EXCERPT))
    right = min(len(line), left + EXCERPT)
    text = ("…" if left else "") + line[left:right].replace("\t", " ") + ("…" if right < len(line) else "")
    column = start - left + (1 if left else 0)
    return text, column, max(1, min(length, right - start + (1 if right < len(line) else 0)))


def render_all_text(
    diagnostics: Iterable[Diagnostic], sources: Mapping[str, SourceFile], color: bool = False, limit: int = MAX_SHOWN
) -> str:
    """Every diagnostic rendered, at most `limit` of each code: the others are counted in one line, « … et K
    autres erreurs[code] du même genre » (a million invalid rows are not a million paragraphs)."""
    shown: list[str] = []
    counts: Counter[str] = Counter()
    for diagnostic in diagnostics:
        counts[diagnostic.code] += 1
        if counts[diagnostic.code] <= limit:
            shown.append(render_text(diagnostic, sources, color))
    for code, count in counts.items():
        if count > limit:
            plural = "s" if count - limit > 1 else ""
            others = f"{count - limit:,}".replace(",", "\u202f")
            shown.append(f"… et {others} autre{plural} {CODES[code][0]}{plural}[{code}] du même genre")
    return "\n\n".join(shown)


def to_json_object(diagnostic: Diagnostic) -> dict:
    """The JSON shape of a diagnostic (keys are part of the tool's interface)."""
    span = diagnostic.span
    return {
        "file": diagnostic.path,
        "line": span.line if span else None,
        "column": span.column if span else None,
        "end_line": span.end_line if span else None,
        "end_column": span.end_column if span else None,
        "severity": diagnostic.severity,
        "code": diagnostic.code,
        "message": diagnostic.message,
        "suggestion": diagnostic.suggestion,
        "notes": [
            {"message": n.message, "file": n.span.file, "line": n.span.line, "column": n.span.column}
            for n in diagnostic.notes
        ],
    }


def render_json(diagnostics: Iterable[Diagnostic]) -> str:
    return json.dumps([to_json_object(d) for d in diagnostics], ensure_ascii=False, indent=2)


class ConvError(ConvcheckError):
    """Input that prevents the job (what `interpreter.api` raises): the diagnostics that say why, and the sources to
    show them; `str()` renders them in French."""

    def __init__(self, diagnostics: Iterable[Diagnostic], sources: Mapping[str, SourceFile] | None = None):
        super().__init__("", diagnostics, sources)

    def __str__(self) -> str:
        return render_all_text(self.diagnostics, self.sources)
