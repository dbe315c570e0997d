"""Renderers: what users read (text for the terminal, JSON for programs, Markdown, HTML)."""
