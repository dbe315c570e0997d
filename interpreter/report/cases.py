"""Rendering the worked cases (`cas`) of a version: each one's status, and what failed, where."""

from __future__ import annotations

from interpreter.cases import CaseResult
from interpreter.report.evaluation import Painter


def render_case(result: CaseResult, color: bool) -> str:
    """One cas: its status, and each failing assertion with file:line, expected and actual values."""
    painter = Painter(color)
    cas = result.cas
    title = f"{cas.id} — {cas.label}" if cas.label else cas.id
    if result.passed:
        return f"  {painter.green('✓')} {title}"
    lines = [f"  {painter.red('✗')} {title}"]
    if result.error:
        span = cas.node.id_span
        where = f"{span.file}:{span.line}:{span.column}: " if span else ""
        lines.append(f"    {where}calcul impossible : {result.error}")
    for failure in result.failures:
        span = failure.span
        where = f"{span.file}:{span.line}:{span.column}: " if span else ""
        lines.append(f"    {where}{painter.bold(failure.assertion)}")
        lines.append(f"      attendu : {failure.expected}")
        lines.append(f"      obtenu  : {failure.actual}")
    return "\n".join(lines)
