"""The charts of the reports, drawn with matplotlib: inline SVG for HTML, PNG beside a Markdown report.

Each chart is a `Figure` block carrying both renderings. The impact's charts: the distribution
of per-structure changes (histogram), the budget waterfall by line (before → each line's change
→ after), and winners and losers per group (`--par`); a sweep's budget against the value. Amounts are drawn from exact cents; the
drawing is the only place they become floats.
"""

from __future__ import annotations

import io
import warnings

from interpreter.compare.impact import Impact
from interpreter.numbers import euros_of, short_euros
from interpreter.ondemand import np
from interpreter.report.document import Figure

GAIN, LOSS, NEUTRAL, INK = "#2e7d32", "#b3261e", "#7a869a", "#1d2530"
WATERFALL_LINES = 12  # lines drawn one by one; the others are summed as « autres lignes »


def _pyplot():
    import matplotlib  # heavy: only when a chart is drawn

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # heavy, and only once the backend is chosen

    plt.rcParams.update({"svg.hashsalt": "convcheck", "svg.fonttype": "path", "font.size": 9})
    return plt


def _figure(plt, figure, caption: str, png_name: str | None) -> Figure:
    """The matplotlib figure as a `Figure` block (SVG inside, PNG beside), reproducible byte for byte. A character
    the font lacks (a group named in another script) is drawn as a box, without matplotlib's warning on stderr:
    the tables of the report name it in full."""
    svg_buffer, png_buffer = io.StringIO(), io.BytesIO()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Glyph .* missing from", category=UserWarning)
        figure.tight_layout()
        figure.savefig(svg_buffer, format="svg", metadata={"Date": None})
        figure.savefig(png_buffer, format="png", metadata={"Software": None})
    plt.close(figure)
    svg = svg_buffer.getvalue()
    return Figure(caption, svg[svg.index("<svg") :], png_name, png_buffer.getvalue())


# ---- the histogram of per-structure changes -------------------------------------------------------------


def histogram_bins(impact: Impact, bins: int = 30):
    """(counts, edges in euros, unchanged): the structures whose payment changes, in bins of which none straddles
    zero — losses left of it, gains right of it —, and apart, how many do not change (so that a small loss is never
    counted with the unchanged structures)."""
    changes = np.asarray(impact.changes)
    changed = changes[changes != 0] / 100
    unchanged = int((changes == 0).sum())
    if len(changed) == 0:
        return np.zeros(0, dtype=int), np.zeros(0), unchanged
    low, high = min(float(changed.min()), 0.0), max(float(changed.max()), 0.0)
    losing = 0 if low == 0 else bins if high == 0 else min(max(round(bins * -low / (high - low)), 1), bins - 1)
    edges = np.concatenate(
        [
            np.linspace(low, 0, losing + 1) if losing else np.zeros(1),
            np.linspace(0, high, bins - losing + 1)[1:] if bins > losing else np.zeros(0),
        ]
    )
    counts, edges = np.histogram(changed, bins=edges)
    return counts, edges, unchanged


def histogram_chart(impact: Impact, png_name: str | None = None) -> Figure:
    """The distribution of per-structure changes; the unchanged structures as a bar of their own at zero."""
    plt = _pyplot()
    counts, edges, unchanged = histogram_bins(impact)
    figure, axes = plt.subplots(figsize=(7.5, 3.2), dpi=110)
    if len(counts):
        colors = [LOSS if right <= 0 else GAIN for right in edges[1:]]
        axes.bar(edges[:-1], counts, width=np.diff(edges), align="edge", color=colors, edgecolor="white")
    if unchanged:
        width = float(np.diff(edges).min()) * 0.35 if len(edges) > 1 else 1.0
        axes.bar(
            [0],
            [unchanged],
            width=width,
            color=NEUTRAL,
            edgecolor=INK,
            linewidth=0.6,
            zorder=3,
            label=f"inchangées : {unchanged}",
        )
        axes.legend(loc="upper left", fontsize=8, frameon=False)
    axes.set_xlabel("Variation du paiement annuel par structure (€)")
    axes.set_ylabel("Nombre de structures")
    axes.axvline(0, color=INK, linewidth=0.8)
    axes.spines[["top", "right"]].set_visible(False)
    caption = (
        "Répartition des structures selon la variation de leur paiement (rouge : baisse, vert : hausse ; "
        "gris, à zéro : les structures dont le paiement ne change pas, comptées à part)."
    )
    return _figure(plt, figure, caption, png_name)


# ---- the budget waterfall ------------------------------------------------------------------------------------


def waterfall_steps(impact: Impact) -> list[tuple[str, int]]:
    """(label, change in cents) of each line that changes the budget, largest first; beyond
    `WATERFALL_LINES`, the rest summed as one step."""
    steps = [(label or id, after - before) for id, label, before, after in impact.lines if after != before]
    if len(steps) > WATERFALL_LINES:
        rest = steps[WATERFALL_LINES - 1 :]
        steps = steps[: WATERFALL_LINES - 1] + [(f"{len(rest)} autres lignes", sum(c for _, c in rest))]
    return steps


def waterfall_chart(impact: Impact, png_name: str | None = None) -> Figure:
    """Budget before, each line's change, budget after: horizontal bars, read from top to bottom."""
    plt = _pyplot()
    steps = waterfall_steps(impact)
    labels = ["Budget avant", *(_short(label) for label, _ in steps), "Budget après"]
    figure, axes = plt.subplots(figsize=(9, 1.2 + 0.34 * len(labels)), dpi=110)
    level = impact.budget_before
    lefts, widths, colors, texts = [0], [impact.budget_before], [NEUTRAL], [short_euros(euros_of(impact.budget_before))]
    for _, change in steps:
        lefts.append(min(level, level + change))
        widths.append(abs(change))
        colors.append(GAIN if change > 0 else LOSS)
        texts.append(("+" if change > 0 else "") + short_euros(euros_of(change)))
        level += change
    lefts.append(0)
    widths.append(impact.budget_after)
    colors.append(NEUTRAL)
    texts.append(short_euros(euros_of(impact.budget_after)))
    rows = np.arange(len(labels))[::-1]
    scale = 100 * 1e6 if max(impact.budget_before, impact.budget_after) >= 100 * 1e6 else 100
    axes.barh(rows, np.array(widths) / scale, left=np.array(lefts) / scale, color=colors, height=0.62)
    right = max(left + width for left, width in zip(lefts, widths, strict=False)) / scale
    # The axis starts near the lowest level reached, not at 0: the changes would not show beside the budgets.
    lowest = min(min(impact.budget_before, impact.budget_after), *lefts[1:-1], right * scale) / scale
    start = max(0.0, lowest - (right - lowest) * 0.8) if right > lowest else 0.0
    span = right - start if right > start else 1.0
    for row, left, bar, text in zip(rows, lefts, widths, texts, strict=False):
        axes.text((left + bar) / scale + span * 0.01, row, text, va="center", fontsize=8, color=INK)
    axes.set_yticks(rows, labels)
    axes.set_xlim(start, right + span * 0.18)
    axes.set_xlabel("Budget annuel (M€)" if scale > 100 else "Budget annuel (€)")
    axes.spines[["top", "right"]].set_visible(False)
    caption = (
        "Du budget avant au budget après, ligne par ligne (vert : hausse, rouge : baisse ; "
        "les lignes qui ne changent pas sont omises)."
    )
    return _figure(plt, figure, caption, png_name)


def _short(label: str, size: int = 48) -> str:
    return label if len(label) <= size else label[: size - 1] + "…"


# ---- winners and losers per group ------------------------------------------------------------------------------


def groups_chart(grouping, rows, png_name: str | None = None) -> Figure:
    """Per group of a `--par`: structures that gain (right, green) and lose (left, red)."""
    plt = _pyplot()
    names = [_short(row.group, 32) for row in rows]
    figure, axes = plt.subplots(figsize=(8, 1.0 + 0.32 * max(len(rows), 2)), dpi=110)
    places = np.arange(len(rows))[::-1]
    gains = np.array([row.gain for row in rows])
    losses = np.array([row.lose for row in rows])
    axes.barh(places, gains, color=GAIN, height=0.6, label="gagnent")
    axes.barh(places, -losses, color=LOSS, height=0.6, label="perdent")
    axes.axvline(0, color=INK, linewidth=0.8)
    axes.set_yticks(places, names)
    extent = max(int(gains.max(initial=0)), int(losses.max(initial=0)), 1)
    axes.set_xlim(-extent * 1.1, extent * 1.1)
    axes.xaxis.set_major_formatter(plt.FuncFormatter(lambda x, _: f"{abs(int(x))}"))
    axes.set_xlabel("Nombre de structures (à gauche : perdent ; à droite : gagnent)")
    axes.legend(loc="lower right", fontsize=8, frameon=False)
    axes.spines[["top", "right"]].set_visible(False)
    caption = f"Structures qui gagnent et qui perdent, par {grouping.title}."
    return _figure(plt, figure, caption, png_name)


# ---- a sweep ----------------------------------------------------------------------------------------------------


def sweep_chart(decision, parametre: str, png_name: str | None = None) -> Figure:
    """Budget against value, the reference budget as a line."""
    plt = _pyplot()
    values = [float(p.value) for p in decision.points]
    budgets = [p.budget / 100 / 1e6 for p in decision.points]
    figure, axes = plt.subplots(figsize=(7.5, 3.6), dpi=100)
    drawn = all(p.low is not None and p.high is not None for p in decision.points)
    axes.plot(
        values,
        budgets,
        marker="o" if len(values) <= 30 else None,
        color="#1f5f99",
        label="budget (médiane des tirages)" if drawn else "budget",
    )
    if drawn:
        axes.fill_between(
            values,
            [p.low / 100 / 1e6 for p in decision.points],
            [p.high / 100 / 1e6 for p in decision.points],
            color="#1f5f99",
            alpha=0.18,
            label="5–95 % des tirages",
        )
    if decision.reference_budget is not None:
        axes.axhline(
            decision.reference_budget / 100 / 1e6,
            color="#b23b3b",
            linestyle="--",
            label=f"référence ({decision.reference.model.version})",
        )
    axes.set_xlabel(parametre)
    axes.set_ylabel("budget (M€)")
    axes.grid(alpha=0.3)
    axes.legend(loc="best", fontsize=8)
    return _figure(plt, figure, f"Budget selon {parametre}", png_name)


# ---- several years ----------------------------------------------------------------------------------------------

VERSION_COLORS = ("#1f5f99", "#6a9fd4", "#2e7d32", "#b36b00", "#7a869a")


def projection_chart(projection, png_name: str | None = None) -> Figure:
    """The budget of each year, stacked by the version in force (its months), with the amount above each bar."""
    plt = _pyplot()
    years = [str(y.year) for y in projection.years]
    names = list(dict.fromkeys(p.version for y in projection.years for p in y.parts))
    figure, axes = plt.subplots(figsize=(7.5, 3.6), dpi=110)
    bottoms = np.zeros(len(years))
    for i, name in enumerate(names):
        heights = np.array([sum(p.budget for p in y.parts if p.version == name) for y in projection.years]) / 100 / 1e6
        axes.bar(years, heights, bottom=bottoms, color=VERSION_COLORS[i % len(VERSION_COLORS)], label=name, width=0.6)
        bottoms += heights
    for x, (year, total) in enumerate(zip(projection.years, bottoms, strict=True)):
        axes.text(x, total, short_euros(euros_of(year.budget)), ha="center", va="bottom", fontsize=8, color=INK)
    axes.set_ylabel("Budget (M€)")
    axes.set_ylim(0, float(bottoms.max(initial=1)) * 1.15)
    axes.legend(loc="upper left", fontsize=8, frameon=False)
    axes.spines[["top", "right"]].set_visible(False)
    caption = "Budget de chaque année, par version en vigueur (les mois de chacune)."
    return _figure(plt, figure, caption, png_name)


def compared_chart(before, after, png_name: str | None = None) -> Figure:
    """The change of each year (bars) and the cumulated change (line), in M€."""
    plt = _pyplot()
    years = [str(y.year) for y in before.years]
    changes = np.array([(a.budget - b.budget) / 100 / 1e6 for a, b in zip(after.years, before.years, strict=True)])
    figure, axes = plt.subplots(figsize=(7.5, 3.4), dpi=110)
    axes.bar(years, changes, color=[GAIN if c >= 0 else LOSS for c in changes], width=0.6, label="écart de l'année")
    axes.plot(years, np.cumsum(changes), color=INK, marker="o", label="écart cumulé")
    axes.axhline(0, color=INK, linewidth=0.8)
    axes.set_ylabel("Écart (M€)")
    axes.legend(loc="upper left", fontsize=8, frameon=False)
    axes.spines[["top", "right"]].set_visible(False)
    return _figure(plt, figure, "Écart de budget de chaque année et écart cumulé (M€).", png_name)
