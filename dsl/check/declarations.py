"""Declarations: the file's headers, and its names gathered by id, each donnée typed.

Données, paramètres, critères, briques, majorations, minimums and cas are gathered by id into the
environment, each id once in its namespace; each donnée is typed with its range and its default. Also
the literal values a cas or a default gives a donnée. The passes after this one read the declarations
from the environment; none looks at the file's items again.
"""

from __future__ import annotations

from decimal import Decimal

from dsl import ir, keywords
from dsl import nodes as n
from dsl.check.environment import Environment
from dsl.check.wording import literal_hint, plain
from dsl.diagnostics import Note, suggest
from dsl.kinds import DONNEE, kind_of
from dsl.model import RESULT_COLUMNS, Donnee, Type
from dsl.records import evolve

NUMERIC_TYPES = ("entier", "nombre", "pourcentage", "montant")


def check_headers(env: Environment) -> None:
    """The file's headers: each once, `version` given, `statut` one of the two, `base` only in an avenant."""
    seen: dict[str, n.Header] = {}
    for header in env.file.headers:
        if header.key in seen:
            env.error(
                "en-tete-duplique",
                f"en-tête « {keywords.HEADERS[header.key]} » donné deux fois",
                header.span,
                notes=[Note("première définition", n.parsed_span(seen[header.key].span))],
            )
        seen[header.key] = header
        if header.key == "statut" and header.value not in keywords.STATUTS:
            assert isinstance(header.value, str)  # only « en vigueur » holds a date
            env.error(
                "statut-inconnu",
                f"statut inconnu « {header.value} » : une version est « signé » ou « proposition »",
                header.span,
                suggestion=statut_hint(header.value),
            )
        if header.key == "base" and env.file.kind == "convention":
            env.error(
                "en-tete-invalide",
                "« base » n'a de sens que dans un avenant",
                header.span,
                suggestion="commencez le fichier par « avenant » au lieu de « convention »",
            )
    if "version" not in seen:
        env.error(
            "en-tete-manquant",
            "la convention n'indique pas sa version",
            env.file.id_span,
            suggestion='ajoutez une ligne « version : "2017" » après l\'en-tête',
        )


# ---- the declarations, by id ---------------------------------------------------------------------------------


def collect(env: Environment) -> None:
    """Gather the declarations of the file (données, paramètres, critères, briques, cas) by id."""
    value_ids: dict[str, object] = {}  # données and paramètres share the names of expressions
    element_ids: dict[str, object] = {}  # critères and briques share the names of atteint()
    for item in env.file.items:
        match item:
            case n.ParametresBlock(parametres=parametres):
                for p in parametres:
                    if _unique(env, p, value_ids, "donnée ou paramètre"):
                        env.parametre_nodes[p.id] = p
            case n.DonneesBlock(donnees=donnees):
                for d in donnees:
                    if _unique(env, d, value_ids, "donnée ou paramètre"):
                        env.donnees[d.id] = _donnee(env, d)
            case n.Section(kind=kind, criteres=criteres):
                for c in criteres:
                    if _unique(env, c, element_ids, "critère ou brique"):
                        env.criteres[c.id] = (c, kind, None)
            case n.Brique() as b:
                if _unique(env, b, element_ids, "critère ou brique"):
                    env.briques[b.id] = b
                for c in b.criteres:
                    if _unique(env, c, element_ids, "critère ou brique"):
                        env.criteres[c.id] = (c, None, b.id)
            case _ if isinstance(item, n.Supplement):  # a majoration, a minimum: a line computed from the others
                if _unique(env, item, element_ids, "identifiant"):
                    env.supplements[item.id] = item
            case n.Cas() as c:
                if _unique(env, c, env.cas_nodes, "cas"):
                    env.cas_nodes[c.id] = c
            case n.Prorata():
                env.prorata_nodes.append(item)
            case n.Exercice():  # applied to the version by `--exercice` (dsl.avenants.apply_exercice)
                env.exercice_nodes.append(item)
            case _:
                env.error(
                    "operation-hors-avenant",
                    "une opération d'avenant ne peut figurer que dans un fichier « avenant »",
                    item.span,
                    suggestion='commencez le fichier par « avenant id "libellé" » et indiquez sa « base »',
                )


def _unique(env: Environment, node, seen: dict, what: str) -> bool:
    first = seen.get(node.id)
    if first is not None:
        env.error(
            "id-duplique",
            f"{what} « {node.id} » défini deux fois",
            node.id_span,
            notes=[Note("première définition", first.id_span)],
            suggestion="donnez-lui un autre identifiant",
        )
        return False
    seen[node.id] = node
    _not_a_result_column(env, node)
    return True


def _not_a_result_column(env: Environment, node) -> None:
    """A line (a paying kind: critère, brique, majoration, minimum) named like a column of the results, or a
    donnée named `id`, would shadow that column in every results file, report and SQL query: refused."""
    kind = kind_of(node)
    if kind is None or not (kind.pays or kind is DONNEE):
        return
    if node.id not in (RESULT_COLUMNS if kind.pays else ("id",)):
        return
    why = (
        "c'est la colonne qui nomme chaque structure d'une population et des résultats"
        if node.id == "id"
        else f"c'est une colonne de chaque fichier de résultats et de la requête SQL ({', '.join(RESULT_COLUMNS)})"
    )
    env.error(
        "id-reserve",
        f"« {node.id} » ne peut pas nommer {kind.article} : {why}, que ce nom masquerait",
        node.id_span,
        suggestion=f"renommez-le, par exemple « {node.id}_msp », ainsi que ses références",
    )


def _donnee(env: Environment, d: n.Donnee) -> Donnee:
    """A donnée declared: its type, its range (`entre A et B`) and its default (`par défaut …`)."""
    spec = d.type
    type_ = Type(spec.name, spec.choices)
    if spec.name == "choix":
        _choices(env, spec)
    low = _bound(env, spec, spec.low)
    high = _bound(env, spec, spec.high)
    if spec.low is not None and spec.name not in NUMERIC_TYPES:
        env.error(
            "intervalle-invalide",
            f"une donnée de type {type_} ne peut pas avoir d'intervalle « entre »",
            spec.span,
            suggestion="« entre A et B » s'applique aux entiers, nombres, montants et pourcentages",
        )
        low = high = None
    if low is not None and high is not None and low > high:
        env.error(
            "intervalle-vide",
            f"intervalle vide : le minimum ({plain(low)}) dépasse le maximum ({plain(high)})",
            spec.span,
            suggestion=f"écrivez « entre {plain(high)} et {plain(low)} »",
        )
    donnee = Donnee(d.id, d.label, type_, low, high, d)
    return donnee if d.default is None else evolve(donnee, default=_default(env, donnee, d.default))


def _default(env: Environment, donnee: Donnee, value: n.Expr) -> ir.Const | None:
    """`par défaut …`: a literal of the donnée's type, within its range — as a cas writes its values."""
    return literal_value(env, donnee, value, "après « par défaut »")


def _choices(env: Environment, spec: n.TypeSpec):
    seen: set[str] = set()
    for choice in spec.choices:
        if choice in seen:
            env.error("id-duplique", f"valeur « {choice} » répétée dans le choix", spec.span)
        seen.add(choice)


def _bound(env: Environment, spec: n.TypeSpec, expr: n.Expr | None) -> Decimal | None:
    if expr is None or spec.name not in NUMERIC_TYPES:
        return None
    literal = expr.operand if isinstance(expr, n.Neg) else expr
    assert isinstance(literal, (n.Number, n.Money, n.Percent))  # the grammar's `_bound`
    sign = -1 if isinstance(expr, n.Neg) else 1
    if spec.name == "montant" and not isinstance(literal, n.Money):
        env.error(
            "type-incompatible",
            "les bornes d'un montant s'écrivent en euros",
            expr.span,
            suggestion=f"écrivez « {plain(literal.value)} € »",
        )
        return None
    if spec.name != "montant" and isinstance(literal, n.Money):
        env.error(
            "type-incompatible",
            f"une donnée de type {spec.name} ne se borne pas par un montant",
            expr.span,
            suggestion=f"écrivez « {plain(literal.value)} » sans « € »",
        )
        return None
    value = sign * (literal.value / 100 if isinstance(literal, n.Percent) else literal.value)
    if spec.name == "pourcentage" and isinstance(literal, n.Number) and abs(value) > 1:
        env.error(
            "type-incompatible",
            f"la borne {plain(literal.value)} d'un pourcentage, écrite sans « % », vaut {plain(value * 100)} %",
            expr.span,
            suggestion=f"écrivez « {plain(literal.value)} % »",
        )
        return None
    if spec.name == "entier" and value != value.to_integral_value():
        env.error("type-incompatible", f"la borne {plain(value)} d'un entier doit être un nombre entier", expr.span)
    return value


# ---- literal values (a donnée's default, a cas's données) ---------------------------------------------------


def literal_value(env: Environment, donnee: Donnee, value: n.Expr, where: str = "dans un cas") -> ir.Const | None:
    """A value written for a donnée — in a cas, or as its default —: a literal of the donnée's type and within its range: their IR constant (`where`:
    what the message says the value is written in)."""
    literal = value.operand if isinstance(value, n.Neg) else value
    type_ = donnee.type
    if type_.kind == "choix":
        if not isinstance(value, n.Name):
            env.error(
                "type-incompatible", f"« {donnee.id} » attend une valeur parmi {', '.join(type_.choices)}", value.span
            )
        elif value.id not in type_.choices:
            env.error(
                "valeur-choix-inconnue",
                f"« {value.id} » n'est pas une valeur de « {donnee.id} » ({type_})",
                value.span,
                suggestion=suggest(value.id, type_.choices),
            )
        else:
            return ir.Const(value.id, type_, source=value)
        return None
    expected = {"booleen": n.Bool, "date": n.DateLit, "montant": n.Money, "pourcentage": n.Percent}.get(
        type_.kind, n.Number
    )
    if not isinstance(literal, n.LITERALS) or (
        literal is not value and not isinstance(literal, (n.Number, n.Money, n.Percent))
    ):
        env.error(
            "type-incompatible",
            f"la valeur d'une donnée {where} doit être écrite littéralement",
            value.span,
            suggestion="écrivez la valeur elle-même : 4000, 7 €, 50 %, vrai, 2024-01-01",
        )
        return None
    if not isinstance(literal, expected):
        env.error(
            "type-incompatible",
            f"« {donnee.id} » est de type {type_}, la valeur donnée ne l'est pas",
            value.span,
            suggestion=literal_hint(type_),
        )
        return None
    if isinstance(literal, (n.Bool, n.DateLit)):
        return ir.Const(literal.value, type_, source=value)
    number = literal.value / 100 if isinstance(literal, n.Percent) else literal.value
    number = -number if literal is not value else number
    if type_.kind == "entier" and number != number.to_integral_value():
        env.error("type-incompatible", f"« {donnee.id} » est un entier, pas {plain(number)}", value.span)
        return None
    if (donnee.low is not None and number < donnee.low) or (donnee.high is not None and number > donnee.high):
        env.error(
            "hors-intervalle",
            f"{plain(number)} est hors de l'intervalle de « {donnee.id} » "
            f"(entre {plain(donnee.low)} et {plain(donnee.high)})",
            value.span,
            suggestion=None
            if where == "dans un cas"
            else f"donnez une valeur entre {plain(donnee.low)} et {plain(donnee.high)}",
        )
        return None
    return ir.Const(number, type_, source=value)


def statut_hint(value: str) -> str:
    """« vouliez-vous dire … » for a misspelt status, else the two values."""
    close = suggest(value, list(keywords.STATUTS.values()) + list(keywords.STATUTS))
    if close:
        return close.replace("« signe »", "« signé »")
    return "écrivez « statut : signé » pour un texte signé, « statut : proposition » pour un projet"
