"""`python -m interpreter.cli`: the `convcheck` command."""

from interpreter.cli.entry import main

main()
