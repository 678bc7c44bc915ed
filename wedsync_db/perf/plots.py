"""The reports' charts (grouped horizontal bars, lines) drawn by matplotlib as SVG text to inline in a page.

Figures are made with ``matplotlib.figure.Figure`` directly, never pyplot: no GUI backend is chosen, no global
figure state is kept between calls, and nothing needs a display (the pattern matplotlib documents for web
servers). Text stays text in the SVG (``svg.fonttype: none``), so the page's font draws it and a reader can search
and copy it; ids are salted with the chart's title, so several charts inline in one page never share an id and the
same data always gives the same file.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from typing import Any

import matplotlib
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter
from matplotlib.typing import RcKeyType

PALETTE = ("#2f6fb0", "#e07b39", "#3a9d5d", "#b03a48", "#7a5cb0", "#8a8a8a")
TARGET_COLOUR = "#b03a48"
WIDTH_INCHES = 11.0  # 792 pt: the page's column at 1,400 px; the page scales it down on a narrower screen


def _style(title: str) -> dict[RcKeyType, Any]:
    return {
        "svg.fonttype": "none", "svg.hashsalt": title, "font.family": "sans-serif", "font.size": 9,
        "axes.titlesize": 11, "axes.titleweight": "bold", "axes.spines.top": False, "axes.spines.right": False,
        "axes.grid": True, "grid.color": "#e4e4e4", "grid.linewidth": 0.6, "axes.axisbelow": True,
        "figure.dpi": 72,
    }


def _svg(figure: Figure) -> str:
    """The figure as SVG text without the XML prolog or the creation date, ready to inline in HTML."""
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches="tight")
    text = buffer.getvalue()
    return text[text.index("<svg"):]


def bars(title: str, labels: list[str], series: dict[str, list[float]], *, unit: str = "ms",
         marker: float | None = None, marker_label: str = "") -> str:
    """Grouped horizontal bars: one row per label, one bar per series, each value printed; an optional target line."""
    with matplotlib.rc_context(_style(title)):
        n = max(len(series), 1)
        row = 0.12 * n + 0.08  # inches per label
        figure = Figure(figsize=(WIDTH_INCHES, 1.4 + row * max(len(labels), 1)), layout="constrained")
        axes = figure.add_subplot()
        height = 0.8 / n
        for j, (name, values) in enumerate(series.items()):
            offsets = [i - 0.4 + height * (j + 0.5) for i in range(len(labels))]
            drawn = axes.barh(offsets, values, height=height * 0.92, color=PALETTE[j % len(PALETTE)], label=name)
            axes.bar_label(drawn, labels=[f"{v:.2f}" for v in values], padding=2, fontsize=7, color="#444")
        axes.set_yticks(range(len(labels)), labels)
        axes.set_ylim(len(labels) - 0.5, -0.5)  # the first label on top, as in the tables
        axes.tick_params(axis="y", length=0)
        axes.grid(axis="y", visible=False)
        axes.tick_params(axis="x", labeltop=len(labels) > 12)  # a tall chart has its scale at both ends
        axes.set_xlabel(unit)
        axes.margins(x=0.08)
        if marker is not None:
            axes.axvline(marker, color=TARGET_COLOUR, linestyle="--", linewidth=1, label=marker_label or None)
        figure.suptitle(title, x=0.01, ha="left", fontweight="bold", fontsize=11)
        figure.legend(loc="outside upper right", ncols=4, frameon=False, fontsize=8)
        return _svg(figure)


def lines(title: str, xs: Sequence[float], series: dict[str, list[float]], *, x_label: str, y_label: str,
          log_x: bool = False) -> str:
    """A line chart with one line (and its points) per series; the legend beside the plot when there are many."""
    with matplotlib.rc_context(_style(title)):
        many = len(series) > 6
        figure = Figure(figsize=(WIDTH_INCHES, 4.2 if not many else max(4.2, 0.17 * len(series) + 1)),
                        layout="constrained")
        axes = figure.add_subplot()
        for j, (name, values) in enumerate(series.items()):
            colour = PALETTE[j % len(PALETTE)] if j < len(PALETTE) else f"C{j % 10}"
            axes.plot(list(xs), values, marker="o", markersize=3, linewidth=1.6, color=colour, label=name)
        if log_x and all(x > 0 for x in xs):
            axes.set_xscale("log")
            axes.xaxis.set_major_formatter(FuncFormatter(_plain))
        if 0 < len(set(xs)) <= 12:  # few measured sizes: a tick at each
            axes.set_xticks(sorted(set(xs)), [_plain(x) for x in sorted(set(xs))])
            axes.xaxis.set_minor_formatter(FuncFormatter(lambda *_: ""))
        axes.set_ylim(bottom=0)
        axes.set_xlabel(x_label)
        axes.set_ylabel(y_label)
        figure.suptitle(title, x=0.01, ha="left", fontweight="bold", fontsize=11)
        if series:
            if many:
                figure.legend(loc="outside right upper", frameon=False, fontsize=7)
            else:
                figure.legend(loc="outside upper right", ncols=len(series), frameon=False, fontsize=8)
        return _svg(figure)


def _plain(value: float, _position: object = None) -> str:
    """A tick label without scientific notation: 0.2, 14, 1,200."""
    if value >= 100 or math.isclose(value, round(value)):
        return f"{value:,.0f}"
    return f"{value:.3g}"
