"""Lark's tree → the AST (`dsl.nodes`), every node with its span.

Also the diagnostics on what the grammar cannot say: ids (their form, reserved words), labels (escapes),
numbers (the bounds of `dsl.limits`), dates, years.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from decimal import Decimal
from typing import overload

from lark import Token, Tree

from dsl import limits
from dsl import nodes as n
from dsl.diagnostics import Diagnostic
from dsl.keywords import FOLDED_NAMES, IDENTIFIER, RESERVED, VALUE_RESERVED, fold_accents
from dsl.lexing import at
from dsl.records import evolve
from dsl.source import SourceFile, Span


class AstBuilder:
    """Builds `dsl.nodes` from Lark's tree; collects diagnostics on ids, labels and dates.

    One method per rule (or `-> alias`) of the grammar, called with the rule's `meta` (its
    positions) and its children already built. The walk is iterative, children first: no
    recursion however deep the tree, and no wrapper built per call (as Lark's `v_args`
    transformers do), which measured ~11 % of parsing.
    """

    def __init__(self, source: SourceFile):
        self.source = source
        self.diagnostics: list[Diagnostic] = []

    def transform(self, tree: Tree):
        """The AST of a Lark tree."""
        methods: dict[str, Callable] = {}
        done: list = []  # built values, in the order their trees were left
        stack: list = [(tree, False)]
        while stack:
            node, expanded = stack.pop()
            if not isinstance(node, Tree):
                done.append(node)
                continue
            if not expanded:
                stack.append((node, True))
                stack.extend((child, False) for child in reversed(node.children))
                continue
            count = len(node.children)
            children = done[len(done) - count :] if count else []
            del done[len(done) - count :]
            method = methods.get(node.data)
            if method is None:
                method = methods[node.data] = getattr(self, node.data)
            done.append(method(node.meta, children))
        return done[0]

    # -- helpers

    def _span(self, meta) -> Span | None:
        if meta.empty:
            return None
        return Span(
            self.source.path, meta.start_pos, meta.end_pos, meta.line, meta.column, meta.end_line, meta.end_column
        )

    def _tspan(self, token: Token) -> Span:
        return Span(
            self.source.path,
            at(token.start_pos),
            at(token.end_pos),
            at(token.line),
            at(token.column),
            at(token.end_line),
            at(token.end_column),
        )

    def _id(self, token: Token, declared: bool = True, reserved: frozenset = RESERVED) -> str:
        """A declared or referenced identifier, checked for form (and, if declared, reservation)."""
        word = str(token.value)
        if IDENTIFIER.match(word):
            if declared and word in reserved:
                self.diagnostics.append(
                    Diagnostic(
                        "mot-reserve",
                        f"« {word} » est un mot réservé du langage et ne peut pas servir d'identifiant ici",
                        span=self._tspan(token),
                        suggestion=f"choisissez un autre nom, par exemple « {word}_structure »",
                    )
                )
            return word
        fixed = re.sub(r"[^a-z0-9_]", "_", fold_accents(word).lower())
        if fixed[:1].isdigit():
            fixed = "_" + fixed
        self.diagnostics.append(
            Diagnostic(
                "identifiant-invalide",
                f"identifiant invalide « {word} » : les identifiants s'écrivent en minuscules ASCII, chiffres et « _ »",
                span=self._tspan(token),
                suggestion=f"écrivez « {fixed} »",
            )
        )
        return fixed

    @overload
    def _label(self, token: Token) -> str: ...
    @overload
    def _label(self, token: None) -> None: ...

    def _label(self, token: Token | None) -> str | None:
        if token is None:
            return None
        raw = str(token.value)[1:-1]
        out: list[str] = []
        i = 0
        while i < len(raw):
            c = raw[i]
            if c == "\\" and i + 1 < len(raw):
                nxt = raw[i + 1]
                if nxt not in '"\\':
                    start = at(token.start_pos) + 1 + i
                    self.diagnostics.append(
                        Diagnostic(
                            "echappement-invalide",
                            f"séquence d'échappement inconnue « \\{nxt} » dans un libellé",
                            span=self.source.span(start, start + 2),
                            suggestion='seuls « \\" » et « \\\\ » sont permis ; écrivez « \\\\ » pour une barre oblique inverse',
                        )
                    )
                out.append(nxt)
                i += 2
                continue
            out.append(c)
            i += 1
        return "".join(out)

    @staticmethod
    def _split_label(children):
        """(label token or None, remaining children) for `NAME STRING? …` rules."""
        if children and isinstance(children[0], Token) and children[0].type == "STRING":
            return children[0], list(children[1:])
        return None, list(children)

    # -- files and headers

    def start(self, meta, children):
        return children[0]

    def _file(self, kind, meta, children):
        name, rest = children[0], children[1:]
        label, rest = self._split_label(rest)
        headers = tuple(c for c in rest if isinstance(c, n.Header))
        items = tuple(c for c in rest if not isinstance(c, n.Header))
        return n.File(
            kind, self._id(name), self._label(label), headers, items, span=self._span(meta), id_span=self._tspan(name)
        )

    def convention_file(self, meta, children):
        return self._file("convention", meta, children)

    def avenant_file(self, meta, children):
        return self._file("avenant", meta, children)

    def scenario_file(self, meta, children):
        return self._file("scenario", meta, children)

    def pour(self, meta, children):
        return n.Header("pour", self._label(children[0]), span=self._span(meta))

    def scenario_donnees(self, meta, children):
        return n.ScenarioDonnees(tuple(children), span=self._span(meta))

    def nouvelles_structures(self, meta, children):
        return n.ScenarioDonnees(tuple(children), span=self._span(meta), years="nouvelles")

    def annees_suivantes(self, meta, children):
        return n.ScenarioDonnees(tuple(children), span=self._span(meta), years="suivantes")

    def croissance(self, meta, children):
        return n.Growth(children[0], span=self._span(meta))

    def version(self, meta, children):
        return n.Header("version", self._label(children[0]), span=self._span(meta))

    def base(self, meta, children):
        return n.Header("base", self._label(children[0]), span=self._span(meta))

    def statut(self, meta, children):
        """`statut : signé | proposition`, folded (`signe`); an unknown word is kept for the checker to name."""
        return n.Header("statut", fold_accents(str(children[0].value)), span=self._span(meta))

    def en_vigueur(self, meta, children):
        return n.Header("en_vigueur", self._date_value(children[0]), span=self._span(meta))

    # -- declarations

    def parametres(self, meta, children):
        return n.ParametresBlock(tuple(children), span=self._span(meta))

    def parametre(self, meta, children):
        name, _equal, value, *label = children
        return n.Parametre(
            self._id(name, reserved=VALUE_RESERVED),
            value,
            self._label(label[0] if label else None),
            span=self._span(meta),
            id_span=self._tspan(name),
        )

    def donnees(self, meta, children):
        return n.DonneesBlock(tuple(children), span=self._span(meta))

    def donnee(self, meta, children):
        name, type_spec, *rest = children
        label = next((c for c in rest if isinstance(c, Token)), None)
        default = next((c[1] for c in rest if isinstance(c, tuple)), None)
        return n.Donnee(
            self._id(name, reserved=VALUE_RESERVED),
            type_spec,
            self._label(label),
            default,
            span=self._span(meta),
            id_span=self._tspan(name),
        )

    def default(self, meta, children):
        return ("defaut", children[0])

    def type_spec(self, meta, children):
        name = children[0]
        low, high = children[1] if len(children) > 1 else (None, None)
        return n.TypeSpec(name, (), low, high, span=self._span(meta))

    def type_name(self, meta, children):
        return fold_accents(str(children[0].value))

    def choix_type(self, meta, children):
        return n.TypeSpec("choix", tuple(self._id(t) for t in children), span=self._span(meta))

    def range(self, meta, children):
        return children[0], children[1]

    def neg_literal(self, meta, children):
        return n.Neg(children[1], span=self._span(meta))

    # -- sections, critères, briques

    def _section(self, kind, meta, children):
        return n.Section(kind, tuple(children), span=self._span(meta))

    def prerequis(self, meta, children):
        return self._section("prerequis", meta, children)

    def socle(self, meta, children):
        return self._section("socle", meta, children)

    def options(self, meta, children):
        return self._section("options", meta, children)

    def critere(self, meta, children):
        name, rest = children[0], children[1:]
        label, attributes = self._split_label(rest)
        return n.Critere(
            self._id(name), self._label(label), tuple(attributes), span=self._span(meta), id_span=self._tspan(name)
        )

    def brique(self, meta, children):
        name, rest = children[0], children[1:]
        label, body = self._split_label(rest)
        return n.Brique(
            self._id(name),
            self._label(label),
            tuple(c for c in body if isinstance(c, n.Attribute)),
            tuple(c for c in body if isinstance(c, n.Critere)),
            span=self._span(meta),
            id_span=self._tspan(name),
        )

    def _supplement(self, cls, meta, children):
        name, rest = children[0], children[1:]
        label, attributes = self._split_label(rest)
        return cls(
            self._id(name), self._label(label), tuple(attributes), span=self._span(meta), id_span=self._tspan(name)
        )

    def majoration(self, meta, children):
        return self._supplement(n.Majoration, meta, children)

    def minimum(self, meta, children):
        return self._supplement(n.Minimum, meta, children)

    def _attribute(self, name, meta, children):
        return n.Attribute(name, children[0], span=self._span(meta))

    def condition(self, meta, children):
        return self._attribute("condition", meta, children)

    def points_fixes(self, meta, children):
        return self._attribute("points_fixes", meta, children)

    def points_variables(self, meta, children):
        return self._attribute("points_variables", meta, children)

    def montant(self, meta, children):
        return self._attribute("montant", meta, children)

    def axe(self, meta, children):
        return n.Attribute("axe", self._id(children[0], declared=False), span=self._span(meta))

    def reference(self, meta, children):
        return n.Attribute("reference", self._label(children[0]), span=self._span(meta))

    def assiette(self, meta, children):
        part, *sections = children
        value = n.Assiette(
            part, tuple(fold_accents(str(s.value)) for s in sections if s is not None), span=self._span(meta)
        )
        return n.Attribute("assiette", value, span=self._span(meta))

    def assiette_part(self, meta, children):
        return "_".join(str(t.value) for t in children)  # points_variables | points_fixes | points | total

    def taux(self, meta, children):
        return self._attribute("taux", meta, children)

    def prorata(self, meta, children):
        return self._attribute("prorata", meta, children)

    # -- cas

    def cas(self, meta, children):
        name, rest = children[0], children[1:]
        label, rest = self._split_label(rest)
        parts = {key: (values, span) for key, values, span in rest}
        donnees, donnees_span = parts.get("donnees", (None, None))
        attendu, attendu_span = parts.get("attendu", (None, None))
        base, base_span = parts.get("comme", (None, None))
        return n.Cas(
            self._id(name),
            self._label(label),
            donnees,
            attendu,
            base,
            span=self._span(meta),
            id_span=self._tspan(name),
            donnees_span=donnees_span,
            attendu_span=attendu_span,
            base_span=base_span,
        )

    def comme(self, meta, children):
        return ("comme", self._id(children[0], declared=False), self._tspan(children[0]))

    def cas_donnees(self, meta, children):
        return ("donnees", tuple(children), self._span(meta))

    def attendu(self, meta, children):
        return ("attendu", tuple(children), self._span(meta))

    def assignment(self, meta, children):
        name, _equal, value = children
        return n.Assignment(self._id(name, declared=False), value, span=self._span(meta), id_span=self._tspan(name))

    # -- avenant operations

    def element_kind(self, meta, children):
        return fold_accents(str(children[0].value))

    def add_criteres(self, meta, children):
        section, *criteres = children
        return n.AddCriteres(
            fold_accents(str(section.value)), tuple(criteres), span=self._span(meta), section_span=self._tspan(section)
        )

    def add_to_brique(self, meta, children):
        name, *criteres = children
        return n.AddToBrique(
            self._id(name, declared=False), tuple(criteres), span=self._span(meta), id_span=self._tspan(name)
        )

    def add_brique(self, meta, children):
        return n.AddBrique(children[0], span=self._span(meta))

    def add_majoration(self, meta, children):
        return n.AddSupplement(children[0], span=self._span(meta))

    add_minimum = add_majoration

    def add_parametres(self, meta, children):
        return evolve(children[0], added=True, span=self._span(meta))

    add_donnees = add_parametres

    def _body_operation(self, cls, meta, children):
        kind, name, *rest = children
        label, body = self._split_label(rest)
        return cls(
            kind,
            self._id(name, declared=False),
            self._label(label),
            tuple(c for c in body if isinstance(c, n.Attribute)),
            tuple(c for c in body if isinstance(c, n.Critere)),
            span=self._span(meta),
            id_span=self._tspan(name),
        )

    def modify(self, meta, children):
        return self._body_operation(n.Modify, meta, children)

    def replace(self, meta, children):
        return self._body_operation(n.Replace, meta, children)

    def move(self, meta, children):
        kind, name, section = children
        return n.Move(
            kind,
            self._id(name, declared=False),
            fold_accents(str(section.value)),
            span=self._span(meta),
            id_span=self._tspan(name),
            section_span=self._tspan(section),
        )

    def remove(self, meta, children):
        kind, name = children
        return n.Remove(kind, self._id(name, declared=False), span=self._span(meta), id_span=self._tspan(name))

    def remove_prorata(self, meta, children):
        return n.Remove("prorata", "prorata", span=self._span(meta), id_span=self._span(meta))

    def prorata_item(self, meta, children):
        return n.Prorata(children[0], span=self._span(meta))

    def exercice(self, meta, children):
        year, *items = children
        return n.Exercice(self._year(year), tuple(items), span=self._span(meta), year_span=self._tspan(year))

    def remove_exercice(self, meta, children):
        return n.Remove(
            "exercice", str(self._year(children[0])), span=self._span(meta), id_span=self._tspan(children[0])
        )

    def _year(self, token: Token) -> int:
        """An exercise's year: a whole number of four digits (reported otherwise; 0 then)."""
        text = str(token.value)
        if re.fullmatch(r"[0-9]{4}", text):
            return int(text)
        self.diagnostics.append(
            Diagnostic(
                "exercice-invalide",
                f"« {text} » n'est pas une année : un exercice se nomme par son année, sur quatre chiffres",
                span=self._tspan(token),
                suggestion="par exemple « exercice 2022 { … } »",
            )
        )
        return 0

    # -- expressions

    def if_expr(self, meta, children):
        condition, then, otherwise = children
        return n.If(condition, then, otherwise, span=self._span(meta))

    def or_expr(self, meta, children):
        return n.Logic("ou", children[0], children[1], span=self._span(meta))

    def and_expr(self, meta, children):
        return n.Logic("et", children[0], children[1], span=self._span(meta))

    def not_expr(self, meta, children):
        return n.Not(children[0], span=self._span(meta))

    def compare(self, meta, children):
        left, op, right = children
        return n.Compare(CANONICAL_OPERATORS.get(str(op), str(op)), left, right, span=self._span(meta))

    def within(self, meta, children):
        return n.Within(children[0], tuple(children[1:]), span=self._span(meta))

    def binop(self, meta, children):
        left, op, right = children
        return n.BinOp(CANONICAL_OPERATORS.get(str(op), str(op)), left, right, span=self._span(meta))

    def neg(self, meta, children):
        return n.Neg(children[1], span=self._span(meta))

    def _number(self, meta, token: Token, percent: bool = False) -> Decimal:
        """A literal's value; one beyond the bounds of `dsl.limits` is reported (its value is then 0)."""
        text = str(token)
        integer, _, fraction = text.replace("_", "").partition(".")
        problem = limits.digits_problem(integer, fraction)
        if problem is None:
            return Decimal(f"{integer}.{fraction}" if fraction else integer)
        message, hint = limits.limit_text(problem, text, percent)
        self.diagnostics.append(
            Diagnostic("nombre-hors-limites", f"le nombre {message}", span=self._span(meta), suggestion=hint)
        )
        return Decimal(0)

    def number(self, meta, children):
        return n.Number(self._number(meta, children[0]), text=str(children[0]), span=self._span(meta))

    def money(self, meta, children):
        return n.Money(self._number(meta, children[0]), text=str(children[0]), span=self._span(meta))

    def percent(self, meta, children):
        return n.Percent(self._number(meta, children[0], percent=True), text=str(children[0]), span=self._span(meta))

    def _date_value(self, token: Token):
        try:
            return datetime.date.fromisoformat(str(token.value))
        except ValueError:
            self.diagnostics.append(
                Diagnostic(
                    "syntaxe",
                    f"date impossible « {token.value} »",
                    span=self._tspan(token),
                    suggestion="une date s'écrit AAAA-MM-JJ, par exemple 2017-08-05",
                )
            )
            return datetime.date(1, 1, 1)

    def date(self, meta, children):
        return n.DateLit(self._date_value(children[0]), span=self._span(meta))

    def true(self, meta, children):
        return n.Bool(True, span=self._span(meta))

    def false(self, meta, children):
        return n.Bool(False, span=self._span(meta))

    def name(self, meta, children):
        token = children[0]
        word = FOLDED_NAMES.get(str(token.value))
        return n.Name(word or self._id(token, declared=False), span=self._span(meta))

    def call(self, meta, children):
        func, *args = children
        return n.Call(self._id(func, declared=False), tuple(a for a in args if a is not None), span=self._span(meta))


CANONICAL_OPERATORS = {"≤": "<=", "≥": ">=", "≠": "!=", "×": "*", "÷": "/"}
