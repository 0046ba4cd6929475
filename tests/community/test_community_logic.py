from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.community.goals import parse_progress
from bot.community.logic import check_length, parse_weekday, parse_weekdays
from bot.community.prompts import in_quiet, prompt_rule, quiet_release
from bot.community.sessions import SessionPlan, parse_hours_list, upcoming_sessions
from bot.core.errors import UserError
from bot.core.schedule_rules import occurrences

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
times = st.times().map(lambda t: t.replace(second=0, microsecond=0))
instants = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
)


def test_in_quiet_wrapping_and_plain_windows():
    assert in_quiet(time(23, 0), time(22, 0), time(7, 0))
    assert in_quiet(time(6, 59), time(22, 0), time(7, 0))
    assert not in_quiet(time(7, 0), time(22, 0), time(7, 0))
    assert in_quiet(time(13, 0), time(12, 0), time(14, 0))
    assert not in_quiet(time(14, 0), time(12, 0), time(14, 0))
    assert not in_quiet(time(3, 0), time(5, 0), time(5, 0))


@given(instants, times, times, st.sampled_from(["Europe/London", "America/New_York", "Australia/Sydney"]))
def test_quiet_release_is_the_next_end_and_outside_quiet_hours(occurrence, start, end, zone):
    tz = ZoneInfo(zone)
    release = quiet_release(occurrence, tz, start, end)
    local = occurrence.astimezone(tz)
    if not in_quiet(local.time(), start, end):
        assert release is None
        return
    assert release is not None
    assert occurrence < release <= occurrence + timedelta(hours=26)
    # Released at the end of quiet hours (or just past a DST gap), never inside them.
    assert release.astimezone(tz).time() >= end or end.hour == 1


def test_quiet_release_examples():
    at_23 = datetime(2026, 11, 23, 23, 15, tzinfo=LONDON)
    assert quiet_release(at_23, LONDON, time(22), time(7)) == datetime(2026, 11, 24, 7, tzinfo=LONDON)
    at_3 = datetime(2026, 11, 24, 3, 0, tzinfo=LONDON)
    assert quiet_release(at_3, LONDON, time(22), time(7)) == datetime(2026, 11, 24, 7, tzinfo=LONDON)


@given(st.integers(0, 6), times, st.integers(1, 4), st.sampled_from([1, 2, 24, 48, 3]))
def test_reminder_rule_fires_exactly_hours_before_each_session_in_utc_outside_dst(wd, at, every, hours):
    tz = ZoneInfo("UTC")
    plan = SessionPlan(wd, at, every, date(2026, 11, 23) + timedelta(days=wd), None)
    start, end = datetime(2026, 11, 1, tzinfo=UTC), datetime(2027, 2, 1, tzinfo=UTC)
    sessions = list(occurrences(plan.rule(tz), start, end))
    reminders = list(occurrences(plan.before(hours, tz), start - timedelta(hours=hours), end))
    assert [s - timedelta(hours=hours) for s in sessions] == reminders[: len(sessions)]


def test_upcoming_sessions_leaves_out_skipped_dates():
    plan = SessionPlan(1, time(18, 30), 1, date(2026, 11, 24), None)
    found = upcoming_sessions(plan, LONDON, NOW, {date(2026, 11, 24), date(2026, 12, 1)}, count=2)
    assert [f.astimezone(LONDON).date() for f in found] == [date(2026, 12, 8), date(2026, 12, 15)]


def test_weekday_parsing():
    assert parse_weekday("Tuesday") == 1 and parse_weekday("thu") == 3 and parse_weekday("Thurs.") == 3
    assert parse_weekdays("mon, thu") == {0, 3}
    with pytest.raises(UserError, match="isn't a day of the week"):
        parse_weekday("Funday")


def test_hours_list_and_progress():
    assert parse_hours_list("1, 24") == [24, 1]
    assert parse_hours_list("48h 2h") == [48, 2]
    for bad in ("0", "abc", "200", "1,2,3,4,5"):
        with pytest.raises(UserError):
            parse_hours_list(bad)
    assert parse_progress("40%") == (40, None)
    assert parse_progress(" halfway ") == (None, "halfway")
    with pytest.raises(UserError, match="0 to 100"):
        parse_progress("140%")


def test_prompt_rules_and_limits():
    weekly = prompt_rule("weekly", tz=LONDON, now=NOW, time_text="19:00", days_text="mon thu", every_weeks=2)
    assert weekly.describe() == "every 2 weeks on Monday, Thursday at 19:00 (Europe/London)"
    assert (
        prompt_rule("daily", tz=LONDON, now=NOW, time_text="7am").describe()
        == "daily at 07:00 (Europe/London)"
    )
    with pytest.raises(UserError, match="needs a date"):
        prompt_rule("once", tz=LONDON, now=NOW, time_text="19:00")
    with pytest.raises(UserError, match="already passed"):
        prompt_rule("once", tz=LONDON, now=NOW, time_text="06:00", date_text="2026-11-23")
    with pytest.raises(UserError, match="limit is 200"):
        check_length("x" * 201, 200, "goal")
    with pytest.raises(UserError, match="empty"):
        check_length("   ", 200, "goal")
