"""Small helpers for words people read: counts with the right plural, and calendar dates.

One date style everywhere a calendar date is written out (not a ``<t:...>`` timestamp, which
Discord draws in each reader's own zone and so cannot name a local date): the weekday, the day
without a leading zero, the month. "Wednesday 2 December", or "Wed 2 Dec" where space is short.
"""

from __future__ import annotations

from datetime import date


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """``plural(1, "pair")`` -> "1 pair"; ``plural(2, "pair")`` -> "2 pairs"."""
    word = singular if count == 1 else plural_form or f"{singular}s"
    return f"{count} {word}"


def long_date(day: date, *, year: bool = False, weekday: bool = True) -> str:
    """ "Wednesday 2 December"; with ``year``, "Wednesday 2 December 2026"; without ``weekday``,
    "2 December 2026" (for a date that is not a plan, like when numbers were checked)."""
    text = f"{day.day} {day:%B}"
    if weekday:
        text = f"{day:%A} {text}"
    return f"{text} {day.year}" if year else text


def short_date(day: date) -> str:
    """ "Wed 2 Dec"."""
    return f"{day:%a} {day.day} {day:%b}"
