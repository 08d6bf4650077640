"""Chart primitives: plain numbers in, SVG text out (matplotlib object API, never pyplot).

SVGs are byte-stable for the same input (fixed hash salt, no date), keep text as text
(fonts come from the PDF's stylesheet), and use colour-blind-safe palettes.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import textwrap
from collections.abc import Sequence
from typing import Any

import matplotlib as mpl
from matplotlib.axes import Axes
from matplotlib.backends.backend_svg import RendererSVG
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from .disclosure import HIDDEN_MARK
from .label_placement import (
    LABEL_CHAR_PT,
    LABEL_HEIGHT_PT,
    LABEL_NEAR_PT,
    LABEL_PAD_PT,
    place_labels,
    rect,
)

#: Okabe & Ito's palette, distinguishable with every common colour-vision deficiency.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
MAIN = PALETTE[0]
MUTED = "#6b6b6b"
#: The middle point of an odd Likert scale: a grey that shows on white paper.
NEUTRAL = "#c4c4c4"
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
    # A hyphen for negative ticks: the report font has no U+2212 and matplotlib warns.
    "axes.unicode_minus": False,
}
WIDTH_IN = 6.3
#: Space left between the figure's edge, its legend and the axes' labels (as much as
#: matplotlib's constrained layout leaves).
GAP_PT = 3.0


def diverging_colours(points: int) -> list[str]:
    """Colours for a Likert scale, low to high: orange through grey to blue (PuOr-like)."""
    cmap = mpl.colormaps["PuOr"]
    if points == 1:
        return [NEUTRAL]
    # Skip the palest middle tones so neighbouring points stay distinct in print.
    colours = [to_hex(cmap(0.1 + 0.8 * i / (points - 1))) for i in range(points)][::-1]
    if points % 2:
        # PuOr's own middle is near-white: on a white page the neutral point vanished.
        colours[points // 2] = NEUTRAL
    return colours


def new_figure(height_in: float, width_in: float = WIDTH_IN) -> Figure:
    """A figure of the report's column width, laid out by `to_svg`.

    At 72 dpi, the figure's pixels are the SVG's points, which `fit_axes` measures in.
    """
    with mpl.rc_context(RC):
        return Figure(figsize=(width_in, height_in), dpi=72)


def to_svg(fig: Figure) -> str:
    """The figure as an SVG document without the XML prologue, stable byte for byte.

    Drawn straight onto matplotlib's SVG renderer (what `savefig(format="svg")` does for a
    figure without raster parts): `fit_axes` measures the text with that same renderer,
    so each label's size is computed once.
    """
    buffer = io.StringIO()
    with mpl.rc_context(RC):
        renderer = RendererSVG(  # type: ignore[no-untyped-call]  # unannotated in matplotlib
            fig.bbox.width, fig.bbox.height, buffer, metadata={"Date": None}
        )
        fit_axes(fig, renderer)
        fig.draw(renderer)
        renderer.finalize()  # type: ignore[no-untyped-call]  # unannotated in matplotlib
    svg = buffer.getvalue()
    return svg[svg.index("<svg") :]


def fit_axes(fig: Figure, renderer: RendererSVG) -> None:
    """Size the figure's one axes so that all it draws outside the plot fits the figure.

    Tick labels (long, wrapped onto two lines, in any script), axis labels, annotations
    and the figure's legend above or below the plot are measured once, with the renderer
    the SVG is drawn with, and the axes get exactly the margins they need.

    Why not `layout="constrained"`: it measures everything twice per layout and `savefig`
    lays out and draws the figure once more than it saves, which doubled chart time.
    """
    (ax,) = fig.axes
    width, height = fig.bbox.width, fig.bbox.height
    plot = ax.get_window_extent(renderer)
    drawn = ax.get_tightbbox(renderer)
    if drawn is None:  # pragma: no cover - every chart has at least its ticks
        return
    below = above = GAP_PT
    for legend in fig.legends:
        box = legend.get_window_extent(renderer)
        if box.y0 < height / 2:
            below = max(below, box.y1 + GAP_PT)
        else:
            above = max(above, height - box.y0 + GAP_PT)
    fig.subplots_adjust(
        left=(plot.x0 - drawn.x0 + GAP_PT) / width,
        right=1 - (drawn.x1 - plot.x1 + GAP_PT) / width,
        bottom=(plot.y0 - drawn.y0 + below) / height,
        top=1 - (drawn.y1 - plot.y1 + above) / height,
    )


def _height(rows: int, per_row: float = 0.32, extra: float = 0.7) -> float:
    return max(1.6, extra + per_row * rows)


def _mark_hidden(ax: Axes, y: float, *, fontsize: float) -> None:
    """Write HIDDEN_MARK where a hidden bar would start, so it does not read as zero."""
    ax.annotate(
        HIDDEN_MARK,
        (0, y),
        xytext=(3, 0),
        textcoords="offset points",
        va="center",
        fontsize=fontsize,
        color=MUTED,
        style="italic",
    )


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
    decimals: int | None = None,
) -> str:
    """Horizontal bars, first label on top; a None value (suppressed) is marked, not drawn.

    Values are written on the bars as percentages, with `decimals` places as the block's
    table prints them (a score of 3.00 must not read as a count of 3), or else as short as
    they go.
    """
    with mpl.rc_context(RC):
        # Two-line labels (wrap_label) need taller rows, or they touch their neighbours.
        two_lines = any("\n" in label for label in labels)
        fig = new_figure(_height(len(labels), per_row=0.42 if two_lines else 0.32))
        ax = fig.add_subplot()
        ys = list(range(len(labels)))[::-1]
        shown = [(y, v) for y, v in zip(ys, values, strict=True) if v is not None]
        ax.barh([y for y, _ in shown], [v for _, v in shown], color=MAIN, height=0.65)
        ax.set_yticks(ys, list(labels))
        for y, v in shown:
            ax.annotate(
                f"{v:.0%}" if percent else f"{v:g}" if decimals is None else f"{v:.{decimals}f}",
                (v, y),
                xytext=(3, 0),
                textcoords="offset points",
                va="center",
                fontsize=8,
            )
        for y, value in zip(ys, values, strict=True):
            if value is None:
                _mark_hidden(ax, y, fontsize=8)
        # Every row, drawn or not: autoscaling would cut a hidden first or last one.
        ax.set_ylim(-0.6, len(labels) - 0.4)
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
    """Horizontal bars per label, one colour per group; a None value is marked, not drawn."""
    with mpl.rc_context(RC):
        fig = new_figure(_height(len(labels), per_row=0.17 * max(2, len(groups)), extra=0.9))
        ax = fig.add_subplot()
        n = max(1, len(groups))
        height = 0.8 / n
        for g, (name, values) in enumerate(groups):
            ys = [(len(labels) - 1 - i) + 0.4 - height * (g + 0.5) for i in range(len(values))]
            for y, value in zip(ys, values, strict=True):
                if value is None:
                    _mark_hidden(ax, y, fontsize=6.5)
            shown = [(y, v) for y, v in zip(ys, values, strict=True) if v is not None]
            if shown:
                ax.barh(
                    [y for y, _ in shown],
                    [v for _, v in shown],
                    height=height * 0.95,
                    color=PALETTE[g % len(PALETTE)],
                    label=name,
                )
        ax.set_yticks(range(len(labels))[::-1], list(labels))
        ax.set_ylim(-0.5, len(labels) - 0.5)
        if percent:
            ax.xaxis.set_major_formatter(mpl.ticker.PercentFormatter(1.0, decimals=0))
        ax.set_xlabel(xlabel)
        handles, names = ax.get_legend_handles_labels()
        if handles:
            # Below the plot: inside it, the legend covered the longest bars.
            fig.legend(
                handles,
                names,
                loc="lower center",
                ncols=min(len(names), 4),
                fontsize=8,
                frameon=False,
            )
        _style(ax)
        return to_svg(fig)


def diverging_chart(
    labels: Sequence[str],
    shares: Sequence[Sequence[float | None] | None],
    points: Sequence[str],
    *,
    k: int,
    row_notes: Sequence[str | None] | None = None,
) -> str:
    """Diverging stacked bars for Likert items: low points left of zero, high points right.

    `shares[i]` holds the share of each scale point for row i (summing to 1), or None when
    the row is suppressed: `row_notes[i]` is written instead, by default "fewer than k
    respondents". An odd scale's middle point is split across zero. A hidden point (None)
    is left out and the shown segments close up, so no gap gives its size away.
    """
    colours = diverging_colours(len(points))
    half = len(points) / 2
    with mpl.rc_context(RC):
        fig = new_figure(_height(len(labels), extra=1.0))
        ax = fig.add_subplot()
        ys = list(range(len(labels)))[::-1]
        notes = list(row_notes or [None] * len(labels))
        #: Per scale point, its segments as (row, start, width): one bar call per colour.
        segments: dict[int, list[tuple[float, float, float]]] = {}
        for y, row, note in zip(ys, shares, notes, strict=True):
            if row is None:
                ax.text(
                    0,
                    y,
                    note or f"fewer than {k} respondents",
                    ha="center",
                    va="center",
                    fontsize=8,
                    color=MUTED,
                    # Readable across the zero line.
                    bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.5},
                )
                continue
            middle = (row[int(half)] or 0) / 2 if len(points) % 2 else 0
            left = -(sum(v or 0 for v in row[: int(half)]) + middle)
            for p, value in enumerate(row):
                if value is None:
                    continue
                segments.setdefault(p, []).append((y, left, value))
                left += value
        for p, bars in sorted(segments.items()):
            ax.barh(
                [y for y, _, _ in bars],
                [width for _, _, width in bars],
                left=[start for _, start, _ in bars],
                color=colours[p],
                height=0.65,
            )
        ax.axvline(0, color=MUTED, linewidth=0.8)
        ax.set_yticks(ys, list(labels))
        ax.set_xlim(-1, 1)
        ax.xaxis.set_major_formatter(mpl.ticker.FuncFormatter(lambda v, _: f"{abs(v):.0%}"))
        if any(row is not None for row in shares):
            fig.legend(
                [Patch(color=colour) for colour in colours],
                list(points),
                loc="lower center",
                ncols=len(points),
                fontsize=7,
                frameon=False,
            )
        _style(ax)
        return to_svg(fig)


def cumulative_step_chart(
    days: Sequence[dt.date],
    series: Sequence[tuple[str, Sequence[int]]],
    *,
    ylabel: str,
) -> str:
    """Running totals per day as steps, one colour per series (e.g. responses per phase).

    `days` are ascending; `series` holds (name, count on each of `days`) and the chart shows
    the cumulative sum. The x axis counts calendar days, so gaps between days show as gaps.
    """
    with mpl.rc_context(RC):
        fig = new_figure(2.2, width_in=5.5)
        ax = fig.add_subplot()
        xs = [(day - days[0]).days for day in days] if days else []
        for i, (name, counts) in enumerate(series):
            total, running = 0, []
            for count in counts:
                total += count
                running.append(total)
            ax.plot(
                xs,
                running,
                drawstyle="steps-post",
                marker="o",
                markersize=3,
                color=PALETTE[i % len(PALETTE)],
                label=name,
            )
        step = max(1, -(-len(days) // 6))
        ticks = list(range(0, len(days), step))
        ax.set_xticks([xs[t] for t in ticks], [f"{days[t]:%d %b}" for t in ticks])
        ax.set_xlim(-0.5, (xs[-1] if xs else 0) + 0.5)
        ax.yaxis.set_major_locator(mpl.ticker.MaxNLocator(integer=True))
        ax.set_ylim(bottom=0)
        ax.set_ylabel(ylabel)
        if series:
            fig.legend(loc="upper center", ncols=len(series), fontsize=8, frameon=False)
        ax.tick_params(length=0)
        ax.grid(axis="y", color="#dddddd", linewidth=0.6)
        ax.set_axisbelow(True)
        return to_svg(fig)


# --- question block charts: histogram, box plot, quadrant --------------------------------


def wrap_label(text: str, width: int = 34, lines: int = 2) -> str:
    """A long axis label broken into at most `lines` lines, the last shortened with "…"."""
    wrapped = textwrap.wrap(text, width) or [""]
    if len(wrapped) > lines:
        rest = textwrap.shorten(" ".join(wrapped[lines - 1 :]), width - 1, placeholder="")
        wrapped = [*wrapped[: lines - 1], rest + "…"]
    return "\n".join(wrapped)


def histogram_chart(
    labels: Sequence[str],
    counts: Sequence[int | None],
    *,
    xlabel: str,
    ylabel: str = "Respondents",
    gap: bool = False,
) -> str:
    """Vertical bars over consecutive bins (touching) or periods (`gap`); a None value (a
    hidden figure) is marked with HIDDEN_MARK along its bin, so it does not read as zero."""
    with mpl.rc_context(RC):
        fig = new_figure(2.6)
        ax = fig.add_subplot()
        shown = [(x, c) for x, c in enumerate(counts) if c is not None]
        ax.bar([x for x, _ in shown], [c for _, c in shown], width=0.8 if gap else 0.96, color=MAIN)
        for x, c in shown:
            if c:
                ax.annotate(
                    f"{c:,}",
                    (x, c),
                    xytext=(0, 2),
                    textcoords="offset points",
                    ha="center",
                    fontsize=7,
                )
        for x, value in enumerate(counts):
            if value is None:
                ax.annotate(
                    HIDDEN_MARK,
                    (x, 0),
                    xytext=(0, 3),
                    textcoords="offset points",
                    ha="center",
                    va="bottom",
                    rotation=90,
                    fontsize=7,
                    color=MUTED,
                    style="italic",
                )
        rotate = len(labels) > 8 or max((len(label) for label in labels), default=0) > 10
        ax.set_xticks(
            range(len(labels)),
            list(labels),
            rotation=45 if rotate else 0,
            ha="right" if rotate else "center",
            rotation_mode="anchor",
        )
        ax.set_xlim(-0.6, len(labels) - 0.4)
        ax.yaxis.set_major_locator(mpl.ticker.MaxNLocator(integer=True))
        ax.margins(y=0.15)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.tick_params(length=0)
        ax.grid(axis="y", color="#dddddd", linewidth=0.6)
        ax.set_axisbelow(True)
        return to_svg(fig)


def quadrant_chart(
    points: Sequence[tuple[str, float | None, float | None]],
    x_label: str,
    y_label: str,
    x_mid: float,
    y_mid: float,
    *,
    x_range: tuple[float, float] | None = None,
    y_range: tuple[float, float] | None = None,
    quadrant_labels: tuple[str, str, str, str] | None = None,
) -> str:
    """Points split into quadrants at (x_mid, y_mid), e.g. importance vs capacity.

    Each point is drawn exactly at its coordinates and labelled with its (short) label,
    placed by `place_labels` so that no label covers another, a point or a corner caption;
    a label set apart from its point gets a thin leader line. Callers pass numbers and
    print the key beside the chart: long names would crowd the plot. `quadrant_labels`
    are written in the corners (top left, top right, bottom left, bottom right). A point
    with a None coordinate (hidden) is left out.
    """
    shown = [(label, x, y) for label, x, y in points if x is not None and y is not None]
    with mpl.rc_context(RC):
        fig = new_figure(4.2)
        ax = fig.add_subplot()
        ax.scatter([x for _, x, _ in shown], [y for _, _, y in shown], color=MAIN, s=22, zorder=3)
        ax.axvline(x_mid, color=MUTED, linewidth=0.8, linestyle="--")
        ax.axhline(y_mid, color=MUTED, linewidth=0.8, linestyle="--")
        ax.set_xlim(*(x_range or _span([x for _, x, _ in shown], x_mid)))
        ax.set_ylim(*(y_range or _span([y for _, _, y in shown], y_mid)))
        corners = (
            (0.02, 0.98, "left", "top"),
            (0.98, 0.98, "right", "top"),
            (0.02, 0.02, "left", "bottom"),
            (0.98, 0.02, "right", "bottom"),
        )
        captions = [
            ax.text(
                cx,
                cy,
                text,
                transform=ax.transAxes,
                ha=ha,
                va=va,
                fontsize=7,
                color=MUTED,
                style="italic",
            )
            for text, (cx, cy, ha, va) in zip(quadrant_labels or (), corners, strict=False)
        ]
        ax.set_xlabel(x_label)
        ax.set_ylabel(y_label)
        ax.tick_params(length=0)
        ax.grid(color="#eeeeee", linewidth=0.6)
        ax.set_axisbelow(True)
        # Lay the axes out now, as `to_svg` will (labels stay inside the plot, so the
        # layout does not change), to place labels in the points they are drawn at.
        renderer = RendererSVG(  # type: ignore[no-untyped-call]  # unannotated in matplotlib
            fig.bbox.width, fig.bbox.height, io.StringIO()
        )
        fit_axes(fig, renderer)
        box = ax.get_window_extent(renderer)
        anchors = [tuple(ax.transData.transform((x, y))) for _, x, y in shown]
        sizes = [
            (LABEL_CHAR_PT * len(label) + 2 * LABEL_PAD_PT, LABEL_HEIGHT_PT) for label, *_ in shown
        ]
        obstacles = [rect(t.get_window_extent(renderer)) for t in captions]
        offsets = place_labels(
            [(float(a), float(b)) for a, b in anchors],
            sizes,
            (box.x0, box.y0, box.x1, box.y1),
            obstacles,
        )
        for (label, x, y), (dx, dy) in zip(shown, offsets, strict=True):
            far = math.hypot(dx, dy) > LABEL_NEAR_PT
            ax.annotate(
                label,
                (x, y),
                xytext=(dx, dy),
                textcoords="offset points",
                ha="center",
                va="center",
                fontsize=8,
                bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.85, "pad": 0.6},
                arrowprops={
                    "arrowstyle": "-",
                    "color": MUTED,
                    "linewidth": 0.5,
                    "shrinkA": 0,
                    "shrinkB": 3,
                }
                if far
                else None,
                zorder=4,
                # Marks the number as a key to the table, not a figure about respondents.
                gid=f"point-key-{label}",
            )
        return to_svg(fig)


def _span(values: Sequence[float], mid: float) -> tuple[float, float]:
    """Axis limits around the values and the midline, with room for labels on the right."""
    low, high = min([*values, mid]), max([*values, mid])
    pad = max(high - low, 1.0) * 0.12
    return low - pad, high + pad * 2
