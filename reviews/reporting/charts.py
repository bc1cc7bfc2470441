"""Charts drawn on the server as SVG: no script, no inline style, so they render under the
strict CSP and print. Colours come from classes in portal.css; every chart has a <title>
and its figures in a table beside it for screen readers and CSV export."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 720, 240
PAD_LEFT, PAD_BOTTOM, PAD_TOP, PAD_RIGHT = 48, 36, 12, 12


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000):
        if value <= step:
            return step
    return value


def _svg(title: str, body: list[str], css: str) -> SafeString:
    return mark_safe(  # noqa: S308 - every text is escaped above
        f'<svg class="chart {css}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>{"".join(body)}</svg>'
    )


def _axes(max_value: float, *, percent: bool = False) -> list[str]:
    plot_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    parts = [
        f'<line class="axis" x1="{PAD_LEFT}" y1="{PAD_TOP + plot_h}" x2="{WIDTH - PAD_RIGHT}" y2="{PAD_TOP + plot_h}"/>'
    ]
    for i in range(5):
        value = max_value * i / 4
        y = PAD_TOP + plot_h - plot_h * i / 4
        label = f"{value:.0f}%" if percent else (f"{value:.0f}" if value >= 10 or value == 0 else f"{value:.1f}")
        parts.append(f'<line class="grid" x1="{PAD_LEFT}" y1="{y:.1f}" x2="{WIDTH - PAD_RIGHT}" y2="{y:.1f}"/>')
        parts.append(f'<text class="tick" x="{PAD_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{label}</text>')
    return parts


def _x_labels(labels: list[str], xs: list[float]) -> list[str]:
    every = max(1, len(labels) // 12)
    return [
        f'<text class="tick" x="{x:.1f}" y="{HEIGHT - PAD_BOTTOM + 16}" text-anchor="middle">{escape(label)}</text>'
        for i, (label, x) in enumerate(zip(labels, xs, strict=True))
        if i % every == 0
    ]


def bar_chart(title: str, labels: list[str], series: dict[str, list[float]]) -> SafeString:
    """Grouped bars: one group per label, one bar per series (class series-<n>)."""
    plot_w, plot_h = WIDTH - PAD_LEFT - PAD_RIGHT, HEIGHT - PAD_TOP - PAD_BOTTOM
    top = _nice_max(max((v for values in series.values() for v in values), default=0))
    body = _axes(top)
    group_w = plot_w / max(1, len(labels))
    bar_w = max(1.0, group_w * 0.8 / max(1, len(series)))
    centers = []
    for i in range(len(labels)):
        x0 = PAD_LEFT + i * group_w + group_w * 0.1
        centers.append(PAD_LEFT + i * group_w + group_w / 2)
        for s, (name, values) in enumerate(series.items()):
            h = plot_h * values[i] / top
            body.append(
                f'<rect class="series-{s}" x="{x0 + s * bar_w:.1f}" y="{PAD_TOP + plot_h - h:.1f}" '
                f'width="{bar_w:.1f}" height="{h:.1f}">'
                f"<title>{escape(labels[i])} {escape(name)}: {values[i]:g}</title></rect>"
            )
    body += _x_labels(labels, centers)
    body += _legend(list(series))
    return _svg(title, body, "bar-chart")


def line_chart(title: str, labels: list[str], series: dict[str, list[float | None]], *, percent=False) -> SafeString:
    plot_w, plot_h = WIDTH - PAD_LEFT - PAD_RIGHT, HEIGHT - PAD_TOP - PAD_BOTTOM
    top = 100 if percent else _nice_max(max((v for vs in series.values() for v in vs if v is not None), default=0))
    body = _axes(top, percent=percent)
    step = plot_w / max(1, len(labels) - 1) if len(labels) > 1 else 0
    xs = [PAD_LEFT + (i * step if len(labels) > 1 else plot_w / 2) for i in range(len(labels))]
    for s, (name, values) in enumerate(series.items()):
        points = [(x, PAD_TOP + plot_h - plot_h * v / top) for x, v in zip(xs, values, strict=True) if v is not None]
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            body.append(f'<polyline class="line series-{s}" points="{path}"/>')
        for (x, y), label, value in zip(
            points,
            [lbl for lbl, v in zip(labels, values, strict=True) if v is not None],
            [v for v in values if v is not None],
            strict=True,
        ):
            body.append(
                f'<circle class="dot series-{s}" cx="{x:.1f}" cy="{y:.1f}" r="3">'
                f"<title>{escape(label)} {escape(name)}: {value:g}{'%' if percent else ''}</title></circle>"
            )
    body += _x_labels(labels, xs)
    body += _legend(list(series))
    return _svg(title, body, "line-chart")


def heatmap(title: str, rows: list[str], columns: list[str], grid: list[list[int]]) -> SafeString:
    """Cells shaded in five steps (classes heat-0..heat-4) by count."""
    top = max((v for row in grid for v in row), default=0)
    cell_w = (WIDTH - PAD_LEFT - PAD_RIGHT) / max(1, len(columns))
    cell_h = (HEIGHT - PAD_TOP - PAD_BOTTOM) / max(1, len(rows))
    body = []
    for r, (row_label, values) in enumerate(zip(rows, grid, strict=True)):
        y = PAD_TOP + r * cell_h
        label_y = y + cell_h * 0.7
        text = escape(row_label)
        body.append(f'<text class="tick" x="{PAD_LEFT - 6}" y="{label_y:.1f}" text-anchor="end">{text}</text>')
        for c, value in enumerate(values):
            step = 0 if not value else min(4, 1 + int(3 * value / top)) if top else 0
            body.append(
                f'<rect class="heat-{step}" x="{PAD_LEFT + c * cell_w:.1f}" y="{y:.1f}" width="{cell_w - 1:.1f}" '
                f'height="{cell_h - 1:.1f}"><title>{escape(row_label)} {escape(columns[c])}: {value}</title></rect>'
            )
    body += [
        f'<text class="tick" x="{PAD_LEFT + c * cell_w + cell_w / 2:.1f}" y="{HEIGHT - PAD_BOTTOM + 16}" '
        f'text-anchor="middle">{escape(label)}</text>'
        for c, label in enumerate(columns)
        if c % 3 == 0
    ]
    return _svg(title, body, "heatmap")


def _legend(names: list[str]) -> list[str]:
    parts = []
    for s, name in enumerate(names):
        x = PAD_LEFT + s * 150
        parts.append(f'<rect class="series-{s}" x="{x}" y="{HEIGHT - 14}" width="10" height="10"/>')
        parts.append(f'<text class="tick" x="{x + 14}" y="{HEIGHT - 5}">{escape(name)}</text>')
    return parts
