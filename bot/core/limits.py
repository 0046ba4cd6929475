"""Per-member limits against floods: a member mashing a button or a command changes nothing more.

A :class:`Limiter` counts events per key in a sliding window on the bot's clock (tests move it,
never sleep). Memory is bounded: the least recently seen keys are forgotten first. Limits live
in memory, so a restart forgets them; that only ever allows a little more, never less.
"""

from __future__ import annotations

import math
from collections import OrderedDict, deque
from collections.abc import Hashable
from datetime import timedelta

from bot.core.clock import Clock

MAX_KEYS = 10_000


class Limiter:
    """At most ``count`` events per ``window`` for each key."""

    def __init__(self, clock: Clock, count: int, window: timedelta, *, max_keys: int = MAX_KEYS) -> None:
        self.clock = clock
        self.count = count
        self.window = window
        self.max_keys = max_keys
        self._events: OrderedDict[Hashable, deque[float]] = OrderedDict()

    def hit(self, key: Hashable) -> float | None:
        """Record one event for ``key``; None if allowed, else the seconds until the next is."""
        now = self.clock.now().timestamp()
        window = self.window.total_seconds()
        events = self._events.get(key)
        if events is None:
            events = self._events[key] = deque()
            while len(self._events) > self.max_keys:
                self._events.popitem(last=False)
        else:
            self._events.move_to_end(key)
        while events and events[0] <= now - window:
            events.popleft()
        if len(events) >= self.count:
            return max(1.0, math.ceil(events[0] + window - now))
        events.append(now)
        return None

    def __len__(self) -> int:
        return len(self._events)


class Cooldowns:
    """The bot's limits: members' commands, buttons and /celebrate; alerts per group."""

    # A member may run one command, or press one kind of button, this often.
    COMMANDS = (5, timedelta(seconds=20))
    BUTTONS = (6, timedelta(seconds=20))

    # /celebrate: from one member to the same person, and to one person from everyone, per day.
    CELEBRATE_PAIR = (3, timedelta(days=1))
    CELEBRATE_TARGET = (10, timedelta(days=1))

    # Facilitator alerts per group per hour; the rest fold into one summary (the member's own
    # crisis DM is never limited by this).
    ALERTS = (10, timedelta(hours=1))

    def __init__(self, clock: Clock) -> None:
        self.commands = Limiter(clock, *self.COMMANDS)
        self.buttons = Limiter(clock, *self.BUTTONS)
        self.celebrate_pair = Limiter(clock, *self.CELEBRATE_PAIR)
        self.celebrate_target = Limiter(clock, *self.CELEBRATE_TARGET)
        self.alerts = Limiter(clock, *self.ALERTS)
