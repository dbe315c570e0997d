"""The kinds of clause, described once: critère, brique, majoration, minimum, donnée, paramètre (and the cas,
which the editor names too).

Each `Kind` says how the kind is written (its keyword, singular and plural, its gender), where its
clauses sit (the AST node, the table of the checked model, the namespace of its ids, the group its
lines are totalled in), which avenant operations apply to it, which fields the diff compares, and
how the editor shows it (LSP symbol and completion kinds, by name). The tools read it — the language
server's outline, index, hover and completion, the diff and the history, the reports and the site —
instead of keeping lists of their own: adding a kind is its grammar rule, its AST and IR nodes, its
checking, its payment rule, its description here, its docs and its tests.

A leaf of the language: it imports only the AST node classes.
"""

from __future__ import annotations

from dsl import nodes as n
from dsl.records import frozen

# The namespaces of ids (`interpreter.lsp.index`): données and paramètres share the names of expressions;
# critères, briques and the lines computed from the others those of `atteint(…)` and of avenant operations.
VALUE, ELEMENT, CAS_NAMES = "valeur", "element", "cas"

# How the diff reads a field: an IR expression (compared as IR, shown as written), a text quoted as written,
# a bare word; the other ways (`assiette`, `type`, `intervalle`) are read by the diff itself.
EXPR, QUOTED, WORD = "expr", "quoted", "word"

# The groups lines are totalled in, after the sections (a critère's group is its section), and their titles.
BRIQUES, SUPPLEMENTS = "briques", "majorations"
VOWELS = "aàâeéèêiîoôuûy"
GROUP_TITLES = {BRIQUES: "Briques", SUPPLEMENTS: "Majorations et minimums"}


@frozen
class Field:
    """A field of a clause that the diff compares: its French name, the attribute of the model's element, and
    how it is read (`EXPR`, `QUOTED`, `WORD`, or a name the diff knows)."""

    name: str
    attribute: str
    how: str


LABEL = Field("libellé", "label", QUOTED)
REFERENCE = Field("référence", "reference", QUOTED)
CONDITION = Field("condition", "condition", EXPR)


@frozen
class Kind:
    """One kind of clause."""

    name: str  # the folded keyword: the id the tools use (`critere`)
    keyword: str  # as printed (`critère`)
    plural: str  # `critères`
    feminine: bool  # « une brique », « supprimée »
    node: type  # its AST node (`dsl.nodes`)
    table: str  # the attribute of `dsl.model.Model` that holds its clauses, by id
    namespace: str  # of its ids: ELEMENT, VALUE or CAS_NAMES
    pays: bool  # a line of a result
    group: str | None  # the group its lines are totalled in (None: a critère's own section)
    place: str | None  # where the diff says its clauses sit (None: nowhere but a critère's own section)
    top_level: bool  # written as a block of its own at the top of a file
    operations: tuple[str, ...]  # the avenant operations on it (`ajoute`, `modifie`, `remplace`, `déplace`, `supprime`)
    fields: tuple[Field, ...]  # what the diff compares, in order
    attributes: tuple[str, ...]  # the attributes a block of this kind may be written with (`condition : …`)
    required: tuple[str, ...]  # those it must be written with, besides a critère's or a brique's condition
    symbol: str  # how the editor's outline shows it (`lsprotocol.types.SymbolKind` member)
    completion: str  # how the editor's completion shows it (`lsprotocol.types.CompletionItemKind` member)

    @property
    def article(self) -> str:
        """« un critère », « une brique »."""
        return f"{'une' if self.feminine else 'un'} {self.keyword}"

    @property
    def of_one(self) -> str:
        """« d'un critère », « d'une brique »."""
        return f"d'{self.article}"

    @property
    def definite(self) -> str:
        """« le critère », « la brique », « l'… »."""
        return f"l'{self.keyword}" if self.keyword[0] in VOWELS else f"{'la' if self.feminine else 'le'} {self.keyword}"

    @property
    def of_the(self) -> str:
        """« du critère », « de la brique », « de l'… »."""
        return f"de {self.definite}" if self.feminine or self.keyword[0] in VOWELS else f"du {self.keyword}"

    @property
    def title(self) -> str:
        """« Critères »: a heading over clauses of this kind."""
        return self.plural[:1].upper() + self.plural[1:]

    def agreed(self, participle: str) -> str:
        """A past participle agreed with the kind: « ajouté » → « ajoutée » for a brique."""
        return participle + ("e" if self.feminine else "")


POINTS = (
    Field("points fixes", "points_fixes", EXPR),
    Field("points variables", "points_variables", EXPR),
    Field("montant", "montant", EXPR),
)
LINE = (LABEL, CONDITION, *POINTS, Field("axe", "axe", WORD), REFERENCE, Field("prorata", "prorata", EXPR))
LINE_ATTRIBUTES = ("condition", "points_fixes", "points_variables", "montant", "axe", "reference", "prorata")

CRITERE = Kind(
    "critere",
    "critère",
    "critères",
    False,
    n.Critere,
    "criteres",
    ELEMENT,
    pays=True,
    group=None,
    place=None,
    top_level=False,
    operations=("modifie", "remplace", "déplace", "supprime"),
    fields=LINE,
    attributes=LINE_ATTRIBUTES,
    required=(),
    symbol="Method",
    completion="Method",
)
BRIQUE = Kind(
    "brique",
    "brique",
    "briques",
    True,
    n.Brique,
    "briques",
    ELEMENT,
    pays=True,
    group=BRIQUES,
    place=None,
    top_level=True,
    operations=("ajoute", "modifie", "remplace", "supprime"),
    fields=LINE,
    attributes=LINE_ATTRIBUTES,
    required=(),
    symbol="Class",
    completion="Class",
)
MAJORATION = Kind(
    "majoration",
    "majoration",
    "majorations",
    True,
    n.Majoration,
    "majorations",
    ELEMENT,
    pays=True,
    group=SUPPLEMENTS,
    place=SUPPLEMENTS,
    top_level=True,
    operations=("ajoute", "modifie", "remplace", "supprime"),
    fields=(LABEL, CONDITION, Field("assiette", "part", "assiette"), Field("taux", "taux", EXPR), REFERENCE),
    attributes=("condition", "assiette", "taux", "reference"),
    required=("assiette", "taux"),
    symbol="Function",
    completion="Function",
)
MINIMUM = Kind(
    "minimum",
    "minimum",
    "minimums",
    False,
    n.Minimum,
    "minimums",
    ELEMENT,
    pays=True,
    group=SUPPLEMENTS,
    place=SUPPLEMENTS,
    top_level=True,
    operations=("ajoute", "modifie", "remplace", "supprime"),
    fields=(LABEL, CONDITION, Field("montant", "montant", EXPR), Field("prorata", "prorata", EXPR), REFERENCE),
    attributes=("condition", "montant", "prorata", "reference"),
    required=("montant",),
    symbol="Function",
    completion="Function",
)
DONNEE = Kind(
    "donnee",
    "donnée",
    "données",
    True,
    n.Donnee,
    "donnees",
    VALUE,
    pays=False,
    group=None,
    place=None,
    top_level=False,
    operations=("supprime",),
    fields=(
        LABEL,
        Field("type", "type", "type"),
        Field("intervalle", "low", "intervalle"),
        Field("défaut", "default", "defaut"),
    ),
    attributes=(),
    required=(),
    symbol="Field",
    completion="Field",
)
PARAMETRE = Kind(
    "parametre",
    "paramètre",
    "paramètres",
    False,
    n.Parametre,
    "parametres",
    VALUE,
    pays=False,
    group=None,
    place=None,
    top_level=False,
    operations=("supprime",),
    fields=(LABEL, Field("valeur", "value", EXPR)),
    attributes=(),
    required=(),
    symbol="Constant",
    completion="Constant",
)
CAS = Kind(
    "cas",
    "cas",
    "cas",
    False,
    n.Cas,
    "cas",
    CAS_NAMES,
    pays=False,
    group=None,
    place=None,
    top_level=True,
    operations=(),
    fields=(),
    attributes=(),
    required=(),
    symbol="Object",
    completion="Event",
)

# The clauses a diff compares and a history follows, in the order reports list them.
CLAUSES: tuple[Kind, ...] = (CRITERE, BRIQUE, MAJORATION, MINIMUM, DONNEE, PARAMETRE)
KINDS = {kind.name: kind for kind in (*CLAUSES, CAS)}
PAYING = tuple(kind for kind in CLAUSES if kind.pays)  # the lines of a result
SUPPLEMENT_KINDS = tuple(kind for kind in CLAUSES if kind.group == SUPPLEMENTS)  # lines computed from the others
_BY_NODE = {kind.node: kind for kind in KINDS.values()}


def kind_of(clause) -> Kind | None:
    """The kind of an AST node, or of a checked element (by the node it keeps); None for anything else."""
    found = _BY_NODE.get(type(clause))
    if found is None and hasattr(clause, "node"):
        found = _BY_NODE.get(type(clause.node))
    return found


def keyword_pattern(word: str) -> str:
    """A regular expression matching a keyword with its accents or without (`crit[èe]re`)."""
    plain = {"à": "a", "â": "a", "é": "e", "è": "e", "ê": "e", "î": "i", "ô": "o", "û": "u"}
    return "".join(f"[{c}{plain[c]}]" if c in plain else c for c in word)
