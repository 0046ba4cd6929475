"""Streaks that forgive: a pure function of check-in days, today and pause ranges.

The rules, precisely:

* A **day** is a member's local calendar day (callers convert instants to local days).
* A **check-in day** counts toward a streak, including a check-in made on a paused day
  (the member chose to show up; that is never held against them).
* A **paused day** is any day inside a pause range (both ends inclusive) without a check-in.
  It neither counts nor breaks: it is simply not a miss.
* **Today** is never a miss: the day is not over yet. Days after ``today`` are ignored.
* A **miss** is any other day from the member's first check-in up to yesterday.
* **Forgiveness**: one miss in any 7-day window is forgiven. Two misses at most 6 days apart
  (so both inside one 7-day window) cannot be in the same streak.
* A **streak** is a stretch of days containing no two such misses; its **length is the number
  of check-in days in it**. Forgiven misses and paused days do not add to the length.
* The **current streak** is the longest such stretch that reaches today; the **best streak**
  is the longest stretch anywhere in the history (so ``best >= current`` always).

Two consequences worth knowing (both are what makes the rules kind and predictable):

* After a second miss the current streak does not drop to zero; it restarts from the day after
  the *first* of the two misses, so it keeps the check-ins made since then.
* Every extra check-in, and every extra pause, can only keep or raise the current and best
  streak (a check-in or pause only ever removes a miss).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise

#: Two misses this many days apart or fewer fall inside one 7-day window.
FORGIVENESS_WINDOW_DAYS = 7

#: Streak lengths that earn a short congratulation.
MILESTONES: tuple[int, ...] = (3, 7, 14, 30, 60, 100)

_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Streak:
    """The outcome of :func:`compute_streak`.

    ``current`` and ``best`` are counts of check-in days. ``forgiven_days`` lists the missed
    days inside the current streak that were forgiven (at most one per 7-day window), oldest
    first, so a reply can say "yesterday was forgiven".
    """

    current: int
    best: int
    forgiven_days: tuple[date, ...] = ()


def compute_streak(
    checkin_days: Iterable[date],
    today: date,
    pauses: Iterable[tuple[date, date]] = (),
) -> Streak:
    """Compute the current and best forgiving streak.

    ``checkin_days`` are the member's local days with a check-in (duplicates and order do not
    matter; days after ``today`` are ignored). ``pauses`` are inclusive ``(first, last)`` day
    ranges; a range with ``last < first`` is ignored. See the module docstring for the rules.
    """
    days = sorted({d for d in checkin_days if d <= today})
    if not days:
        return Streak(current=0, best=0)

    checked = set(days)
    ranges = sorted((a, b) for a, b in pauses if a <= b)
    misses = _misses(days[0], today, checked, ranges)

    # Any two misses too close to share a streak imply a consecutive such pair, so the
    # consecutive "bad" pairs are the only cut points: a valid stretch may hold p or q, not both.
    window = FORGIVENESS_WINDOW_DAYS - 1
    bad = [(p, q) for p, q in pairwise(misses) if (q - p).days <= window]

    # Maximal stretches run from just after p_k to just before q_{k+1} (open ends at the edges).
    best = 0
    starts: list[date | None] = [None, *(p for p, _ in bad)]
    ends: list[date | None] = [*(q for _, q in bad), None]
    for start, end in zip(starts, ends, strict=True):
        best = max(best, _count_between(days, start, end))

    current_start = starts[-1]
    current = _count_between(days, current_start, None)
    forgiven = tuple(m for m in misses if current_start is None or m > current_start) if current else ()
    return Streak(current=current, best=best, forgiven_days=forgiven)


def new_milestone(previous_streak: int, new_streak: int) -> int | None:
    """Return the highest milestone crossed going from ``previous_streak`` to ``new_streak``.

    ``None`` when no milestone was crossed (including when the streak did not grow), so a
    member is congratulated once per milestone even if a backfill jumps past several.
    """
    crossed = [m for m in MILESTONES if previous_streak < m <= new_streak]
    return crossed[-1] if crossed else None


def _misses(first: date, today: date, checked: set[date], pauses: list[tuple[date, date]]) -> list[date]:
    """Days from ``first`` to yesterday that have no check-in and are not paused, in order."""
    paused: set[date] = set()
    for a, b in pauses:
        # Clip to the days that matter: a pause "until 2099" must not cost 27,000 iterations.
        day, last = max(a, first), min(b, today - _ONE_DAY)
        while day <= last:
            paused.add(day)
            day += _ONE_DAY
    misses: list[date] = []
    day = first
    while day < today:
        if day not in checked and day not in paused:
            misses.append(day)
        day += _ONE_DAY
    return misses


def _count_between(days: list[date], after: date | None, before: date | None) -> int:
    """Number of ``days`` (sorted) strictly after ``after`` and strictly before ``before``."""
    lo = 0 if after is None else bisect_right(days, after)
    hi = len(days) if before is None else bisect_left(days, before)
    return max(0, hi - lo)
