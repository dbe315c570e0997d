"""`python -m interpreter.cli`: the `convcheck` command."""

from interpreter.cli.commands import main

main()
