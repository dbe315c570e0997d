"""The `.conv` language server (`convcheck lsp`): diagnostics as you type, hover, completion,
definition, references, rename, outline and formatting, for any editor that speaks LSP.

    server.py      the protocol (pygls): documents in, diagnostics out, requests answered
    project.py     open documents' texts, parses kept between edits, one analysis per document
    index.py       where each id is declared, changed and used in a file
    positions.py   our spans ↔ LSP positions (UTF-16 by default)
    hover.py, completion.py, navigation.py (definition, references, rename), symbols.py (outline, fmt)
"""

from __future__ import annotations


def serve() -> None:
    """Run the language server on standard input and output."""
    from interpreter.lsp.server import serve as run  # pygls (heavy): only when the server runs

    run()
