"""Sessions as scheduled events, pure and on real SQLite: which events to make, move or cancel,
how Interested and the buttons add up, the event's words within Discord's limits, and the table."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest_asyncio
from hypothesis import given
from hypothesis import strategies as st

from bot.community.session_events import (
    DESCRIPTION_LIMIT,
    LOCATION_LIMIT,
    combine_rsvps,
    event_description,
    event_location,
    event_url,
    plan_event_changes,
)
from bot.community.sessions import reminder_text
from bot.community.store import CommunityRepository
from bot.db import SqliteDatabase

TUE, TUE2, TUE3 = date(2026, 11, 24), date(2026, 12, 1), date(2026, 12, 8)
WED, WED2 = date(2026, 11, 25), date(2026, 12, 2)
NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)


def test_held_events_on_wanted_dates_stay_and_missing_ones_are_made():
    changes = plan_event_changes([TUE, TUE2], [TUE], [])
    assert changes.keep == ((TUE, TUE),) and changes.create == (TUE2,) and changes.cancel == ()


def test_a_skipped_date_is_cancelled_not_moved():
    changes = plan_event_changes([TUE, TUE3], [TUE, TUE2], [TUE2])
    assert changes.keep == ((TUE, TUE),) and changes.cancel == (TUE2,) and changes.create == (TUE3,)


def test_a_new_weekday_moves_the_events_soonest_first():
    changes = plan_event_changes([WED, WED2], [TUE, TUE2], [])
    assert changes.keep == ((TUE, WED), (TUE2, WED2)) and changes.cancel == changes.create == ()


def test_every_two_weeks_leaves_one_event_over_to_cancel():
    changes = plan_event_changes([WED], [TUE, TUE2], [])
    assert changes.keep == ((TUE, WED),) and changes.cancel == (TUE2,)


days = st.sets(st.dates(min_value=date(2026, 11, 1), max_value=date(2026, 12, 31)), max_size=4)


@given(wanted=days, held=days, skipped=days)
def test_each_wanted_session_ends_with_exactly_one_event(wanted, held, skipped):  # type: ignore[no-untyped-def]
    wanted -= skipped
    changes = plan_event_changes(wanted, held, skipped)
    targets = [new for _old, new in changes.keep] + list(changes.create)
    assert sorted(targets) == sorted(wanted)
    sources = [old for old, _new in changes.keep] + list(changes.cancel)
    assert sorted(sources) == sorted(held)
    assert not {new for old, new in changes.keep if old != new} & skipped


def test_going_is_the_button_or_interested_once_and_cant_make_it_wins():
    answers = {1: True, 2: False, 3: True}
    totals = combine_rsvps(answers, [1, 2, 4])
    assert (totals.going, totals.not_going, totals.with_event) == (3, 1, True)
    assert totals.describe() == "3 going, 1 can't make it (Going incl. Interested on the event)"
    alone = combine_rsvps(answers, None)
    assert alone.describe() == "2 going, 1 can't make it"


def test_event_words_fit_discords_limits_and_are_shortened_never_refused():
    long = "x" * 5000
    assert len(event_description(long)) == DESCRIPTION_LIMIT and event_description(long).endswith("…")
    assert "Marking Interested" in event_description(None)
    assert len(event_location("Room " * 100, None)) == LOCATION_LIMIT
    assert event_location(None, "group") == "Details in #group"
    assert event_location(None, None) == "Details from your facilitators"


def test_the_reminder_links_the_event_only_when_there_is_one():
    at = datetime(2026, 11, 24, 18, 30, tzinfo=UTC)
    url = event_url(1, 2)
    assert url == "https://discord.com/events/1/2"
    assert url in reminder_text(at, 24, "Room 4", event_url=url)
    assert "discord.com/events" not in reminder_text(at, 24, "Room 4")


@pytest_asyncio.fixture
async def repo(tmp_path: Path) -> AsyncIterator[CommunityRepository]:
    database = SqliteDatabase(tmp_path / "bot.db")
    await database.connect()
    await database.migrate()
    yield CommunityRepository(database)
    await database.close()


async def test_one_event_per_guild_and_date_moved_and_cancelled_in_place(repo):
    start = datetime(2026, 11, 24, 18, 30, tzinfo=UTC)
    await repo.put_session_event(1, TUE, start, 100, "scheduled", NOW)
    await repo.put_session_event(1, TUE, start, 100, "scheduled", NOW)  # again: still one row
    await repo.put_session_event(2, TUE, start, 200, "scheduled", NOW)
    assert [e.event_id for e in await repo.upcoming_session_events(1, NOW)] == [100]

    await repo.put_session_event(1, WED, start + timedelta(days=1), 100, "scheduled", NOW, moved_from=TUE)
    assert await repo.session_event(1, TUE) is None
    moved = await repo.session_event_by_id(1, 100)
    assert moved is not None and moved.day == WED

    await repo.put_session_event(1, WED, moved.starts_at, 100, "cancelled", NOW)
    assert await repo.upcoming_session_events(1, NOW) == []
    # A session that has started is no longer upcoming.
    assert await repo.upcoming_session_events(2, start) == []
