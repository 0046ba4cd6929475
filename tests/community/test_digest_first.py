"""The first session on a schedule has no session before it: the digest says so, never inventing one."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.community.digest import DigestData, digest_text
from bot.community.sessions import SessionPlan, is_first_session, previous_session

LONDON = ZoneInfo("Europe/London")
PLAN = SessionPlan(weekday=0, at=time(18, 30), every_weeks=1, anchor=date(2026, 11, 30), where=None)
FIRST = datetime(2026, 11, 30, 18, 30, tzinfo=LONDON)


def data(session_at: datetime, *, first: bool) -> DigestData:
    return DigestData(
        session_at=session_at,
        since=previous_session(PLAN, LONDON, session_at),
        sharing_members=0,
        checkin_members=0,
        checkins=0,
        mood_first=None,
        mood_last=None,
        goals_done=0,
        going=3,
        not_going=1,
        first_session=first,
    )


def test_only_the_anchor_session_is_the_first() -> None:
    assert is_first_session(PLAN, LONDON, FIRST)
    assert not is_first_session(PLAN, LONDON, FIRST + timedelta(weeks=1))


def test_the_first_digest_counts_the_last_week_and_says_why() -> None:
    text = digest_text(data(FIRST, first=True), checkins_available=True)
    assert "This is the first session, so here are the last 7 days" in text
    assert "Since the last session" not in text


def test_later_digests_count_since_the_last_session() -> None:
    text = digest_text(data(FIRST + timedelta(weeks=1), first=False), checkins_available=True)
    assert "Since the last session (<t:" in text
