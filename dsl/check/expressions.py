"""Expressions: each one typed, its names resolved, and lowered to the IR (LANGUAGE.md, « Expressions »).

`infer` is the one place where the checker reads an expression: the other passes call it (or
`expect_kind`, `expect_condition`) for the attributes they check. A paramètre's value is lowered once,
when it is first read (`parametre_value`), so that a cycle among paramètres is found wherever it starts.
Units are types here: a montant is not a nombre, and the messages say which operand lacks its « € ».
Nothing wrong cascades: an expression whose type could not be known is not reported again by the
expressions around it.
"""

from __future__ import annotations

from typing import TypeGuard, cast

from dsl import ir
from dsl import nodes as n
from dsl.check.environment import Environment, Scope
from dsl.check.wording import an, plain
from dsl.diagnostics import Note, suggest
from dsl.model import ATTENDU_FUNCTIONS, ATTENDU_NAMES, BOOLEEN, DATE, MONTANT, NOMBRE, Type
from dsl.payment import ADVANCE
from dsl.printer import print_expr

FUNCTIONS = ("min", "max", "arrondi", "atteint", "tirage", *ATTENDU_FUNCTIONS)

# (operator, left kind, right kind) → result kind
ARITHMETIC = {
    ("+", "nombre", "nombre"): "nombre",
    ("-", "nombre", "nombre"): "nombre",
    ("*", "nombre", "nombre"): "nombre",
    ("/", "nombre", "nombre"): "nombre",
    ("+", "montant", "montant"): "montant",
    ("-", "montant", "montant"): "montant",
    ("*", "montant", "nombre"): "montant",
    ("*", "nombre", "montant"): "montant",
    ("/", "montant", "nombre"): "montant",
    ("/", "montant", "montant"): "nombre",
}
OPERATOR_WORDS = {"+": "additionner", "-": "soustraire", "*": "multiplier", "/": "diviser"}


def partial(expr: ir.Expr | None) -> ir.Expr:
    """An IR expression where a wrong part (None, already reported) may stand: a model with errors keeps its
    shape for the tools that read it (the language server), and is never evaluated."""
    return cast(ir.Expr, expr)


# ---- paramètres, lowered once ------------------------------------------------------------------------------


def parametre_value(env: Environment, id: str) -> ir.Expr | None:
    """The lowered expression of a paramètre (once), or None when it is wrong or in a cycle."""
    if id in env.parametre_values:
        return env.parametre_values[id]
    if id in env.typing_stack:
        cycle = env.typing_stack[env.typing_stack.index(id) :] + [id]
        node = env.parametre_nodes[id]
        env.error(
            "cycle",
            f"dépendance circulaire entre paramètres : {' → '.join(cycle)}",
            node.id_span,
            suggestion="un paramètre ne peut pas dépendre, même indirectement, de lui-même",
        )
        for member in cycle:
            env.parametre_values[member] = None
        return None
    env.typing_stack.append(id)
    scope = Scope("parametre")
    value = infer(env, env.parametre_nodes[id].value, scope)
    env.typing_stack.pop()
    env.used_parametres |= scope.uses_parametres
    env.parametre_values.setdefault(id, value)
    return env.parametre_values[id]


# ---- what an attribute expects -------------------------------------------------------------------------------


def expect_kind(
    env: Environment, values: dict, name: str, scope: Scope, kind: str, message: str, fix: str
) -> ir.Expr | None:
    """The attribute `name` of a clause (None when it is not written), which must be of the value kind `kind`."""
    if name not in values:
        return None
    value = infer(env, values[name], scope)
    if value is not None and value.type.value_kind != kind:
        env.error("type-incompatible", f"{message}, pas {an(value.type)}", values[name].span, suggestion=fix)
    return value


def expect_condition(env: Environment, expr: n.Expr, scope: Scope, what: str) -> ir.Expr | None:
    """A condition (`what` names it in the message): true or false."""
    lowered = infer(env, expr, scope)
    if lowered is not None and lowered.type != BOOLEEN:
        env.error(
            "condition-non-booleenne",
            f"{what} doit être vraie ou fausse, or c'est {an(lowered.type)}",
            expr.span,
            suggestion="comparez la valeur à un seuil, par exemple « … >= 1 »",
        )
    return lowered


def expect_prorata(env: Environment, values: dict, scope: Scope, owner: str) -> ir.Expr | None:
    """A `prorata :` — the version's, a line's own, or a minimum's —: a share of the year (a nombre)."""
    return expect_kind(
        env,
        values,
        "prorata",
        scope,
        "nombre",
        f"le prorata {owner} doit être une part (un nombre)",
        "par exemple « prorata : mois_adhesion / 12 »",
    )


# ---- typing and lowering -------------------------------------------------------------------------------------


def infer(env: Environment, expr: n.Expr, scope: Scope) -> ir.Expr | None:
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
            return _infer_name(env, expr, scope)
        case n.Call():
            return _infer_call(env, expr, scope)
        case n.Neg(operand=operand):
            inner = infer(env, operand, scope)
            if inner is not None and inner.type.value_kind not in ("nombre", "montant"):
                env.error(
                    "type-incompatible",
                    f"« - » s'applique à un nombre ou un montant, pas à {an(inner.type)}",
                    expr.span,
                )
                return None
            return inner and ir.Negate(inner, Type(inner.type.value_kind), source=expr)
        case n.Not(operand=operand):
            inner = _expect(env, operand, scope, BOOLEEN, "« non » s'applique à une condition")
            return ir.Not(partial(inner), source=expr)
        case n.Logic(op=op, left=left, right=right):
            a = _expect(env, left, scope, BOOLEEN, f"« {op} » relie deux conditions")
            b = _expect(env, right, scope, BOOLEEN, f"« {op} » relie deux conditions")
            return ir.Logic(op, partial(a), partial(b), source=expr)
        case n.BinOp():
            return _infer_arithmetic(env, expr, scope)
        case n.Compare():
            return _infer_comparison(env, expr, scope)
        case n.Within():
            return _infer_within(env, expr, scope)
        case n.If(condition=condition, then=then, otherwise=otherwise):
            c = _expect(env, condition, scope, BOOLEEN, "la condition de « si » doit être vraie ou fausse")
            a, b = infer(env, then, scope), infer(env, otherwise, scope)
            if a is not None and b is not None and a.type.value_kind != b.type.value_kind:
                env.error(
                    "type-incompatible",
                    f"« alors » donne {an(a.type)} mais « sinon » {an(b.type)}",
                    expr.span,
                    suggestion="les deux branches doivent être du même type",
                )
                return None
            if a is None or b is None:
                return None
            return ir.Choose(partial(c), a, b, Type(a.type.value_kind, a.type.choices), source=expr)
    raise AssertionError(f"unknown expression {expr!r}")


def _expect(env: Environment, expr: n.Expr, scope: Scope, wanted: Type, why: str) -> ir.Expr | None:
    lowered = infer(env, expr, scope)
    if lowered is not None and lowered.type.value_kind != wanted.value_kind:
        code = "condition-non-booleenne" if wanted == BOOLEEN else "type-incompatible"
        env.error(code, f"{why} : ceci est {an(lowered.type)}", expr.span)
    return lowered


def _infer_name(env: Environment, expr: n.Name, scope: Scope) -> ir.Expr | None:
    id = expr.id
    if id in env.donnees:
        if scope.mode == "parametre":
            env.error(
                "parametre-non-constant",
                f"un paramètre ne peut pas dépendre de la donnée « {id} »",
                expr.span,
                suggestion="un paramètre a la même valeur pour toutes les structures ; utilisez la donnée dans le critère",
            )
            return None
        scope.uses_donnees.add(id)
        return ir.DonneeRef(id, env.donnees[id].type, source=expr)
    if id in env.parametre_nodes:
        scope.uses_parametres.add(id)
        value = parametre_value(env, id)
        return value and ir.ParametreRef(id, value.type, source=expr)
    if id in ATTENDU_NAMES:
        if scope.mode != "attendu":
            env.error(
                "attendu-seulement",
                f"« {id} » ne s'emploie que dans un bloc « attendu »",
                expr.span,
                suggestion="dans un critère, utilisez « atteint(id) » pour dépendre d'un autre critère",
            )
            return None
        if id == "avance" and ADVANCE not in env.parametre_nodes:
            env.error(
                "avance-sans-taux",
                f"« avance » : la version ne dit pas la part de l'avance, elle n'a pas de paramètre « {ADVANCE} »",
                expr.span,
                suggestion=f"ajoutez dans « paramètres » : {ADVANCE} = 60 %",
            )
            return None
        return ir.ResultRef(id, Type(ATTENDU_NAMES[id]), source=expr)
    candidates = [*env.donnees, *env.parametre_nodes, *(ATTENDU_NAMES if scope.mode == "attendu" else ())]
    notes = env.removal_note(id)
    declare = (
        "déclarez-le dans « paramètres { … } »" if scope.mode == "parametre" else "déclarez-la dans « données { … } »"
    )
    env.error(
        "donnee-inconnue",
        f"donnée inconnue « {id} »",
        expr.span,
        suggestion=suggest(id, candidates) or (None if notes else declare),
        notes=notes,
    )
    return None


def _infer_call(env: Environment, expr: n.Call, scope: Scope) -> ir.Expr | None:
    func = expr.func
    if func not in FUNCTIONS:
        env.error(
            "fonction-inconnue",
            f"fonction inconnue « {func} »",
            expr.span,
            suggestion=suggest(func, FUNCTIONS) or "fonctions : min, max, arrondi, atteint",
        )
        return None
    if func in ("min", "max"):
        return _infer_extremum(env, expr, scope)
    if func == "arrondi":
        return _infer_round(env, expr, scope)
    if func == "tirage":
        return _infer_draw(env, expr, scope)
    if func == "atteint" and scope.mode == "scenario":
        env.error(
            "atteint-dans-scenario",
            "« atteint(…) » ne s'emploie pas dans un scénario : ses données sont "
            "calculées avant qu'aucun critère ne soit décidé",
            expr.span,
            suggestion="écrivez la condition du critère avec les données elles-mêmes",
        )
        return None
    target = _element_argument(env, expr, lines=func != "atteint")
    if target is None:
        return None
    if func == "atteint":
        if scope.mode == "parametre":
            env.error("parametre-non-constant", "un paramètre ne peut pas dépendre de « atteint(…) »", expr.span)
            return None
        scope.atteint.append((target, expr))
        return ir.Met(target, source=expr)
    if scope.mode != "attendu":
        env.error(
            "attendu-seulement",
            f"« {func}(…) » ne s'emploie que dans un bloc « attendu »",
            expr.span,
            suggestion="dans un critère, utilisez « atteint(id) » pour dépendre d'un autre critère",
        )
        return None
    return ir.LineRef(func, target, Type(ATTENDU_FUNCTIONS[func]), source=expr)


def _infer_draw(env: Environment, expr: n.Call, scope: Scope) -> ir.Expr | None:
    """`tirage(p)`: true for a share p of the structures, in a scenario's données only."""
    if scope.mode != "scenario":
        env.error(
            "tirage-hors-scenario",
            "« tirage(…) » ne s'emploie que dans les données d'un scénario",
            expr.span,
            suggestion="une convention décrit des règles, pas des hypothèses : écrivez le tirage dans un "
            "fichier « scénario »",
        )
        return None
    if len(expr.args) != 1:
        env.error("arguments", "« tirage » prend une part, par exemple « tirage(40 %) »", expr.span)
        return None
    share = infer(env, expr.args[0], scope)
    if share is not None and share.type.value_kind != "nombre":
        env.error(
            "type-incompatible",
            f"« tirage » attend une part (un pourcentage), pas {an(share.type)}",
            expr.args[0].span,
            suggestion="par exemple « tirage(40 %) »",
        )
        return None
    problem = _share_problem(env, expr.args[0], frozenset())
    if problem is not None:
        env.error("tirage-part", problem[1], problem[0].span, suggestion=problem[2])
        return None
    return share and ir.Draw(share, scope.salt, source=expr)


def _share_problem(env: Environment, written: n.Expr, seen: frozenset[str]) -> tuple[n.Expr, str, str] | None:
    """Why the argument of `tirage` is not a share between 0 % and 100 % written as one (a `%`
    literal, a pourcentage donnée bounded within 0 % and 100 %, a paramètre written so, or a choice
    between such shares), or None. A plain `40` would draw every structure: it is refused."""
    match written:
        case n.Percent(value=value) if 0 <= value <= 100:
            return None
        case n.Percent() | n.Neg(operand=n.Percent()):
            return (
                written,
                f"« tirage » tire une part des structures, entre 0 % et 100 % : « {print_expr(written)} » "
                "n'en est pas une",
                "écrivez une part entre 0 % et 100 %, par exemple « tirage(40 %) »",
            )
        case n.Number(value=value):
            return (
                written,
                f"« tirage » attend une part en pourcentage : « {print_expr(written)} » est un nombre, sans « % »",
                f"écrivez « tirage({plain(value * 100 if value <= 1 else value)} %) »",
            )
        case n.If(then=then, otherwise=otherwise):
            return _share_problem(env, then, seen) or _share_problem(env, otherwise, seen)
        case n.Call(func="min" | "max", args=args):
            return next((p for p in (_share_problem(env, a, seen) for a in args) if p is not None), None)
        case n.Name(id=id) if id in env.donnees:
            donnee = env.donnees[id]
            if (
                donnee.type.kind == "pourcentage"
                and donnee.low is not None
                and donnee.high is not None
                and 0 <= donnee.low
                and donnee.high <= 1
            ):
                return None
            return (
                written,
                f"« tirage » attend une part entre 0 % et 100 % : la donnée « {id} » n'est pas un "
                "pourcentage borné ainsi",
                f"déclarez-la « {id} : pourcentage entre 0 % et 100 % »",
            )
        case n.Name(id=id) if id in env.parametre_nodes and id not in seen:
            found = _share_problem(env, env.parametre_nodes[id].value, seen | {id})
            if found is None:
                return None
            shown = print_expr(env.parametre_nodes[id].value)
            return (
                written,
                f"« tirage » attend une part en pourcentage : le paramètre « {id} » vaut « {shown} », "
                "qui n'en est pas une",
                f"écrivez-le en pourcentage, entre 0 % et 100 % ({found[2]})",
            )
        case n.Name():
            return None  # unknown or in a cycle: reported where it is lowered
    return (
        written,
        "« tirage » attend une part écrite en pourcentage : « 40 % », une donnée pourcentage entre "
        "0 % et 100 %, un paramètre écrit ainsi, ou « si … alors 40 % sinon 20 % »",
        "calculez la part dans un paramètre, ou écrivez-la directement, par exemple « tirage(40 %) »",
    )


def _element_argument(env: Environment, expr: n.Call, lines: bool = False) -> str | None:
    """The critère or brique a call names (`lines`: or the majoration or minimum, for `montant(id)`)."""
    if len(expr.args) != 1 or not isinstance(expr.args[0], n.Name):
        env.error(
            "arguments",
            f"« {expr.func} » attend l'identifiant d'un critère ou d'une brique, par exemple « {expr.func}(rcp) »",
            expr.span,
        )
        return None
    target = expr.args[0].id
    if lines and target in env.supplements:
        return target
    if target in env.supplements:
        env.error(
            "critere-inconnu",
            f"« {target} » est une majoration ou un minimum : « atteint » s'applique aux critères et aux briques",
            expr.args[0].span,
            suggestion="écrivez la condition elle-même, ou « montant(id) » dans un bloc « attendu »",
        )
        return None
    if target not in env.criteres and target not in env.briques:
        env.error(
            "critere-inconnu",
            f"critère ou brique inconnu « {target} »",
            expr.args[0].span,
            suggestion=suggest(target, [*env.criteres, *env.briques]),
            notes=env.removal_note(target),
        )
        return None
    return target


def _infer_extremum(env: Environment, expr: n.Call, scope: Scope) -> ir.Expr | None:
    if len(expr.args) < 2:
        env.error(
            "arguments", f"« {expr.func} » compare au moins deux valeurs, par exemple « {expr.func}(nb, 8) »", expr.span
        )
        return None
    maybe = [infer(env, a, scope) for a in expr.args]
    args = [a for a in maybe if a is not None]
    if len(args) < len(maybe):
        return None
    kinds = {a.type.value_kind for a in args}
    if len(kinds) > 1 or not kinds <= {"nombre", "montant", "date"}:
        env.error(
            "type-incompatible",
            f"« {expr.func} » compare des valeurs de même type, ici : {', '.join(str(a.type) for a in args)}",
            expr.span,
            suggestion=_money_hint(env, kinds),
        )
        return None
    return ir.Extremum(expr.func, tuple(args), Type(kinds.pop()), source=expr)


def _infer_round(env: Environment, expr: n.Call, scope: Scope) -> ir.Expr | None:
    if len(expr.args) not in (1, 2):
        env.error(
            "arguments",
            "« arrondi » prend une valeur, et éventuellement un nombre de décimales : "
            "« arrondi(x) » ou « arrondi(x, 2) »",
            expr.span,
        )
        return None
    inner = infer(env, expr.args[0], scope)
    digits = 0
    if len(expr.args) == 2:
        written = expr.args[1]
        if (
            not isinstance(written, n.Number)
            or written.value != written.value.to_integral_value()
            or written.value > 10
        ):
            env.error(
                "arguments", "le nombre de décimales d'« arrondi » s'écrit comme un entier entre 0 et 10", written.span
            )
        else:
            digits = int(written.value)
    if inner is not None and inner.type.value_kind not in ("nombre", "montant"):
        env.error(
            "type-incompatible",
            f"« arrondi » s'applique à un nombre ou un montant, pas à {an(inner.type)}",
            expr.args[0].span,
        )
        return None
    return inner and ir.Round(inner, digits, inner.type, source=expr)


def _infer_arithmetic(env: Environment, expr: n.BinOp, scope: Scope) -> ir.Expr | None:
    left, right = infer(env, expr.left, scope), infer(env, expr.right, scope)
    if left is None or right is None:
        return None
    result = ARITHMETIC.get((expr.op, left.type.value_kind, right.type.value_kind))
    if result is None:
        _mixed_types(env, expr, left, right, _arithmetic_message(expr.op, left.type, right.type))
        return None
    return ir.Arithmetic(expr.op, left, right, Type(result), source=expr)


def _mixed_types(env: Environment, expr, left: ir.Expr, right: ir.Expr, message: str) -> None:
    """A type error between two operands. Between a montant and a plain number, the plain number is
    underlined and named: it is the one that lacks its unit (or its conversion)."""
    kinds = (left.type.value_kind, right.type.value_kind)
    if sorted(kinds) != ["montant", "nombre"]:
        env.error("type-incompatible", message, expr.span, suggestion=_money_hint(env, set(kinds)))
        return
    number = expr.left if kinds[0] == "nombre" else expr.right
    shown = print_expr(number)
    factor = shown if isinstance(number, (n.Number, n.Name, n.Call)) else f"({shown})"
    points = (
        f", ou convertissez des points : « {factor} * valeur_point »" if "valeur_point" in env.parametre_nodes else ""
    )
    notes: tuple[Note, ...] = ()
    if isinstance(number, n.Number):
        fix = f"écrivez l'unité : « {shown} € »{points}"
    elif isinstance(number, n.Name) and number.id in env.parametre_nodes:
        # The unit belongs where the paramètre is declared: a factor here would multiply its value.
        declared = env.parametre_nodes[number.id]
        value = print_expr(declared.value)
        written = f"« {number.id} = {value} € »" if isinstance(declared.value, n.Number) else "une valeur en euros"
        fix = f"le paramètre « {number.id} » est un nombre : donnez-lui {written} là où il est déclaré{points}"
        notes = (Note(f"« {number.id} » est déclaré ici", n.parsed_span(declared.value.span)),)
    else:
        fix = (
            f"multipliez-le par un montant défini en paramètre, par exemple « {factor} * montant_unitaire » avec "
            f"« montant_unitaire = … € » dans « paramètres »{points}"
        )
    env.error(
        "type-incompatible",
        f"{message} : « {shown} » est un nombre, sans unité",
        number.span,
        suggestion=fix,
        notes=notes,
    )


def _money_hint(env: Environment, kinds: set[str]) -> str | None:
    if "date" in kinds and len(kinds) > 1:
        return "une date s'écrit AAAA-MM-JJ, par exemple 2020-01-01"
    if kinds == {"nombre", "montant"}:
        convert = " ou convertissez des points avec « valeur_point »" if "valeur_point" in env.parametre_nodes else ""
        return f"un montant se combine avec un montant : écrivez l'unité (« 5 € »){convert}"
    return None


def _infer_comparison(env: Environment, expr: n.Compare, scope: Scope) -> ir.Expr:
    left, right = _comparands(env, expr.left, expr.right, scope)
    if left is not None and right is not None:
        a, b = left.type, right.type
        if a.value_kind != b.value_kind or (a.kind == "choix" and a.choices != b.choices and b.choices):
            _mixed_types(env, expr, left, right, f"on ne peut pas comparer {an(a)} à {an(b)}")
        elif expr.op not in ("=", "!=") and a.value_kind not in ("nombre", "montant", "date"):
            env.error(
                "type-incompatible",
                f"« {expr.op} » ne s'applique pas à {an(a)}",
                expr.span,
                suggestion="pour un booléen ou un choix, comparez avec « = » ou « != »",
            )
    return ir.Comparison(expr.op, partial(left), partial(right), source=expr)


def _comparands(env: Environment, left: n.Expr, right: n.Expr, scope: Scope) -> tuple[ir.Expr | None, ir.Expr | None]:
    """Both sides; a bare name facing a `choix` may be one of its values."""
    lowered_left = None if _is_free_name(left, env) else infer(env, left, scope)
    lowered_right = _choice_value(env, right, None if lowered_left is None else lowered_left.type, scope)
    if lowered_left is None and _is_free_name(left, env):
        lowered_left = _choice_value(env, left, None if lowered_right is None else lowered_right.type, scope)
    return lowered_left, lowered_right


def _is_free_name(expr: n.Expr, env: Environment) -> TypeGuard[n.Name]:
    """A name that is not a donnée, a paramètre or a result: perhaps a value of a `choix` (the expression comes
    first: a type guard narrows its first argument)."""
    return (
        isinstance(expr, n.Name)
        and expr.id not in env.donnees
        and expr.id not in env.parametre_nodes
        and expr.id not in ATTENDU_NAMES
    )


def _choice_value(env: Environment, expr: n.Expr, other: Type | None, scope: Scope) -> ir.Expr | None:
    """An expression facing a value of type `other`: a free name facing a `choix` is one of its values."""
    if not (_is_free_name(expr, env) and other is not None and other.kind == "choix"):
        return infer(env, expr, scope)
    if expr.id in other.choices:
        return ir.Const(expr.id, other, source=expr)
    env.error(
        "valeur-choix-inconnue",
        f"« {expr.id} » n'est pas une valeur de {other}",
        expr.span,
        suggestion=suggest(expr.id, other.choices),
    )
    return None


def _infer_within(env: Environment, expr: n.Within, scope: Scope) -> ir.Expr:
    operand = infer(env, expr.operand, scope)
    choices = []
    for choice in expr.choices:
        lowered = _choice_value(env, choice, None if operand is None else operand.type, scope)
        if operand is not None and lowered is not None and lowered.type.value_kind != operand.type.value_kind:
            env.error(
                "type-incompatible",
                f"« dans » compare {an(operand.type)} à {an(lowered.type)}",
                choice.span,
                suggestion=_money_hint(env, {operand.type.value_kind, lowered.type.value_kind}),
            )
        choices.append(lowered)
    return ir.Within(partial(operand), tuple(partial(c) for c in choices), source=expr)


def _arithmetic_message(op: str, left: Type, right: Type) -> str:
    if "date" in (left.value_kind, right.value_kind):
        return f"on ne peut pas {OPERATOR_WORDS[op]} des dates"
    if op == "*" and left.value_kind == right.value_kind == "montant":
        return "on ne peut pas multiplier un montant par un montant"
    return f"« {op} » entre {an(left)} et {an(right)} n'a pas de sens"
