"""Sessions as Discord scheduled events, pure: which events to create, move or cancel, what
they say, and how "Interested" on an event and the reminder buttons add up to one RSVP count.

discord.py 2.7 exposes no recurrence rules, so each upcoming session gets an event of its own,
created ahead (the next :data:`EVENTS_AHEAD`) and keyed by its local date.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

# How many upcoming sessions have an event at any time (a weekly group: the next two weeks).
EVENTS_AHEAD = 2
# Discord wants an end for an event held elsewhere; a session is planned as this long.
SESSION_LENGTH = timedelta(minutes=90)
EVENT_NAME = "Group session"
# Discord's limits for an event's description and location.
DESCRIPTION_LIMIT = 1000
LOCATION_LIMIT = 100
DEFAULT_DESCRIPTION = (
    "Our regular group session. Marking Interested lets the facilitators know you're coming; "
    "either answer is fine."
)
INCL_EVENT = "(Going incl. Interested on the event)"


def shorten(text: str, limit: int) -> str:
    """``text`` if it fits, else cut with an ellipsis (never rejected)."""
    cleaned = text.strip()
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1].rstrip() + "…"


def event_description(cover: str | None) -> str:
    """The session's theme (``/session cover``) when there is one, else a short welcome."""
    if cover:
        return shorten(f"What we'll cover: {cover}", DESCRIPTION_LIMIT)
    return DEFAULT_DESCRIPTION


def event_location(where: str | None, group_channel: str | None) -> str:
    """Where an event held outside a voice channel is: the session's place, else the channel."""
    if where:
        return shorten(where, LOCATION_LIMIT)
    if group_channel:
        return shorten(f"Details in #{group_channel}", LOCATION_LIMIT)
    return "Details from your facilitators"


def event_url(guild_id: int, event_id: int) -> str:
    """The event's address (what ``discord.ScheduledEvent.url`` gives)."""
    return f"https://discord.com/events/{guild_id}/{event_id}"


@dataclass(frozen=True, slots=True)
class EventChanges:
    """What to do so the held events match the wanted sessions."""

    # (held date, wanted date): the same date kept in step, or an event moved to a new date.
    keep: tuple[tuple[date, date], ...] = ()
    cancel: tuple[date, ...] = ()
    create: tuple[date, ...] = ()


def plan_event_changes(wanted: Iterable[date], held: Iterable[date], skipped: Iterable[date]) -> EventChanges:
    """Match the events the bot holds to the sessions that should have one.

    An event on a wanted date stays. One on a skipped date is cancelled (a holiday is not a
    move). The others stand for sessions the plan moved away from: they are moved, soonest first,
    to the wanted dates still without one (a reschedule edits, so "Interested" survives); any
    left over are cancelled. Wanted dates still without an event get a new one.
    """
    want, skip = sorted(set(wanted)), set(skipped)
    have = sorted(set(held))
    keep = [(d, d) for d in have if d in want]
    cancel = [d for d in have if d in skip and d not in want]
    movable = [d for d in have if d not in want and d not in skip]
    free = [d for d in want if d not in have]
    keep += list(zip(movable, free, strict=False))
    cancel += movable[len(free) :]
    create = free[len(movable) :]
    return EventChanges(tuple(keep), tuple(sorted(cancel)), tuple(create))


@dataclass(frozen=True, slots=True)
class RsvpTotals:
    """One session's answers: the bot's buttons and, when it has an event, "Interested" on it."""

    going: int
    not_going: int
    with_event: bool = False

    def describe(self) -> str:
        """``3 going, 1 can't make it (Going incl. Interested on the event)``."""
        incl = f" {INCL_EVENT}" if self.with_event else ""
        return f"{self.going} going, {self.not_going} can't make it{incl}"


def combine_rsvps(answers: Mapping[int, bool], interested: Iterable[int] | None) -> RsvpTotals:
    """Going = the Going button or Interested on the event, each person once.

    A "Can't make it" click is the more deliberate answer, so it wins over an Interested mark
    left on the event. ``interested`` is None when the session has no event.
    """
    said_no = {user for user, going in answers.items() if not going}
    going = {user for user, going in answers.items() if going}
    if interested is not None:
        going |= set(interested) - said_no
    return RsvpTotals(len(going), len(said_no), interested is not None)


def session_end(start: datetime) -> datetime:
    return start + SESSION_LENGTH
