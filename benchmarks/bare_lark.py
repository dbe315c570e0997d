"""Bare Lark LALR on a `.conv` file: the floor `benchmarks/parse.py` compares `convcheck check` with.

Builds a parser from the same grammar with Lark's default options (its contextual lexer; no
positions, no transformer), cached on disk as convcheck's is, parses the file and prints the
number of tree nodes. `--positions` turns on `propagate_positions`, as convcheck needs.

    python benchmarks/bare_lark.py FILE [--positions]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from lark import Lark

GRAMMAR = Path(__file__).resolve().parent.parent / "grammar" / "conv.lark"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file")
    parser.add_argument("--positions", action="store_true")
    arguments = parser.parse_args()
    lark = Lark(
        GRAMMAR.read_text(encoding="utf-8"),
        parser="lalr",
        start="start",
        cache=True,
        propagate_positions=arguments.positions,
    )
    tree = lark.parse(Path(arguments.file).read_text(encoding="utf-8"))
    print(sum(1 for _ in tree.iter_subtrees()))


if __name__ == "__main__":
    main()
