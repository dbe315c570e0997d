"""The clauses that pay: critères, briques, majorations and minimums, checked and lowered.

Each one's attributes are those its kind allows (as `dsl.kinds` describes it); its condition and amounts
are typed and lowered; warnings say what was written oddly (no label, nothing paid, a condition the same
for every structure, an empty assiette).
"""

from __future__ import annotations

from typing import Any, cast

from dsl import ir, keywords
from dsl import nodes as n
from dsl.check.environment import Environment, Scope
from dsl.check.expressions import expect_condition, expect_kind, expect_prorata, infer, partial
from dsl.check.wording import an
from dsl.diagnostics import Note, suggest
from dsl.kinds import BRIQUE, CRITERE, MAJORATION, MINIMUM, POINTS, SUPPLEMENT_KINDS, Kind
from dsl.model import BOOLEEN, MONTANT, SECTIONS, Brique, Critere, Majoration, Minimum

VALUE_ATTRIBUTES = tuple(field.attribute for field in POINTS)  # what a line is paid: its points and its montant
# How a required attribute is written, for the one that is missing.
EXAMPLES = {"assiette": "assiette : points variables", "taux": "taux : 5 %", "montant": "montant : 20_000 €"}


def check_elements(env: Environment) -> tuple[dict[str, Critere], dict[str, Brique]]:
    """The critères (section by section, then those of each brique) and the briques, checked and lowered."""
    criteres: dict[str, Critere] = {}
    for section in SECTIONS:
        for id, (node, kind, _) in env.criteres.items():
            if kind == section:
                criteres[id] = _check_critere(env, node, kind, None)
    briques: dict[str, Brique] = {}
    for id, brique in env.briques.items():
        briques[id] = _check_brique(env, brique)
        for c in brique.criteres:
            if env.criteres.get(c.id, (None,))[0] is c:
                criteres[c.id] = _check_critere(env, c, None, id)
    return criteres, briques


def _attributes(env: Environment, element, kind: Kind) -> dict[str, object]:
    """The attributes of a critère, brique, majoration or minimum by name: each allowed for its kind (`dsl.kinds`),
    once, those required present."""
    values: dict[str, object] = {}
    first: dict[str, n.Attribute] = {}
    owner = kind.definite
    for attribute in element.attributes:
        if attribute.name not in kind.attributes:
            _invalid_attribute(env, attribute, kind, element.id)
            continue
        if attribute.name in first:
            word = keywords.ATTRIBUTES[attribute.name]
            env.error(
                "attribut-duplique",
                f"« {word} » donné deux fois pour {owner} « {element.id} »",
                attribute.span,
                notes=[Note("première occurrence", n.parsed_span(first[attribute.name].span))],
                suggestion="gardez-en un seul",
            )
            continue
        first[attribute.name] = attribute
        values[attribute.name] = attribute.value
    for name in kind.required:
        if name not in values:
            env.error(
                "attribut-manquant",
                f"{owner} « {element.id} » n'a pas de « {keywords.ATTRIBUTES[name]} »",
                element.id_span,
                suggestion=f"ajoutez « {EXAMPLES[name]} »",
            )
    if "condition" not in values and kind in (CRITERE, BRIQUE):
        env.error(
            "condition-manquante",
            f"{owner} « {element.id} » n'a pas de condition",
            element.id_span,
            suggestion="ajoutez « condition : … » (écrivez « condition : vrai » s'il est toujours rempli)",
        )
    return values


def _invalid_attribute(env: Environment, attribute: n.Attribute, kind: Kind, id: str) -> None:
    word = keywords.ATTRIBUTES[attribute.name]
    allowed = ", ".join(f"« {keywords.ATTRIBUTES[a]} »" for a in kind.attributes)
    where = {"assiette": "une majoration", "taux": "une majoration"}.get(attribute.name)
    hint = f"« {word} » s'écrit dans {where}" if where else f"les attributs permis ici : {allowed}"
    if attribute.name == "prorata" and kind is MAJORATION:
        hint = "une majoration n'est pas proratisée : son assiette est faite des montants des lignes, déjà proratisés"
    env.error(
        "attribut-invalide",
        f"{kind.definite} « {id} » ne peut pas avoir de « {word} »",
        attribute.span,
        suggestion=hint,
    )


# ---- majorations and minimums ------------------------------------------------------------------------------


def check_supplements(env: Environment, criteres: dict[str, Critere]) -> dict[str, Any]:
    """The lines computed from the others (majorations, minimums), checked and lowered, by the table of the checked
    model that holds each kind (`dsl.kinds`: `majorations`, `minimums`); a majoration's assiette is read from
    `criteres`."""
    tables: dict[str, Any] = {kind.table: {} for kind in SUPPLEMENT_KINDS}
    for id, node in env.supplements.items():
        if isinstance(node, n.Majoration):
            tables[MAJORATION.table][id] = _check_majoration(env, node, criteres)
        else:
            tables[MINIMUM.table][id] = _check_minimum(env, node)
    return tables


def _supplement_condition(env: Environment, node, values: dict, kind: Kind, scope: Scope) -> ir.Expr | None:
    if "condition" not in values:
        return ir.Const(True, BOOLEEN)
    return expect_condition(env, values["condition"], scope, f"la condition {kind.of_the} « {node.id} »")


def _check_majoration(env: Environment, node: n.Majoration, criteres: dict[str, Critere]) -> Majoration:
    values = _attributes(env, node, MAJORATION)
    scope = Scope("clause")
    condition = _supplement_condition(env, node, values, MAJORATION, scope)
    taux = expect_kind(
        env,
        values,
        "taux",
        scope,
        "nombre",
        f"le taux de la majoration « {node.id} » doit être un pourcentage",
        "écrivez un pourcentage, par exemple « 5 % »",
    )
    assiette = cast(n.Assiette, values.get("assiette") or n.Assiette("points_variables"))
    sections = _assiette_sections(env, assiette)
    env.record(node.id, scope)
    _warn_empty_assiette(env, node, assiette, sections, criteres)
    _supplement_warnings(env, node, MAJORATION)
    return Majoration(
        node.id,
        node.label,
        partial(condition),
        partial(taux),
        assiette.part,
        sections,
        text(values.get("reference")),
        node,
    )


def _assiette_sections(env: Environment, assiette: n.Assiette) -> tuple[str, ...]:
    sections = []
    for name in assiette.sections:
        if name in SECTIONS:
            sections.append(name)
        else:
            env.error(
                "section-inconnue",
                f"section inconnue « {name} » dans l'assiette",
                assiette.span,
                suggestion=suggest(name, SECTIONS) or "les sections sont « prérequis », « socle » et « options »",
            )
    return tuple(sections) or SECTIONS


def _warn_empty_assiette(
    env: Environment, node, assiette: n.Assiette, sections: tuple[str, ...], criteres: dict
) -> None:
    """An assiette that no critère of its sections can pay: the majoration is always 0 €."""
    parts = {
        "points_variables": ("points_variables",),
        "points_fixes": ("points_fixes",),
        "points": ("points_fixes", "points_variables"),
        "total": VALUE_ATTRIBUTES,
    }[assiette.part]
    if any(c.section in sections and any(writes(c, p) for p in parts) for c in criteres.values()):
        return
    where = ", ".join(f"« {keywords.SECTIONS[s]} »" for s in sections)
    env.warn(
        "assiette-vide",
        f"aucun critère de {where} n'a de {keywords.ASSIETTES[assiette.part]} : la majoration "
        f"« {node.id} » vaut toujours 0 €",
        assiette.span or node.id_span,
        suggestion="choisissez une autre assiette (« points », « total ») ou d'autres sections",
    )


def _check_minimum(env: Environment, node: n.Minimum) -> Minimum:
    values = _attributes(env, node, MINIMUM)
    scope = Scope("clause")
    condition = _supplement_condition(env, node, values, MINIMUM, scope)
    montant = expect_kind(
        env,
        values,
        "montant",
        scope,
        "montant",
        f"le montant du minimum « {node.id} » doit être un montant en euros",
        "ajoutez « € », par exemple « 20_000 € »",
    )
    prorata = expect_prorata(env, values, scope, f"du minimum « {node.id} »")
    env.record(node.id, scope)
    _supplement_warnings(env, node, MINIMUM)
    return Minimum(
        node.id, node.label, partial(condition), partial(montant), prorata, text(values.get("reference")), node
    )


def _supplement_warnings(env: Environment, node, kind: Kind) -> None:
    if node.label is None:
        env.warn(
            "libelle-manquant",
            f"{kind.definite} « {node.id} » n'a pas de libellé",
            node.id_span,
            suggestion=f'ajoutez un libellé après l\'identifiant : {node.id} "Libellé lisible"',
        )


# ---- critères and briques ------------------------------------------------------------------------------------


def _check_amounts(env: Environment, element, values: dict, kind: Kind, scope: Scope) -> dict[str, ir.Expr | None]:
    """The condition and the amounts of a critère or brique, checked and lowered."""
    lowered: dict[str, ir.Expr | None] = {"condition": ir.Const(True, BOOLEEN)}
    condition = values.get("condition")
    if condition is not None:
        lowered["condition"] = expect_condition(env, condition, scope, f"la condition {kind.of_the} « {element.id} »")
    for name in ("points_fixes", "points_variables"):
        if name in values:
            value = lowered[name] = infer(env, values[name], scope)
            if value is not None and value.type.value_kind != "nombre":
                env.error(
                    "type-incompatible",
                    f"les {keywords.ATTRIBUTES[name]} doivent être un nombre de points, pas {an(value.type)}",
                    values[name].span,
                    suggestion="pour une somme en euros, utilisez « montant : … »" if value.type == MONTANT else None,
                )
    if "montant" in values:
        value = lowered["montant"] = infer(env, values["montant"], scope)
        if value is not None and value.type != MONTANT:
            env.error(
                "type-incompatible",
                f"un montant s'exprime en euros, pas en {value.type}",
                values["montant"].span,
                suggestion="ajoutez « € » (par exemple « 2_000 € »), ou utilisez « points fixes : … »",
            )
    lowered["prorata"] = expect_prorata(env, values, scope, f"{kind.of_the} « {element.id} »")
    return lowered


def _check_critere(env: Environment, node: n.Critere, section: str | None, brique: str | None) -> Critere:
    values = _attributes(env, node, CRITERE)
    scope = Scope("clause")
    lowered = _check_amounts(env, node, values, CRITERE, scope)
    env.record(node.id, scope)
    if brique is not None:
        for attribute in node.attributes:
            if attribute.name in (*VALUE_ATTRIBUTES, "prorata"):
                env.error(
                    "remuneration-dans-brique",
                    f"le critère « {node.id} » est dans la brique « {brique} » : il ne peut pas avoir de "
                    f"{keywords.ATTRIBUTES[attribute.name]} propre{'' if attribute.name == 'prorata' else 's'}",
                    attribute.span,
                    suggestion="une brique paie tout ou rien : portez la rémunération sur la brique elle-même",
                )
    critere = Critere(
        node.id,
        node.label,
        section,
        brique,
        partial(lowered["condition"]),
        lowered.get("points_fixes"),
        lowered.get("points_variables"),
        lowered.get("montant"),
        text(values.get("axe")),
        text(values.get("reference")),
        node,
        lowered["prorata"],
    )
    _element_warnings(env, node, values, CRITERE, in_brique=brique is not None, gate_only=section == "prerequis")
    return critere


def _check_brique(env: Environment, node: n.Brique) -> Brique:
    values = _attributes(env, node, BRIQUE)
    scope = Scope("clause")
    lowered = _check_amounts(env, node, values, BRIQUE, scope)
    env.record(node.id, scope)
    env.dependencies[node.id] += [(c.id, None) for c in node.criteres]
    brique = Brique(
        node.id,
        node.label,
        partial(lowered["condition"]),
        lowered.get("points_fixes"),
        lowered.get("points_variables"),
        lowered.get("montant"),
        text(values.get("axe")),
        text(values.get("reference")),
        tuple(c.id for c in node.criteres),
        node,
        lowered["prorata"],
    )
    _element_warnings(env, node, values, BRIQUE, in_brique=False, gate_only=False)
    return brique


def _element_warnings(env: Environment, node, values: dict, kind: Kind, in_brique: bool, gate_only: bool) -> None:
    """Warnings on what was written: no label, nothing paid, a condition that is the same for all."""
    if node.label is None:
        env.warn(
            "libelle-manquant",
            f"{kind.definite} « {node.id} » n'a pas de libellé",
            node.id_span,
            suggestion=f'ajoutez un libellé après l\'identifiant : {node.id} "Libellé lisible"',
        )
    remunerated = any(name in values for name in VALUE_ATTRIBUTES)
    if not in_brique and not gate_only and not remunerated:  # a prérequis may only gate payment
        env.warn(
            "sans-remuneration",
            f"{kind.definite} « {node.id} » ne rapporte ni points ni montant",
            node.id_span,
            suggestion="ajoutez « points fixes », « points variables » ou « montant », ou placez-le dans une brique",
        )
    condition = values.get("condition")
    if condition is not None and not _depends_on_structure(condition, env.parametre_nodes):
        env.warn(
            "condition-constante",
            f"la condition {kind.of_the} « {node.id} » ne dépend d'aucune donnée : "
            "elle a la même valeur pour toutes les structures",
            condition.span,
        )


def text(value: object) -> str | None:
    """An attribute whose value is a text (`axe`, `référence`), or None when it is not given."""
    return cast(str | None, value)


def writes(element, attribute: str) -> bool:
    """Whether the critère or brique was written with this attribute (even if its value is wrong)."""
    return any(a.name == attribute for a in element.node.attributes)


def attribute_span(node, name: str | None):
    """The span of a clause's attribute, or of its id when it has none so named."""
    for attribute in getattr(node, "attributes", ()):
        if attribute.name == name:
            return attribute.span
    return node.id_span


def _depends_on_structure(expr: n.Expr, parametres: dict) -> bool:
    """Whether an expression may vary between structures: it reads something other than paramètres."""
    return any(
        (isinstance(e, n.Name) and e.id not in parametres) or (isinstance(e, n.Call) and e.func == "atteint")
        for e in n.walk(expr)
    )
