"""The hypotheses behind figures: each scenario applied (its label and its lines) and the `--set`
settings. Every output computed under hypotheses names them beside the figures."""

from __future__ import annotations

from interpreter.report.document import Bullets, Heading, Paragraph

Hypotheses = list[tuple[str, list[str]]]  # (scenario title, or « --set »; its lines as written)


def hypotheses_blocks(hypotheses: Hypotheses, version: str | None = None) -> list:
    """Document blocks: a heading, then one list per scenario."""
    if not hypotheses:
        return []
    title = "Hypothèses" + (f" ({version})" if version else "")
    blocks: list = [Heading(title, level=3)]
    for name, lines in hypotheses:
        blocks.append(Paragraph("Options --set" if name == "--set" else f"Scénario : {name}", emphasis=True))
        blocks.append(Bullets(tuple(lines)))
    return blocks


def hypotheses_text(hypotheses: Hypotheses) -> list[str]:
    """Plain lines for a terminal report."""
    lines = []
    for name, items in hypotheses:
        lines.append("Hypothèses (options --set) :" if name == "--set" else f"Hypothèses du scénario {name} :")
        lines += [f"  • {item}" for item in items]
    return lines


def hypotheses_json(hypotheses: Hypotheses) -> list[dict]:
    return [{"scenario": None if name == "--set" else name, "set": name == "--set", "hypotheses": lines}
            for name, lines in hypotheses]
