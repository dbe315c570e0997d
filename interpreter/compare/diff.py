"""The semantic diff of two versions of a convention, clause by clause, and in euros.

Elements are matched by id first (ids are stable keys); what is left on each side is then
paired by similarity of canonical text (Dice coefficient on character bigrams ≥ 0.8) as
renames; matched pairs are compared field by field. The result is a flat list of frozen
`Change` records; rendering is elsewhere (`interpreter.report.diff`). Formatting, comments
and order within a section are not changes: fields are compared as AST values, which
ignore positions and spellings.

The money view values every critère and brique for each version's maximal structure
(`interpreter.compare.maximal`), or for a `cas` of each version (what it is paid), so that a move from points to euros compares like with like.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from pathlib import Path

from dsl import keywords, kinds
from dsl import nodes as n
from dsl.diagnostics import ConvError, Diagnostic, suggest
from dsl.kinds import kind_of
from dsl.model import SECTIONS, Critere, Model, Prorata
from dsl.parser import parse_source
from dsl.printer import one_line, print_expr, print_type, quote
from dsl.records import frozen
from interpreter.backends.scalar import Program, compile_model, evaluate
from interpreter.cases import cas_donnees
from interpreter.compare.maximal import line_values, maximal_structure
from interpreter.numbers import NO_MONEY

RENAME_THRESHOLD = 0.8
RENAME_PAIRS = 250_000  # removed × added elements of one kind compared two by two, at most (500 × 500)
ELEMENT_ORDER = tuple(kind.name for kind in kinds.CLAUSES)  # the order of the changes
# The rules of a version that are no clause of `dsl.kinds` — its prorata, the rules of each exercise —, compared
# as clauses are, after them (by the diff and by the history).
RULE_ORDER = ("prorata", "exercice")
RULE_TITLES = {"prorata": "Prorata de la version", "exercice": "Règles propres à un exercice"}


@frozen
class FieldChange:
    """One field of an element, before and after, in canonical `.conv` text (None: absent)."""

    champ: str
    avant: str | None
    apres: str | None


@frozen
class Change:
    """One difference between two versions."""

    kind: str  # ajout | suppression | deplacement | modification | renommage
    element: str  # its kind of clause (`dsl.kinds`): critere, brique, majoration…
    id: str
    ancien_id: str | None
    libelle_avant: str | None
    libelle_apres: str | None
    section_avant: str | None
    section_apres: str | None
    champs: tuple[FieldChange, ...] = ()


@frozen
class MoneyLine:
    """What a critère or brique is worth for the reference structure, in each version."""

    id: str
    ancien_id: str | None
    libelle: str | None
    element: str
    section_avant: str | None
    section_apres: str | None
    avant: Decimal | None  # None: absent from this version
    apres: Decimal | None

    @property
    def delta(self) -> Decimal:
        return (self.apres or NO_MONEY) - (self.avant or NO_MONEY)


@frozen
class CasBasis:
    """A `cas` whose données value each version instead of its maximal structure (`diff --cas`)."""

    id: str
    label: str | None
    avant: dict  # the données of the cas for each version, validated
    apres: dict
    extended: tuple[tuple[str, str], ...] = ()  # (version, cas written `comme id`) where a version has no cas `id`


@frozen
class MoneyView:
    lines: tuple[MoneyLine, ...]  # sorted by absolute change, largest first
    sections: tuple[tuple[str, Decimal, Decimal], ...]  # (section or "briques", before, after)
    total_avant: Decimal
    total_apres: Decimal
    structure_avant: dict
    structure_apres: dict
    cas: CasBasis | None = None  # None: each version's maximal structure, every line valued as if met

    @property
    def unchanged(self) -> tuple[MoneyLine, ...]:
        return tuple(
            line for line in self.lines if line.avant is not None and line.apres is not None and line.delta == 0
        )


@frozen
class Diff:
    old: Model
    new: Model
    changes: tuple[Change, ...]
    money: MoneyView
    parametres_avant: dict  # paramètre values of each version, to read fields that name them
    parametres_apres: dict

    @property
    def empty(self) -> bool:
        return not self.changes

    @property
    def renamed_lines(self) -> dict[str, str]:
        """Old id → new id of the critères and briques renamed (matched by similarity)."""
        return {
            c.ancien_id: c.id
            for c in self.changes
            if c.kind == "renommage" and c.element in ("critere", "brique") and c.ancien_id is not None
        }


@frozen
class ExerciceRules:
    """The rules a version states for one exercise (its `exercice AAAA` blocks), as the diff compares them: their
    canonical text, one change per line."""

    year: int
    text: str

    @property
    def id(self) -> str:
        return str(self.year)

    @property
    def label(self) -> str:
        return f"Exercice {self.year}"


def exercice_rules(model: Model) -> dict[str, ExerciceRules]:
    """Each exercise's rules, its changes one after the other (its cas are examples, not rules)."""
    return {
        str(year): ExerciceRules(
            year, " ; ".join(one_line(item) for block in blocks for item in block.items if not isinstance(item, n.Cas))
        )
        for year, blocks in model.exercices.items()
    }


# ---- fields of each kind of element ------------------------------------------------------------


def _expr(expr):
    """An IR expression as written: compared as IR (which ignores how it was written), shown as written; None
    when absent, or not written (a majoration's condition, true when unsaid)."""
    return None if expr is None or expr.source is None else (expr, print_expr(expr.source))


def _text(value):
    return None if value is None else (value, value)


def _assiette(element) -> tuple:
    sections = (
        "" if element.sections == SECTIONS else f" dans ({', '.join(keywords.SECTIONS[s] for s in element.sections)})"
    )
    return (element.part, element.sections), keywords.ASSIETTES[element.part] + sections


def _type(element) -> tuple:
    spec = element.node.type
    return _text(print_type(n.TypeSpec(spec.name, spec.choices)))


def _range(element) -> tuple | None:
    spec = element.node.type
    if spec.low is None or spec.high is None:
        return None
    return (spec.low, spec.high), f"entre {print_expr(spec.low)} et {print_expr(spec.high)}"


# How each field is read (`dsl.kinds.Field.how`), from the element.
READERS = {
    kinds.EXPR: lambda element, field: _expr(getattr(element, field.attribute)),
    kinds.QUOTED: lambda element, field: _text(
        getattr(element, field.attribute) and quote(getattr(element, field.attribute))
    ),
    kinds.WORD: lambda element, field: _text(getattr(element, field.attribute)),
    "assiette": lambda element, field: _assiette(element),
    "type": lambda element, field: _type(element),
    "intervalle": lambda element, field: _range(element),
    "defaut": lambda element, field: _default(element),
}


def _default(element) -> tuple | None:
    """A donnée's `par défaut`: compared as its value, shown as written."""
    return None if element.default is None else (element.default, print_expr(element.node.default))


def element_fields(element) -> dict[str, tuple | None]:
    """Field name → (comparable value, canonical text), or None when the field is absent: the fields its kind's
    description lists (`dsl.kinds`), or those of a rule of the version."""
    if isinstance(element, Prorata):
        return {"valeur": _expr(element.value)}
    if isinstance(element, ExerciceRules):
        return {"règles": _text(element.text)}
    kind = kind_of(element)
    if kind is None:
        raise AssertionError(element)
    return {field.name: READERS[field.how](element, field) for field in kind.fields}


def place(element) -> str | None:
    """Where an element lives: its section, or `brique:<id>` for a brique's critère, or its kind's place."""
    if isinstance(element, Critere):
        return element.section or f"brique:{element.brique}"
    kind = kind_of(element)
    return kind.place if kind is not None else None


def canonical(element) -> str:
    """The element's canonical text without its id: the key for spotting renames."""
    fields = element_fields(element)
    return "\n".join(f"{name} : {value[1]}" for name, value in fields.items() if value is not None)


def _elements(model: Model, kind: str) -> dict:
    if kind == "prorata":  # the version's one `prorata : …`, under its keyword
        return {} if model.prorata is None else {"prorata": model.prorata}
    if kind == "exercice":  # the rules of each exercise that has its own, under its year
        return exercice_rules(model)
    return getattr(model, kinds.KINDS[kind].table)


# ---- matching and comparing ---------------------------------------------------------------------


def bigrams(text: str) -> Counter:
    return Counter(text[i : i + 2] for i in range(len(text) - 1))


def dice(a: str, b: str) -> float:
    """Dice coefficient on character bigrams: 1 for equal texts, 0 for nothing in common."""
    x, y = bigrams(a), bigrams(b)
    return _dice(x, y, sum(x.values()), sum(y.values()))


def _dice(x: Counter, y: Counter, size_x: int, size_y: int) -> float:
    total = size_x + size_y
    return 1.0 if total == 0 else 2 * sum((x & y).values()) / total


def _may_reach(size_x: int, size_y: int) -> bool:
    """Whether two texts of these numbers of bigrams may reach `RENAME_THRESHOLD`: at best, the smaller is all
    in common."""
    total = size_x + size_y
    return total == 0 or 2 * min(size_x, size_y) / total >= RENAME_THRESHOLD


def _identical(texts_old: dict[str, str], texts_new: dict[str, str]) -> tuple[list, set, set]:
    """(pairs, old ids paired, new ids paired) of elements whose texts are the same, in the order of their ids."""
    by_text: dict[str, list[str]] = {}
    for b in sorted(texts_new):
        by_text.setdefault(texts_new[b], []).append(b)
    pairs, used_old, used_new = [], set(), set()
    for a in sorted(texts_old):
        waiting = by_text.get(texts_old[a])
        if waiting:
            b = waiting.pop(0)
            pairs.append((a, b))
            used_old.add(a)
            used_new.add(b)
    return pairs, used_old, used_new


def match_renames(removed: dict, added: dict) -> list[tuple[str, str]]:
    """Pairs (old id, new id) of removed and added elements similar enough to be one renamed.

    Elements of identical text (but their id) are paired first, by their text: linear. The others are compared
    two by two (the Dice coefficient of their texts' bigrams, counted once per text; pairs whose sizes alone
    rule out the threshold skipped), as long as there are at most `RENAME_PAIRS` pairs to compare: beyond,
    only identical texts count as renames, and the others are an addition and a removal — the diff of two
    versions of 10 000 critères stays linear."""
    texts_old = {id: canonical(e) for id, e in removed.items()}
    texts_new = {id: canonical(e) for id, e in added.items()}
    pairs, used_old, used_new = _identical(texts_old, texts_new)
    rest_old = [a for a in removed if a not in used_old]
    rest_new = [b for b in added if b not in used_new]
    if len(rest_old) * len(rest_new) > RENAME_PAIRS:
        return pairs
    grams_old = {a: bigrams(texts_old[a]) for a in rest_old}
    grams_new = {b: bigrams(texts_new[b]) for b in rest_new}
    sizes = {
        **{("a", a): sum(g.values()) for a, g in grams_old.items()},
        **{("b", b): sum(g.values()) for b, g in grams_new.items()},
    }
    scored = sorted(
        (
            (_dice(grams_old[a], grams_new[b], sizes["a", a], sizes["b", b]), a, b)
            for a in rest_old
            for b in rest_new
            if _may_reach(sizes["a", a], sizes["b", b])
        ),
        key=lambda t: (-t[0], t[1], t[2]),
    )
    for score, a, b in scored:
        if score >= RENAME_THRESHOLD and a not in used_old and b not in used_new:
            pairs.append((a, b))
            used_old.add(a)
            used_new.add(b)
    return pairs


def field_changes(kind: str, old, new) -> list[FieldChange]:
    """The fields of an element that differ between two versions, each before and after."""
    before, after = element_fields(old), element_fields(new)
    changes = []
    for name in before:
        a, b = before[name], after[name]
        if (a[0] if a else None) != (b[0] if b else None):
            changes.append(FieldChange(name, a[1] if a else None, b[1] if b else None))
    return changes


def _change(kind: str, element: str, old, new, ancien_id: str | None = None) -> Change | None:
    champs = tuple(field_changes(element, old, new))
    before, after = place(old), place(new)
    if kind == "modification":
        if before != after:
            kind = "deplacement"
        elif not champs:
            return None
    return Change(kind, element, new.id, ancien_id, old.label, new.label, before, after, champs)


def diff_elements(old: Model, new: Model, element: str) -> tuple[list[Change], dict[str, str]]:
    """Changes for one kind of element, and the renames found (old id → new id)."""
    before, after = _elements(old, element), _elements(new, element)
    changes: list[Change] = []
    for id in after:
        if id in before:
            change = _change("modification", element, before[id], after[id])
            if change is not None:
                changes.append(change)
    removed = {id: e for id, e in before.items() if id not in after}
    added = {id: e for id, e in after.items() if id not in before}
    renames = dict(match_renames(removed, added))
    for old_id, new_id in renames.items():
        renamed = _change("renommage", element, removed.pop(old_id), added.pop(new_id), old_id)
        assert renamed is not None  # only a modification without change is no change
        changes.append(renamed)
    for id, e in added.items():
        changes.append(
            Change(
                "ajout",
                element,
                id,
                None,
                None,
                e.label,
                None,
                place(e),
                tuple(
                    FieldChange(name, None, value[1]) for name, value in element_fields(e).items() if value is not None
                ),
            )
        )
    for id, e in removed.items():
        changes.append(
            Change(
                "suppression",
                element,
                id,
                None,
                e.label,
                None,
                place(e),
                None,
                tuple(
                    FieldChange(name, value[1], None) for name, value in element_fields(e).items() if value is not None
                ),
            )
        )
    order = {id: i for i, id in enumerate([*after, *before])}
    changes.sort(key=lambda c: order.get(c.id, 0))
    return changes, renames


def diff_models(
    old: Model,
    new: Model,
    old_program: Program | None = None,
    new_program: Program | None = None,
    cas: CasBasis | None = None,
) -> Diff:
    """Every difference between two consolidated versions, and the money view (at each version's
    maximal structure, or for the données of `cas`)."""
    changes: list[Change] = []
    renames: dict[str, str] = {}
    for element in (*ELEMENT_ORDER, *RULE_ORDER):
        found, renamed = diff_elements(old, new, element)
        changes += found
        if element in kinds.KINDS and kinds.KINDS[element].pays:
            renames.update(renamed)
    old_program = old_program or compile_model(old)
    new_program = new_program or compile_model(new)
    return Diff(
        old,
        new,
        tuple(changes),
        money_view(old_program, new_program, renames, cas),
        old_program.parametres,
        new_program.parametres,
    )


# ---- money ---------------------------------------------------------------------------------------


def money_view(old: Program, new: Program, renames: dict[str, str], cas: CasBasis | None = None) -> MoneyView:
    if cas is None:
        structure_old, structure_new = maximal_structure(old), maximal_structure(new)
        before, after = line_values(old, structure_old), line_values(new, structure_new)
    else:
        structure_old, structure_new = cas.avant, cas.apres
        before, after = paid_values(old, structure_old), paid_values(new, structure_new)
    old_of = {new_id: old_id for old_id, new_id in renames.items()}
    lines = []
    for id in [*after, *(i for i in before if i not in after and i not in renames)]:
        old_id = old_of.get(id, id)
        element_old, element_new = old.model.line(old_id), new.model.line(id)
        shown = element_new or element_old
        assert shown is not None  # a line of one version or the other
        lines.append(
            MoneyLine(
                id,
                old_id if old_id != id else None,
                shown.label,
                (new.model if element_new is not None else old.model).line_kind(shown.id),
                _money_place(element_old),
                _money_place(element_new),
                before.get(old_id) if element_old is not None else None,
                after.get(id) if element_new is not None else None,
            )
        )
    lines.sort(key=lambda line: (-abs(line.delta), line.id))
    sections = []
    for section in (*SECTIONS, *kinds.GROUP_TITLES):
        total_old = sum((line.avant for line in lines if line.section_avant == section and line.avant), NO_MONEY)
        total_new = sum((line.apres for line in lines if line.section_apres == section and line.apres), NO_MONEY)
        if total_old or total_new:
            sections.append((section, total_old, total_new))
    return MoneyView(
        tuple(lines),
        tuple(sections),
        sum((v for v in before.values()), NO_MONEY),
        sum((v for v in after.values()), NO_MONEY),
        structure_old,
        structure_new,
        cas,
    )


def paid_values(program: Program, structure: dict) -> dict[str, Decimal]:
    """What each paying line pays a structure (0 € when not met, or when the structure is not eligible)."""
    evaluation = evaluate(program, structure, explain=False)
    return {line.id: line.montant for line in evaluation.lines if line.id in program.plan.paying}


def _money_place(element) -> str | None:
    """The group a line is totalled in: its section for a critère, else its kind's."""
    if element is None:
        return None
    kind = kind_of(element)
    return element.section if kind is None or kind.group is None else kind.group


# ---- the données of a cas for each version (`diff --cas`) ------------------------------------------------


def cas_basis(old, new, id: str) -> CasBasis:
    """The données of cas `id` for each version: its own cas of that id, or else its cas that starts from it
    (`comme id`, directly or through other cas, along its chain of files: the same structure, with what the
    version adds), or else the other version's, for the données it knows. A cas that neither version has, or
    that leaves a donnée of a version without a value, is an error."""
    found = {"avant": _cas_for(old, id), "apres": _cas_for(new, id)}
    if not any(found.values()):
        names = sorted({c.id for version in (old, new) for c in version.model.cas})
        raise ConvError(
            [
                Diagnostic(
                    "diff-cas-inconnu",
                    f"--cas {id} : aucune des deux versions n'a de cas « {id} »",
                    file="--cas",
                    suggestion=suggest(id, names)
                    or (f"cas connus : {', '.join(names)}" if names else "ces versions n'ont aucun cas"),
                )
            ]
        )
    values = {}
    for which, version in (("avant", old), ("apres", new)):
        cas = found[which] or found["apres" if which == "avant" else "avant"]
        donnees = {k: v for k, v in cas_donnees(version.program, cas).items() if k in version.model.donnees}
        missing = [d for d in version.model.donnees if d not in donnees]
        if missing:
            raise ConvError(
                [
                    Diagnostic(
                        "diff-cas-incomplet",
                        f"--cas {id} : la version « {version.model.version} » n'a pas ce cas, et celui de "
                        f"l'autre version ne donne pas {', '.join(f'« {d} »' for d in missing)}",
                        file="--cas",
                        suggestion=f"ajoutez à « {Path(version.model.path or '').name} » un cas « {id} » qui les donne"
                        + (
                            f", ou nommez un cas de cette version : {', '.join(c.id for c in version.model.cas)}"
                            if version.model.cas
                            else ""
                        ),
                    )
                ]
            )
        values[which] = donnees
    shown = (
        next(c for c in (found["apres"], found["avant"]) if c is not None and c.id == id)
        if any(c is not None and c.id == id for c in found.values())
        else found["apres"] or found["avant"]
    )
    return CasBasis(
        id,
        shown.label,
        values["avant"],
        values["apres"],
        tuple(
            (version.name, c.id)
            for version, c in ((old, found["avant"]), (new, found["apres"]))
            if c is not None and c.id != id
        ),
    )


def _cas_for(version, id: str):
    """The version's cas `id`, or the nearest of its cas written `comme` it (through other cas if need be)."""
    exact = next((c for c in version.model.cas if c.id == id), None)
    if exact is not None:
        return exact
    bases = {}
    for path in version.chain:  # `comme` as written: consolidation replaces a base's cas by its données
        parsed = parse_source(version.sources[path]) if path in version.sources else None
        for item in parsed.file.items if parsed is not None and parsed.file is not None else ():
            if isinstance(item, n.Cas) and item.base:
                bases[item.id] = item.base

    def steps(cas_id: str) -> int | None:
        seen, count = set(), 0
        while cas_id in bases and cas_id not in seen:
            seen.add(cas_id)
            cas_id, count = bases[cas_id], count + 1
            if cas_id == id:
                return count
        return None

    found = [(steps(c.id), index, c) for index, c in enumerate(version.model.cas) if steps(c.id) is not None]
    return min(found, key=lambda item: item[:2])[2] if found else None
