"""Avenant resolution: load a file and its chain of bases, apply operations, consolidate.

An avenant states only what changes. `Loader.load` parses a file; for an avenant it loads
its base (a path relative to the avenant, itself possibly an avenant), then applies the
avenant's operations in order to the base's consolidated AST. The result is a plain
convention AST whose nodes keep the spans of the file where each was last written, so
that diagnostics on a consolidated model point at the right file and line.

Each invalid operation is reported at its own line and skipped; the consolidated result
is then checked as a whole by the checker.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from dsl import keywords
from dsl import nodes as n
from dsl.check.parametres import close_parametre, unit_mismatch
from dsl.diagnostics import Diagnostic, Note, suggest
from dsl.kinds import CLAUSES, KINDS, PAYING, SUPPLEMENT_KINDS
from dsl.model import SECTIONS
from dsl.records import define, evolve, field, frozen
from dsl.source import SourceFile, not_conv, special_kind

if TYPE_CHECKING:
    from dsl.parser import ParseResult

UNKNOWN_WORDS = {kind.name: f"{kind.keyword} « {{}} » {kind.agreed('inconnu')}" for kind in CLAUSES}

# The lines computed from the others (majorations, minimums), by AST node: an avenant adds, changes and removes
# them alike.
KIND_OF = {kind.node: kind.name for kind in SUPPLEMENT_KINDS}
ARTICLES = {kind.name: kind.article for kind in SUPPLEMENT_KINDS}
OTHER_WORDS = {kind.name: kind.article for kind in PAYING}


@frozen
class Loaded:
    """A file as written, and the consolidated convention it stands for."""

    path: str
    written: n.File | None  # the file's own AST
    consolidated: n.File | None  # None when the file or a base could not be parsed
    chain: tuple[str, ...]  # the paths from the root convention to this file
    diagnostics: tuple[Diagnostic, ...]
    removed: dict = field(factory=dict)  # ids removed along the chain → span of the removal
    removals: dict = field(factory=dict)  # (kind, id) removed along the chain → span of the removal
    dropped: dict = field(factory=dict)  # donnée or paramètre id → the last operation that dropped a use of it


@define
class Loader:
    """Loads files once each, remembering sources for rendering diagnostics."""

    sources: dict[str, SourceFile] = field(factory=dict)
    _parsed: dict[str, ParseResult] = field(factory=dict)
    _loaded: dict[str, Loaded] = field(factory=dict)

    def parse(self, path: str) -> ParseResult:
        key = os.path.realpath(path)
        if key not in self._parsed:
            from dsl.parser import parse_file  # Lark (0.04 s of start-up): not for a version read from the cache

            result = parse_file(path)
            self._parsed[key] = result
            if result.source is not None:
                self.sources[path] = result.source
        return self._parsed[key]

    def load(self, path: str, _visiting: tuple[str, ...] = ()) -> Loaded:
        """Parse a file and, for an avenant, resolve and apply its chain of bases."""
        key = os.path.realpath(path)
        if key in self._loaded and not _visiting:
            return self._loaded[key]
        parsed = self.parse(path)
        diagnostics = list(parsed.diagnostics)
        written = parsed.file
        if written is not None and written.kind == "scenario":
            diagnostics.append(
                Diagnostic(
                    "version-attendue",
                    f"« {written.id} » est un scénario, pas une convention ni un avenant",
                    span=written.id_span,
                    suggestion="un scénario s'applique à une version : passez-le avec « --scenario »",
                )
            )
            loaded = Loaded(path, written, None, (path,), tuple(diagnostics))
        elif written is None or written.kind == "convention":
            loaded = Loaded(path, written, written, (path,), tuple(diagnostics))
        else:
            loaded = self._load_avenant(path, written, diagnostics, (*_visiting, key))
        self._loaded.setdefault(key, loaded)
        return loaded

    def _load_avenant(self, path: str, avenant: n.File, diagnostics: list, visiting: tuple[str, ...]) -> Loaded:
        base_header = next((h for h in avenant.headers if h.key == "base"), None)
        if base_header is None:
            diagnostics.append(
                Diagnostic(
                    "en-tete-manquant",
                    f"l'avenant « {avenant.id} » n'indique pas sa base",
                    span=avenant.id_span,
                    suggestion='ajoutez une ligne « base : "convention.conv" » (chemin relatif à ce fichier)',
                )
            )
            return Loaded(path, avenant, None, (path,), tuple(diagnostics))
        assert isinstance(base_header.value, str)  # only « en vigueur » holds a date
        base_path = os.path.normpath(os.path.join(os.path.dirname(path), base_header.value))
        problem = self._base_problem(base_path, base_header, visiting)
        if problem is not None:
            diagnostics.append(problem)
            return Loaded(path, avenant, None, (path,), tuple(diagnostics))
        base = self.load(base_path, visiting)
        diagnostics += base.diagnostics
        if base.consolidated is None:
            return Loaded(path, avenant, None, (*base.chain, path), tuple(diagnostics))
        done = apply_avenant(base.consolidated, avenant, base.removals)
        return Loaded(
            path,
            avenant,
            done.result(avenant),
            (*base.chain, path),
            tuple(diagnostics + done.diagnostics),
            {**base.removed, **done.removed},
            {**base.removals, **done.removals},
            {**base.dropped, **done.dropped},
        )

    def _base_problem(self, base_path: str, header: n.Header, visiting: tuple[str, ...]) -> Diagnostic | None:
        if os.path.realpath(base_path) in visiting:
            names = [os.path.basename(p) for p in visiting] + [os.path.basename(base_path)]
            return Diagnostic(
                "base-cyclique",
                f"la chaîne des bases boucle : {' → '.join(names)}",
                span=header.span,
                suggestion="une base doit être une version antérieure, qui ne dépend pas de cet avenant",
            )
        kind = special_kind(base_path)
        if kind is not None:
            return Diagnostic(
                "fichier-illisible",
                f"la base « {base_path} » est {kind}, pas un fichier .conv",
                span=header.span,
                suggestion="indiquez le fichier de la convention de base",
            )
        if not os.path.isfile(base_path):
            folder = Path(base_path).parent
            candidates = [p.name for p in folder.glob("*.conv")] if folder.is_dir() else []
            hint = suggest(Path(base_path).name, candidates)
            return Diagnostic(
                "base-introuvable",
                f"base introuvable : « {base_path} »",
                span=header.span,
                suggestion=hint or "le chemin de la base est relatif au dossier de l'avenant",
            )
        other = not_conv(base_path)
        if other is not None:  # checked before reading: never show another file's lines
            return Diagnostic(
                "base-invalide",
                f"la base « {base_path} » {other}",
                span=header.span,
                suggestion="la base d'un avenant est la convention (ou l'avenant) qu'il modifie : un fichier .conv",
            )
        return None


# ---- applying an avenant ---------------------------------------------------------------------


@define
class Consolidation:
    """A convention being amended: mutable working copy of a consolidated AST.

    Critères are indexed by id (`places`, and each section maps an id to its critères) so
    that every operation costs the same however large the convention: a long avenant is
    applied in linear time. A base that repeats an id keeps every copy, for the checker to
    report.
    """

    base: n.File
    parametres: dict[str, n.Parametre]
    donnees: dict[str, n.Donnee]
    sections: dict[str, dict[str, list[n.Critere]]]  # kind → id → the critères of that id (one, unless repeated)
    briques: dict[str, n.Brique]
    supplements: dict[str, n.Supplement] = field(factory=dict)  # majorations and minimums, in order
    prorata: n.Prorata | None = None  # the version's `prorata : …`
    exercices: list[n.Exercice] = field(factory=list)  # the rules of single exercises, the base's first
    places: dict[str, tuple[str, str]] = field(factory=dict)  # critère id → ("section", kind) or ("brique", id)
    cas: list[n.Cas] = field(factory=list)
    removed: dict = field(factory=dict)  # id → span of the `supprime` that removed it
    removals: dict = field(factory=dict)  # (kind, id) → span of the `supprime` that removed it, earlier ones included
    dropped: dict = field(factory=dict)  # donnée or paramètre id → the operation that dropped a use of it
    diagnostics: list[Diagnostic] = field(factory=list)
    added_parametres: set[str] = field(factory=set)  # paramètres added by this avenant (not the base's)

    @classmethod
    def of(cls, base: n.File) -> Consolidation:
        sections: dict[str, dict[str, list[n.Critere]]] = {s: {} for s in SECTIONS}
        parametres: dict[str, n.Parametre] = {}
        donnees: dict[str, n.Donnee] = {}
        briques: dict[str, n.Brique] = {}
        supplements: dict[str, n.Supplement] = {}
        for item in base.items:
            match item:
                case n.ParametresBlock(parametres=ps):
                    parametres.update((p.id, p) for p in ps)
                case n.DonneesBlock(donnees=ds):
                    donnees.update((d.id, d) for d in ds)
                case n.Section(kind=kind, criteres=cs):
                    for c in cs:
                        sections[kind].setdefault(c.id, []).append(c)
                case n.Brique() as b:
                    briques[b.id] = b
                case _ if type(item) in KIND_OF:
                    supplement = cast(n.Supplement, item)
                    supplements[supplement.id] = supplement
        consolidation = cls(
            base,
            parametres,
            donnees,
            sections,
            briques,
            supplements,
            next((i for i in base.items if isinstance(i, n.Prorata)), None),
            [i for i in base.items if isinstance(i, n.Exercice)],
        )
        for kind, criteres in sections.items():
            consolidation._place(criteres, ("section", kind))
        for brique in briques.values():
            consolidation._place((c.id for c in brique.criteres), ("brique", brique.id))
        return consolidation

    def _place(self, ids, where: tuple[str, str]) -> None:
        for id in ids:
            self.places.setdefault(id, where)

    def error(self, code: str, message: str, span, suggestion: str | None = None, notes=()):
        self.diagnostics.append(Diagnostic(code, message, span=span, suggestion=suggestion, notes=tuple(notes)))

    # -- lookups

    def find_critere(self, id: str) -> tuple[str, str] | None:
        """Where a critère lives: ("section", kind) or ("brique", brique id)."""
        return self.places.get(id)

    def element_node(self, id: str):
        where = self.places.get(id)
        if where is not None and where[0] == "section":
            return self.sections[where[1]][id][0]
        if id in self.briques:
            return self.briques[id]
        if id in self.supplements:
            return self.supplements[id]
        if where is not None:
            return next(c for c in self.briques[where[1]].criteres if c.id == id)
        return None

    def element_ids(self) -> list[str]:
        ids = [id for criteres in self.sections.values() for id in criteres]
        for brique in self.briques.values():
            ids += [brique.id, *(c.id for c in brique.criteres)]
        return ids

    def section_kind(self, name: str, span) -> str | None:
        kind = keywords.fold_accents(name)
        if kind in SECTIONS:
            return kind
        self.error(
            "section-inconnue",
            f"section inconnue « {name} »",
            span,
            suggestion=suggest(kind, SECTIONS) or "les sections sont « prérequis », « socle » et « options »",
        )
        return None

    # -- applying operations

    def apply(self, item) -> None:
        match item:
            case n.ParametresBlock(parametres=ps, added=added):
                for p in ps:
                    self._set_parametre(p, added)
            case n.DonneesBlock(donnees=ds, added=added):
                for d in ds:
                    previous = self.donnees.get(d.id)
                    if added and previous is not None:
                        self._exists(d, previous, "la donnée", "données")
                        continue
                    self.donnees[d.id] = redefined(previous, d)
            case n.Cas():
                self.cas.append(item)
            case n.Section(kind=kind):
                self.error(
                    "declaration-dans-avenant",
                    "un avenant ne réécrit pas une section : il dit ce qui change",
                    item.span,
                    suggestion=f"écrivez « ajoute dans {keywords.SECTIONS[kind]} {{ … }} »",
                )
            case n.Brique(id=id):
                self.error(
                    "declaration-dans-avenant",
                    "un avenant ne déclare pas une brique directement",
                    item.span,
                    suggestion=f"écrivez « ajoute brique {id} … »",
                )
            case _ if type(item) in KIND_OF:
                id, word = item.id, KIND_OF[type(item)]
                self.error(
                    "declaration-dans-avenant",
                    f"un avenant ne déclare pas {ARTICLES[word]} directement",
                    item.span,
                    suggestion=f"écrivez « ajoute {word} {id} … »",
                )
            case n.AddSupplement(element=element):
                if self._is_new(element.id, element.id_span):
                    self.supplements[element.id] = element
            case n.AddCriteres():
                self._add_criteres(item)
            case n.AddToBrique():
                self._add_to_brique(item)
            case n.AddBrique(brique=brique):
                if self._is_new(brique.id, brique.id_span) and all(
                    self._is_new(c.id, c.id_span) for c in brique.criteres
                ):
                    self._set_brique(brique)
            case n.Modify() | n.Replace():
                self._change(item)
            case n.Move():
                self._move(item)
            case n.Remove(kind="prorata"):
                self._remove_prorata(item)
            case n.Remove(kind="exercice"):
                self._remove_exercice(item)
            case n.Exercice():  # rules for one exercise: kept, applied by `--exercice` (`apply_exercice`)
                self.exercices.append(item)
            case n.Remove():
                self._remove(item)
            case n.Prorata():  # the avenant's own prorata replaces the base's
                if self.prorata is not None:
                    self._dropped_uses(self.prorata, item, item)
                self.prorata = item

    def _set_parametre(self, p: n.Parametre, added: bool) -> None:
        """`paramètres { id = … }` gives an existing paramètre a new value, written in the same unit;
        `ajoute paramètres { … }` adds one. A new id in `paramètres` is a slip: the value meant for
        `montant_rcp`, written `montant_concertation = …`, would otherwise go to a new paramètre, and the
        raise would do nothing."""
        old = self.parametres.get(p.id)
        if added and old is not None:
            self._exists(p, old, "le paramètre", "paramètres")
            return
        if old is None and not added:
            base = {id: q for id, q in self.parametres.items() if id not in self.added_parametres}
            close = close_parametre(p, base)
            meant = f" — vouliez-vous dire « {close} » ?" if close else ""
            self.error(
                "parametre-nouveau",
                f"nouveau paramètre « {p.id} » : la base n'a aucun paramètre de ce nom{meant}",
                p.id_span,
                notes=[Note(f"« {close} » est défini ici", n.parsed_span(base[close].id_span))] if close else [],
                suggestion=(f"pour changer sa valeur, écrivez « {close} = … » ; p" if close else "p")
                + "our ajouter un paramètre, écrivez-le dans « ajoute paramètres { … } »",
            )
            return
        if old is None:
            self.added_parametres.add(p.id)
        if old is not None:
            mismatch = unit_mismatch(old.value, p.value, p.id)
            if mismatch is not None:
                self.error(
                    "unite-parametre",
                    mismatch[0],
                    p.value.span,
                    suggestion=mismatch[1],
                    notes=[Note("valeur de la base", n.parsed_span(old.value.span))],
                )
                return
        self.parametres[p.id] = p if old is None or p.label else evolve(p, label=old.label)
        if old is not None:
            self._dropped_uses(old, p, p)

    def _exists(self, node, existing, what: str, block: str) -> None:
        self.error(
            "id-existant",
            f"{what} « {node.id} » existe déjà : « ajoute » déclare un identifiant nouveau",
            node.id_span,
            notes=[Note("définition existante", n.parsed_span(existing.id_span))],
            suggestion=f"pour le modifier, écrivez-le dans « {block} {{ … }} » ; pour en ajouter un autre, "
            "choisissez un nouvel identifiant",
        )

    def _is_new(self, id: str, span) -> bool:
        existing = self.element_node(id)
        if existing is None:
            return True
        self.error(
            "id-existant",
            f"« {id} » existe déjà",
            span,
            notes=[Note("définition existante", existing.id_span)],
            suggestion="pour le changer, écrivez « modifie » ou « remplace » ; pour en ajouter un autre, "
            "choisissez un nouvel identifiant",
        )
        return False

    def _add_criteres(self, op: n.AddCriteres):
        kind = self.section_kind(op.section, op.section_span)
        if kind is None:
            return
        for critere in op.criteres:
            if self._is_new(critere.id, critere.id_span):
                self._append(kind, critere)

    def _append(self, kind: str, critere: n.Critere) -> None:
        self.sections[kind].setdefault(critere.id, []).append(critere)
        self._place((critere.id,), ("section", kind))

    def _add_to_brique(self, op: n.AddToBrique):
        brique = self.briques.get(op.brique)
        if brique is None:
            self._unknown("brique", op.brique, op.id_span)
            return
        added = tuple(c for c in op.criteres if self._is_new(c.id, c.id_span))
        self.briques[op.brique] = evolve(brique, criteres=brique.criteres + added)
        self._place((c.id for c in added), ("brique", op.brique))

    def _unknown(self, kind: str, id: str, span, removing: bool = False):
        candidates = {
            "critere": [i for i in self.element_ids() if i not in self.briques],
            "brique": list(self.briques),
            **{kind: [id for id, s in self.supplements.items() if KIND_OF[type(s)] == kind] for kind in ARTICLES},
            "donnee": list(self.donnees),
            "parametre": list(self.parametres),
        }[kind]
        node = self.element_node(id)
        other = None if node is None else "brique" if id in self.briques else KIND_OF.get(type(node), "critere")
        hint = (
            f"« {id} » est {OTHER_WORDS[other]} : écrivez « {keywords.KINDS[other]} {id} »"
            if other
            else suggest(id, candidates)
        )
        removal = self.removals.get((kind, id))
        if removal is not None and other is None:  # removed earlier in the chain, or earlier in this avenant
            removed = KINDS[kind].agreed("supprimé")
            where = f"{os.path.basename(removal.file)} ligne {removal.line}"
            self.error(
                "id-inconnu",
                f"{UNKNOWN_WORDS[kind].format(id)} dans la base : {removed} par {where}",
                span,
                notes=[Note(f"{keywords.KINDS[kind]} « {id} » {removed} ici", removal)],
                suggestion="la suppression est déjà faite : retirez cette ligne" if removing else None,
            )
            return
        self.error("id-inconnu", f"{UNKNOWN_WORDS[kind].format(id)} dans la base", span, suggestion=hint)

    def _change(self, op: n.Modify | n.Replace):
        verb = "modifie" if isinstance(op, n.Modify) else "remplace"
        if op.kind in ("donnee", "parametre"):
            what, block = ("une donnée", "données") if op.kind == "donnee" else ("un paramètre", "paramètres")
            pronoun = "la" if op.kind == "donnee" else "le"
            self.error(
                "operation-invalide",
                f"« {verb} » s'applique aux critères et aux briques",
                op.span,
                suggestion=f"pour changer {what}, redéfinissez-{pronoun} dans « {block} {{ … }} »",
            )
            return
        if op.kind == "critere":
            self._change_critere(op, verb)
        elif op.kind == "brique":
            self._change_brique(op)
        else:
            self._change_supplement(op)

    def _change_supplement(self, op):
        """`modifie` or `remplace` a majoration or a minimum: attributes only."""
        old = self.supplements.get(op.id)
        if old is None or KIND_OF[type(old)] != op.kind:
            self._unknown(op.kind, op.id, op.id_span)
            return
        if op.criteres:
            self.error(
                "operation-invalide",
                f"{ARTICLES[op.kind]} ne contient pas de critères",
                op.criteres[0].span,
                suggestion="ajoutez-le dans une section avec « ajoute dans … »",
            )
        attributes = merge_attributes(old.attributes, op.attributes) if isinstance(op, n.Modify) else op.attributes
        new = evolve(old, label=op.label or old.label, attributes=attributes, span=op.span, id_span=op.id_span)
        self._dropped_uses(old, new, op)
        self.supplements[op.id] = new

    def _change_critere(self, op, verb: str):
        where = self.find_critere(op.id)
        if where is None:
            self._unknown("critere", op.id, op.id_span)
            return
        if op.criteres:
            self.error(
                "operation-invalide",
                "un critère ne contient pas d'autres critères",
                op.criteres[0].span,
                suggestion="ajoutez-le dans une section avec « ajoute dans … »",
            )
        old = self.element_node(op.id)
        attributes = merge_attributes(old.attributes, op.attributes) if verb == "modifie" else op.attributes
        new = evolve(old, label=op.label or old.label, attributes=attributes, span=op.span, id_span=op.id_span)
        self._dropped_uses(old, new, op)
        self._put_critere(where, new)

    def _put_critere(self, where: tuple[str, str], critere: n.Critere):
        place, key = where
        if place == "section":
            self.sections[key][critere.id] = [critere for _ in self.sections[key][critere.id]]
        else:
            brique = self.briques[key]
            self.briques[key] = evolve(
                brique, criteres=tuple(critere if c.id == critere.id else c for c in brique.criteres)
            )

    def _change_brique(self, op):
        old = self.briques.get(op.id)
        if old is None:
            self._unknown("brique", op.id, op.id_span)
            return
        if isinstance(op, n.Replace):
            kept = {c.id for c in old.criteres}
            fresh = [c for c in op.criteres if c.id in kept or self._is_new(c.id, c.id_span)]
            new = evolve(
                old,
                label=op.label or old.label,
                attributes=op.attributes,
                criteres=tuple(fresh),
                span=op.span,
                id_span=op.id_span,
            )
        else:
            criteres = list(old.criteres)
            positions = {k.id: i for i, k in reversed(list(enumerate(criteres)))}
            for c in op.criteres:
                index = positions.get(c.id)
                if index is not None:
                    criteres[index] = c
                elif self._is_new(c.id, c.id_span):
                    positions[c.id] = len(criteres)
                    criteres.append(c)
            new = evolve(
                old,
                label=op.label or old.label,
                attributes=merge_attributes(old.attributes, op.attributes),
                criteres=tuple(criteres),
                span=op.span,
                id_span=op.id_span,
            )
        self._dropped_uses(old, new, op)
        self._set_brique(new)

    def _set_brique(self, brique: n.Brique) -> None:
        """Put a new or changed brique in place, its critères indexed."""
        if brique.id in self.briques:
            self._unplace_brique(self.briques[brique.id])
        self.briques[brique.id] = brique
        self._place((c.id for c in brique.criteres), ("brique", brique.id))

    def _unplace_brique(self, brique: n.Brique) -> None:
        for c in brique.criteres:
            if self.places.get(c.id) == ("brique", brique.id):
                del self.places[c.id]

    def _move(self, op: n.Move):
        if op.kind != "critere":
            self.error(
                "operation-invalide",
                f"seul un critère se déplace d'une section à une autre, pas une {keywords.KINDS[op.kind]}",
                op.span,
            )
            return
        kind = self.section_kind(op.section, op.section_span)
        where = self.find_critere(op.id)
        if where is None:
            self._unknown("critere", op.id, op.id_span)
            return
        if kind is None:
            return
        if where == ("section", kind):
            self.diagnostics.append(
                Diagnostic(
                    "deplacement-inutile",
                    f"le critère « {op.id} » est déjà dans « {keywords.SECTIONS[kind]} »",
                    span=op.span,
                )
            )
            return
        critere = evolve(self.element_node(op.id), span=op.span, id_span=op.id_span)
        self._drop_critere(op.id)
        self._append(kind, critere)

    def _drop_critere(self, id: str):
        """Remove a critère from every section, and from the brique that holds it."""
        where = self.places.pop(id, None)
        for criteres in self.sections.values():
            criteres.pop(id, None)
        if where is not None and where[0] == "brique":
            brique = self.briques[where[1]]
            self.briques[where[1]] = evolve(brique, criteres=tuple(c for c in brique.criteres if c.id != id))

    def _remove(self, op: n.Remove):
        tables: dict[str, dict[str, Any]] = {
            "donnee": self.donnees,
            "parametre": self.parametres,
            "brique": self.briques,
        }
        if op.kind in ARTICLES:  # a majoration, a minimum
            tables[op.kind] = {id: s for id, s in self.supplements.items() if KIND_OF[type(s)] == op.kind}
        table = cast(dict[str, Any], tables.get(op.kind))  # None only for a critère, handled first
        if op.kind == "critere":
            if self.find_critere(op.id) is None:
                self._unknown("critere", op.id, op.id_span, removing=True)
                return
            self._dropped_uses(self.element_node(op.id), None, op)
            self._drop_critere(op.id)
        elif op.id not in table:
            self._unknown(op.kind, op.id, op.id_span, removing=True)
            return
        else:
            if op.kind == "brique":
                self._unplace_brique(table[op.id])
            if op.kind in ("brique", "parametre", *ARTICLES):
                self._dropped_uses(table[op.id], None, op)
            if op.kind in ARTICLES:
                del self.supplements[op.id]
            else:
                del table[op.id]
        self.removed[op.id] = op.span
        self.removals[(op.kind, op.id)] = op.span

    def _remove_prorata(self, op: n.Remove) -> None:
        """`supprime prorata`: the lines are paid for the whole year again."""
        if self.prorata is None:
            self.error(
                "id-inconnu",
                "la base n'a pas de prorata",
                op.span,
                suggestion="ses lignes sont déjà payées pour l'année entière : retirez cette ligne",
            )
            return
        self._dropped_uses(self.prorata, None, op)
        self.prorata = None
        self.removals[("prorata", "prorata")] = op.span

    def _remove_exercice(self, op: n.Remove) -> None:
        """`supprime exercice 2022`: the rules the base states for that exercise no longer hold."""
        kept = [e for e in self.exercices if str(e.year) != op.id]
        if len(kept) == len(self.exercices):
            years = ", ".join(str(e.year) for e in self.exercices)
            self.error(
                "id-inconnu",
                f"la base n'a pas de règles propres à l'exercice {op.id}",
                op.span,
                suggestion=f"exercices qui en ont : {years}" if years else "la base n'en a pour aucun exercice",
            )
            return
        self.exercices = kept

    def _dropped_uses(self, old, new, op) -> None:
        """Remember the données and paramètres that `old` used and `new` (None when removed) does not:
        if nothing else uses them, the checker says so at `op`, the operation that dropped them."""
        for id in uses(old) - (uses(new) if new is not None else set()):
            self.dropped[id] = op

    def result(self, avenant: n.File) -> n.File:
        """The consolidated convention: base identity, the avenant's version, date and status (the base's
        where the avenant gives none)."""
        items: list = []
        if self.parametres:
            items.append(n.ParametresBlock(tuple(self.parametres.values())))
        if self.donnees:
            items.append(n.DonneesBlock(tuple(self.donnees.values())))
        if self.prorata is not None:
            items.append(self.prorata)
        items += [
            n.Section(kind, tuple(c for same in cs.values() for c in same)) for kind, cs in self.sections.items() if cs
        ]
        items += self.briques.values()
        items += self.supplements.values()
        items += exercices_in_force(self.exercices, avenant)
        inherited = tuple(i for i in self.base.items if isinstance(i, n.Cas)) + self.base.inherited
        items += flatten_inherited(self.cas, inherited, set(self.donnees))
        headers = []
        for key in ("version", "en_vigueur", "statut"):
            header = next((h for h in avenant.headers if h.key == key), None) or next(
                (h for h in self.base.headers if h.key == key), None
            )
            if header is not None:
                headers.append(header)
        return n.File(
            "convention",
            self.base.id,
            self.base.label,
            tuple(headers),
            tuple(items),
            span=self.base.span,
            id_span=self.base.id_span,
            inherited=inherited,
        )


def flatten_inherited(cas: list[n.Cas], inherited: tuple[n.Cas, ...], donnees: set[str]) -> list[n.Cas]:
    """The avenant's cas, each `comme` that names a cas of a base replaced by that cas's données (those
    the consolidated version still has), so that the consolidated text stands alone: printed, it checks
    without its bases. A `comme` to a cas of the avenant itself is kept; an unknown one is left for the
    checker to report, and so is a donnée the cas writes itself that the version does not have (a slip)."""
    own = {c.id for c in cas}
    by_id = {c.id: c for c in reversed(inherited)}  # the nearest base's cas wins

    def donnees_of(case: n.Cas, seen: frozenset) -> dict[str, n.Assignment] | None:
        if case.base is None:
            return {a.id: a for a in case.donnees or ()}
        base = by_id.get(case.base)
        if base is None or base.id in seen:
            return None
        merged = donnees_of(base, seen | {base.id})
        return None if merged is None else {**merged, **{a.id: a for a in case.donnees or ()}}

    result = []
    for case in cas:
        merged = None if case.base is None or case.base in own else donnees_of(case, frozenset({case.id}))
        if merged is None:
            result.append(case)
        else:
            written = {a.id for a in case.donnees or ()}
            kept = tuple(a for id, a in merged.items() if id in donnees or id in written)
            result.append(evolve(case, donnees=kept, base=None, base_span=None))
    return result


def redefined(previous: n.Donnee | None, new: n.Donnee) -> n.Donnee:
    """A donnée declared again by an avenant: the new declaration, keeping the label and the default (`par
    défaut`) of the previous one when it gives none (to drop a default: `supprime donnée id`, then declare it)."""
    if previous is None:
        return new
    return evolve(
        new, label=new.label or previous.label, default=previous.default if new.default is None else new.default
    )


def merge_attributes(old: tuple[n.Attribute, ...], new: tuple[n.Attribute, ...]) -> tuple[n.Attribute, ...]:
    """`modifie`: listed attributes replace those of the same name, in place; others are kept."""
    names = {a.name for a in new}
    merged: list[n.Attribute] = []
    placed: set[str] = set()
    for attribute in old:
        if attribute.name not in names:
            merged.append(attribute)
        elif attribute.name not in placed:
            merged += [a for a in new if a.name == attribute.name]
            placed.add(attribute.name)
    return tuple(merged + [a for a in new if a.name not in placed])


def uses(node) -> set[str]:
    """The ids a critère, a brique or a paramètre reads: names in its expressions, and what points imply
    (`valeur_point`; `patientele` and `patientele_reference` for points variables)."""
    if isinstance(node, (n.Parametre, n.Prorata)):
        return {e.id for e in n.walk(node.value) if isinstance(e, n.Name)}
    found: set[str] = set()
    for attribute in node.attributes:
        if not isinstance(attribute.value, str):
            found |= {e.id for e in n.walk(attribute.value) if isinstance(e, n.Name)}
        if attribute.name in ("points_fixes", "points_variables"):
            found.add("valeur_point")
        if attribute.name == "points_variables":
            found |= {"patientele", "patientele_reference"}
    for critere in getattr(node, "criteres", ()):
        found |= uses(critere)
    return found


def exercices_in_force(blocks: list[n.Exercice], avenant: n.File) -> list[n.Exercice]:
    """The `exercice` blocks an avenant keeps: its own, and its bases' for the exercises that end once it is in
    force (the rules of an earlier exercise belong to the versions in force then)."""
    since = avenant.header("en_vigueur")
    own = [item for item in avenant.items if isinstance(item, n.Exercice)]
    return [b for b in blocks if since is None or b.year >= since.year or any(b is o for o in own)]


def apply_exercice(file: n.File, year: int) -> tuple[n.File, Consolidation | None, tuple[n.Exercice, ...]]:
    """The rules of one exercise: a consolidated version with the operations of its `exercice YEAR` blocks applied,
    in order (a base's first), as an avenant's are; every `exercice` block is then dropped. Its cas are those of
    the blocks (they describe that exercise); a year without rules of its own is the version as it stands. Gives
    the file, the consolidation that applied the blocks (its diagnostics; None without blocks), and the blocks."""
    blocks = tuple(item for item in file.items if isinstance(item, n.Exercice) and item.year == year)
    if not blocks:
        return evolve(file, items=tuple(i for i in file.items if not isinstance(i, n.Exercice))), None, ()
    consolidation = Consolidation.of(file)
    for block in blocks:
        for item in block.items:
            consolidation.apply(item)
    consolidation.exercices = []
    return consolidation.result(file), consolidation, blocks


def apply_avenant(base: n.File, avenant: n.File, removals: dict | None = None) -> Consolidation:
    """Apply an avenant's operations, in order, to a consolidated base (`removals`: what earlier
    avenants of the chain removed, to say so when this one names it)."""
    consolidation = Consolidation.of(base)
    consolidation.removals.update(removals or {})
    for item in avenant.items:
        consolidation.apply(item)
    return consolidation
