"""Chart primitives: plain numbers in, SVG text out (matplotlib object API, never pyplot).

SVGs are byte-stable for the same input (fixed hash salt, no date), keep text as text
(fonts come from the PDF's stylesheet), and use colour-blind-safe palettes.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import matplotlib as mpl
from matplotlib.axes import Axes
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

#: Okabe & Ito's palette, distinguishable with every common colour-vision deficiency.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
MAIN = PALETTE[0]
MUTED = "#6b6b6b"
FONT = ["Noto Sans", "DejaVu Sans"]
RC: dict[Any, Any] = {
    "svg.hashsalt": "survey_app",
    "svg.fonttype": "none",
    "font.family": "sans-serif",
    "font.sans-serif": FONT,
    "font.size": 9,
    "axes.edgecolor": MUTED,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
WIDTH_IN = 6.3


def diverging_colours(points: int) -> list[str]:
    """Colours for a Likert scale, low to high: orange through grey to blue (PuOr-like)."""
    cmap = mpl.colormaps["PuOr"]
    if points == 1:
        return [to_hex(cmap(0.5))]
    # Skip the palest middle tones so neighbouring points stay distinct in print.
    return [to_hex(cmap(0.1 + 0.8 * i / (points - 1))) for i in range(points)][::-1]


def new_figure(height_in: float, width_in: float = WIDTH_IN) -> Figure:
    """A figure of the report's column width."""
    with mpl.rc_context(RC):
        return Figure(figsize=(width_in, height_in), layout="constrained")


def to_svg(fig: Figure) -> str:
    """The figure as an SVG document without the XML prologue, stable byte for byte."""
    buffer = io.StringIO()
    with mpl.rc_context(RC):
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    svg = buffer.getvalue()
    return svg[svg.index("<svg") :]


def _height(rows: int, per_row: float = 0.32, extra: float = 0.7) -> float:
    return max(1.6, extra + per_row * rows)


def _style(ax: Axes) -> None:
    ax.tick_params(length=0)
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)


def bar_chart(
    labels: Sequence[str],
    values: Sequence[float | None],
    *,
    xlabel: str,
    percent: bool = False,
) -> str:
    """Horizontal bars, first label on top; None values are left out (suppressed)."""
    with mpl.rc_context(RC):
        fig = new_figure(_height(len(labels)))
        ax = fig.add_subplot()
        shown = [(label, v) for label, v in zip(labels, values, strict=True) if v is not None]
        ys = list(range(len(shown)))[::-1]
        numbers = [v for _, v in shown]
        ax.barh(ys, numbers, color=MAIN, height=0.65)
        ax.set_yticks(ys, [label for label, _ in shown])
        for y, v in zip(ys, numbers, strict=True):
            ax.annotate(
                f"{v:.0%}" if percent else f"{v:g}",
                (v, y),
                xytext=(3, 0),
                textcoords="offset points",
                va="center",
                fontsize=8,
            )
        if percent:
            ax.xaxis.set_major_formatter(mpl.ticker.PercentFormatter(1.0, decimals=0))
        ax.set_xlabel(xlabel)
        ax.margins(x=0.12)
        _style(ax)
        return to_svg(fig)


def grouped_bar_chart(
    labels: Sequence[str],
    groups: Sequence[tuple[str, Sequence[float | None]]],
    *,
    xlabel: str,
    percent: bool = True,
) -> str:
    """Horizontal bars per label, one colour per group; None values are left out."""
    with mpl.rc_context(RC):
        fig = new_figure(_height(len(labels), per_row=0.22 * max(2, len(groups))))
        ax = fig.add_subplot()
        n = max(1, len(groups))
        height = 0.8 / n
        for g, (name, values) in enumerate(groups):
            for i, value in enumerate(values):
                if value is None:
                    continue
                y = (len(labels) - 1 - i) + 0.4 - height * (g + 0.5)
                ax.barh(
                    y,
                    value,
                    height=height * 0.95,
                    color=PALETTE[g % len(PALETTE)],
                    label=name
                    if i == next((j for j, v in enumerate(values) if v is not None), -1)
                    else None,
                )
        ax.set_yticks(range(len(labels))[::-1], list(labels))
        if percent:
            ax.xaxis.set_major_formatter(mpl.ticker.PercentFormatter(1.0, decimals=0))
        ax.set_xlabel(xlabel)
        ax.legend(loc="lower right", fontsize=8, frameon=False)
        _style(ax)
        return to_svg(fig)


def diverging_chart(
    labels: Sequence[str],
    shares: Sequence[Sequence[float] | None],
    points: Sequence[str],
) -> str:
    """Diverging stacked bars for Likert items: low points left of zero, high points right.

    `shares[i]` holds the share of each scale point for row i (summing to 1), or None when
    the row is suppressed. An odd scale's middle point is split across zero.
    """
    colours = diverging_colours(len(points))
    half = len(points) / 2
    with mpl.rc_context(RC):
        fig = new_figure(_height(len(labels), extra=1.0))
        ax = fig.add_subplot()
        ys = list(range(len(labels)))[::-1]
        for y, row in zip(ys, shares, strict=True):
            if row is None:
                ax.text(
                    0,
                    y,
                    "fewer than k respondents",
                    ha="center",
                    va="center",
                    fontsize=8,
                    color=MUTED,
                )
                continue
            low = sum(row[: int(half)]) + (row[int(half)] / 2 if len(points) % 2 else 0)
            left = -low
            for p, value in enumerate(row):
                ax.barh(
                    y,
                    value,
                    left=left,
                    color=colours[p],
                    height=0.65,
                    label=points[p] if y == ys[0] else None,
                )
                left += value
        ax.axvline(0, color=MUTED, linewidth=0.8)
        ax.set_yticks(ys, list(labels))
        ax.set_xlim(-1, 1)
        ax.xaxis.set_major_formatter(mpl.ticker.FuncFormatter(lambda v, _: f"{abs(v):.0%}"))
        handles, names = ax.get_legend_handles_labels()
        if handles:
            fig.legend(
                handles,
                names,
                loc="outside lower center",
                ncols=len(points),
                fontsize=7,
                frameon=False,
            )
        _style(ax)
        return to_svg(fig)
