"""Small server-side SVG charts: readable without JavaScript, printable, light.

Every chart carries a <title> and <desc> for screen readers; pages also show the same figures in
a table. Text is escaped; coordinates are rounded to keep the markup small.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from xml.sax.saxutils import escape

from markupsafe import Markup

WIDTH = 640
HEIGHT = 240
PAD_LEFT = 44
PAD_RIGHT = 12
PAD_TOP = 12
PAD_BOTTOM = 28


def _svg(
    title: str, desc: str, body: list[str], width: int = WIDTH, height: int = HEIGHT
) -> Markup:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="t d"><title id="t">{escape(title)}</title>'
        f'<desc id="d">{escape(desc)}</desc>'
    )
    return Markup(head + "".join(body) + "</svg>")  # noqa: S704 (every text above is escaped)


def line_chart(
    series: Sequence[tuple[date, float]],
    *,
    projection: Sequence[tuple[date, float]] = (),
    target: float | None = None,
    end: date | None = None,
    title: str,
    desc: str,
    date_label=lambda d: d.isoformat(),
) -> Markup:
    """Share (0..1) over days: solid for what happened, dashed for the projection, a target line."""
    points = list(series) + list(projection)
    if not points:
        return _svg(title, desc, [])
    first = points[0][0]
    last = max(end or points[-1][0], points[-1][0])
    span = max(1, (last - first).days)
    plot_w = WIDTH - PAD_LEFT - PAD_RIGHT
    plot_h = HEIGHT - PAD_TOP - PAD_BOTTOM

    def x(day: date) -> float:
        return round(PAD_LEFT + (day - first).days / span * plot_w, 1)

    def y(value: float) -> float:
        return round(PAD_TOP + (1 - max(0.0, min(1.0, value))) * plot_h, 1)

    body = []
    for tick in (0, 0.25, 0.5, 0.75, 1):
        body.append(
            f'<line x1="{PAD_LEFT}" y1="{y(tick)}" x2="{WIDTH - PAD_RIGHT}" y2="{y(tick)}" class="grid"/>'
            f'<text x="{PAD_LEFT - 6}" y="{y(tick) + 4}" class="axis" text-anchor="end">{int(tick * 100)}%</text>'
        )
    body.append(
        f'<text x="{PAD_LEFT}" y="{HEIGHT - 8}" class="axis">{escape(date_label(first))}</text>'
        f'<text x="{WIDTH - PAD_RIGHT}" y="{HEIGHT - 8}" class="axis" text-anchor="end">{escape(date_label(last))}</text>'
    )
    if target is not None:
        body.append(
            f'<line x1="{PAD_LEFT}" y1="{y(target)}" x2="{WIDTH - PAD_RIGHT}" y2="{y(target)}" class="target"/>'
        )
    if series:
        path = " ".join(f"{x(d)},{y(v)}" for d, v in series)
        body.append(f'<polyline points="{path}" class="actual"/>')
    if projection:
        path = " ".join(f"{x(d)},{y(v)}" for d, v in projection)
        body.append(f'<polyline points="{path}" class="projection"/>')
    return _svg(title, desc, body)


def bar_chart(rows: Sequence[tuple[str, float]], *, title: str, desc: str) -> Markup:
    """Horizontal bars, one per row: (label, share 0..1)."""
    bar_h = 22
    gap = 8
    label_w = 220
    height = max(40, PAD_TOP + len(rows) * (bar_h + gap))
    plot_w = WIDTH - label_w - 60
    body = []
    for i, (label, share) in enumerate(rows):
        top = PAD_TOP + i * (bar_h + gap)
        w = round(max(0.0, min(1.0, share)) * plot_w, 1)
        short = label if len(label) <= 34 else label[:33] + "…"
        body.append(
            f'<text x="{label_w - 8}" y="{top + 15}" class="axis" text-anchor="end">{escape(short)}</text>'
            f'<rect x="{label_w}" y="{top}" width="{plot_w}" height="{bar_h}" class="track"/>'
            f'<rect x="{label_w}" y="{top}" width="{w}" height="{bar_h}" class="bar"/>'
            f'<text x="{label_w + plot_w + 6}" y="{top + 15}" class="axis">{round(share * 100)}%</text>'
        )
    return _svg(title, desc, body, height=height)
