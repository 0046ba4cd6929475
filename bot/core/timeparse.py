"""Reading the times and dates people type: "20:30", "8pm", "8:30 am", "2026-12-24"."""

from __future__ import annotations

import re
from datetime import date, time

from bot.core.errors import UserError

TIME_EXAMPLES = "`09:00` or `8:30pm`"
_TIME = re.compile(r"^(?P<h>\d{1,2})(?:[:.h](?P<m>\d{2}))?\s*(?P<ampm>a\.?m\.?|p\.?m\.?)?$")
_WORDS = {"noon": time(12, 0), "midday": time(12, 0), "midnight": time(0, 0)}


def parse_time(text: str) -> time:
    """A local wall-clock time from what a person typed; a kind error with examples otherwise."""
    cleaned = " ".join(text.strip().lower().split())
    if cleaned in _WORDS:
        return _WORDS[cleaned]
    match = _TIME.match(cleaned)
    if not match:
        raise UserError(f"I couldn't read {_quote(text)} as a time. Try {TIME_EXAMPLES}.")
    hour = int(match["h"])
    minute = int(match["m"] or 0)
    ampm = (match["ampm"] or "").replace(".", "")
    if ampm:
        if not 1 <= hour <= 12:
            raise UserError(f"{_quote(text)} isn't a time on a 12-hour clock. Try {TIME_EXAMPLES}.")
        hour = hour % 12 + (12 if ampm == "pm" else 0)
    elif match["m"] is None:
        # A bare number like "8" is ambiguous (morning or evening); ask rather than guess.
        raise UserError(f"Is {_quote(text)} morning or evening? Try {TIME_EXAMPLES}.")
    if hour > 23 or minute > 59:
        raise UserError(f"{_quote(text)} isn't a time of day. Try {TIME_EXAMPLES}.")
    return time(hour, minute)


def parse_date(text: str) -> date:
    """An ISO date (``2026-12-24``); impossible dates like 31 February are refused kindly."""
    cleaned = text.strip()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", cleaned):
        raise UserError(f"I couldn't read {_quote(text)} as a date. Use year-month-day, like `2026-12-24`.")
    try:
        return date.fromisoformat(cleaned)
    except ValueError:
        raise UserError(f"{_quote(text)} isn't a date on the calendar. Try one like `2026-12-24`.") from None


def _quote(text: str) -> str:
    shown = text.strip().replace("`", "'")[:40] or "an empty answer"
    return f"`{shown}`" if text.strip() else shown
