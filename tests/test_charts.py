"""Chart rendering: valid PNGs of a sensible size, graceful with empty or missing data."""

from __future__ import annotations

import io
import sys
from datetime import date, timedelta

import pytest
from PIL import Image

from bot.core.charts import BACKGROUND, group_pulse_png, mood_history_png

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
