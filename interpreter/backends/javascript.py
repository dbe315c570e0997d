"""A version compiled to one dependency-free JavaScript module (`convcheck js`, and the simulator's pages).

The module exports `evaluer(declaration)`, which gives what `convcheck eval --format json` gives for the
same declaration (a JSON declaration's keys and value forms), `gains(declaration)` (what each line not met
would bring), `pertinentes(declaration)` (the données that can change an amount), `simuler` (the three at
once), `lireDeclaration(text, name)` (a JSON or flat YAML declaration file), `donnees` (each donnée's
description, for a form), `version` (its header) and `ErreurConvcheck`. It holds:

- the runtime (`runtime/`: exact BigInt rationals, French numbers, the reading of declared values, the
  closest name, the explanations' logic), embedded once, with its words and rules taken from the Python
  sources here (`TEXTES`: the explanations' `WORDS`, the number patterns of `interpreter.io.numbers`, the
  limits, each donnée's messages as `validate` and `convert` write them, a placeholder where the value
  goes) — no sentence is copied by hand into JavaScript;
- the payment rules (`dsl.payment.settle`) run once over `jssource.JsBackend`: one straight-line function
  `run`, as the scalar backend's Python (`pysource`); each part of a condition that an explanation names,
  each majoration's taux, each minimum's floor, each scenario line, as functions;
- the model's description (`MODELE`): données, lines, the conditions as `explain.condition_tree` reads
  them, what each line reads (for a form that folds what cannot matter).

`JsModule.module` is an ES module (`export`); `JsModule.script` is the same code as a classic script that
adds its engine to `globalThis.convcheckMoteurs` (a page opened from `file://` cannot import modules).
"""

from __future__ import annotations

import functools
import re
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from dsl import ir, keywords, limits
from dsl.diagnostics import suggest
from dsl.model import Brique, Critere, Donnee, Majoration, Minimum, Model, Type, expressions
from dsl.payment import MAX_EUROS, MAX_POINTS, floor, line_amount, settle
from dsl.records import evolve, frozen
from interpreter.backends import explain
from interpreter.backends.jssource import JsBackend, Source, js_string, key, literal, mapping, rational
from interpreter.backends.scalar import SCENARIO_WORDS, Program, to_cents, total_cents, total_points
from interpreter.io import numbers as reading
from interpreter.io.declarations import Entry, _twice, convert, validate
from interpreter.io.words import FALSE_WORDS, JSON_PROBLEMS, TRUE_WORDS, french_json, french_problem
from interpreter.numbers import IMPOSSIBLE, EvaluationError, conv_text, divide, plain, reader_text

RUNTIME = Path(__file__).with_name("runtime")
PARTS = ("numbers.js", "reading.js", "engine.js")  # the runtime, in this order (one function's body)
SLOT = "\x01"  # where a value goes in a message computed once (a character no declaration value shows)


@frozen
class JsModule:
    """A version compiled to JavaScript: the same code as an ES module and as a classic script."""

    module: str
    script: str


def compile_module(
    program: Program,
    supplied=frozenset(),
    files: tuple[str, ...] = (),
    hypotheses: tuple[str, ...] = (),
    provenance: tuple[str, ...] = (),
) -> JsModule:
    """The module of a compiled version (`supplied`: données its scenarios compute; `files` and `hypotheses`
    are in its description; `provenance`: the lines its header comment says its figures rest on — the files
    and hypotheses when none is given)."""
    model, source = program.model, Source()
    run = _run_function(program, source)
    parts: list[tuple[ir.Expr, explain.Leaf]] = []
    lines = [_line(program, source, parts, id) for id in program.plan.lines]
    parties = [_part(program, expr, leaf) for expr, leaf in parts]
    leaf_functions = [source.function(expr) for expr, _ in parts]
    rates = {m.id: source.function(m.taux) for m in model.majorations.values()}
    floors = {m.id: _floor_function(program, source, m) for m in model.minimums.values()}
    annual = {e.id: _annual_function(program, source, e) for e in prorated(program)}
    stages = [
        f"[{js_string(scenario.id)}, {js_string(id)}, {source.function(expr)}]"
        for scenario in program.scenarios
        for id, expr in scenario.donnees
    ]
    described = {
        "convention": model.id,
        "libelle": model.label,
        "version": model.version,
        "entete": _header(model, files, hypotheses),
        "parametres": _parametres(program),
        "donnees": [_donnee(model, d) for d in model.donnees.values()],
        "descriptions": [_description(d) for d in model.donnees.values()],
        "calculees": sorted(supplied),
        "cleInconnue": _unknown_key(model),
        "lignes": lines,
        "prerequis": list(program.plan.prerequis),
        "parties": parties,
        "lit": _reads(program),
        "etapesLisent": [sorted(ir.donnees_read(expr)) for s in program.scenarios for _, expr in s.donnees],
    }
    body = "\n".join(
        [
            f"const TEXTES = {js_value(texts())};",
            f"const R = (function (TEXTES) {{\n{runtime()}}})(TEXTES);",
            f"const K = [{', '.join(source.constants)}];",
            f"const P = {mapping({id: literal(v) for id, v in program.parametres.items()})};",
            f"const MODELE = {js_value(described)};",
            *source.hoisted,
            run,
            f"const PARTIES = [\n  {(',' + chr(10) + '  ').join(leaf_functions)}\n];",
            f"const TAUX = {mapping(rates)};",
            f"const PLANCHERS = {mapping(floors)};",
            f"const ANNUELS = {mapping(annual)};",
            f"const ETAPES = [{', '.join(stages)}];",
            "const moteur = R.engine(MODELE, { run, p: P, parties: PARTIES, taux: TAUX, planchers: PLANCHERS, "
            "annuels: ANNUELS, etapes: ETAPES });",
        ]
    )
    head = _comment(
        model, provenance or (*(f"Fichier : {f}" for f in files), *(f"Hypothèse : {h}" for h in hypotheses))
    )
    module = (
        f"{head}{body}\nexport const evaluer = moteur.evaluer;\nexport const gains = moteur.gains;\n"
        "export const pertinentes = moteur.pertinentes;\nexport const simuler = moteur.simuler;\n"
        "export const lireDeclaration = moteur.lireDeclaration;\n"
        "export const donnees = moteur.donnees;\nexport const version = moteur.version;\n"
        "export const ErreurConvcheck = R.ErreurConvcheck;\nexport const Jeton = R.Jeton;\n"
        "export default moteur;\n"
    )
    script = (
        f"{head}(function () {{\n{body}\nmoteur.ErreurConvcheck = R.ErreurConvcheck;\nmoteur.Jeton = R.Jeton;\n"
        "(globalThis.convcheckMoteurs = globalThis.convcheckMoteurs || []).push(moteur);\n})();\n"
    )
    return JsModule(module, script)


def _comment(model: Model, provenance: tuple[str, ...]) -> str:
    lines = [
        f"Moteur de calcul de « {model.label or model.id} », version « {model.version or '—'} »"
        + (f" ({model.statut})" if model.statut else "")
        + (f", règles de l'exercice {model.exercice}" if model.exercice is not None else ""),
        "Généré par convcheck (convcheck js) : ne pas modifier, régénérer depuis les fichiers .conv.",
        *provenance,
    ]
    return "".join(f"// {line.replace(chr(10), ' ')}\n" for line in lines)


# ---- the code ------------------------------------------------------------------------------------------------


def _run_function(program: Program, source: Source) -> str:
    """`run(d, p, s, F)`: the payment rules for one structure (`F`: lines held met for a what-if, or null)."""
    conditions = {id(e.condition): e.id for e in program.model.elements()}
    backend = JsBackend(source, program.places, conditions)
    backend.emit("const m = Object.create(null);")
    settled = settle(program.plan, backend)
    result = (
        f"{{ eligible: {settled.eligible}, met: m, points: {mapping(settled.points)}, "
        f"amounts: {mapping(settled.amounts)}, total: {settled.total}, totalPoints: {settled.total_points}, "
        f"bases: {mapping(settled.bases)}, factors: {mapping(settled.factors)} }}"
    )
    return backend.function("run", "d, p, s, F", result)


def _floor_function(program: Program, source: Source, minimum: Minimum) -> str:
    """A minimum's floor (`dsl.payment.floor`), as its explanation computes it."""
    backend = JsBackend(source, program.places)
    return backend.function("", "d, p, m, s", floor(backend, minimum))


def _annual_function(program: Program, source: Source, element: Critere | Brique) -> str:
    """What a prorated line would pay for the whole year (`dsl.payment.line_amount` without its share), from
    its points (`points`): what its explanation shows."""
    backend = JsBackend(source, program.places)
    return backend.function("", "d, p, m, s, points", line_amount(backend, element, "points"))


def prorated(program: Program) -> list[Critere | Brique]:
    """The lines that may be prorated: every critère and brique paid on its own when the version has a
    `prorata`, and those with a prorata of their own."""
    model = program.model
    lines = [model.element(id) for id in program.plan.paying]
    return [e for e in lines if e is not None and (model.prorata is not None or e.prorata is not None)]


def _line(program: Program, source: Source, parts: list, id: str) -> dict:
    """What the runtime needs of one line of a result."""
    model = program.model
    element = model.line(id)
    assert element is not None  # a line of the plan
    kind = model.line_kind(id)
    line = {
        "id": id,
        "libelle": element.label,
        "sorte": kind,
        "section": getattr(element, "section", None),
        "brique": getattr(element, "brique", None),
        "condition": _tree(program, parts, element.condition),
    }
    if isinstance(element, Brique):
        line["criteres"] = list(element.criteres)
    if isinstance(element, Majoration):
        line["assiette"] = explain.assiette_words(element)
    if isinstance(element, Minimum):
        paying = program.plan.paying
        line["avant"] = list(paying[: paying.index(id)])
    return line


def _tree(program: Program, parts: list, expr: ir.Expr):
    """A condition as `explain.condition_tree` reads it, its parts numbered in `parts`."""

    def number(node):
        if node[0] == "part":
            for index, (known, _) in enumerate(parts):
                if known is node[1]:
                    return ["part", index]
            parts.append((node[1], node[2]))
            return ["part", len(parts) - 1]
        return [node[0], *(number(child) for child in node[1:])]

    return number(explain.condition_tree(program, expr))


def _part(program: Program, expr: ir.Expr, leaf: explain.Leaf) -> list:
    """A part of a condition: its text, the names it shows — a donnée with its type (written for each
    structure), a paramètre with its value written here — and what it would need."""
    shown = []
    for name, donnee, type_ in leaf.shown:
        if donnee:
            shown.append([name, "d", type_.kind])
        else:
            shown.append([name, "p", reader_text(program.parametres[name], type_)])
    return [leaf.text, shown, leaf.hint]


def _reads(program: Program) -> dict:
    """For each line, the données its condition reads, those its amount reads, and the lines it reads met."""
    model, plan = program.model, program.plan
    reads = {}
    for id in plan.lines:
        element = model.line(id)
        assert element is not None  # a line of the plan
        amount = [e for e in expressions(element) if e is not element.condition]
        found = set().union(*(ir.donnees_read(e) for e in amount)) if amount else set()
        if getattr(element, "points_variables", None) is not None and "patientele" in model.donnees:
            found.add("patientele")
        if model.prorata is not None and isinstance(element, (Critere, Brique)) and element.prorata is None:
            found |= ir.donnees_read(model.prorata.value)  # the version's share of the year
        reads[id] = {
            "condition": sorted(ir.donnees_read(element.condition)),
            "montant": sorted(found),
            "atteint": sorted(ir.met_read(element.condition)),
        }
    return reads


# ---- the model's description ------------------------------------------------------------------------------


def _header(model: Model, files, hypotheses) -> dict:
    return {
        "convention": model.id,
        "libelle": model.label,
        "version": model.version,
        "statut": model.statut,
        "enVigueur": model.en_vigueur.isoformat() if model.en_vigueur else None,
        "points": model.uses_points,
        "exercice": model.exercice,
        "fichiers": list(files),
        "hypotheses": list(hypotheses),
    }


def _parametres(program: Program) -> dict:
    """The paramètres as `eval --format json` writes them."""
    return {id: plain(v) if isinstance(v, (Decimal, Fraction)) else str(v) for id, v in program.parametres.items()}


UNITS = {"montant": "€", "pourcentage": "%"}


def declared(value, type_: Type) -> str:
    """A value as a declaration writes it: a pourcentage in percent, a montant in euros, without unit."""
    if type_.kind == "pourcentage":
        value = Fraction(value) * 100
    return plain(value)


def _description(donnee: Donnee) -> dict:
    """A donnée for a form: id, label, type, unit, bounds (as a declaration writes them), choices, default."""
    bounds = {
        "min": None if donnee.low is None else declared(donnee.low, donnee.type),
        "max": None if donnee.high is None else declared(donnee.high, donnee.type),
    }
    default = None if donnee.default is None else form_value(donnee.default.value, donnee.type)
    return {
        "id": donnee.id,
        "libelle": donnee.label,
        "type": donnee.type.kind,
        "unite": UNITS.get(donnee.type.kind),
        **bounds,
        "choix": list(donnee.type.choices) or None,
        "defaut": default,
    }


AMBIGUOUS = re.compile(r"-?[1-9][0-9]{0,2}\.[0-9]{3}")  # what the number rule refuses as ambiguous (4.000)


def form_value(value, type_: Type) -> str | bool:
    """A value as a declaration (and the simulator's form) writes it: a booléen as true/false, a number in the
    declaration's unit and never in a writing the number rule finds ambiguous (1.2340, not 1.234), a date or a
    choix as its text."""
    if isinstance(value, bool):
        return value
    if type_.kind in ("entier", "nombre", "montant", "pourcentage"):
        text = declared(value, type_)
        return text + "0" if AMBIGUOUS.fullmatch(text) else text
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _donnee(model: Model, donnee: Donnee) -> dict:
    """A donnée for validation: its type, bounds and the messages `convcheck eval` gives about it."""
    default = (
        None
        if donnee.default is None
        else {  # its value, and as `eval` names it (report.defaults)
            "valeur": donnee.default.value,
            "texte": conv_text(donnee.default.value, donnee.type),
        }
    )
    return {
        "id": donnee.id,
        "libelle": donnee.label,
        "type": donnee.type.kind,
        "choix": list(donnee.type.choices),
        "bas": donnee.low,
        "haut": donnee.high,
        "defaut": default,
        "messages": _messages(model, donnee),
    }


def _messages(model: Model, donnee: Donnee) -> dict:
    """What `validate` and `convert` say of this donnée, worked out here with `SLOT` where the value goes (and,
    for a donnée with a default, what would be said of it without one: never shown)."""
    alone = evolve(model, donnees={donnee.id: evolve(donnee, default=None)})
    missing = validate(alone, {}, "")[1][0]
    said: dict[str, list | str | None] = {"manquante": [missing.message, missing.suggestion]}
    kind = donnee.type.kind
    _, problem = convert(donnee, SLOT)
    assert problem is not None and SLOT in problem[1]
    said["choix" if kind == "choix" else "type"] = [problem[1], problem[2]]
    if kind == "entier":
        _, problem = convert(donnee, "0.5")
        assert problem is not None
        said["entier"] = [_slotted(problem[1], "« 0.5 »", f"« {SLOT} »"), problem[2]]
    if donnee.low is not None or donnee.high is not None:
        said["intervalle"] = _outside(donnee)
    return said


def _outside(donnee: Donnee) -> str | None:
    """What `convert` says of a value outside the donnée's bounds, `SLOT` where the value goes (None when no
    number within the limits of numbers is outside them: nothing to say)."""
    step = Fraction(1) if donnee.type.kind == "entier" else Fraction(1, 10**9)
    samples = [Fraction(donnee.high) + step] if donnee.high is not None else []
    samples += [Fraction(donnee.low) - step] if donnee.low is not None else []
    for beyond in samples:  # above, else below (a bound at the limit of numbers has nothing beyond it)
        _, problem = convert(donnee, reading.NumberToken(declared(beyond, donnee.type)))
        if problem is not None and problem[0] == "declaration-hors-intervalle":
            return _slotted(problem[1], f" = {conv_text(beyond, donnee.type)} ", f" = {SLOT} ")
    return None


def _slotted(text: str, sample: str, slot: str) -> str:
    """A message with the sample of a value replaced by its slot (the sample must be there, once)."""
    assert text.count(sample) == 1, (text, sample)
    return text.replace(sample, slot)


def _unknown_key(model: Model) -> str:
    _, problems = validate(model, {SLOT: Entry(True, None, None)}, "")
    return next(d.message for d in problems if d.code == "declaration-cle-inconnue")


# ---- the words and rules of the runtime ---------------------------------------------------------------------


@functools.cache
def runtime() -> str:
    """The runtime's text (`runtime/`), the body of a function of `TEXTES` that returns `R`."""
    return "".join((RUNTIME / part).read_text(encoding="utf-8") for part in PARTS)


@functools.cache
def texts() -> dict:
    """What the runtime says and how it reads numbers, from the Python sources (the same for every module)."""
    return {
        "mots": explain.WORDS,
        "division": _error_of(lambda: divide(Decimal(1), Decimal(0))),
        "limites": {
            "montant": _error_of(lambda: to_cents(MAX_EUROS)),
            "total": _error_of(lambda: total_cents([MAX_EUROS])),
            "points": _error_of(lambda: total_points([Decimal(MAX_POINTS)])),
        },
        "maxEuros": str(int(MAX_EUROS)),
        "maxPoints": str(MAX_POINTS),
        "nombres": _number_rules(),
        "vouliezVousDire": _slotted(suggest("abcdef", ["abcdef"]) or "", "abcdef", "{nom}"),
        "vrai": sorted(TRUE_WORDS),
        "faux": sorted(FALSE_WORDS),
        "pasUneTable": "une déclaration est une table « donnée: valeur »",
        "impossible": IMPOSSIBLE.format(structure="{structure}", error="{erreur}"),
        "json": JSON_PROBLEMS,
        "jsonIllisible": french_json("").removesuffix(french_problem("", {})).strip(),
        "deuxFois": _slotted(_twice("{cle}", None, None).message, "{cle}", "{cle}"),
        "yamlTropRiche": "ligne {ligne} : le simulateur lit une déclaration YAML écrite « donnée: valeur », une par "
        "ligne ; pour le reste, exportez-la en JSON",
        "scenario": SCENARIO_WORDS,
        "sections": keywords.SECTIONS,
    }


def _error_of(compute) -> str:
    try:
        compute()
    except EvaluationError as error:
        return str(error)
    raise AssertionError("no error")


def _number_rules() -> dict:
    """The rule of `interpreter.io.numbers`: its patterns, units, bounds and words."""
    single = reading._single_separator("\x03", "", "\x02", "\x04", "\x05")  # its words, with holes
    several, mixed = (
        reading._several_separators(text, match)
        for text in ("1.234.567", "1.234,5")
        if (match := reading._SEPARATORS.fullmatch(text)) is not None
    )
    assert single.detail is not None and single.hint is not None and several.hint and mixed.hint
    limit_texts = {}
    for problem in (limits.TOO_LARGE, limits.TOO_PRECISE):
        for percent in (False, True):
            detail, hint = limits.limit_text(problem, "\u0000", percent)
            limit_texts[problem + ("-pour-cent" if percent else "")] = [detail, hint]
    return {
        "texte": reading.TEXT,
        "separateurs": reading.SEPARATORS,
        "jeton": reading.TOKEN,
        "entierAmbigu": reading.AMBIGUOUS_INTEGER,
        "fractionAmbigue": reading.AMBIGUOUS_FRACTION,
        "blancs": reading.BLANKS,
        "espacesDeGroupe": reading.GROUP_SPACES,
        "unites": {kind: list(units) for kind, units in reading.UNITS.items()},
        "maxChiffres": limits.MAX_INTEGER_DIGITS,
        "maxDecimales": limits.MAX_DECIMALS,
        "limites": limit_texts,
        "ambigu": {
            "un": _slotted(single.detail, "\x04", "{separateur}"),
            "unAide": _slotted(_slotted(single.hint, "\x02\x05", "{milliers}"), "\x02.\x05", "{decimales}"),
            "plusieurs": several.detail,
            "plusieursMilliers": _slotted(several.hint, "1234567", "{milliers}"),
            "plusieursDecimales": _slotted(_slotted(mixed.hint, "« , »", "« {separateur} »"), "1234.5", "{nombre}"),
            "message": reading.NumberProblem(reading.AMBIGUOUS, "\x06", "\x07")
            .message("\x08", "")
            .replace("\x08", "{donnee}")
            .replace("\x06", "{valeur}")
            .replace("\x07", "{detail}"),
        },
        "horsLimites": reading.NumberProblem(reading.BEYOND, "", "\x07")
        .message("\x08", "")
        .replace("\x08", "{donnee}")
        .replace("\x07", "{detail}"),
    }


# ---- writing values -----------------------------------------------------------------------------------------


def js_value(value) -> str:
    """Python data as a JavaScript literal: numbers (Decimal, Fraction) as the runtime's rationals."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (Decimal, Fraction)):
        return rational(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return js_string(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key(str(k))}: {js_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(js_value(v) for v in value) + "]"
    raise TypeError(f"no JavaScript literal for {value!r}")
