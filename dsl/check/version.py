"""The version's own clauses that are not lines: its prorata and its exercises.

Its `prorata : …` is the share of the year every line is paid for (once; a warning for each minimum it
leaves for the whole year); its `exercice AAAA { … }` blocks hold the rules of one exercise, applied by
`--exercice` (one block per year and file, within the version's time in force).
"""

from __future__ import annotations

from dsl import nodes as n
from dsl.check.environment import Environment, Scope
from dsl.check.expressions import expect_prorata, partial
from dsl.diagnostics import Note
from dsl.model import Minimum, Prorata
from dsl.printer import print_expr


def check_prorata(env: Environment, minimums: dict[str, Minimum]) -> Prorata | None:
    """The version's `prorata : …` (once), and a warning for each minimum it leaves for the whole year."""
    if not env.prorata_nodes:
        return None
    node, *others = env.prorata_nodes
    for other in others:
        env.error(
            "prorata-duplique",
            "la version a déjà un « prorata »",
            other.span,
            notes=[Note("premier prorata", n.parsed_span(node.span))],
            suggestion="gardez-en un seul : il s'applique à toutes les lignes",
        )
    scope = Scope("clause")
    value = expect_prorata(env, {"prorata": node.value}, scope, "de la version")
    env.use(scope)
    for minimum in minimums.values():
        if minimum.prorata is None:
            env.warn(
                "minimum-non-proratise",
                f"le minimum « {minimum.id} » garantit une année entière alors que "
                "les lignes de la version sont proratisées",
                minimum.node.id_span,
                notes=[Note("le prorata de la version", n.parsed_span(node.span))],
                suggestion=f"ajoutez au minimum « prorata : {print_expr(node.value)} », ou « prorata : 1 » "
                "s'il vaut pour l'année entière",
            )
    return Prorata(partial(value), node)


def check_exercices(env: Environment) -> dict[int, tuple[n.Exercice, ...]]:
    """The `exercice` blocks by year (a base's, then an avenant's); one file writes a year once."""
    years: dict[int, list[n.Exercice]] = {}
    for block in env.exercice_nodes:
        first = next(
            (
                b
                for b in years.get(block.year, ())
                if b.span is not None and block.span is not None and b.span.file == block.span.file
            ),
            None,
        )
        if first is not None:
            env.error(
                "exercice-duplique",
                f"les règles de l'exercice {block.year} sont déjà écrites dans ce fichier",
                block.year_span,
                notes=[Note("premier bloc", n.parsed_span(first.year_span))],
                suggestion="réunissez-les dans un seul bloc « exercice »",
            )
        years.setdefault(block.year, []).append(block)
    since = env.file.header("en_vigueur")
    for block in env.exercice_nodes:
        if since is not None and block.year and block.year < since.year:
            env.error(
                "exercice-hors-vigueur",
                f"la version entre en vigueur le {since.isoformat()}, après la fin "
                f"de l'exercice {block.year} : ses règles propres à cet exercice ne s'appliqueraient jamais",
                block.year_span,
                suggestion="écrivez-les dans la version en vigueur pendant cet exercice",
            )
    return {year: tuple(blocks) for year, blocks in sorted(years.items()) if year}
