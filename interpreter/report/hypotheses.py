"""The hypotheses behind figures: each scenario applied (its label and its lines) and the `--set`
settings. Every output computed under hypotheses names them beside the figures."""

from __future__ import annotations

from typing import Protocol

from interpreter.report.document import Bullets, Heading, Paragraph

Hypotheses = list[tuple[str, list[str]]]  # (scenario title, or « --set »; its lines as written)


class Assuming(Protocol):
    """A version computed under hypotheses (`interpreter.convention.Convention`)."""

    def hypotheses(self) -> Hypotheses: ...


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
    return [
        {"scenario": None if name == "--set" else name, "set": name == "--set", "hypotheses": lines}
        for name, lines in hypotheses
    ]


def merged_hypotheses(versions: list[tuple[str, Assuming]]) -> list:
    """The hypotheses of several versions, each line once; a line that only some take names them."""
    taken = [(label, dict(version.hypotheses())) for label, version in versions]
    merged = []
    for name in dict.fromkeys(name for _, found in taken for name in found):
        lines = []
        for line in dict.fromkeys(line for _, found in taken for line in found.get(name, [])):
            labels = [label for label, found in taken if line in found.get(name, [])]
            lines.append(line + ("" if len(labels) == len(taken) else f" ({', '.join(labels)} seulement)"))
        merged.append((name, lines))
    return hypotheses_blocks(merged)


def diff_hypotheses(old: Assuming, new: Assuming) -> list:
    """The hypotheses of a comparison, each once; a line that only one version takes says which."""
    return merged_hypotheses([("version avant", old), ("version après", new)])
