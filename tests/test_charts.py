"""Chart rendering: valid PNGs of a sensible size, graceful with empty or missing data, readable
in both Discord themes, honest about gaps, and described in words (alt text)."""

from __future__ import annotations

import io
import math
import re
import sys
from datetime import date, timedelta
from itertools import pairwise

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb, to_rgba
from matplotlib.figure import Figure
from PIL import Image

from bot.core.charts import (
    BACKGROUND,
    TEXT,
    day_ticks,
    group_pulse_alt,
    group_pulse_figure,
    group_pulse_png,
    mood_history_alt,
    mood_history_figure,
    mood_history_png,
    worth_a_chart,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
START = date(2025, 2, 1)


def open_png(data: bytes) -> Image.Image:
    assert data.startswith(PNG_SIGNATURE)
    image = Image.open(io.BytesIO(data))
    image.load()
    assert image.format == "PNG"
    return image


def assert_sensible(data: bytes) -> Image.Image:
    image = open_png(data)
    width, height = image.size
    assert 600 <= width <= 1600 and 300 <= height <= 1000
    assert width > height  # landscape, as Discord previews it best
    assert len(data) < 1_000_000  # far below Discord's upload limit
    return image


def background_share(image: Image.Image) -> float:
    """Fraction of pixels that are exactly the dark-theme background."""
    rgb = image.convert("RGB")
    target = tuple(int(BACKGROUND[i : i + 2], 16) for i in (1, 3, 5))
    colours = rgb.getcolors(maxcolors=rgb.width * rgb.height) or []
    return sum(count for count, colour in colours if colour == target) / (rgb.width * rgb.height)


def test_mood_history_renders_on_dark_background() -> None:
    points = [(START + timedelta(days=i), float(1 + i % 5) if i % 4 else None) for i in range(30)]
    image = assert_sensible(mood_history_png(points, title="Your mood, last 30 days"))
    assert background_share(image) > 0.5  # dark theme: mostly background, not white


@pytest.mark.parametrize(
    "points",
    [
        [],
        [(START, None), (START + timedelta(days=1), None)],
        [(START, 3.0)],
        [(START + timedelta(days=3), 4.0), (START, 2.0)],  # out of order
    ],
    ids=["empty", "all-none", "single", "unsorted"],
)
def test_mood_history_edge_cases(points: list[tuple[date, float | None]]) -> None:
    assert_sensible(mood_history_png(points, title="Your mood"))


def test_mood_history_draws_something_when_there_is_data() -> None:
    # A chart with data must differ from the "no check-ins" chart.
    empty = mood_history_png([], title="Mood")
    full = mood_history_png([(START + timedelta(days=i), 3.0) for i in range(7)], title="Mood")
    assert empty != full


def test_group_pulse_renders() -> None:
    days = [START + timedelta(days=i) for i in range(14)]
    counts = [i % 6 for i in range(14)]
    moods: list[float | None] = [None if c == 0 else 2.5 + (i % 3) / 2 for i, c in enumerate(counts)]
    image = assert_sensible(group_pulse_png(days, counts, moods, title="Group pulse"))
    assert background_share(image) > 0.3


@pytest.mark.parametrize(
    ("days", "counts", "moods"),
    [
        ([], [], []),
        ([START, START + timedelta(days=1)], [0, 0], [None, None]),
        ([START, START + timedelta(days=1)], [3, 1], [None, None]),
        ([START], [5], [4.2]),
    ],
    ids=["empty", "no-checkins", "all-none-moods", "single-day"],
)
def test_group_pulse_edge_cases(days: list[date], counts: list[int], moods: list[float | None]) -> None:
    assert_sensible(group_pulse_png(days, counts, moods, title="Group pulse"))


def test_group_pulse_rejects_mismatched_lengths() -> None:
    with pytest.raises(ValueError, match="same length"):
        group_pulse_png([START], [1, 2], [None], title="Group pulse")


def test_rendering_does_not_touch_pyplot() -> None:
    # Other code (and tests) may use pyplot; charts must not create global figures.
    mood_history_png([(START, 3.0)], title="Mood")
    pyplot = sys.modules.get("matplotlib.pyplot")
    assert pyplot is None or pyplot.get_fignums() == []


# ---- Discord's two themes, gaps, panels, ticks and alt text ----------------------------------

DARK_THEME, LIGHT_THEME = "#313338", "#ffffff"


def _linear(channel: float) -> float:
    return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4


def luminance(rgb: tuple[float, float, float]) -> float:
    """WCAG 2.x relative luminance of an sRGB colour with channels in 0..1."""
    red, green, blue = (_linear(c) for c in rgb)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(a: tuple[float, float, float], b: tuple[float, float, float]) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def over(rgba: tuple[float, float, float, float], backdrop: str) -> tuple[float, float, float]:
    """The colour a reader sees: ``rgba`` composited over the backdrop."""
    back = to_rgb(backdrop)
    alpha = rgba[3]
    return (
        rgba[0] * alpha + back[0] * (1 - alpha),
        rgba[1] * alpha + back[1] * (1 - alpha),
        rgba[2] * alpha + back[2] * (1 - alpha),
    )


def data_colours(figure: Figure) -> list[tuple[float, float, float, float]]:
    """Every colour that carries data: lines, their markers, and bars."""
    colours = []
    for axes in figure.axes:
        for line in axes.get_lines():
            alpha = line.get_alpha()
            for colour in (line.get_color(), line.get_markerfacecolor()):
                colours.append(to_rgba(colour, 1.0 if alpha is None else alpha))
        for patch in axes.patches:
            colours.append(patch.get_facecolor())
    return colours


WEEK_WITH_GAPS: list[tuple[date, float | None]] = [
    (START + timedelta(days=i), mood) for i, mood in enumerate([3.0, None, 4.0, 4.0, None, 2.0, 5.0])
]


def pulse_figure(moods: list[float | None] | None = None) -> Figure:
    days = [START + timedelta(days=i) for i in range(7)]
    counts = [3, 0, 2, 4, 1, 0, 5]
    if moods is None:
        moods = [3.5, None, 2.5, 4.0, 3.0, None, 4.5]
    return group_pulse_figure(days, counts, moods, title="Group pulse")


@pytest.mark.parametrize("theme", [DARK_THEME, LIGHT_THEME], ids=["dark", "light"])
@pytest.mark.parametrize("chart", ["mood-history", "group-pulse"])
def test_every_line_and_bar_reads_at_3_to_1_on_both_discord_themes(chart: str, theme: str) -> None:
    figure = mood_history_figure(WEEK_WITH_GAPS, title="Mood") if chart == "mood-history" else pulse_figure()
    colours = data_colours(figure)
    assert colours
    for rgba in colours:
        seen = over(rgba, theme)
        ratio = contrast(seen, to_rgb(theme))
        assert ratio >= 3.0, f"{rgba} on {theme}: {ratio:.2f}:1"
        # The chart's own card background too (what is really behind the line).
        assert contrast(over(rgba, BACKGROUND), to_rgb(BACKGROUND)) >= 3.0


def test_the_chart_is_an_opaque_card_that_looks_the_same_in_either_theme() -> None:
    # Its words keep their contrast (TEXT on BACKGROUND) whatever Discord draws behind the image.
    image = open_png(mood_history_png(WEEK_WITH_GAPS, title="Mood")).convert("RGBA")
    assert image.getextrema()[3] == (255, 255)
    assert contrast(to_rgb(TEXT), to_rgb(BACKGROUND)) >= 4.5


def test_the_mood_line_breaks_at_days_without_a_check_in() -> None:
    figure = mood_history_figure(WEEK_WITH_GAPS, title="Mood")
    mood_line, average_line = figure.axes[0].get_lines()
    xs = list(mood_line.get_xdata())
    ys = list(mood_line.get_ydata())
    # One point per day, NaN where nobody checked in: matplotlib never joins across a NaN.
    assert len(xs) == 7 and xs == sorted(xs) and xs[1] - xs[0] == 1.0
    assert [math.isnan(y) for y in ys] == [False, True, False, False, True, False, False]
    # The average is a mean of the days that have one: it carries on over short gaps.
    averages = list(average_line.get_ydata())
    assert not any(math.isnan(a) for a in averages)
    assert averages[1] == 3.0 and averages[-1] == pytest.approx(3.6)


def test_days_missing_from_the_input_are_gaps_too() -> None:
    # Sparse input (no None rows): the days between still break the line.
    figure = mood_history_figure([(START, 2.0), (START + timedelta(days=3), 4.0)], title="Mood")
    ys = list(figure.axes[0].get_lines()[0].get_ydata())
    assert len(ys) == 4 and math.isnan(ys[1]) and math.isnan(ys[2])


def test_the_rolling_average_breaks_after_a_week_without_check_ins() -> None:
    points = [
        (START, 3.0),
        *[(START + timedelta(days=i), None) for i in range(1, 10)],
        (START + timedelta(days=10), 4.0),
    ]
    averages = list(mood_history_figure(points, title="Mood").axes[0].get_lines()[1].get_ydata())
    assert not math.isnan(averages[6]) and math.isnan(averages[7]) and averages[10] == 4.0


def test_the_group_pulse_is_two_labelled_panels_not_two_y_axes() -> None:
    figure = pulse_figure()
    counts_panel, mood_panel = figure.axes
    assert counts_panel.get_ylabel() == "Check-ins"
    assert mood_panel.get_ylabel() == "Average mood"
    assert [t.get_text() for t in mood_panel.get_yticklabels()] == [
        "1 very low",
        "2 low",
        "3 okay",
        "4 good",
        "5 great",
    ]
    figure.canvas = FigureCanvasAgg(figure)
    figure.draw_without_rendering()
    top, bottom = counts_panel.get_position(), mood_panel.get_position()
    assert top.y0 >= bottom.y1  # stacked, not overlaid on one frame (which twin axes are)
    assert counts_panel.get_shared_x_axes().joined(counts_panel, mood_panel)
    ys = list(mood_panel.get_lines()[0].get_ydata())
    assert math.isnan(ys[1]) and math.isnan(ys[5])  # a day without a shared mood is a gap


def test_the_group_pulse_without_moods_is_one_panel_of_bars() -> None:
    figure = pulse_figure([None] * 7)
    (only,) = figure.axes
    assert only.get_ylabel() == "Check-ins" and len(only.patches) == 7


@pytest.mark.parametrize(
    ("days", "steps"),
    [(7, {1}), (14, {2}), (30, {7}), (90, {14})],
)
def test_date_ticks_fall_at_sensible_intervals(days: int, steps: set[int]) -> None:
    last = date(2026, 11, 30)
    ticks = day_ticks(last - timedelta(days=days - 1), last)
    assert 4 <= len(ticks) <= 8
    assert {(b - a).days for a, b in pairwise(ticks)} == steps
    if min(steps) >= 7:
        assert {t.weekday() for t in ticks} == {0}  # weekly and fortnightly ticks sit on Mondays


def test_a_90_day_chart_labels_its_ticks_like_2_nov() -> None:
    last = date(2026, 11, 30)
    points = [(last - timedelta(days=89 - i), float(1 + i % 5)) for i in range(90)]
    figure = mood_history_figure(points, title="Your mood, last 90 days")
    figure.canvas = FigureCanvasAgg(figure)
    figure.draw_without_rendering()
    labels = [t.get_text() for t in figure.axes[0].get_xticklabels()]
    assert "2 Nov" in labels and "16 Nov" in labels and "30 Nov" in labels
    assert all(re.fullmatch(r"[1-9]\d? [A-Z][a-z]{2}", label) for label in labels), labels


def test_alt_text_says_what_the_mood_chart_shows() -> None:
    alt = mood_history_alt(WEEK_WITH_GAPS, title="Your mood, last 7 days")
    assert alt.startswith("Your mood, last 7 days. Line chart")
    assert "1 Feb to 7 Feb" in alt
    assert "5 check-ins over 7 days" in alt
    assert "lowest 2 (low), highest 5 (great)" in alt
    assert "gaps" in alt
    assert mood_history_alt([], title="Mood") == "Mood. No check-ins in this period yet."


def test_alt_text_says_what_the_group_pulse_shows() -> None:
    days = [START + timedelta(days=i) for i in range(7)]
    counts = [3, 0, 2, 4, 1, 0, 5]
    moods: list[float | None] = [3.5, None, 2.5, 4.0, 3.0, None, 4.5]
    alt = group_pulse_alt(days, counts, moods, title="Group pulse")
    assert "Two panels over 7 days, 1 Feb to 7 Feb" in alt
    assert "Top: check-ins per day, from 0 to 5, 15 in all" in alt
    assert "between 2.5 and 4.5" in alt
    bars_only = group_pulse_alt(days, counts, [None] * 7, title="Group pulse")
    assert "Bar chart" in bars_only and "mood" not in bars_only


def test_alt_text_fits_discords_limit() -> None:
    points = [(START + timedelta(days=i), 3.0) for i in range(90)]
    assert len(mood_history_alt(points, title="x" * 2000)) <= 1024


def test_one_check_in_is_not_worth_a_chart() -> None:
    assert not worth_a_chart([(START, 4.0), (START + timedelta(days=1), None)])
    assert worth_a_chart([(START, 4.0), (START + timedelta(days=1), 3.0)])
