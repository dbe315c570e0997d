"""The checker: a consolidated convention AST → a checked `Model`, and diagnostics.

It resolves every name, infers and checks the type of every expression (LANGUAGE.md,
"Expressions"), and enforces the rules of "Meaning" that can be known before any
structure is evaluated. It never mutates the AST; it reports everything it finds rather
than stopping at the first problem, taking care not to cascade (an expression whose type
could not be known is not reported again by the expressions around it).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import TypeGuard, cast

from attrs import define, evolve, field

from dsl import ir, keywords
from dsl import nodes as n
from dsl.diagnostics import Diagnostic, Note, suggest
from dsl.model import (
    ATTENDU_FUNCTIONS,
    ATTENDU_NAMES,
    BOOLEEN,
    DATE,
    MONTANT,
    NOMBRE,
    SECTIONS,
    Brique,
    Cas,
    Critere,
    Donnee,
    Majoration,
    Minimum,
    Model,
    Parametre,
    Prorata,
    Type,
)
from dsl.payment import ADVANCE, CAP
from dsl.printer import print_expr

FUNCTIONS = ("min", "max", "arrondi", "atteint", "tirage", *ATTENDU_FUNCTIONS)
NUMERIC_TYPES = ("entier", "nombre", "pourcentage", "montant")
VALUE_ATTRIBUTES = ("points_fixes", "points_variables", "montant")
# The attributes each kind of block may have; the others are an error (`attribut-invalide`).
ALLOWED = {
    "critere": ("condition", "points_fixes", "points_variables", "montant", "axe", "reference", "prorata"),
    "brique": ("condition", "points_fixes", "points_variables", "montant", "axe", "reference", "prorata"),
    "majoration": ("condition", "assiette", "taux", "reference"),
    "minimum": ("condition", "montant", "prorata", "reference"),
}
REQUIRED = {"majoration": ("assiette", "taux"), "minimum": ("montant",)}
OWNERS = {"critere": "le critère", "brique": "la brique", "majoration": "la majoration", "minimum": "le minimum"}
EXAMPLES = {"assiette": "assiette : points variables", "taux": "taux : 5 %", "montant": "montant : 20_000 €"}


def check(file: n.File, path: str | None = None, removed: dict | None = None,
          dropped: dict | None = None) -> tuple[Model | None, list[Diagnostic]]:
    """Check a convention (an avenant must be consolidated first). The model is None on errors.

    `removed` maps ids that avenants removed to the span of the removal, so that a name
    left dangling by a `supprime` can say where it was removed; `dropped` maps données and
    paramètres to the avenant operation that dropped a use of them, so that one left unused
    by it is reported there rather than at its declaration in a base.
    """
    checker = Checker(file, removed or {}, dropped or {})
    model = checker.run(path)
    has_error = any(d.is_error for d in checker.diagnostics)
    return (None if has_error else model), checker.diagnostics


def check_overrides(model: Model, overrides: dict[str, n.Expr],
                    id_spans: dict | None = None) -> tuple[dict[str, ir.Expr], list[Diagnostic]]:
    """Check and lower `--set` values (and a scenario's paramètres): known paramètres, constant
    expressions of the same type, no cycle. Gives the IR of each value that is right. An unknown id is
    shown at its span in `id_spans` when it has one (a scenario's line), else at its value."""
    checker = Checker(model.file, {})
    checker.collect()
    diagnostics: list[Diagnostic] = []
    known = {}
    for id, expr in overrides.items():
        if id not in model.parametres:
            span = (id_spans or {}).get(id, expr.span)
            diagnostics.append(Diagnostic("parametre-inconnu", f"paramètre inconnu « {id} »", span=span,
                                          suggestion=suggest(id, model.parametres) or
                                          f"paramètres : {', '.join(model.parametres) or 'aucun'}"))
            continue
        mismatch = unit_mismatch(model.parametres[id].node.value, expr, id)
        if mismatch is not None:
            diagnostics.append(Diagnostic("unite-parametre", mismatch[0], span=expr.span, suggestion=mismatch[1],
                                          notes=[Note("valeur de la version",
                                                       n.parsed_span(model.parametres[id].node.value.span))]))
            continue
        checker.override(id, expr)
        known[id] = expr
    checker.diagnostics = []
    lowered = {}
    for id, expr in known.items():
        value = checker.parametre_value(id)
        expected = model.parametres[id].type
        if value is not None and value.type.value_kind != expected.value_kind:
            checker.error("type-incompatible", f"« {id} » est {an(expected)}, la valeur donnée est {an(value.type)}",
                          expr.span, suggestion=_literal_hint(expected))
        elif value is not None:
            lowered[id] = value
    return lowered, diagnostics + checker.diagnostics


# ---- expression typing -------------------------------------------------------------------------


@define
class Scope:
    """What an expression may refer to, and what it did refer to."""

    mode: str  # clause | parametre | attendu | scenario
    salt: str = ""  # in a scenario's données: « scenario id/donnée id », what `tirage` draws by
    uses_donnees: set[str] = field(factory=set)
    uses_parametres: set[str] = field(factory=set)
    atteint: list[tuple[str, n.Call]] = field(factory=list)


class Checker:
    """One run of the checker over one convention AST."""

    def __init__(self, file: n.File, removed: dict, dropped: dict | None = None):
        self.file = file
        self.removed = removed
        self.dropped = dropped or {}
        self.diagnostics: list[Diagnostic] = []
        self.donnees: dict[str, Donnee] = {}
        self.parametre_nodes: dict[str, n.Parametre] = {}
        self.parametre_values: dict[str, ir.Expr | None] = {}
        self._typing_stack: list[str] = []
        self.criteres: dict[str, tuple[n.Critere, str | None, str | None]] = {}  # id → (node, section, brique)
        self.briques: dict[str, n.Brique] = {}
        self.supplements: dict[str, n.Majoration | n.Minimum] = {}
        self.cas_nodes: dict[str, n.Cas] = {}
        self.used_donnees: set[str] = set()
        self.used_parametres: set[str] = set()
        self.dependencies: dict[str, list[tuple[str, n.Call | None]]] = {}  # None: a brique's own critère
        self.cas_cycles: set[frozenset[str]] = set()
        self.prorata_nodes: list[n.Prorata] = []
        self.exercice_nodes: list[n.Exercice] = []

    def error(self, code: str, message: str, span, suggestion: str | None = None, notes: Iterable[Note] = ()):
        self.diagnostics.append(Diagnostic(code, message, span=span, suggestion=suggestion, notes=tuple(notes)))

    warn = error  # severity comes from the code's registration

    # -- driver

    def run(self, path: str | None) -> Model:
        self._check_headers()
        self.collect()
        parametres = self._check_parametres()
        criteres, briques = self._check_elements()
        majorations, minimums = self._check_supplements(criteres)
        prorata = self._check_prorata(minimums)
        exercices = self._check_exercices()
        self._check_cycles()
        self._check_point_requirements(criteres, briques)
        self._check_advance()
        cas = self._check_cas()
        self._warn_unused()
        return Model(
            id=self.file.id,
            label=self.file.label,
            version=self.file.header("version"),
            en_vigueur=self.file.header("en_vigueur"),
            statut=self.file.header("statut") if self.file.header("statut") in keywords.STATUTS else None,
            parametres=parametres,
            donnees=dict(self.donnees),
            criteres=criteres,
            briques=briques,
            cas=tuple(cas),
            file=self.file,
            path=path,
            majorations=majorations,
            minimums=minimums,
            prorata=prorata,
            exercices=exercices,
        )

    # -- headers and file structure

    def _check_headers(self):
        seen: dict[str, n.Header] = {}
        for header in self.file.headers:
            if header.key in seen:
                self.error("en-tete-duplique", f"en-tête « {keywords.HEADERS[header.key]} » donné deux fois", header.span,
                           notes=[Note("première définition", n.parsed_span(seen[header.key].span))])
            seen[header.key] = header
            if header.key == "statut" and header.value not in keywords.STATUTS:
                assert isinstance(header.value, str)  # only « en vigueur » holds a date
                self.error("statut-inconnu", f"statut inconnu « {header.value} » : une version est « signé » ou "
                           f"« proposition »", header.span,
                           suggestion=_statut_hint(header.value))
            if header.key == "base" and self.file.kind == "convention":
                self.error("en-tete-invalide", "« base » n'a de sens que dans un avenant", header.span,
                           suggestion="commencez le fichier par « avenant » au lieu de « convention »")
        if "version" not in seen:
            self.error("en-tete-manquant", "la convention n'indique pas sa version", self.file.id_span,
                       suggestion='ajoutez une ligne « version : "2017" » après l\'en-tête')

    # -- collecting declarations

    def collect(self):
        """Gather the declarations of the file (données, paramètres, critères, briques, cas) by id."""
        value_ids: dict[str, object] = {}  # données and paramètres share the names of expressions
        element_ids: dict[str, object] = {}  # critères and briques share the names of atteint()
        for item in self.file.items:
            match item:
                case n.ParametresBlock(parametres=parametres):
                    for p in parametres:
                        if self._unique(p, value_ids, "donnée ou paramètre"):
                            self.parametre_nodes[p.id] = p
                case n.DonneesBlock(donnees=donnees):
                    for d in donnees:
                        if self._unique(d, value_ids, "donnée ou paramètre"):
                            self.donnees[d.id] = self._check_donnee(d)
                case n.Section(kind=kind, criteres=criteres):
                    for c in criteres:
                        if self._unique(c, element_ids, "critère ou brique"):
                            self.criteres[c.id] = (c, kind, None)
                case n.Brique() as b:
                    if self._unique(b, element_ids, "critère ou brique"):
                        self.briques[b.id] = b
                    for c in b.criteres:
                        if self._unique(c, element_ids, "critère ou brique"):
                            self.criteres[c.id] = (c, None, b.id)
                case n.Majoration() | n.Minimum() as m:
                    if self._unique(m, element_ids, "identifiant"):
                        self.supplements[m.id] = m
                case n.Cas() as c:
                    if self._unique(c, self.cas_nodes, "cas"):
                        self.cas_nodes[c.id] = c
                case n.Prorata():
                    self.prorata_nodes.append(item)
                case n.Exercice():  # applied to the version by `--exercice` (dsl.avenants.apply_exercice)
                    self.exercice_nodes.append(item)
                case _:
                    self.error("operation-hors-avenant",
                               "une opération d'avenant ne peut figurer que dans un fichier « avenant »", item.span,
                               suggestion="commencez le fichier par « avenant id \"libellé\" » et indiquez sa « base »")

    def _unique(self, node, seen: dict, what: str) -> bool:
        first = seen.get(node.id)
        if first is not None:
            self.error("id-duplique", f"{what} « {node.id} » défini deux fois", node.id_span,
                       notes=[Note("première définition", first.id_span)], suggestion="donnez-lui un autre identifiant")
            return False
        seen[node.id] = node
        return True

    def _check_donnee(self, d: n.Donnee) -> Donnee:
        spec = d.type
        type_ = Type(spec.name, spec.choices)
        if spec.name == "choix":
            self._check_choices(spec)
        low = self._bound(spec, spec.low)
        high = self._bound(spec, spec.high)
        if spec.low is not None and spec.name not in NUMERIC_TYPES:
            self.error("intervalle-invalide", f"une donnée de type {type_} ne peut pas avoir d'intervalle « entre »",
                       spec.span, suggestion="« entre A et B » s'applique aux entiers, nombres, montants et pourcentages")
            low = high = None
        if low is not None and high is not None and low > high:
            self.error("intervalle-vide", f"intervalle vide : le minimum ({_plain(low)}) dépasse le maximum ({_plain(high)})",
                       spec.span, suggestion=f"écrivez « entre {_plain(high)} et {_plain(low)} »")
        donnee = Donnee(d.id, d.label, type_, low, high, d)
        return donnee if d.default is None else evolve(donnee, default=self._check_default(donnee, d.default))

    def _check_default(self, donnee: Donnee, value: n.Expr) -> ir.Const | None:
        """`par défaut …`: a literal of the donnée's type, within its range — as a cas writes its values."""
        return self._check_cas_value(donnee, value, "après « par défaut »")

    def _check_choices(self, spec: n.TypeSpec):
        seen: set[str] = set()
        for choice in spec.choices:
            if choice in seen:
                self.error("id-duplique", f"valeur « {choice} » répétée dans le choix", spec.span)
            seen.add(choice)

    def _bound(self, spec: n.TypeSpec, expr: n.Expr | None) -> Decimal | None:
        if expr is None or spec.name not in NUMERIC_TYPES:
            return None
        literal = expr.operand if isinstance(expr, n.Neg) else expr
        assert isinstance(literal, (n.Number, n.Money, n.Percent))  # the grammar's `_bound`
        sign = -1 if isinstance(expr, n.Neg) else 1
        if spec.name == "montant" and not isinstance(literal, n.Money):
            self.error("type-incompatible", "les bornes d'un montant s'écrivent en euros", expr.span,
                       suggestion=f"écrivez « {_plain(literal.value)} € »")
            return None
        if spec.name != "montant" and isinstance(literal, n.Money):
            self.error("type-incompatible", f"une donnée de type {spec.name} ne se borne pas par un montant", expr.span,
                       suggestion=f"écrivez « {_plain(literal.value)} » sans « € »")
            return None
        value = sign * (literal.value / 100 if isinstance(literal, n.Percent) else literal.value)
        if spec.name == "pourcentage" and isinstance(literal, n.Number) and abs(value) > 1:
            self.error("type-incompatible", f"la borne {_plain(literal.value)} d'un pourcentage, écrite sans « % », "
                       f"vaut {_plain(value * 100)} %", expr.span, suggestion=f"écrivez « {_plain(literal.value)} % »")
            return None
        if spec.name == "entier" and value != value.to_integral_value():
            self.error("type-incompatible", f"la borne {_plain(value)} d'un entier doit être un nombre entier", expr.span)
        return value

    # -- paramètres

    def _check_parametres(self) -> dict[str, Parametre]:
        result = {}
        for id, node in self.parametre_nodes.items():
            value = self.parametre_value(id)
            if value is not None:
                result[id] = Parametre(id, node.label, value, value.type, node)
        return result

    def override(self, id: str, expr: n.Expr) -> None:
        """Replace the expression of a paramètre (`--set`, a scenario) before it is lowered."""
        self.parametre_nodes[id] = evolve(self.parametre_nodes[id], value=expr)
        self.parametre_values.pop(id, None)

    def parametre_value(self, id: str) -> ir.Expr | None:
        """The lowered expression of a paramètre (once), or None when it is wrong or in a cycle."""
        if id in self.parametre_values:
            return self.parametre_values[id]
        if id in self._typing_stack:
            cycle = self._typing_stack[self._typing_stack.index(id):] + [id]
            node = self.parametre_nodes[id]
            self.error("cycle", f"dépendance circulaire entre paramètres : {' → '.join(cycle)}", node.id_span,
                       suggestion="un paramètre ne peut pas dépendre, même indirectement, de lui-même")
            for member in cycle:
                self.parametre_values[member] = None
            return None
        self._typing_stack.append(id)
        scope = Scope("parametre")
        value = self.infer(self.parametre_nodes[id].value, scope)
        self._typing_stack.pop()
        self.used_parametres |= scope.uses_parametres
        self.parametre_values.setdefault(id, value)
        return self.parametre_values[id]

    # -- critères and briques

    def _check_elements(self) -> tuple[dict[str, Critere], dict[str, Brique]]:
        criteres: dict[str, Critere] = {}
        for section in SECTIONS:
            for id, (node, kind, _) in self.criteres.items():
                if kind == section:
                    criteres[id] = self._check_critere(node, kind, None)
        briques: dict[str, Brique] = {}
        for id, brique in self.briques.items():
            briques[id] = self._check_brique(brique)
            for c in brique.criteres:
                if self.criteres.get(c.id, (None,))[0] is c:
                    criteres[c.id] = self._check_critere(c, None, id)
        return criteres, briques

    def _attributes(self, element, kind: str) -> dict[str, object]:
        """The attributes of a critère, brique, majoration or minimum (`kind`) by name: each allowed there, once,
        those required present."""
        values: dict[str, object] = {}
        first: dict[str, n.Attribute] = {}
        owner = OWNERS[kind]
        for attribute in element.attributes:
            if attribute.name not in ALLOWED[kind]:
                self._invalid_attribute(attribute, kind, element.id)
                continue
            if attribute.name in first:
                word = keywords.ATTRIBUTES[attribute.name]
                self.error("attribut-duplique", f"« {word} » donné deux fois pour {owner} « {element.id} »",
                           attribute.span, notes=[Note("première occurrence", n.parsed_span(first[attribute.name].span))],
                           suggestion="gardez-en un seul")
                continue
            first[attribute.name] = attribute
            values[attribute.name] = attribute.value
        for name in REQUIRED.get(kind, ()):
            if name not in values:
                self.error("attribut-manquant", f"{owner} « {element.id} » n'a pas de « {keywords.ATTRIBUTES[name]} »",
                           element.id_span, suggestion=f"ajoutez « {EXAMPLES[name]} »")
        if "condition" not in values and kind in ("critere", "brique"):
            self.error("condition-manquante", f"{owner} « {element.id} » n'a pas de condition", element.id_span,
                       suggestion="ajoutez « condition : … » (écrivez « condition : vrai » s'il est toujours rempli)")
        return values

    def _invalid_attribute(self, attribute: n.Attribute, kind: str, id: str) -> None:
        word = keywords.ATTRIBUTES[attribute.name]
        allowed = ", ".join(f"« {keywords.ATTRIBUTES[a]} »" for a in ALLOWED[kind])
        where = {"assiette": "une majoration", "taux": "une majoration"}.get(attribute.name)
        hint = f"« {word} » s'écrit dans {where}" if where else f"les attributs permis ici : {allowed}"
        if attribute.name == "prorata" and kind == "majoration":
            hint = "une majoration n'est pas proratisée : son assiette est faite des montants des lignes, déjà proratisés"
        self.error("attribut-invalide", f"{OWNERS[kind]} « {id} » ne peut pas avoir de « {word} »", attribute.span,
                   suggestion=hint)

    # -- majorations and minimums

    def _check_supplements(self, criteres: dict[str, Critere]) -> tuple[dict[str, Majoration], dict[str, Minimum]]:
        majorations: dict[str, Majoration] = {}
        minimums: dict[str, Minimum] = {}
        for id, node in self.supplements.items():
            if isinstance(node, n.Majoration):
                majorations[id] = self._check_majoration(node, criteres)
            else:
                minimums[id] = self._check_minimum(node)
        return majorations, minimums

    def _supplement_condition(self, node, values: dict, owner: str, scope: Scope) -> ir.Expr | None:
        if "condition" not in values:
            return ir.Const(True, BOOLEEN)
        return self._expect_condition(values["condition"], scope, f"la condition {OF[owner]} « {node.id} »")

    def _expect_kind(self, values: dict, name: str, scope: Scope, kind: str, message: str, fix: str) -> ir.Expr | None:
        if name not in values:
            return None
        value = self.infer(values[name], scope)
        if value is not None and value.type.value_kind != kind:
            self.error("type-incompatible", f"{message}, pas {an(value.type)}", values[name].span, suggestion=fix)
        return value

    def _check_majoration(self, node: n.Majoration, criteres: dict[str, Critere]) -> Majoration:
        values = self._attributes(node, "majoration")
        scope = Scope("clause")
        condition = self._supplement_condition(node, values, "la majoration", scope)
        taux = self._expect_kind(values, "taux", scope, "nombre", f"le taux de la majoration « {node.id} » doit être un "
                                 "pourcentage", "écrivez un pourcentage, par exemple « 5 % »")
        assiette = cast(n.Assiette, values.get("assiette") or n.Assiette("points_variables"))
        sections = self._assiette_sections(assiette)
        self._record(node.id, scope)
        self._warn_empty_assiette(node, assiette, sections, criteres)
        self._supplement_warnings(node, "la majoration")
        return Majoration(node.id, node.label, _partial(condition), _partial(taux), assiette.part, sections,
                          _text(values.get("reference")), node)

    def _assiette_sections(self, assiette: n.Assiette) -> tuple[str, ...]:
        sections = []
        for name in assiette.sections:
            if name in SECTIONS:
                sections.append(name)
            else:
                self.error("section-inconnue", f"section inconnue « {name} » dans l'assiette", assiette.span,
                           suggestion=suggest(name, SECTIONS) or "les sections sont « prérequis », « socle » et « options »")
        return tuple(sections) or SECTIONS

    def _warn_empty_assiette(self, node, assiette: n.Assiette, sections: tuple[str, ...], criteres: dict) -> None:
        """An assiette that no critère of its sections can pay: the majoration is always 0 €."""
        parts = {"points_variables": ("points_variables",), "points_fixes": ("points_fixes",),
                 "points": ("points_fixes", "points_variables"), "total": VALUE_ATTRIBUTES}[assiette.part]
        if any(c.section in sections and any(_writes(c, p) for p in parts) for c in criteres.values()):
            return
        where = ", ".join(f"« {keywords.SECTIONS[s]} »" for s in sections)
        self.warn("assiette-vide", f"aucun critère de {where} n'a de {keywords.ASSIETTES[assiette.part]} : la majoration "
                  f"« {node.id} » vaut toujours 0 €", assiette.span or node.id_span,
                  suggestion="choisissez une autre assiette (« points », « total ») ou d'autres sections")

    def _check_minimum(self, node: n.Minimum) -> Minimum:
        values = self._attributes(node, "minimum")
        scope = Scope("clause")
        condition = self._supplement_condition(node, values, "le minimum", scope)
        montant = self._expect_kind(values, "montant", scope, "montant", f"le montant du minimum « {node.id} » "
                                    "doit être un montant en euros", "ajoutez « € », par exemple « 20_000 € »")
        prorata = self._expect_prorata(values, scope, f"du minimum « {node.id} »")
        self._record(node.id, scope)
        self._supplement_warnings(node, "le minimum")
        return Minimum(node.id, node.label, _partial(condition), _partial(montant), prorata,
                       _text(values.get("reference")), node)

    # -- proration

    def _expect_prorata(self, values: dict, scope: Scope, owner: str) -> ir.Expr | None:
        """A `prorata :` — the version's, a line's own, or a minimum's —: a share of the year (a nombre)."""
        return self._expect_kind(values, "prorata", scope, "nombre", f"le prorata {owner} doit être une part (un "
                                 "nombre)", "par exemple « prorata : mois_adhesion / 12 »")

    def _check_prorata(self, minimums: dict[str, Minimum]) -> Prorata | None:
        """The version's `prorata : …` (once), and a warning for each minimum it leaves for the whole year."""
        if not self.prorata_nodes:
            return None
        node, *others = self.prorata_nodes
        for other in others:
            self.error("prorata-duplique", "la version a déjà un « prorata »", other.span,
                       notes=[Note("premier prorata", n.parsed_span(node.span))],
                       suggestion="gardez-en un seul : il s'applique à toutes les lignes")
        scope = Scope("clause")
        value = self._expect_prorata({"prorata": node.value}, scope, "de la version")
        self.used_donnees |= scope.uses_donnees
        self.used_parametres |= scope.uses_parametres
        for minimum in minimums.values():
            if minimum.prorata is None:
                self.warn("minimum-non-proratise", f"le minimum « {minimum.id} » garantit une année entière alors que "
                          "les lignes de la version sont proratisées", minimum.node.id_span,
                          notes=[Note("le prorata de la version", n.parsed_span(node.span))],
                          suggestion=f"ajoutez au minimum « prorata : {print_expr(node.value)} », ou « prorata : 1 » "
                          "s'il vaut pour l'année entière")
        return Prorata(_partial(value), node)

    # -- exercises

    def _check_exercices(self) -> dict[int, tuple[n.Exercice, ...]]:
        """The `exercice` blocks by year (a base's, then an avenant's); one file writes a year once."""
        years: dict[int, list[n.Exercice]] = {}
        for block in self.exercice_nodes:
            first = next((b for b in years.get(block.year, ()) if b.span is not None and block.span is not None
                          and b.span.file == block.span.file), None)
            if first is not None:
                self.error("exercice-duplique", f"les règles de l'exercice {block.year} sont déjà écrites dans ce "
                           "fichier", block.year_span, notes=[Note("premier bloc", n.parsed_span(first.year_span))],
                           suggestion="réunissez-les dans un seul bloc « exercice »")
            years.setdefault(block.year, []).append(block)
        since = self.file.header("en_vigueur")
        for block in self.exercice_nodes:
            if since is not None and block.year and block.year < since.year:
                self.error("exercice-hors-vigueur", f"la version entre en vigueur le {since.isoformat()}, après la fin "
                           f"de l'exercice {block.year} : ses règles propres à cet exercice ne s'appliqueraient jamais",
                           block.year_span, suggestion="écrivez-les dans la version en vigueur pendant cet exercice")
        return {year: tuple(blocks) for year, blocks in sorted(years.items()) if year}

    def _supplement_warnings(self, node, owner: str) -> None:
        if node.label is None:
            self.warn("libelle-manquant", f"{owner} « {node.id} » n'a pas de libellé", node.id_span,
                      suggestion=f'ajoutez un libellé après l\'identifiant : {node.id} "Libellé lisible"')

    def _check_amounts(self, element, values: dict, owner: str, scope: Scope) -> dict[str, ir.Expr | None]:
        """The condition and the amounts of a critère or brique, checked and lowered."""
        lowered: dict[str, ir.Expr | None] = {"condition": ir.Const(True, BOOLEEN)}
        condition = values.get("condition")
        if condition is not None:
            lowered["condition"] = self._expect_condition(condition, scope, f"la condition {OF[owner]} « {element.id} »")
        for name in ("points_fixes", "points_variables"):
            if name in values:
                value = lowered[name] = self.infer(values[name], scope)
                if value is not None and value.type.value_kind != "nombre":
                    self.error("type-incompatible", f"les {keywords.ATTRIBUTES[name]} doivent être un nombre de points, "
                               f"pas {an(value.type)}", values[name].span,
                               suggestion="pour une somme en euros, utilisez « montant : … »" if value.type == MONTANT else None)
        if "montant" in values:
            value = lowered["montant"] = self.infer(values["montant"], scope)
            if value is not None and value.type != MONTANT:
                self.error("type-incompatible", f"un montant s'exprime en euros, pas en {value.type}", values["montant"].span,
                           suggestion="ajoutez « € » (par exemple « 2_000 € »), ou utilisez « points fixes : … »")
        lowered["prorata"] = self._expect_prorata(values, scope, f"{OF[owner]} « {element.id} »")
        return lowered

    def _check_critere(self, node: n.Critere, section: str | None, brique: str | None) -> Critere:
        values = self._attributes(node, "critere")
        scope = Scope("clause")
        lowered = self._check_amounts(node, values, "le critère", scope)
        self._record(node.id, scope)
        if brique is not None:
            for attribute in node.attributes:
                if attribute.name in (*VALUE_ATTRIBUTES, "prorata"):
                    self.error("remuneration-dans-brique",
                               f"le critère « {node.id} » est dans la brique « {brique} » : il ne peut pas avoir de "
                               f"{keywords.ATTRIBUTES[attribute.name]} propre{'' if attribute.name == 'prorata' else 's'}",
                               attribute.span,
                               suggestion="une brique paie tout ou rien : portez la rémunération sur la brique elle-même")
        critere = Critere(node.id, node.label, section, brique, _partial(lowered["condition"]), lowered.get("points_fixes"),
                          lowered.get("points_variables"), lowered.get("montant"), _text(values.get("axe")),
                          _text(values.get("reference")), node, lowered["prorata"])
        self._element_warnings(node, values, "le critère", in_brique=brique is not None, gate_only=section == "prerequis")
        return critere

    def _check_brique(self, node: n.Brique) -> Brique:
        values = self._attributes(node, "brique")
        scope = Scope("clause")
        lowered = self._check_amounts(node, values, "la brique", scope)
        self._record(node.id, scope)
        self.dependencies[node.id] += [(c.id, None) for c in node.criteres]
        brique = Brique(node.id, node.label, _partial(lowered["condition"]), lowered.get("points_fixes"),
                        lowered.get("points_variables"), lowered.get("montant"), _text(values.get("axe")),
                        _text(values.get("reference")), tuple(c.id for c in node.criteres), node, lowered["prorata"])
        self._element_warnings(node, values, "la brique", in_brique=False, gate_only=False)
        return brique

    def _record(self, id: str, scope: Scope):
        self.used_donnees |= scope.uses_donnees
        self.used_parametres |= scope.uses_parametres
        self.dependencies[id] = list(scope.atteint)

    def _element_warnings(self, node, values: dict, owner: str, in_brique: bool, gate_only: bool):
        """Warnings on what was written: no label, nothing paid, a condition that is the same for all."""
        if node.label is None:
            self.warn("libelle-manquant", f"{owner} « {node.id} » n'a pas de libellé", node.id_span,
                      suggestion=f'ajoutez un libellé après l\'identifiant : {node.id} "Libellé lisible"')
        remunerated = any(name in values for name in VALUE_ATTRIBUTES)
        if not in_brique and not gate_only and not remunerated:  # a prérequis may only gate payment
            self.warn("sans-remuneration", f"{owner} « {node.id} » ne rapporte ni points ni montant", node.id_span,
                      suggestion="ajoutez « points fixes », « points variables » ou « montant », ou placez-le dans une brique")
        condition = values.get("condition")
        if condition is not None and not _depends_on_structure(condition, self.parametre_nodes):
            self.warn("condition-constante", f"la condition {OF[owner]} « {node.id} » ne dépend d'aucune donnée : "
                      "elle a la même valeur pour toutes les structures", condition.span)

    def _expect_condition(self, expr: n.Expr, scope: Scope, what: str) -> ir.Expr | None:
        lowered = self.infer(expr, scope)
        if lowered is not None and lowered.type != BOOLEEN:
            self.error("condition-non-booleenne", f"{what} doit être vraie ou fausse, or c'est {an(lowered.type)}",
                       expr.span, suggestion="comparez la valeur à un seuil, par exemple « … >= 1 »")
        return lowered

    # -- rules across elements

    def _check_cycles(self):
        """`atteint` must not loop (a brique also depends on each of its critères)."""
        state: dict[str, int] = {}  # 1 = being visited, 2 = done
        path: list[str] = []

        def visit(id: str):
            state[id] = 1
            path.append(id)
            for target, call in self.dependencies.get(id, ()):
                if target not in self.dependencies:
                    continue
                if state.get(target) == 1:
                    cycle = path[path.index(target):] + [target]
                    span = call.span if call is not None else self._element_span(id)
                    self.error("cycle", f"dépendance circulaire : {' → '.join(cycle)}", span,
                               suggestion="un critère ne peut pas dépendre, même indirectement, de lui-même")
                elif state.get(target) is None:
                    visit(target)
            path.pop()
            state[id] = 2

        for id in self.dependencies:
            if id not in state:
                visit(id)

    def _element_span(self, id: str):
        node = self.briques.get(id) or self.criteres[id][0]
        return node.id_span

    def _check_point_requirements(self, criteres: dict[str, Critere], briques: dict[str, Brique]):
        elements: list[Critere | Brique] = [*criteres.values(), *briques.values()]
        with_points = [e for e in elements if _writes(e, "points_fixes") or _writes(e, "points_variables")]
        if with_points:
            self._require_parametre("valeur_point", MONTANT, with_points[0], "des points",
                                    "ajoutez dans « paramètres » : valeur_point = 7 €", "valeur-point-manquante")
        variable = [e for e in elements if _writes(e, "points_variables")]
        if not variable:
            return
        first = variable[0]
        if "patientele" not in self.donnees:
            self.error("points-variables-sans-patientele",
                       f"« {first.id} » a des points variables, mais la donnée « patientele » n'est pas déclarée",
                       _attribute_span(first.node, "points_variables"),
                       suggestion='ajoutez dans « données » : patientele : entier "Patientèle médecin traitant"')
        else:
            self.used_donnees.add("patientele")
            if not self.donnees["patientele"].type.is_numeric():
                self.error("type-incompatible", "la donnée « patientele » doit être un nombre de patients",
                           self.donnees["patientele"].node.span)
        self._require_parametre("patientele_reference", NOMBRE, first, "des points variables",
                                "ajoutez dans « paramètres » : patientele_reference = 4000",
                                "points-variables-sans-patientele")
        if CAP in self.parametre_nodes:  # read by the payment rules: the ratio of every points variables is capped
            self._require_parametre(CAP, NOMBRE, first, "des points variables", "", "points-variables-sans-patientele")

    def _check_advance(self):
        """`taux_avance`, read by `eval --avance`: a share (a nombre)."""
        if ADVANCE not in self.parametre_nodes:
            return
        self.used_parametres.add(ADVANCE)
        value = self.parametre_value(ADVANCE)
        if value is not None and value.type.value_kind != "nombre":
            self.error("type-incompatible", f"le paramètre « {ADVANCE} » est la part de l'avance : un pourcentage, "
                       f"pas {an(value.type)}", self.parametre_nodes[ADVANCE].value.span,
                       suggestion="par exemple « taux_avance = 60 % »")
        elif isinstance(value, ir.Const) and not 0 <= value.value <= 1:  # `60` for `60 %`: an advance of 6 000 %
            written = self.parametre_nodes[ADVANCE].value
            self.error("hors-intervalle", f"le paramètre « {ADVANCE} » vaut {_plain(value.value * 100)} % : la part "
                       "de l'avance est entre 0 % et 100 %", written.span,
                       suggestion=f"écrivez « {ADVANCE} = {print_expr(written)} % »" if isinstance(written, n.Number)
                       else "donnez une part entre 0 % et 100 %")

    def _require_parametre(self, id: str, type_: Type, element, what: str, fix: str, code: str):
        if id not in self.parametre_nodes:
            attribute = "points_variables" if id == "patientele_reference" else None
            span = _attribute_span(element.node, attribute) if attribute else element.node.id_span
            self.error(code, f"« {element.id} » a {what}, mais le paramètre « {id} » n'est pas défini", span,
                       suggestion=fix)
            return
        self.used_parametres.add(id)
        actual = self.parametre_values.get(id)
        if actual is not None and actual.type.value_kind != type_.value_kind:
            self.error("type-incompatible", f"le paramètre « {id} » doit être {an(type_)}, pas {an(actual.type)}",
                       self.parametre_nodes[id].value.span)

    # -- cas

    def _check_cas(self) -> list[Cas]:
        result = []
        for node in self.cas_nodes.values():
            donnees = self._check_cas_donnees(node)
            attendu = tuple(self._expect_condition(expr, Scope("attendu"), "une assertion d'« attendu »")
                            for expr in node.attendu or ())
            result.append(Cas(node.id, node.label, donnees, tuple(_partial(a) for a in attendu), node))
        return result

    def _check_cas_donnees(self, node: n.Cas) -> dict[str, ir.Const]:
        values: dict[str, ir.Const] = {}
        first: dict[str, n.Assignment] = {}
        for assignment in node.donnees or ():
            if assignment.id in first:
                self.error("id-duplique", f"la donnée « {assignment.id} » est donnée deux fois dans le cas « {node.id} »",
                           assignment.id_span, notes=[Note("première valeur", n.parsed_span(first[assignment.id].span))])
                continue
            first[assignment.id] = assignment
        inherited = self._inherited_assignments(node, (node.id,)) if node.base else []
        if inherited is None:  # the cas it names is unknown or loops: said once, not again as missing données
            return values
        for assignment in [*(a for a in inherited if a.id not in first and a.id in self.donnees), *first.values()]:
            donnee = self.donnees.get(assignment.id)
            if donnee is None:
                self.error("donnee-inconnue", f"donnée inconnue « {assignment.id} »", assignment.id_span,
                           suggestion=suggest(assignment.id, self.donnees) or "déclarez-la dans « données { … } »")
                continue
            value = self._check_cas_value(donnee, assignment.value)
            if value is not None:
                values[assignment.id] = value
        given = set(first) | {a.id for a in inherited}
        defaults = {id: d.default for id, d in self.donnees.items() if id not in given and d.node.default is not None}
        values.update((id, default) for id, default in defaults.items() if default is not None)
        missing = [d for d in self.donnees if d not in given and d not in defaults]
        if missing:
            listed = ", ".join(f"« {d} »" for d in missing)
            self.error("cas-donnee-manquante", f"le cas « {node.id} » ne donne pas : {listed}", node.id_span,
                       suggestion="un cas décrit une structure entière : donnez une valeur à chaque donnée"
                       + ("" if node.base else f", ou partez d'un autre cas : « cas {node.id} comme autre_cas »"))
        return values

    def _inherited_assignments(self, node: n.Cas, path: tuple[str, ...], own: bool = True) -> list[n.Assignment] | None:
        """The données `comme` gives a cas: those of the cas it names (itself built so), the last written winning.
        A cas names one of its own file first, then one of the bases; a cas of a base names only the bases'."""
        assert node.base is not None  # called only for a cas written « comme … »
        base = self._cas_named(node.base, own and node.base != node.id)
        if base is None:
            if len(path) == 1:
                self.error("cas-inconnu", f"cas inconnu « {node.base} »", node.base_span,
                           suggestion=suggest(node.base, [*self.cas_nodes, *(c.id for c in self.file.inherited)]))
            return None
        if base.id in path and own and base is self.cas_nodes.get(base.id):
            cycle = path[path.index(base.id):]
            if frozenset(cycle) not in self.cas_cycles:
                self.cas_cycles.add(frozenset(cycle))
                self.error("cycle", f"les cas héritent en boucle : {' → '.join([*cycle, base.id])}", node.base_span,
                           suggestion="un cas ne peut pas partir, même indirectement, de lui-même")
            return None
        is_own = base is self.cas_nodes.get(base.id)
        inherited = self._inherited_assignments(base, (*path, base.id), is_own) if base.base else []
        if inherited is None:
            return None
        written = {a.id for a in base.donnees or ()}
        return [*(a for a in inherited if a.id not in written), *(base.donnees or ())]

    def _cas_named(self, id: str, own: bool) -> n.Cas | None:
        if own and id in self.cas_nodes:
            return self.cas_nodes[id]
        return next((c for c in self.file.inherited if c.id == id), None)

    def _check_cas_value(self, donnee: Donnee, value: n.Expr, where: str = "dans un cas") -> ir.Const | None:
        """A cas gives literal values, of the donnée's type and within its range: their IR constant (`where`:
        what the message says the value is written in)."""
        literal = value.operand if isinstance(value, n.Neg) else value
        type_ = donnee.type
        if type_.kind == "choix":
            if not isinstance(value, n.Name):
                self.error("type-incompatible", f"« {donnee.id} » attend une valeur parmi {', '.join(type_.choices)}",
                           value.span)
            elif value.id not in type_.choices:
                self.error("valeur-choix-inconnue", f"« {value.id} » n'est pas une valeur de « {donnee.id} » ({type_})",
                           value.span, suggestion=suggest(value.id, type_.choices))
            else:
                return ir.Const(value.id, type_, source=value)
            return None
        expected = {"booleen": n.Bool, "date": n.DateLit, "montant": n.Money, "pourcentage": n.Percent}.get(type_.kind, n.Number)
        if not isinstance(literal, n.LITERALS) or (literal is not value and not isinstance(literal, (n.Number, n.Money, n.Percent))):
            self.error("type-incompatible", f"la valeur d'une donnée {where} doit être écrite littéralement",
                       value.span, suggestion="écrivez la valeur elle-même : 4000, 7 €, 50 %, vrai, 2024-01-01")
            return None
        if not isinstance(literal, expected):
            self.error("type-incompatible", f"« {donnee.id} » est de type {type_}, la valeur donnée ne l'est pas",
                       value.span, suggestion=_literal_hint(type_))
            return None
        if isinstance(literal, (n.Bool, n.DateLit)):
            return ir.Const(literal.value, type_, source=value)
        number = literal.value / 100 if isinstance(literal, n.Percent) else literal.value
        number = -number if literal is not value else number
        if type_.kind == "entier" and number != number.to_integral_value():
            self.error("type-incompatible", f"« {donnee.id} » est un entier, pas {_plain(number)}", value.span)
            return None
        if (donnee.low is not None and number < donnee.low) or (donnee.high is not None and number > donnee.high):
            self.error("hors-intervalle", f"{_plain(number)} est hors de l'intervalle de « {donnee.id} » "
                       f"(entre {_plain(donnee.low)} et {_plain(donnee.high)})", value.span,
                       suggestion=None if where == "dans un cas" else
                       f"donnez une valeur entre {_plain(donnee.low)} et {_plain(donnee.high)}")
            return None
        return ir.Const(number, type_, source=value)

    # -- warnings on the whole file

    def _warn_unused(self):
        for id, donnee in self.donnees.items():
            if id in self.used_donnees:
                continue
            if not self._warn_dropped(id, donnee.node, "la donnée", "donnée", "supprimez-la"):
                self.warn("donnee-inutilisee", f"la donnée « {id} » n'est utilisée par aucun critère ni aucune brique",
                          donnee.node.id_span, suggestion="supprimez-la, ou utilisez-la dans une condition")
        for id, node in self.parametre_nodes.items():
            if id in self.used_parametres:
                continue
            if not self._warn_dropped(id, node, "le paramètre", "paramètre", "supprimez-le"):
                self.warn("parametre-inutilise", f"le paramètre « {id} » n'est utilisé nulle part", node.id_span,
                          suggestion="supprimez-le, ou utilisez-le dans une condition ou un montant")

    def _warn_dropped(self, id: str, node, what: str, keyword: str, remove: str) -> bool:
        """An unused donnée or paramètre of a base that an avenant operation stopped using: reported at that
        operation, which is where the avenant should remove it too."""
        op = self.dropped.get(id)
        if op is None or node.id_span is None or op.span is None or op.span.file == node.id_span.file:
            return False
        code = "donnee-inutilisee" if keyword == "donnée" else "parametre-inutilise"
        cause = DROPPING.get(type(op), "la modification")
        if isinstance(op, (n.Remove, n.Prorata)):
            span = op.span
        else:
            span = op.id_span
        self.warn(code, f"{what} « {id} » n'est plus utilisé{'e' if keyword == 'donnée' else ''} par aucun critère "
                  f"ni aucune brique depuis {cause} de « {getattr(op, 'id', 'prorata')} »", span,
                  notes=[Note(f"{what} « {id} » est déclaré{'e' if keyword == 'donnée' else ''} ici", node.id_span)],
                  suggestion=f"{remove} aussi : « supprime {keyword} {id} »")
        return True

    # ---- expression typing and lowering to the IR ------------------------------------------------

    def infer(self, expr: n.Expr, scope: Scope) -> ir.Expr | None:
        """The expression lowered to the IR (its type known, its names resolved), or None when it is
        wrong (and reported). A node whose parts are wrong may still come back, with None parts:
        its own type is known, so that the expressions around it are not reported again."""
        match expr:
            case n.Number(value=v):
                return ir.Const(v, NOMBRE, source=expr)
            case n.Percent(value=v):
                return ir.Const(v / 100, NOMBRE, source=expr)
            case n.Money(value=v):
                return ir.Const(v, MONTANT, source=expr)
            case n.DateLit(value=v):
                return ir.Const(v, DATE, source=expr)
            case n.Bool(value=v):
                return ir.Const(v, BOOLEEN, source=expr)
            case n.Name():
                return self._infer_name(expr, scope)
            case n.Call():
                return self._infer_call(expr, scope)
            case n.Neg(operand=operand):
                inner = self.infer(operand, scope)
                if inner is not None and inner.type.value_kind not in ("nombre", "montant"):
                    self.error("type-incompatible", f"« - » s'applique à un nombre ou un montant, pas à {an(inner.type)}",
                               expr.span)
                    return None
                return inner and ir.Negate(inner, Type(inner.type.value_kind), source=expr)
            case n.Not(operand=operand):
                inner = self._expect(operand, scope, BOOLEEN, "« non » s'applique à une condition")
                return ir.Not(_partial(inner), source=expr)
            case n.Logic(op=op, left=left, right=right):
                a = self._expect(left, scope, BOOLEEN, f"« {op} » relie deux conditions")
                b = self._expect(right, scope, BOOLEEN, f"« {op} » relie deux conditions")
                return ir.Logic(op, _partial(a), _partial(b), source=expr)
            case n.BinOp():
                return self._infer_arithmetic(expr, scope)
            case n.Compare():
                return self._infer_comparison(expr, scope)
            case n.Within():
                return self._infer_within(expr, scope)
            case n.If(condition=condition, then=then, otherwise=otherwise):
                c = self._expect(condition, scope, BOOLEEN, "la condition de « si » doit être vraie ou fausse")
                a, b = self.infer(then, scope), self.infer(otherwise, scope)
                if a is not None and b is not None and a.type.value_kind != b.type.value_kind:
                    self.error("type-incompatible", f"« alors » donne {an(a.type)} mais « sinon » {an(b.type)}", expr.span,
                               suggestion="les deux branches doivent être du même type")
                    return None
                if a is None or b is None:
                    return None
                return ir.Choose(_partial(c), a, b, Type(a.type.value_kind, a.type.choices), source=expr)
        raise AssertionError(f"unknown expression {expr!r}")

    def _expect(self, expr: n.Expr, scope: Scope, wanted: Type, why: str) -> ir.Expr | None:
        lowered = self.infer(expr, scope)
        if lowered is not None and lowered.type.value_kind != wanted.value_kind:
            code = "condition-non-booleenne" if wanted == BOOLEEN else "type-incompatible"
            self.error(code, f"{why} : ceci est {an(lowered.type)}", expr.span)
        return lowered

    def _infer_name(self, expr: n.Name, scope: Scope) -> ir.Expr | None:
        id = expr.id
        if id in self.donnees:
            if scope.mode == "parametre":
                self.error("parametre-non-constant", f"un paramètre ne peut pas dépendre de la donnée « {id} »", expr.span,
                           suggestion="un paramètre a la même valeur pour toutes les structures ; utilisez la donnée dans le critère")
                return None
            scope.uses_donnees.add(id)
            return ir.DonneeRef(id, self.donnees[id].type, source=expr)
        if id in self.parametre_nodes:
            scope.uses_parametres.add(id)
            value = self.parametre_value(id)
            return value and ir.ParametreRef(id, value.type, source=expr)
        if id in ATTENDU_NAMES:
            if scope.mode != "attendu":
                self.error("attendu-seulement", f"« {id} » ne s'emploie que dans un bloc « attendu »", expr.span,
                           suggestion="dans un critère, utilisez « atteint(id) » pour dépendre d'un autre critère")
                return None
            if id == "avance" and ADVANCE not in self.parametre_nodes:
                self.error("avance-sans-taux", "« avance » : la version ne dit pas la part de l'avance, elle n'a pas "
                           f"de paramètre « {ADVANCE} »", expr.span,
                           suggestion=f"ajoutez dans « paramètres » : {ADVANCE} = 60 %")
                return None
            return ir.ResultRef(id, Type(ATTENDU_NAMES[id]), source=expr)
        candidates = [*self.donnees, *self.parametre_nodes, *(ATTENDU_NAMES if scope.mode == "attendu" else ())]
        notes = self._removal_note(id)
        declare = "déclarez-le dans « paramètres { … } »" if scope.mode == "parametre" else \
            "déclarez-la dans « données { … } »"
        self.error("donnee-inconnue", f"donnée inconnue « {id} »", expr.span,
                   suggestion=suggest(id, candidates) or (None if notes else declare), notes=notes)
        return None

    def _removal_note(self, id: str) -> tuple[Note, ...]:
        span = self.removed.get(id)
        return (Note(f"un avenant supprime « {id} » ici", span),) if span is not None else ()

    def _infer_call(self, expr: n.Call, scope: Scope) -> ir.Expr | None:
        func = expr.func
        if func not in FUNCTIONS:
            self.error("fonction-inconnue", f"fonction inconnue « {func} »", expr.span,
                       suggestion=suggest(func, FUNCTIONS) or "fonctions : min, max, arrondi, atteint")
            return None
        if func in ("min", "max"):
            return self._infer_extremum(expr, scope)
        if func == "arrondi":
            return self._infer_round(expr, scope)
        if func == "tirage":
            return self._infer_draw(expr, scope)
        if func == "atteint" and scope.mode == "scenario":
            self.error("atteint-dans-scenario", "« atteint(…) » ne s'emploie pas dans un scénario : ses données sont "
                       "calculées avant qu'aucun critère ne soit décidé", expr.span,
                       suggestion="écrivez la condition du critère avec les données elles-mêmes")
            return None
        target = self._element_argument(expr, lines=func != "atteint")
        if target is None:
            return None
        if func == "atteint":
            if scope.mode == "parametre":
                self.error("parametre-non-constant", "un paramètre ne peut pas dépendre de « atteint(…) »", expr.span)
                return None
            scope.atteint.append((target, expr))
            return ir.Met(target, source=expr)
        if scope.mode != "attendu":
            self.error("attendu-seulement", f"« {func}(…) » ne s'emploie que dans un bloc « attendu »", expr.span,
                       suggestion="dans un critère, utilisez « atteint(id) » pour dépendre d'un autre critère")
            return None
        return ir.LineRef(func, target, Type(ATTENDU_FUNCTIONS[func]), source=expr)

    def _infer_draw(self, expr: n.Call, scope: Scope) -> ir.Expr | None:
        """`tirage(p)`: true for a share p of the structures, in a scenario's données only."""
        if scope.mode != "scenario":
            self.error("tirage-hors-scenario", "« tirage(…) » ne s'emploie que dans les données d'un scénario", expr.span,
                       suggestion="une convention décrit des règles, pas des hypothèses : écrivez le tirage dans un "
                       "fichier « scénario »")
            return None
        if len(expr.args) != 1:
            self.error("arguments", "« tirage » prend une part, par exemple « tirage(40 %) »", expr.span)
            return None
        share = self.infer(expr.args[0], scope)
        if share is not None and share.type.value_kind != "nombre":
            self.error("type-incompatible", f"« tirage » attend une part (un pourcentage), pas {an(share.type)}",
                       expr.args[0].span, suggestion="par exemple « tirage(40 %) »")
            return None
        problem = self._share_problem(expr.args[0], frozenset())
        if problem is not None:
            self.error("tirage-part", problem[1], problem[0].span, suggestion=problem[2])
            return None
        return share and ir.Draw(share, scope.salt, source=expr)

    def _share_problem(self, written: n.Expr, seen: frozenset[str]) -> tuple[n.Expr, str, str] | None:
        """Why the argument of `tirage` is not a share between 0 % and 100 % written as one (a `%`
        literal, a pourcentage donnée bounded within 0 % and 100 %, a paramètre written so, or a choice
        between such shares), or None. A plain `40` would draw every structure: it is refused."""
        match written:
            case n.Percent(value=value) if 0 <= value <= 100:
                return None
            case n.Percent() | n.Neg(operand=n.Percent()):
                return written, f"« tirage » tire une part des structures, entre 0 % et 100 % : « {print_expr(written)} » " \
                    "n'en est pas une", "écrivez une part entre 0 % et 100 %, par exemple « tirage(40 %) »"
            case n.Number(value=value):
                return written, f"« tirage » attend une part en pourcentage : « {print_expr(written)} » est un nombre, " \
                    "sans « % »", f"écrivez « tirage({_plain(value * 100 if value <= 1 else value)} %) »"
            case n.If(then=then, otherwise=otherwise):
                return self._share_problem(then, seen) or self._share_problem(otherwise, seen)
            case n.Call(func="min" | "max", args=args):
                return next((p for p in (self._share_problem(a, seen) for a in args) if p is not None), None)
            case n.Name(id=id) if id in self.donnees:
                donnee = self.donnees[id]
                if donnee.type.kind == "pourcentage" and donnee.low is not None and donnee.high is not None \
                        and 0 <= donnee.low and donnee.high <= 1:
                    return None
                return written, f"« tirage » attend une part entre 0 % et 100 % : la donnée « {id} » n'est pas un " \
                    "pourcentage borné ainsi", f"déclarez-la « {id} : pourcentage entre 0 % et 100 % »"
            case n.Name(id=id) if id in self.parametre_nodes and id not in seen:
                found = self._share_problem(self.parametre_nodes[id].value, seen | {id})
                if found is None:
                    return None
                shown = print_expr(self.parametre_nodes[id].value)
                return written, f"« tirage » attend une part en pourcentage : le paramètre « {id} » vaut « {shown} », " \
                    "qui n'en est pas une", f"écrivez-le en pourcentage, entre 0 % et 100 % ({found[2]})"
            case n.Name():
                return None  # unknown or in a cycle: reported where it is lowered
        return written, "« tirage » attend une part écrite en pourcentage : « 40 % », une donnée pourcentage entre " \
            "0 % et 100 %, un paramètre écrit ainsi, ou « si … alors 40 % sinon 20 % »", \
            "calculez la part dans un paramètre, ou écrivez-la directement, par exemple « tirage(40 %) »"

    def _element_argument(self, expr: n.Call, lines: bool = False) -> str | None:
        """The critère or brique a call names (`lines`: or the majoration or minimum, for `montant(id)`)."""
        if len(expr.args) != 1 or not isinstance(expr.args[0], n.Name):
            self.error("arguments", f"« {expr.func} » attend l'identifiant d'un critère ou d'une brique, par exemple "
                       f"« {expr.func}(rcp) »", expr.span)
            return None
        target = expr.args[0].id
        if lines and target in self.supplements:
            return target
        if target in self.supplements:
            self.error("critere-inconnu", f"« {target} » est une majoration ou un minimum : « atteint » s'applique aux "
                       "critères et aux briques", expr.args[0].span,
                       suggestion="écrivez la condition elle-même, ou « montant(id) » dans un bloc « attendu »")
            return None
        if target not in self.criteres and target not in self.briques:
            self.error("critere-inconnu", f"critère ou brique inconnu « {target} »", expr.args[0].span,
                       suggestion=suggest(target, [*self.criteres, *self.briques]), notes=self._removal_note(target))
            return None
        return target

    def _infer_extremum(self, expr: n.Call, scope: Scope) -> ir.Expr | None:
        if len(expr.args) < 2:
            self.error("arguments", f"« {expr.func} » compare au moins deux valeurs, par exemple « {expr.func}(nb, 8) »",
                       expr.span)
            return None
        maybe = [self.infer(a, scope) for a in expr.args]
        args = [a for a in maybe if a is not None]
        if len(args) < len(maybe):
            return None
        kinds = {a.type.value_kind for a in args}
        if len(kinds) > 1 or not kinds <= {"nombre", "montant", "date"}:
            self.error("type-incompatible", f"« {expr.func} » compare des valeurs de même type, ici : "
                       f"{', '.join(str(a.type) for a in args)}", expr.span, suggestion=self._money_hint(kinds))
            return None
        return ir.Extremum(expr.func, tuple(args), Type(kinds.pop()), source=expr)

    def _infer_round(self, expr: n.Call, scope: Scope) -> ir.Expr | None:
        if len(expr.args) not in (1, 2):
            self.error("arguments", "« arrondi » prend une valeur, et éventuellement un nombre de décimales : "
                       "« arrondi(x) » ou « arrondi(x, 2) »", expr.span)
            return None
        inner = self.infer(expr.args[0], scope)
        digits = 0
        if len(expr.args) == 2:
            written = expr.args[1]
            if not isinstance(written, n.Number) or written.value != written.value.to_integral_value() or written.value > 10:
                self.error("arguments", "le nombre de décimales d'« arrondi » s'écrit comme un entier entre 0 et 10",
                           written.span)
            else:
                digits = int(written.value)
        if inner is not None and inner.type.value_kind not in ("nombre", "montant"):
            self.error("type-incompatible", f"« arrondi » s'applique à un nombre ou un montant, pas à {an(inner.type)}",
                       expr.args[0].span)
            return None
        return inner and ir.Round(inner, digits, inner.type, source=expr)

    def _infer_arithmetic(self, expr: n.BinOp, scope: Scope) -> ir.Expr | None:
        left, right = self.infer(expr.left, scope), self.infer(expr.right, scope)
        if left is None or right is None:
            return None
        result = ARITHMETIC.get((expr.op, left.type.value_kind, right.type.value_kind))
        if result is None:
            self._mixed_types(expr, left, right, _arithmetic_message(expr.op, left.type, right.type))
            return None
        return ir.Arithmetic(expr.op, left, right, Type(result), source=expr)

    def _mixed_types(self, expr, left: ir.Expr, right: ir.Expr, message: str) -> None:
        """A type error between two operands. Between a montant and a plain number, the plain number is
        underlined and named: it is the one that lacks its unit (or its conversion)."""
        kinds = (left.type.value_kind, right.type.value_kind)
        if sorted(kinds) != ["montant", "nombre"]:
            self.error("type-incompatible", message, expr.span, suggestion=self._money_hint(set(kinds)))
            return
        number = expr.left if kinds[0] == "nombre" else expr.right
        shown = print_expr(number)
        factor = shown if isinstance(number, (n.Number, n.Name, n.Call)) else f"({shown})"
        points = f", ou convertissez des points : « {factor} * valeur_point »" if "valeur_point" in self.parametre_nodes else ""
        notes: tuple[Note, ...] = ()
        if isinstance(number, n.Number):
            fix = f"écrivez l'unité : « {shown} € »{points}"
        elif isinstance(number, n.Name) and number.id in self.parametre_nodes:
            # The unit belongs where the paramètre is declared: a factor here would multiply its value.
            declared = self.parametre_nodes[number.id]
            value = print_expr(declared.value)
            written = f"« {number.id} = {value} € »" if isinstance(declared.value, n.Number) else "une valeur en euros"
            fix = f"le paramètre « {number.id} » est un nombre : donnez-lui {written} là où il est déclaré{points}"
            notes = (Note(f"« {number.id} » est déclaré ici", n.parsed_span(declared.value.span)),)
        else:
            fix = f"multipliez-le par un montant défini en paramètre, par exemple « {factor} * montant_unitaire » avec " \
                  f"« montant_unitaire = … € » dans « paramètres »{points}"
        self.error("type-incompatible", f"{message} : « {shown} » est un nombre, sans unité", number.span, suggestion=fix,
                   notes=notes)

    def _money_hint(self, kinds: set[str]) -> str | None:
        if "date" in kinds and len(kinds) > 1:
            return "une date s'écrit AAAA-MM-JJ, par exemple 2020-01-01"
        if kinds == {"nombre", "montant"}:
            convert = " ou convertissez des points avec « valeur_point »" if "valeur_point" in self.parametre_nodes else ""
            return f"un montant se combine avec un montant : écrivez l'unité (« 5 € »){convert}"
        return None

    def _infer_comparison(self, expr: n.Compare, scope: Scope) -> ir.Expr:
        left, right = self._comparands(expr.left, expr.right, scope)
        if left is not None and right is not None:
            a, b = left.type, right.type
            if a.value_kind != b.value_kind or (a.kind == "choix" and a.choices != b.choices and b.choices):
                self._mixed_types(expr, left, right, f"on ne peut pas comparer {an(a)} à {an(b)}")
            elif expr.op not in ("=", "!=") and a.value_kind not in ("nombre", "montant", "date"):
                self.error("type-incompatible", f"« {expr.op} » ne s'applique pas à {an(a)}", expr.span,
                           suggestion="pour un booléen ou un choix, comparez avec « = » ou « != »")
        return ir.Comparison(expr.op, _partial(left), _partial(right), source=expr)

    def _comparands(self, left: n.Expr, right: n.Expr, scope: Scope) -> tuple[ir.Expr | None, ir.Expr | None]:
        """Both sides; a bare name facing a `choix` may be one of its values."""
        lowered_left = None if self._is_free_name(left) else self.infer(left, scope)
        lowered_right = self.infer_choice_value(right, None if lowered_left is None else lowered_left.type, scope)
        if lowered_left is None and self._is_free_name(left):
            lowered_left = self.infer_choice_value(left, None if lowered_right is None else lowered_right.type, scope)
        return lowered_left, lowered_right

    def _is_free_name(self, expr: n.Expr) -> TypeGuard[n.Name]:
        return isinstance(expr, n.Name) and expr.id not in self.donnees and expr.id not in self.parametre_nodes \
            and expr.id not in ATTENDU_NAMES

    def infer_choice_value(self, expr: n.Expr, other: Type | None, scope: Scope) -> ir.Expr | None:
        if not (self._is_free_name(expr) and other is not None and other.kind == "choix"):
            return self.infer(expr, scope)
        if expr.id in other.choices:
            return ir.Const(expr.id, other, source=expr)
        self.error("valeur-choix-inconnue", f"« {expr.id} » n'est pas une valeur de {other}", expr.span,
                   suggestion=suggest(expr.id, other.choices))
        return None

    def _infer_within(self, expr: n.Within, scope: Scope) -> ir.Expr:
        operand = self.infer(expr.operand, scope)
        choices = []
        for choice in expr.choices:
            lowered = self.infer_choice_value(choice, None if operand is None else operand.type, scope)
            if operand is not None and lowered is not None and lowered.type.value_kind != operand.type.value_kind:
                self.error("type-incompatible", f"« dans » compare {an(operand.type)} à {an(lowered.type)}", choice.span,
                           suggestion=self._money_hint({operand.type.value_kind, lowered.type.value_kind}))
            choices.append(lowered)
        return ir.Within(_partial(operand), tuple(_partial(c) for c in choices), source=expr)


OF = {"le critère": "du critère", "la brique": "de la brique", "la majoration": "de la majoration",
      "le minimum": "du minimum"}
DROPPING = {n.Remove: "la suppression", n.Modify: "la modification", n.Replace: "le remplacement",
            n.Parametre: "la nouvelle valeur", n.Prorata: "la nouvelle valeur"}

# (operator, left kind, right kind) → result kind
ARITHMETIC = {
    ("+", "nombre", "nombre"): "nombre", ("-", "nombre", "nombre"): "nombre",
    ("*", "nombre", "nombre"): "nombre", ("/", "nombre", "nombre"): "nombre",
    ("+", "montant", "montant"): "montant", ("-", "montant", "montant"): "montant",
    ("*", "montant", "nombre"): "montant", ("*", "nombre", "montant"): "montant",
    ("/", "montant", "nombre"): "montant", ("/", "montant", "montant"): "nombre",
}
OPERATOR_WORDS = {"+": "additionner", "-": "soustraire", "*": "multiplier", "/": "diviser"}


def an(type_: Type) -> str:
    """The kind of a value with its French article: « un nombre », « une date » (an entier or a
    pourcentage is a nombre in expressions)."""
    return f"{'une' if type_.value_kind == 'date' else 'un'} {Type(type_.value_kind, type_.choices)}"


def _arithmetic_message(op: str, left: Type, right: Type) -> str:
    if "date" in (left.value_kind, right.value_kind):
        return f"on ne peut pas {OPERATOR_WORDS[op]} des dates"
    if op == "*" and left.value_kind == right.value_kind == "montant":
        return "on ne peut pas multiplier un montant par un montant"
    return f"« {op} » entre {an(left)} et {an(right)} n'a pas de sens"


def _literal_hint(type_: Type) -> str:
    return {
        "booleen": "écrivez « vrai » ou « faux »",
        "date": "écrivez une date AAAA-MM-JJ",
        "montant": "écrivez un montant en euros, par exemple « 7 € »",
        "pourcentage": "écrivez un pourcentage, par exemple « 50 % »",
    }.get(type_.kind, "écrivez un nombre, par exemple « 4000 »")


GENERIC_WORDS = frozenset({"montant", "montants", "points", "point", "taux", "seuil", "nombre", "niveau", "part",
                           "plafond", "minimum", "maximum", "valeur", "pour", "dans", "avec", "sans", "structure",
                           "structures", "reference", "patientele", "annee", "fixe", "variable", "variables"})


def close_parametre(new: n.Parametre, existing: Mapping[str, n.Parametre]) -> str | None:
    """The existing paramètre a new one most looks like — by its name, or by the meaningful words of its
    name and label found in an existing one's, preferring a value written in the same unit — or None."""
    words = _words(new.id) | (_words(new.label) if new.label else set())
    scored = []
    for id, old in existing.items():
        theirs = _words(id) | (_words(old.label) if old.label else set())
        shared = sum(any(a == b or (min(len(a), len(b)) >= 6 and (a.startswith(b) or b.startswith(a))) for b in theirs)
                     for a in words)
        ratio = difflib.SequenceMatcher(None, new.id, id).ratio()
        if shared or ratio >= 0.75:
            same_unit = type(old.value) is type(new.value) and isinstance(new.value, (n.Money, n.Percent, n.Number))
            scored.append((shared + same_unit + (ratio >= 0.75), ratio, id))
    return max(scored)[2] if scored else None


def _words(text: str) -> set[str]:
    """The meaningful words of a name or a label, folded: « Concertation pluriprofessionnelle » → concertation…"""
    folded = unicodedata.normalize("NFD", text.lower())
    plain = "".join(c for c in folded if not unicodedata.combining(c))
    return {w for w in re.split(r"[^a-z0-9]+", plain) if len(w) >= 4 and w not in GENERIC_WORDS and not w.isdigit()}


def written_unit(expr: n.Expr) -> str | None:
    """How a constant is written: « % » for `40 %`, « nombre » for `40`, None for anything else (`7 €` is
    typed a montant: the types tell it apart)."""
    match expr:
        case n.Percent():
            return "%"
        case n.Number():
            return "nombre"
        case n.Neg(operand=operand):
            return written_unit(operand)
    return None


def unit_mismatch(old: n.Expr, new: n.Expr, id: str) -> tuple[str, str] | None:
    """A new value of a paramètre written as a plain number where the old one was a percentage, or the
    other way round (`taux = 8` for `8 %` means 800 %): the message and the fix, or None. Zero is zero."""
    before, after = written_unit(old), written_unit(new)
    if before is None or after is None or before == after or (isinstance(new, n.Number) and new.value == 0):
        return None
    shown = print_expr(new)
    if before == "%":
        value = cast(n.Number, new.operand if isinstance(new, n.Neg) else new).value
        meant = f"{'-' if isinstance(new, n.Neg) else ''}{_plain(value * 100 if value <= 1 else value)} %"
        return (f"« {id} » s'écrit en pourcentage (« {print_expr(old)} ») : « {shown} » est un nombre sans « % », "
                f"qui vaudrait {_plain(value * 100)} %", f"écrivez « {meant} »")
    percent = new.operand if isinstance(new, n.Neg) else new
    written = print_expr(percent).replace("%", "").strip()
    return (f"« {id} » s'écrit comme un nombre (« {print_expr(old)} ») : « {shown} » est un pourcentage, qui vaut "
            f"{_plain(cast(n.Percent, percent).value / 100)}", f"écrivez « {written} » sans « % »")


def _plain(value: Decimal | None) -> str:
    if value is None:
        return "…"
    text = format(value.normalize(), "f") if value == value.to_integral_value() else format(value, "f")
    return text


def _partial(expr: ir.Expr | None) -> ir.Expr:
    """An IR expression where a wrong part (None, already reported) may stand: a model with errors keeps its
    shape for the tools that read it (the language server), and is never evaluated."""
    return cast(ir.Expr, expr)


def _text(value: object) -> str | None:
    """An attribute whose value is a text (`axe`, `référence`), or None when it is not given."""
    return cast(str | None, value)


def _writes(element, attribute: str) -> bool:
    """Whether the critère or brique was written with this attribute (even if its value is wrong)."""
    return any(a.name == attribute for a in element.node.attributes)


def _attribute_span(node, name: str | None):
    for attribute in getattr(node, "attributes", ()):
        if attribute.name == name:
            return attribute.span
    return node.id_span


def _depends_on_structure(expr: n.Expr, parametres: dict) -> bool:
    """Whether an expression may vary between structures: it reads something other than paramètres."""
    return any(
        (isinstance(e, n.Name) and e.id not in parametres) or (isinstance(e, n.Call) and e.func == "atteint")
        for e in walk(expr)
    )


def walk(expr: n.Expr) -> Iterable[n.Expr]:
    """Every sub-expression of an expression, itself included (iteratively)."""
    stack = [expr]
    while stack:
        e = stack.pop()
        yield e
        stack.extend(children(e))


def children(expr: n.Expr) -> tuple[n.Expr, ...]:
    match expr:
        case n.Call(args=args):
            return args
        case n.Neg(operand=o) | n.Not(operand=o):
            return (o,)
        case n.BinOp(left=a, right=b) | n.Compare(left=a, right=b) | n.Logic(left=a, right=b):
            return (a, b)
        case n.Within(operand=o, choices=c):
            return (o, *c)
        case n.If(condition=c, then=t, otherwise=o):
            return (c, t, o)
    return ()


def _statut_hint(value: str) -> str:
    """« vouliez-vous dire … » for a misspelt status, else the two values."""
    close = suggest(value, list(keywords.STATUTS.values()) + list(keywords.STATUTS))
    if close:
        return close.replace("« signe »", "« signé »")
    return "écrivez « statut : signé » pour un texte signé, « statut : proposition » pour un projet"
