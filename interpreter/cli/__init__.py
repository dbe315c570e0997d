"""The `convcheck` command line, in French, over `interpreter.api`:

entry.py      the entry point: the group, whose commands are imported when one is asked for
commands.py   the commands: options → API → one report → exit code
publishing.py the commands that write a version in another form (sql, js, simulateur, consolidate,
              historique, site, fmt) and the language server
options.py    the options the commands share, read in French; the formats each command writes
outputs.py    printing and writing what a command produces; the problems that prevent the job
french.py     click's help and usage errors in French, and the exit codes
"""

from __future__ import annotations

from interpreter.cli.entry import cli, main

__all__ = ["cli", "main"]
