"""Bar charts as server-rendered SVG: no JavaScript, readable on a phone, printable.

:func:`bar_chart` draws one group of bars per label, one bar per series; every bar has a
``<title>`` (its exact value, for screen readers and on hover) and the chart carries an
``aria-label`` summarizing it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup


@dataclass(frozen=True)
class Series:
    name: str
    colour: str
    values: Sequence[int]


def _nice_step(value: int) -> int:
    """A round grid step (1, 2 or 5 x 10^n) so that four steps reach ``value``."""
    target = max(value, 4) / 4
    magnitude = 1
    while magnitude * 10 <= target:
        magnitude *= 10
    for step in (1, 2, 5, 10):
        if step * magnitude >= target:
            return step * magnitude
    return 10 * magnitude


def bar_chart(
    labels: Sequence[str],
    series: Sequence[Series],
    title: str,
    width: int = 720,
    height: int = 260,
) -> Markup:
    """An SVG grouped bar chart of ``series`` over ``labels``."""
    left, right, top, bottom = 44, 10, 12, 44
    plot_w, plot_h = width - left - right, height - top - bottom
    step = _nice_step(max((v for s in series for v in s.values), default=0))
    top_value = 4 * step
    group_w = plot_w / max(len(labels), 1)
    bar_w = min(36.0, max(2.0, (group_w * 0.8) / max(len(series), 1)))
    parts = [
        f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg" font-family="system-ui, sans-serif" font-size="15">'
    ]
    for i in range(5):  # horizontal grid with its values
        value = step * i
        y = top + plot_h - plot_h * i / 4
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="#c9cfd8" stroke-width="1"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#4a5360">{value}</text>'
        )
    every = max(1, len(labels) // 8)  # at most about 8 axis labels
    for g, label in enumerate(labels):
        x0 = left + g * group_w + (group_w - bar_w * len(series)) / 2
        for k, s in enumerate(series):
            value = s.values[g] if g < len(s.values) else 0
            h = plot_h * value / top_value if top_value else 0
            x = x0 + k * bar_w
            y = top + plot_h - h
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w - 1:.1f}" height="{h:.1f}" '
                f'fill="{s.colour}"><title>{escape(label)} · {escape(s.name)}: {value}</title>'
                f"</rect>"
            )
        if g % every == 0:
            cx = left + g * group_w + group_w / 2
            parts.append(
                f'<text x="{cx:.1f}" y="{height - bottom + 16}" text-anchor="middle" '
                f'fill="#111418">{escape(label)}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))
