"""Tiny SVG charts (grouped horizontal bars, lines) so the bench report needs no plotting library."""

from __future__ import annotations

from html import escape

PALETTE = ("#2f6fb0", "#e07b39", "#3a9d5d", "#b03a48", "#7a5cb0", "#8a8a8a")


def bars(title: str, labels: list[str], series: dict[str, list[float]], *, unit: str = "ms",
         marker: float | None = None, marker_label: str = "") -> str:
    """Grouped horizontal bars: one row per label, one bar per series; an optional vertical target line."""
    row_h, bar_h, left, width = 8 + 12 * len(series), 11, 230, 420
    height = 40 + row_h * len(labels) + 20 * len(series)
    top = max([v for vals in series.values() for v in vals] + [marker or 0.0, 1e-9])
    scale = width / top
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 80}" height="{height}" '
           f'font-family="sans-serif" font-size="11">', f'<text x="4" y="16" font-size="13" '
           f'font-weight="bold">{escape(title)}</text>']
    for i, label in enumerate(labels):
        y0 = 30 + i * row_h
        out.append(f'<text x="{left - 6}" y="{y0 + row_h / 2 + 4}" text-anchor="end">{escape(label)}</text>')
        for j, (name, values) in enumerate(series.items()):
            v = values[i]
            y = y0 + j * 12
            out.append(f'<rect x="{left}" y="{y}" width="{max(v * scale, 0.5):.1f}" height="{bar_h}" '
                       f'fill="{PALETTE[j % len(PALETTE)]}"><title>{escape(name)}: {v:.2f} {unit}</title></rect>')
            out.append(f'<text x="{left + v * scale + 3:.1f}" y="{y + 9}" fill="#444">{v:.2f}</text>')
    if marker is not None:
        x = left + marker * scale
        out.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="26" y2="{30 + row_h * len(labels)}" stroke="#b03a48" '
                   f'stroke-dasharray="4 3"/><text x="{x + 3:.1f}" y="26" fill="#b03a48">{escape(marker_label)}</text>')
    legend_y = 40 + row_h * len(labels)
    for j, name in enumerate(series):
        out.append(f'<rect x="{left}" y="{legend_y + j * 18}" width="12" height="12" '
                   f'fill="{PALETTE[j % len(PALETTE)]}"/><text x="{left + 18}" y="{legend_y + j * 18 + 10}">'
                   f'{escape(name)}</text>')
    out.append("</svg>")
    return "\n".join(out)


def lines(title: str, xs: list[float], series: dict[str, list[float]], *, x_label: str, y_label: str,
          log_x: bool = False) -> str:
    """A line chart with one polyline per series."""
    import math

    left, bottom, width, height = 60, 40, 520, 240
    fx = (lambda v: math.log10(max(v, 1e-9))) if log_x else (lambda v: v)
    tx = [fx(x) for x in xs] or [0.0]
    x_min, x_max = min(tx), max(tx) if max(tx) > min(tx) else min(tx) + 1
    y_max = max([v for vals in series.values() for v in vals] + [1e-9]) * 1.1
    px = lambda v: left + (fx(v) - x_min) / (x_max - x_min) * width  # noqa: E731
    py = lambda v: 30 + height - v / y_max * height  # noqa: E731
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 200}" height="{height + bottom + 40}" '
           f'font-family="sans-serif" font-size="11">',
           f'<text x="4" y="16" font-size="13" font-weight="bold">{escape(title)}</text>',
           f'<line x1="{left}" y1="{30 + height}" x2="{left + width}" y2="{30 + height}" stroke="#333"/>',
           f'<line x1="{left}" y1="30" x2="{left}" y2="{30 + height}" stroke="#333"/>',
           f'<text x="{left + width / 2}" y="{height + 65}" text-anchor="middle">{escape(x_label)}</text>',
           f'<text x="12" y="{30 + height / 2}" transform="rotate(-90 12 {30 + height / 2})" '
           f'text-anchor="middle">{escape(y_label)}</text>']
    for k in range(5):
        v = y_max * k / 4
        out.append(f'<text x="{left - 4}" y="{py(v) + 4:.1f}" text-anchor="end" fill="#666">{v:.1f}</text>')
    for x in xs:
        out.append(f'<text x="{px(x):.1f}" y="{height + 46}" text-anchor="middle" fill="#666">{x:g}</text>')
    for j, (name, values) in enumerate(series.items()):
        color = PALETTE[j % len(PALETTE)]
        points = " ".join(f"{px(x):.1f},{py(v):.1f}" for x, v in zip(xs, values, strict=False))
        out.append(f'<polyline points="{points}" fill="none" stroke="{color}" stroke-width="2"/>')
        out.append(f'<text x="{left + width + 8}" y="{40 + j * 14}" fill="{color}">{escape(name)}</text>')
    out.append("</svg>")
    return "\n".join(out)
