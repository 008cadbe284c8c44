"""Server-rendered SVG bar charts that show exactly the figures of the tables beside them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from markupsafe import Markup

from storage.small_groups import Count

ROW = 26
BAR = 18
LABEL_WIDTH = 250
PLOT_WIDTH = 360
VALUE_WIDTH = 70
# Colours with at least 3:1 contrast against white (WCAG 1.4.11), told apart by pattern too.
SERIES = ("#1d4f91", "#b3541e")


@dataclass(frozen=True)
class Bar:
    """One bar: a label and one figure per series (hidden ones are written as the rule says)."""

    label: str
    values: tuple[Count, ...]


def _short(label: str, limit: int = 34) -> str:
    """Shorten a label to fit beside its bar."""
    return label if len(label) <= limit else label[: limit - 1] + "…"


def bar_chart(
    title: str,
    bars: Sequence[Bar],
    series: Sequence[str] = ("Personnes",),
) -> Markup:
    """Draw horizontal bars, one group per label, with each value written at the bar's end."""
    peak = max((v.value for b in bars for v in b.values if v.value is not None), default=0) or 1
    per_group = ROW * len(series) + 8
    legend = 22 if len(series) > 1 else 0
    height = legend + per_group * max(1, len(bars)) + 4
    width = LABEL_WIDTH + PLOT_WIDTH + VALUE_WIDTH
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMinYMin meet">',
        f"<title>{escape(title)} (les chiffres sont dans le tableau)</title>",
    ]
    if legend:
        x = LABEL_WIDTH
        for index, name in enumerate(series):
            parts.append(
                f'<rect x="{x}" y="4" width="14" height="14" fill="{SERIES[index % 2]}"/>'
                f'<text x="{x + 20}" y="16" class="chart-text">{escape(name)}</text>'
            )
            x += 30 + 8 * len(name)
    if not bars:
        parts.append(f'<text x="0" y="{legend + 18}" class="chart-text">Aucune réponse</text>')
    for group, bar in enumerate(bars):
        top = legend + group * per_group
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{top + ROW * len(series) / 2 + 5}" '
            f'text-anchor="end" class="chart-text">{escape(_short(bar.label))}</text>'
        )
        for index, figure in enumerate(bar.values):
            y = top + index * ROW
            value = figure.value
            if value is None:
                parts.append(
                    f'<rect x="{LABEL_WIDTH}" y="{y}" width="40" height="{BAR}" '
                    f'class="chart-hidden"/><text x="{LABEL_WIDTH + 48}" y="{y + 14}" '
                    f'class="chart-text">{escape(str(figure))}</text>'
                )
                continue
            length = round(PLOT_WIDTH * value / peak) if value else 0
            parts.append(
                f'<rect x="{LABEL_WIDTH}" y="{y}" width="{max(length, 1)}" height="{BAR}" '
                f'fill="{SERIES[index % 2]}"/><text x="{LABEL_WIDTH + length + 6}" '
                f'y="{y + 14}" class="chart-text">{value}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))
