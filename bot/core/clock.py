"""Replaceable clocks: everything that depends on "now" takes one of these."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Something that tells the current instant, always timezone-aware UTC."""

    def now(self) -> datetime: ...


class SystemClock:
    """The real wall clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FakeClock:
    """A clock that only moves when told to; for tests and the offline demo."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FakeClock needs a timezone-aware start")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def set(self, when: datetime) -> None:
        if when.tzinfo is None:
            raise ValueError("FakeClock.set needs a timezone-aware instant")
        self._now = when.astimezone(UTC)

    def advance(self, delta: timedelta) -> datetime:
        self._now += delta
        return self._now


class ShiftedClock:
    """The wall clock's pace from another instant: the real bot, running "on" a chosen date.

    Benchmarks use it to start the bot at a DST change or a year's last microsecond. Time moves
    by itself as the wall clock does, so ``create_bot`` wakes the scheduler and the outbox worker
    as it does for the real clock; the alarm subtracts :attr:`offset` (APScheduler counts wall
    time). Processes given the same offset share one timeline.
    """

    def __init__(self, offset: timedelta) -> None:
        self.offset = offset

    @classmethod
    def starting_at(cls, start: datetime) -> ShiftedClock:
        """A clock that reads ``start`` now and runs on from there."""
        if start.tzinfo is None:
            raise ValueError("ShiftedClock needs a timezone-aware start")
        return cls(start.astimezone(UTC) - datetime.now(UTC))

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset
