"""A campaign of realistic slips over the bundled conventions, avenant 3 and its scénario.

Each slip is one edit a negotiator could make by mistake while writing a file: a typo in an
identifier, a keyword or a section name; a unit dropped, doubled or changed; a `%` dropped; a
comparison operator flipped or mistyped; an accent wrong; a clause put in the wrong section; a
scénario naming a donnée the version does not have, or drawing `tirage(40)`. The property
(`classify`): every slip either fails with a located message (`check` or a `cas`), or leaves every
figure unchanged, or is reported by a warning that names it. A changed figure with no word is
« silencieux », and the test suite fails on it.

Run as a script for the counts of the whole campaign (`python -m tests.slips`), as written in
docs/erreurs.md.
"""

from __future__ import annotations

import re
import shutil
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import polars as pl
from attrs import frozen

from dsl.avenants import Loader
from dsl.payment import ADVANCE
from interpreter import api
from interpreter.backends.scalar import advance
from interpreter.cases import cas_donnees
from interpreter.numbers import EvaluationError

ROOT = Path(__file__).resolve().parent.parent
# The files a slip is made in, and the versions whose figures are compared (each version with the
# scénarios it is simulated under).
FILES = (
    "conventions/aci-msp-2017.conv",
    "conventions/aci-msp-avenant-1.conv",
    "conventions/aci-msp-avenant-2-france-sante.conv",
    "examples/avenant-3/aci-msp-avenant-3.conv",
    "examples/avenant-3/comite-usagers.conv",
)
VERSIONS = (
    ("conventions/aci-msp-2017.conv", ()),
    ("conventions/aci-msp-avenant-1.conv", ()),
    ("conventions/aci-msp-avenant-2-france-sante.conv", ()),
    ("examples/avenant-3/aci-msp-avenant-3.conv", ("examples/avenant-3/comite-usagers.conv",)),
)
POPULATION_ROWS = 240

KEYWORDS = (
    "critère",
    "condition",
    "points fixes",
    "points variables",
    "montant",
    "paramètres",
    "données",
    "prérequis",
    "socle",
    "options",
    "brique",
    "majoration",
    "minimum",
    "assiette",
    "taux",
    "prorata",
    "modifie",
    "remplace",
    "ajoute",
    "supprime",
    "déplace",
    "attendu",
    "comme",
    "alors",
    "sinon",
    "entre",
    "vrai",
    "faux",
    "éligible",
    "atteint",
    "booléen",
    "entier",
    "pourcentage",
    "choix",
)
SECTIONS = ("prérequis", "socle", "options")
COMPARISONS = {
    ">=": ("<=", "=>", ">"),
    "<=": (">=", "=<", "<"),
    ">": ("<", ">="),
    "<": (">", "<="),
    "!=": ("=!", "="),
    "≥": ("≤",),
    "≤": ("≥",),
}


@frozen
class Slip:
    """One mistaken edit: `before` replaced by `after` at `offset` of `file`."""

    kind: str
    file: str
    offset: int
    before: str
    after: str
    line: int
    summary: str = ""  # how to say a long edit (a block moved)

    def apply(self, text: str) -> str:
        assert text[self.offset : self.offset + len(self.before)] == self.before
        return text[: self.offset] + self.after + text[self.offset + len(self.before) :]

    def __str__(self) -> str:
        edit = self.summary or f"« {self.before} » → « {self.after} »"
        return f"{self.kind} {self.file}:{self.line}: {edit}"


# ---- generating slips ------------------------------------------------------------------------------


def code_spans(text: str) -> Iterator[tuple[int, str]]:
    """The parts of each line that are code (not a comment, not a quoted label), with their offsets."""
    offset = 0
    for line in text.splitlines(keepends=True):
        start, quoted = 0, False
        for i, char in enumerate(line):
            if char == '"' and (i == 0 or line[i - 1] != "\\"):
                if not quoted:
                    yield offset + start, line[start:i]
                quoted = not quoted
                start = i + 1
            elif char == "#" and not quoted:
                yield offset + start, line[start:i]
                start = len(line)
                break
        if not quoted and start < len(line):
            yield offset + start, line[start:]
        offset += len(line)


def _matches(text: str, pattern: str) -> Iterator[tuple[int, str]]:
    for start, code in code_spans(text):
        for match in re.finditer(pattern, code):
            yield start + match.start(), match.group(0)


def _typos(word: str) -> list[str]:
    """Realistic typos of a word: a letter dropped, two swapped, one doubled, an accent changed."""
    letters = [i for i, c in enumerate(word) if c.isalpha()]
    if len(letters) < 3:
        return []
    middle = letters[len(letters) // 2]
    found = [
        word[:middle] + word[middle + 1 :],
        word[:middle] + word[middle + 1] + word[middle] + word[middle + 2 :] if middle + 1 < len(word) else word,
        word[:middle] + word[middle] + word[middle:],
    ]
    accents = {"è": "é", "é": "è"}
    found += [word.replace(a, b, 1) for a, b in accents.items() if a in word]
    if "é" not in word and "è" not in word and "e" in word[1:]:
        i = word.index("e", 1)
        found.append(word[:i] + "é" + word[i + 1 :])
    return [f for f in dict.fromkeys(found) if f != word]


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def slips_of(file: str, text: str, ids: frozenset[str]) -> Iterator[Slip]:
    """Every slip of every kind this campaign makes in one file."""

    def slip(kind, offset, before, after):
        return Slip(kind, file, offset, before, after, _line(text, offset))

    # One typo per place, each place taking the next kind of typo: every kind is tried, every place once.
    sites = [(offset, word) for offset, word in _matches(text, r"[a-z_][a-z0-9_]*") if word in ids]
    # A scénario's own id is not a slip target: it keys its draws (LANGUAGE.md, `tirage`), so renaming it
    # draws other structures by definition, and every report names it beside the figures.
    sites = [
        (offset, word)
        for offset, word in sites
        if not re.search(r"sc[ée]nario\s+$", text[max(0, offset - 12) : offset])
    ]
    for i, (offset, word) in enumerate(sites):
        typos = _typos(word)
        if typos:
            yield slip("identifiant", offset, word, typos[i % len(typos)])
    keyword_sites = [
        (offset, word, keyword)
        for keyword in KEYWORDS
        for offset, word in _matches(text, rf"(?<![\w]){re.escape(keyword)}(?![\w])")
    ]
    for i, (offset, word, keyword) in enumerate(keyword_sites):
        typos = _typos(word)
        if not typos:
            continue
        typo = typos[i % len(typos)]
        same_letters = typo.replace("é", "e").replace("è", "e") == keyword.replace("é", "e").replace("è", "e")
        yield slip("accent" if same_letters else "section" if keyword in SECTIONS else "mot-clé", offset, word, typo)
    for offset, symbol in _matches(text, r"€|EUR\b"):
        yield slip("unité", offset, symbol, "")
        yield slip("unité", offset, symbol, f"{symbol} €")
        yield slip("unité", offset, symbol, "%")
    for offset, symbol in _matches(text, r"%"):
        yield slip("pourcentage", offset, symbol, "")
        yield slip("pourcentage", offset, symbol, "€")
    for offset, operator in _matches(text, r">=|<=|!=|≥|≤|(?<![<>=!])[<>](?!=)"):
        for other in COMPARISONS[operator]:
            yield slip("comparaison", offset, operator, other)
    for offset, written in _matches(text, r"(ajoute dans|vers) (prérequis|prerequis|socle|options)"):
        head, section = written.rsplit(" ", 1)
        for other in SECTIONS:
            if other.replace("é", "e") != section.replace("é", "e"):
                yield slip("section déplacée", offset, written, f"{head} {other}")
    yield from _moved_blocks(file, text)
    if "scénario" in text or "scenario" in text:
        for offset, written in _matches(text, r"tirage\((\d+) %\)"):
            number = written[len("tirage(") : -len(" %)")]
            yield slip("pourcentage", offset, written, f"tirage({number})")
            yield slip("pourcentage", offset, written, f"tirage(1{number} %)")


def _moved_blocks(file: str, text: str) -> Iterator[Slip]:
    """A critère written in the wrong section of a convention: its whole block moved to the top of another."""
    sections = {name: match.end() for name in SECTIONS for match in re.finditer(rf"^{name} \{{\n", text, re.MULTILINE)}
    if len(sections) < 2:
        return
    for match in re.finditer(r"^  critère [a-z_0-9]+ [^\n]*\{\n(?:    [^\n]*\n|\n)*?  \}\n", text, re.MULTILINE):
        home = max((s for s in sections.items() if s[1] <= match.start()), key=lambda s: s[1], default=None)
        if home is None:
            continue
        block = match.group(0)
        for name, start in sections.items():
            if name == home[0]:
                continue
            # One replacement covering both places: from the earlier to the end of the later.
            low, high = min(start, match.start()), max(start, match.end())
            span = text[low:high]
            if start < match.start():
                moved = block + span[: match.start() - low]
            else:
                moved = span[len(block) : start - low] + block
            critere = block.split()[1]
            yield Slip(
                "section déplacée",
                file,
                low,
                span,
                moved,
                _line(text, match.start()),
                f"critère {critere} de {home[0]} vers {name}",
            )


@cache
def identifiers() -> frozenset[str]:
    """The ids of every version: données, paramètres, critères, briques, majorations, minimums, cas."""
    ids: set[str] = set()
    for path, _ in VERSIONS:
        model = api.load(ROOT / path).model
        ids |= {
            *model.donnees,
            *model.parametres,
            *model.criteres,
            *model.briques,
            *model.majorations,
            *model.minimums,
            *(c.id for c in model.cas),
        }
    return frozenset(ids)


def campaign() -> list[Slip]:
    """Every slip, in a fixed order."""
    ids = identifiers()
    return [s for file in FILES for s in slips_of(file, (ROOT / file).read_text(encoding="utf-8"), ids)]


def sample(slips: list[Slip], per_kind: int) -> list[Slip]:
    """`per_kind` slips of each kind, spread evenly over the campaign (the same ones in every run)."""
    by_kind: dict[str, list[Slip]] = {}
    for s in slips:
        by_kind.setdefault(s.kind, []).append(s)
    chosen = []
    for group in by_kind.values():
        step = max(len(group) / per_kind, 1)
        chosen += [group[int(i * step)] for i in range(min(per_kind, len(group)))]
    return chosen


# ---- judging a slip --------------------------------------------------------------------------------


@cache
def population() -> pl.DataFrame:
    """A slice of the example population, with the 2017 donnée the file lacks (derived, not random)."""
    frame = pl.read_csv(ROOT / "examples/population/population.csv", n_rows=POPULATION_ROWS, infer_schema_length=0)
    if "enquete_satisfaction" not in frame.columns:
        frame = frame.with_columns(
            enquete_satisfaction=pl.when(pl.col("usagers_niveau") >= "1")
            .then(pl.lit("true"))
            .otherwise(pl.lit("false"))
        )
    return frame


def figures(root: Path, loader: Loader | None = None) -> dict[str, Any]:
    """Every figure of every version under `root`: each structure's lines and total, each cas's results.
    `loader` reads each file once for all the versions (the files do not change meanwhile)."""
    loader = loader if loader is not None else Loader()
    result: dict[str, Any] = {}
    for path, scenarios in VERSIONS:
        version = api.load(root / path, loader=loader, scenarios=[root / s for s in scenarios])
        table = version.simulation(population(), keep_invalid=True).table(typed=False)
        # Lines keyed by their label: a line moved between sections changes the order of the columns, a typo
        # in the id a line is declared with changes its key in data files (a diff shows it renamed), neither
        # changes a figure.
        labels = {line.id: line.label or line.id for line in version.program.lines}
        result[path] = {labels.get(name, name): table[name].to_list() for name in table.columns}
        # The cas are the version's worked examples, run as `convcheck test` runs them: without the scénarios
        # (a scénario computes données for a population; it would replace the données a cas states).
        plain = api.load(root / path, loader=loader) if scenarios else version
        result[f"{path} cas"] = _cases(plain)
        # The cas of each exercise, run with that exercise's rules: a slip in an `exercice AAAA { … }` block
        # changes no figure of the general rules, only those of its year.
        for year in plain.model.exercices:
            result[f"{path} cas {year}"] = _cases(api.load(root / path, loader=loader, exercice=year))
    return result


def _cases(version) -> list:
    """Each cas: its label, whether it passes, its total and (where the version has `taux_avance`) the advance
    of its structure — `eval --avance`'s figure, which a critère moved between socle and options changes."""
    program = version.program
    return [
        (c.cas.label or c.cas.id, c.passed, c.evaluation and c.evaluation.total, _advance(program, c))
        for c in version.cases()
    ]


def _advance(program, case) -> Any:
    if ADVANCE not in program.model.parametres or case.error is not None:
        return None
    try:
        return advance(program, cas_donnees(program, case.cas))
    except EvaluationError as error:
        return str(error)


@cache
def baseline() -> dict[str, Any]:
    """The figures of the bundled files as they are. Every cas passes there, or every slip would look caught."""
    found = figures(ROOT)
    failing = [c[0] for key, cases in found.items() if " cas" in key for c in cases if not c[1]]
    assert not failing, f"cas en échec avant toute faute : {failing}"
    return found


@frozen
class Outcome:
    """What became of a slip: « erreur », « avertissement », « sans effet » or « silencieux » (the bug)."""

    verdict: str
    detail: str = ""


def classify(slip: Slip) -> Outcome:
    """Apply the slip to a copy of the files, then check, run the cas, and compare every figure."""
    with tempfile.TemporaryDirectory(prefix="convcheck-slip-") as folder:
        root = Path(folder)
        for file in FILES:
            (root / file).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(ROOT / file, root / file)
        target = root / slip.file
        target.write_text(slip.apply(target.read_text(encoding="utf-8")), encoding="utf-8")
        loader = Loader()  # one reading of the slipped files, for the check and for the figures
        diagnostics = api.check_files([str(root / path) for path in (*(v for v, _ in VERSIONS), FILES[-1])], loader)
        errors = [d for d in diagnostics if d.is_error]
        if errors:
            unlocated = [d for d in errors if d.span is None and not d.file]
            return Outcome("sans position" if unlocated else "erreur", errors[0].message)
        try:
            found = figures(root, loader)
        except api.ConvError as error:
            return Outcome("erreur", str(error).splitlines()[0])
        failed = [c for key, cases in found.items() if " cas" in key for c in cases if not c[1]]
        if failed:
            return Outcome("erreur", f"cas « {failed[0][0]} » en échec")
        if found == baseline():
            return Outcome("sans effet")
        warnings = [d for d in diagnostics if not d.is_error and _names(d, slip, root)]
        if warnings:
            return Outcome("avertissement", warnings[0].message)
        return Outcome("silencieux", "un chiffre change sans un mot")


def _names(diagnostic, slip: Slip, root: Path) -> bool:
    """Whether a warning is about this slip: at its line, or quoting what it wrote."""
    span = diagnostic.span
    here = (
        span is not None
        and Path(str(span.file)).resolve() == (root / slip.file).resolve()
        and span.line <= slip.line + slip.after.count("\n")
        and span.end_line >= slip.line
    )
    quoted = bool(slip.after.strip()) and f"« {slip.after.strip()} »" in diagnostic.message
    return here or quoted


def main(argv: list[str]) -> int:
    """Run the whole campaign (or `per_kind` slips of each kind) and print the counts by kind."""
    slips = campaign()
    if argv:
        slips = sample(slips, int(argv[0]))
    counts: dict[str, Counter] = {}
    silent = []
    for slip in slips:
        outcome = classify(slip)
        counts.setdefault(slip.kind, Counter())[outcome.verdict] += 1
        if outcome.verdict in ("silencieux", "sans position"):
            silent.append((slip, outcome))
    verdicts = ("erreur", "avertissement", "sans effet", "silencieux", "sans position")
    print("| Faute | essayées | " + " | ".join(verdicts) + " |")
    print("|---|---:|" + "---:|" * len(verdicts))
    total: Counter = Counter()
    for kind, counter in sorted(counts.items()):
        total.update(counter)
        print(f"| {kind} | {sum(counter.values())} | " + " | ".join(str(counter[v]) for v in verdicts) + " |")
    print(f"| **toutes** | {sum(total.values())} | " + " | ".join(str(total[v]) for v in verdicts) + " |")
    for slip, outcome in silent:
        print(f"SILENCIEUX {slip} — {outcome.detail}", file=sys.stderr)
    return 1 if silent else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
