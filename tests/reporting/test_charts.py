"""Chart primitives: byte-stable SVG, suppressed values never drawn, nothing but the object API."""

from __future__ import annotations

import io
import re
import subprocess
import sys

import pytest
from matplotlib.backends.backend_svg import RendererSVG
from matplotlib.patches import Patch

from survey_app.reporting import charts
from survey_app.reporting.disclosure import HIDDEN_MARK
from tests.conftest import assert_golden

LIKERT = ["1 – Not at all", "2", "3", "4", "5 – Very"]


def texts(svg: str) -> list[str]:
    """The text nodes of an SVG (fonttype none keeps text as <text>)."""
    return [t.strip() for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]


def diverging_example() -> str:
    return charts.diverging_chart(
        ["Engaging with government", "Taking part in the UNTOC review mechanism", "Advocacy"],
        [[0.1, 0.2, 0.3, 0.25, 0.15], None, [None, 0.2, 0.3, None, 0.3]],
        LIKERT,
        k=5,
    )


def test_diverging_chart_matches_the_golden_file(golden):
    golden("diverging_chart.svg", diverging_example())


def test_histogram_matches_the_golden_file(golden):
    svg = charts.histogram_chart(
        ["15–19", "20–24", "25–29", "30–34", "35–39"], [None, 12, 30, 8, 0], xlabel="Years"
    )
    golden("histogram_chart.svg", svg)


def test_the_golden_check_fails_when_a_chart_changes():
    changed = diverging_example().replace("Advocacy", "Advocacy!")
    with pytest.raises(pytest.fail.Exception, match="differs"):
        assert_golden("diverging_chart.svg", changed)


def test_charts_are_byte_stable():
    assert diverging_example() == diverging_example()
    a = charts.quadrant_chart([("A", 4.1, 2.0), ("B", 3.0, 3.5)], "Importance", "Capacity", 3, 3)
    b = charts.quadrant_chart([("A", 4.1, 2.0), ("B", 3.0, 3.5)], "Importance", "Capacity", 3, 3)
    assert a == b
    assert a.startswith("<svg")


def test_a_suppressed_likert_row_says_fewer_than_k():
    svg = charts.diverging_chart(["A", "B"], [[0.5, 0.5], None], ["Low", "High"], k=7)
    assert "fewer than 7 respondents" in texts(svg)
    assert "fewer than k respondents" not in svg


def test_the_legend_lists_every_point_even_when_the_first_row_is_hidden():
    svg = charts.diverging_chart(["A", "B"], [None, [0.2, 0.2, 0.2, 0.2, 0.2]], LIKERT, k=5)
    assert all(point in texts(svg) for point in LIKERT)


def bars(svg: str) -> int:
    """Patches drawn as bars (matplotlib gives each an id starting with 'patch_')."""
    return len(re.findall(r'<g id="patch_\d+">', svg))


def test_suppressed_values_are_never_drawn():
    shown = charts.histogram_chart(["a", "b", "c"], [9, 7, 8], xlabel="x")
    hidden = charts.histogram_chart(["a", "b", "c"], [9, None, 8], xlabel="x")
    assert bars(shown) - bars(hidden) == 1
    assert "7" not in texts(hidden)
    full = charts.diverging_chart(["A"], [[0.2, 0.2, 0.2, 0.2, 0.2]], LIKERT, k=5)
    gap = charts.diverging_chart(["A"], [[0.2, None, 0.2, 0.2, 0.2]], LIKERT, k=5)
    assert bars(full) - bars(gap) == 1


def test_quadrant_chart_leaves_out_points_without_both_coordinates():
    svg = charts.quadrant_chart(
        [("Shown", 4.0, 2.0), ("Hidden", None, 3.0)],
        "Importance",
        "Capacity",
        3.0,
        3.0,
        quadrant_labels=("Strengths", "Priorities", "Low priority", "Keep up"),
    )
    labels = texts(svg)
    assert "Shown" in labels
    assert "Hidden" not in labels
    assert {"Strengths", "Priorities", "Low priority", "Keep up"} <= set(labels)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Short", "Short"),
        ("Taking part in the UNTOC review mechanism", "Taking part in the UNTOC review\nmechanism"),
        (
            "Through constructive dialogues held alongside the review working groups",
            "Through constructive dialogues\nheld alongside the review working…",
        ),
    ],
)
def test_long_labels_wrap_onto_two_lines_at_most(text, expected):
    assert charts.wrap_label(text) == expected


def test_charts_never_load_pyplot():
    code = "import survey_app.reporting.charts, sys; print('matplotlib.pyplot' in sys.modules)"
    out = subprocess.run(  # noqa: S603 -- our own interpreter, fixed code
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"


def test_hidden_bars_carry_the_one_hidden_marker_so_they_do_not_read_as_zero():
    svg = charts.bar_chart(["A", "B", "C"], [0.5, None, 0.0], xlabel="x", percent=True)
    assert texts(svg).count(HIDDEN_MARK) == 1
    assert {"A", "B", "C", "50%", "0%"} <= set(texts(svg))
    grouped = charts.grouped_bar_chart(
        ["A", "B"], [("NGO", [0.2, None]), ("Private", [None, 0.1])], xlabel="x"
    )
    assert texts(grouped).count(HIDDEN_MARK) == 2
    assert "not shown" not in grouped
    histogram = charts.histogram_chart(["a", "b", "c"], [9, None, 8], xlabel="x")
    assert texts(histogram).count(HIDDEN_MARK) == 1


def test_scores_on_bars_keep_their_decimals():
    """A score of 3.00 written as "3" would read as a count of three respondents."""
    assert "3.00" in texts(charts.bar_chart(["A"], [3.0], xlabel="x", decimals=2))
    assert "3" in texts(charts.bar_chart(["A"], [3.0], xlabel="x"))


def test_the_grouped_bar_legend_sits_below_the_plot():
    svg = charts.grouped_bar_chart(
        ["Yes", "No"], [(f"Group {i}", [0.9, 0.8]) for i in range(4)], xlabel="x"
    )
    plot = re.search(r'<g id="patch_2">\s*<path d="([^"]*)"', svg)
    assert plot is not None
    plot_bottom = max(float(y) for y in re.findall(r"[ML] [\d.]+ ([\d.]+)", plot.group(1)))
    legend = svg[svg.index('<g id="legend_1">') :]
    legend_top = min(float(y) for y in re.findall(r"[ML] [\d.]+ ([\d.]+)", legend))
    assert legend_top > plot_bottom  # SVG y grows downwards: the legend is under the bars


def test_the_axes_leave_room_for_long_labels_and_a_legend_below():
    fig = charts.new_figure(1.6)
    ax = fig.add_subplot()
    ax.barh([0, 1], [0.5, 0.7])
    long = "Through constructive dialogues held alongside the review working groups"
    ax.set_yticks([0, 1], [charts.wrap_label(long), "Advocacy"])
    ax.set_xlabel("Share of respondents")
    fig.legend([Patch(), Patch()], ["Non-governmental organisation", "Other"], loc="lower center")
    renderer = RendererSVG(fig.bbox.width, fig.bbox.height, io.StringIO())

    charts.fit_axes(fig, renderer)

    drawn = ax.get_tightbbox(renderer)
    legend = fig.legends[0].get_window_extent(renderer)
    assert drawn is not None
    # Everything inside the figure, the gap kept; the legend under the axis label.
    assert drawn.x0 >= charts.GAP_PT - 0.5
    assert drawn.x1 <= fig.bbox.width - charts.GAP_PT + 0.5
    assert drawn.y1 <= fig.bbox.height - charts.GAP_PT + 0.5
    assert drawn.y0 >= legend.y1 + charts.GAP_PT - 0.5
    assert legend.y0 >= 0
    # The plot itself keeps most of the width: the margin is what the labels need.
    assert ax.get_window_extent(renderer).width > fig.bbox.width / 2
