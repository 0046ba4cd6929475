"""PNG charts for check-in trends, readable in Discord's dark theme.

Uses ``matplotlib.figure.Figure`` with the Agg canvas directly rather than ``pyplot``: no global
figure registry, no backend switch at import time, and safe to call from worker threads.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator

# Discord's dark theme: message background, and text colours that read well on it.
BACKGROUND = "#313338"
TEXT = "#dbdee1"
MUTED = "#949ba4"
GRID = "#3f4147"
MOOD = "#5865f2"  # Discord blurple
AVERAGE = "#f0b232"
BARS = "#23a55a"

WIDTH_IN, HEIGHT_IN, DPI = 8.0, 4.0, 100  # 800 x 400 px: sharp in the client, small to upload

MOOD_LABELS = {1: "1 very low", 2: "2 low", 3: "3 okay", 4: "4 good", 5: "5 great"}
ROLLING_DAYS = 7


def mood_history_png(points: list[tuple[date, float | None]], *, title: str) -> bytes:
    """Render a member's mood history: daily mood (1–5), a 7-day rolling average, check-in marks.

    ``points`` are ``(day, mood)`` with ``None`` for a day without a check-in; order does not
    matter. The rolling average at a day is the mean of the moods recorded in the 7 days ending
    that day (missing days are skipped, not counted as zero). Empty input or no moods at all
    renders a friendly "no check-ins yet" chart instead of failing.
    """
    figure, axes = _figure(title)
    series = sorted(points)
    checked = [(d, m) for d, m in series if m is not None]
    if not checked:
        _empty_note(axes, "No check-ins in this period yet")
    else:
        days = [_x(d) for d, _ in checked]
        moods = [m for _, m in checked]
        # A line over check-in days only, so gaps do not pretend to be a mood.
        axes.plot(days, moods, color=MOOD, linewidth=1.5, alpha=0.6, label="Mood")
        axes.scatter(days, moods, color=MOOD, s=28, zorder=3, label="Check-in")
        averages = _rolling_average(checked)
        axes.plot(
            [_x(d) for d, _ in averages],
            [a for _, a in averages],
            color=AVERAGE,
            linewidth=2.5,
            label=f"{ROLLING_DAYS}-day average",
        )
        _date_axis(axes, series[0][0], series[-1][0])
        _legend(axes)
    axes.set_ylim(0.5, 5.5)
    axes.set_yticks(list(MOOD_LABELS), list(MOOD_LABELS.values()))
    return _png(figure)


def group_pulse_png(
    days: list[date], counts: list[int], avg_mood: list[float | None], *, title: str
) -> bytes:
    """Render a group's pulse: check-ins per day as bars, the day's average mood as a line.

    ``days``, ``counts`` and ``avg_mood`` are parallel lists (``None`` where nobody shared a
    mood). Raises ``ValueError`` when their lengths differ. Empty input renders a "no check-ins"
    chart.
    """
    if not len(days) == len(counts) == len(avg_mood):
        raise ValueError("days, counts and avg_mood must have the same length")
    figure, axes = _figure(title)
    if not days or not any(counts):
        _empty_note(axes, "No check-ins in this period yet")
        axes.set_yticks([])
        return _png(figure)

    axes.bar([_x(d) for d in days], counts, color=BARS, alpha=0.8, width=0.8, label="Check-ins")
    axes.set_ylabel("Check-ins", color=TEXT)
    axes.set_ylim(0, max(counts) * 1.2 + 1)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))

    mood_axes = axes.twinx()
    _style_axes(mood_axes)
    mood_axes.grid(False)  # one grid (the counts') is enough; two misaligned ones are noise
    mood_days = [_x(d) for d, m in zip(days, avg_mood, strict=True) if m is not None]
    moods = [m for m in avg_mood if m is not None]
    if moods:
        mood_axes.plot(mood_days, moods, color=AVERAGE, linewidth=2.5, marker="o", markersize=4)
    mood_axes.set_ylim(0.5, 5.5)
    mood_axes.set_yticks([1, 2, 3, 4, 5])
    mood_axes.set_ylabel("Average mood", color=AVERAGE)
    _date_axis(axes, min(days), max(days))

    # One legend for both axes.
    handles = axes.get_legend_handles_labels()[0] + mood_axes.get_lines()[:1]
    labels = ["Check-ins", "Average mood"][: len(handles)]
    _legend(axes, handles, labels)
    return _png(figure)


# ---- helpers ---------------------------------------------------------------------------------


def _figure(title: str) -> tuple[Figure, Axes]:
    figure = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI, facecolor=BACKGROUND, layout="constrained")
    axes = figure.add_subplot()
    _style_axes(axes)
    axes.set_title(title, color=TEXT, fontsize=13, loc="left")
    return figure, axes


def _style_axes(axes: Axes) -> None:
    axes.set_facecolor(BACKGROUND)
    axes.tick_params(colors=MUTED, labelcolor=TEXT)
    for spine in axes.spines.values():
        spine.set_color(GRID)
    axes.grid(True, color=GRID, linewidth=0.6, alpha=0.8)
    axes.set_axisbelow(True)


def _legend(axes: Axes, *handles_and_labels: Any) -> None:
    # In the title row, right-aligned, so it never hides data points.
    axes.legend(
        *handles_and_labels,
        loc="lower right",
        bbox_to_anchor=(1.0, 1.0),
        ncols=3,
        frameon=False,
        labelcolor=TEXT,
        fontsize=9,
    )


def _x(day: date) -> float:
    """Days as plain numbers (proleptic ordinals): typed, and no date converter registry needed."""
    return float(day.toordinal())


def _date_axis(axes: Axes, first: date, last: date) -> None:
    # Pad by half a day so the first and last points are not cut by the frame.
    axes.set_xlim(_x(first) - 0.5, _x(last) + 0.5)
    # Ticks on whole days only, at most about 8 of them, always including the last day.
    span = (last - first).days
    step = max(1, -(-span // 7))
    ticks = [_x(last) - k * step for k in range(span // step + 1)]
    axes.xaxis.set_major_locator(FixedLocator(sorted(ticks)))
    axes.xaxis.set_major_formatter(FuncFormatter(_day_label))


def _day_label(value: float, _position: int | None = None) -> str:
    return date.fromordinal(round(value)).strftime("%d %b") if value >= 1 else ""


def _empty_note(axes: Axes, text: str) -> None:
    axes.text(0.5, 0.5, text, transform=axes.transAxes, ha="center", va="center", color=MUTED, fontsize=14)
    axes.set_xticks([])


def _rolling_average(checked: Sequence[tuple[date, float]]) -> list[tuple[date, float]]:
    """Mean of the moods in the ``ROLLING_DAYS`` days ending at each check-in day."""
    window = timedelta(days=ROLLING_DAYS - 1)
    result: list[tuple[date, float]] = []
    start = 0
    total = 0.0
    for end, (day, mood) in enumerate(checked):
        total += mood
        while checked[start][0] < day - window:
            total -= checked[start][1]
            start += 1
        result.append((day, total / (end - start + 1)))
    return result


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    FigureCanvasAgg(figure)  # attaches the Agg canvas to this figure only; no global backend
    figure.savefig(buffer, format="png", facecolor=BACKGROUND)
    return buffer.getvalue()
