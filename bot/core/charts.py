"""PNG charts for check-in trends, with alt text, readable in Discord's dark and light themes.

Uses ``matplotlib.figure.Figure`` with the Agg canvas directly rather than ``pyplot``: no global
figure registry, no backend switch at import time, and safe to call from worker threads.

matplotlib (with the fonts and tables it loads, about 30 MB resident) is imported when the first
chart is drawn, not when the bot starts: a bot whose groups never ask for a chart never holds it.

Each chart is an opaque card in Discord's dark colours, so its words keep a high contrast in
either theme (a transparent image cannot give text more than about 3.6:1 on both). The data
colours reach WCAG's 3:1 for graphics against the dark and the light theme backgrounds alike.
Days without data are gaps in a line, never bridged.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

# Discord's dark theme: message background, and text colours that read well on it.
BACKGROUND = "#313338"
TEXT = "#dbdee1"
MUTED = "#949ba4"
GRID = "#3f4147"
# Data colours: at least 3:1 against both #313338 (dark theme) and #ffffff (light theme), and a
# blue/orange pair that stays distinct for the common kinds of colour blindness.
MOOD = "#2f8cf0"
AVERAGE = "#d9730d"
BARS = "#1f9d55"

WIDTH_IN, HEIGHT_IN, DPI = 8.0, 4.0, 100  # 800 x 400 px: sharp in the client, small to upload
PULSE_HEIGHT_IN = 5.0  # two panels need a little more height

MOOD_WORDS = {1: "very low", 2: "low", 3: "okay", 4: "good", 5: "great"}
MOOD_LABELS = {value: f"{value} {word}" for value, word in MOOD_WORDS.items()}
ROLLING_DAYS = 7
MIN_CHECKINS = 2  # one dot is not a trend: below this, say it in words instead of a chart
ALT_TEXT_LIMIT = 1024  # Discord's limit for an attachment's description
TICK_STEPS = ((8, 1), (16, 2), (56, 7), (112, 14))  # (longest span in days, days between ticks)


def worth_a_chart(points: Sequence[tuple[date, float | None]]) -> bool:
    """Whether a mood history has enough check-ins to be worth a chart."""
    return sum(1 for _day, mood in points if mood is not None) >= MIN_CHECKINS


def mood_history_png(points: list[tuple[date, float | None]], *, title: str) -> bytes:
    """A member's mood history as a PNG; see :func:`mood_history_figure`."""
    return _png(mood_history_figure(points, title=title))


def mood_history_figure(points: Sequence[tuple[date, float | None]], *, title: str) -> Figure:
    """A member's mood history: daily mood (1–5) with its check-in marks, a 7-day rolling average.

    ``points`` are ``(day, mood)`` with ``None`` for a day without a check-in; order does not
    matter, and days missing from ``points`` count as days without one. The mood line breaks at
    every such day. The rolling average at a day is the mean of the moods recorded in the 7 days
    ending that day (missing days are skipped, not counted as zero); it breaks where that window
    is empty. Empty input or no moods at all renders a "no check-ins yet" chart instead of failing.
    """
    figure, axes = _figure(title)
    days, moods = _daily(points)
    if not any(_present(m) for m in moods):
        _empty_note(axes, "No check-ins in this period yet")
    else:
        xs = [_x(d) for d in days]
        axes.plot(xs, moods, color=MOOD, linewidth=2, marker="o", markersize=5, label="Mood on the day")
        axes.plot(
            xs, _rolling_average(moods), color=AVERAGE, linewidth=2.5, label=f"{ROLLING_DAYS}-day average"
        )
        _date_axis(axes, days[0], days[-1])
        _legend(axes)
    axes.set_ylim(0.5, 5.5)
    axes.set_yticks(list(MOOD_LABELS), list(MOOD_LABELS.values()))
    return figure


def mood_history_alt(points: Sequence[tuple[date, float | None]], *, title: str) -> str:
    """Alt text for :func:`mood_history_png`: what the chart shows, in words."""
    days, moods = _daily(points)
    checked = [m for m in moods if _present(m)]
    if not checked:
        return _limit(f"{title}. No check-ins in this period yet.")
    averages = [a for a in _rolling_average(moods) if _present(a)]
    parts = [
        f"{title}. Line chart of your mood each day from {_day_label(_x(days[0]))} to "
        f"{_day_label(_x(days[-1]))}, on a scale from 1 (very low) to 5 (great).",
        f"{_count(len(checked), 'check-in')} over {_count(len(days), 'day')}; "
        f"lowest {_mood_words(min(checked))}, highest {_mood_words(max(checked))}.",
        f"The {ROLLING_DAYS}-day average started at {averages[0]:.1f} and ended at {averages[-1]:.1f}.",
    ]
    if len(checked) < len(days):
        parts.append("Days without a check-in are gaps in the line.")
    return _limit(" ".join(parts))


def group_pulse_png(
    days: list[date], counts: list[int], avg_mood: list[float | None], *, title: str
) -> bytes:
    """A group's pulse as a PNG; see :func:`group_pulse_figure`."""
    return _png(group_pulse_figure(days, counts, avg_mood, title=title))


def group_pulse_figure(
    days: Sequence[date], counts: Sequence[int], avg_mood: Sequence[float | None], *, title: str
) -> Figure:
    """A group's pulse in two panels over the same days: check-ins per day as bars above, the
    day's average mood (1–5) as a line below, each with its own labelled axis.

    ``days``, ``counts`` and ``avg_mood`` are parallel lists (``None`` where nobody shared a
    mood: a gap in the line). Without any mood the chart is the bars alone. Raises
    ``ValueError`` when the lengths differ. Empty input renders a "no check-ins" chart.
    """
    _check_parallel(days, counts, avg_mood)
    has_moods = any(m is not None for m in avg_mood)
    if not days or not any(counts):
        figure, axes = _figure(title)
        _empty_note(axes, "No check-ins in this period yet")
        axes.set_yticks([])
        return figure

    height = PULSE_HEIGHT_IN if has_moods else HEIGHT_IN
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=(WIDTH_IN, height), dpi=DPI, facecolor=BACKGROUND, layout="constrained")
    panels = figure.subplots(2 if has_moods else 1, 1, sharex=True, squeeze=False)[:, 0]
    for panel in panels:
        _style_axes(panel)
    bars = panels[0]
    bars.set_title(title, color=TEXT, fontsize=13, loc="left")
    xs = [_x(d) for d in days]
    bars.bar(xs, counts, color=BARS, width=0.8)
    bars.set_ylabel("Check-ins", color=TEXT)
    bars.set_ylim(0, max(counts) * 1.2 + 1)
    bars.yaxis.set_major_locator(MaxNLocator(integer=True))
    if has_moods:
        mood = panels[1]
        moods = [math.nan if m is None else m for m in avg_mood]
        mood.plot(xs, moods, color=AVERAGE, linewidth=2.5, marker="o", markersize=4)
        mood.set_ylim(0.5, 5.5)
        mood.set_yticks(list(MOOD_LABELS), list(MOOD_LABELS.values()))
        mood.set_ylabel("Average mood", color=TEXT)
    _date_axis(panels[-1], min(days), max(days))
    return figure


def group_pulse_alt(
    days: Sequence[date], counts: Sequence[int], avg_mood: Sequence[float | None], *, title: str
) -> str:
    """Alt text for :func:`group_pulse_png`: what the chart shows, in words."""
    _check_parallel(days, counts, avg_mood)
    if not days or not any(counts):
        return _limit(f"{title}. No check-ins in this period yet.")
    first, last = _day_label(_x(min(days))), _day_label(_x(max(days)))
    moods = [m for m in avg_mood if m is not None]
    shape = "Two panels" if moods else "Bar chart"
    parts = [
        f"{title}. {shape} over {_count(len(days), 'day')}, {first} to {last}.",
        f"{'Top: c' if moods else 'C'}heck-ins per day, from {min(counts)} to {max(counts)}, "
        f"{sum(counts)} in all.",
    ]
    if moods:
        parts.append(
            f"Bottom: the day's average mood on a scale from 1 (very low) to 5 (great), between "
            f"{min(moods):.1f} and {max(moods):.1f}."
        )
        if len(moods) < len(days):
            parts.append("Days without a shared mood are gaps in the line.")
    return _limit(" ".join(parts))


# ---- helpers ---------------------------------------------------------------------------------


def _figure(title: str) -> tuple[Figure, Axes]:
    from matplotlib.figure import Figure

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
        ncols=2,
        frameon=False,
        labelcolor=TEXT,
        fontsize=9,
    )


def _check_parallel(days: Sequence[date], counts: Sequence[int], avg_mood: Sequence[float | None]) -> None:
    if not len(days) == len(counts) == len(avg_mood):
        raise ValueError("days, counts and avg_mood must have the same length")


def _daily(points: Sequence[tuple[date, float | None]]) -> tuple[list[date], list[float]]:
    """Every day from the first to the last of ``points``, with NaN where there is no mood."""
    if not points:
        return [], []
    moods = {day: mood for day, mood in points if mood is not None}
    first = min(day for day, _ in points)
    last = max(day for day, _ in points)
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    return days, [moods.get(day, math.nan) for day in days]


def _present(value: float) -> bool:
    return not math.isnan(value)


def _rolling_average(moods: Sequence[float]) -> list[float]:
    """Per day: the mean of the moods in the ``ROLLING_DAYS`` days ending there (NaN if none)."""
    result: list[float] = []
    for end in range(len(moods)):
        window = [m for m in moods[max(0, end - ROLLING_DAYS + 1) : end + 1] if _present(m)]
        result.append(sum(window) / len(window) if window else math.nan)
    return result


def _x(day: date) -> float:
    """Days as plain numbers (proleptic ordinals): typed, and no date converter registry needed."""
    return float(day.toordinal())


def day_ticks(first: date, last: date) -> list[date]:
    """Tick days for a date axis: every day up to about a week, every other day up to two weeks,
    then weekly, fortnightly or four-weekly on Mondays, so there are at most about 8."""
    span = (last - first).days
    step = next((s for limit, s in TICK_STEPS if span <= limit), 28)
    # Short steps count back from the last day so it is always marked; weekly ones sit on Mondays.
    anchor = last if step < 7 else last - timedelta(days=last.weekday())
    ticks: list[date] = []
    day = anchor
    while day >= first:
        ticks.append(day)
        day -= timedelta(days=step)
    return sorted(ticks)


def _date_axis(axes: Axes, first: date, last: date) -> None:
    from matplotlib.ticker import FixedLocator, FuncFormatter

    # Pad by half a day so the first and last points are not cut by the frame.
    axes.set_xlim(_x(first) - 0.5, _x(last) + 0.5)
    axes.xaxis.set_major_locator(FixedLocator([_x(d) for d in day_ticks(first, last)]))
    axes.xaxis.set_major_formatter(FuncFormatter(_day_label))


def _day_label(value: float, _position: int | None = None) -> str:
    """``2 Nov``: the day without a leading zero, then the month."""
    if value < 1:
        return ""
    day = date.fromordinal(round(value))
    return f"{day.day} {day:%b}"


def _empty_note(axes: Axes, text: str) -> None:
    axes.text(0.5, 0.5, text, transform=axes.transAxes, ha="center", va="center", color=MUTED, fontsize=14)
    axes.set_xticks([])


def _mood_words(mood: float) -> str:
    rounded = max(1, min(5, round(mood)))
    number = f"{mood:g}" if mood == int(mood) else f"{mood:.1f}"
    return f"{number} ({MOOD_WORDS[rounded]})"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _limit(text: str) -> str:
    return text if len(text) <= ALT_TEXT_LIMIT else text[: ALT_TEXT_LIMIT - 1] + "…"


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(figure)  # attaches the Agg canvas to this figure only; no global backend
    figure.savefig(buffer, format="png", facecolor=BACKGROUND)
    return buffer.getvalue()
