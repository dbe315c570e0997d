"""The `.conv` language: sources, parsing, AST, diagnostics, checking, avenants, printing."""
