"""Storage for crisis replies: a real SQLite file with every migration applied."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest_asyncio

from bot.core.crypto import install_ephemeral
from bot.crisis.store import CrisisRepository, CrisisSettings
from bot.db import SqliteDatabase
from bot.privacy.store import PrivacyRepository

NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)


@pytest_asyncio.fixture
async def repo(tmp_path: Path) -> AsyncIterator[CrisisRepository]:
    db = SqliteDatabase(tmp_path / "crisis.db")
    await db.connect()
    await db.migrate()
    install_ephemeral(db, str(tmp_path / "crisis.db"))
    yield CrisisRepository(db)
    await db.close()


async def test_events_hold_no_text_and_drive_the_reply_limit(repo):
    assert await repo.last_reply_at(5) is None
    await repo.record_event(1, 5, "concern", "dm", NOW)
    await repo.record_event(1, 5, "concern", "limited", NOW + timedelta(hours=1))
    assert await repo.last_reply_at(5) == NOW
    await repo.record_event(0, 5, "urgent", "pointer", NOW + timedelta(hours=2))
    assert await repo.last_reply_at(5) == NOW + timedelta(hours=2)
    rows = await repo.db.fetch_all("SELECT * FROM crisis_events")
    # Ids, a level, what happened, who it was about and the follow-up's state and times: no text.
    assert set(rows[0]) == {
        "event_id",
        "guild_id",
        "user_id",
        "level",
        "outcome",
        "created_at",
        "about",
        "followup_state",
        "followup_at",
        "answered_at",
    }


async def test_alert_claim_once_then_close_once_and_stats(repo):
    event = await repo.record_event(1, 5, "urgent", "dm", NOW)
    alert_id = await repo.create_alert(1, 5, event, "urgent", 10, 11, NOW)
    await repo.set_alert_message(alert_id, 20, 21)
    assert await repo.claim(alert_id, 100, NOW)
    assert not await repo.claim(alert_id, 101, NOW)
    alert = await repo.get_alert(alert_id)
    assert alert is not None and alert.state == "claimed" and alert.claimed_by == 100
    assert alert.alert_message_id == 21
    assert await repo.recent_unresolved_alert(1, 5, NOW - timedelta(hours=6)) == alert
    assert await repo.close(alert_id, "false_alarm", 101, NOW)
    assert not await repo.close(alert_id, "resolved", 100, NOW)
    assert await repo.recent_unresolved_alert(1, 5, NOW - timedelta(hours=6)) is None
    other = await repo.create_alert(1, 6, event, "concern", 10, 12, NOW)
    assert await repo.close(other, "resolved", 100, NOW)
    stats = await repo.stats(1)
    assert (stats.false_alarm, stats.resolved, stats.open, stats.total) == (1, 1, 0, 2)
    assert (await repo.stats(2)).total == 0


async def test_settings_default_on_and_round_trip(repo):
    assert await repo.settings(1) == CrisisSettings(1, alerts=True, ping_urgent=False)
    await repo.save_settings(CrisisSettings(1, alerts=False, ping_urgent=True), NOW)
    assert await repo.settings(1) == CrisisSettings(1, alerts=False, ping_urgent=True)


async def test_opt_out_anywhere_counts_everywhere_until_opt_in(repo):
    assert not await repo.is_opted_out(5)
    await repo.opt_out(1, 5, NOW)
    await repo.opt_out(1, 5, NOW)
    assert await repo.is_opted_out(5)
    assert not await repo.is_opted_out(6)
    await repo.opt_in(5)
    assert not await repo.is_opted_out(5)


async def test_forget_member_is_per_group(repo):
    event = await repo.record_event(1, 5, "concern", "dm", NOW)
    await repo.create_alert(1, 5, event, "concern", 10, 11, NOW)
    await repo.record_event(2, 5, "concern", "dm", NOW)
    await repo.opt_out(1, 5, NOW)
    # Deleting my data in one group (/mydata delete) takes my crisis records there, only there.
    await PrivacyRepository(repo.db).erase_member(1, 5, personal=True)
    assert await events(repo, 1) == 0
    assert await events(repo, 2) == 1
    assert (await repo.stats(1)).total == 0
    assert not await repo.is_opted_out(5)


async def events(repo: CrisisRepository, guild_id: int) -> int:
    row = await repo.db.fetch_one("SELECT COUNT(*) AS n FROM crisis_events WHERE guild_id = ?", (guild_id,))
    return int(row["n"]) if row else 0


async def test_a_follow_up_is_pending_once_then_sent_or_skipped_once_and_answered(repo):
    first = await repo.record_event(1, 5, "concern", "dm", NOW)
    second = await repo.record_event(1, 5, "urgent", "dm", NOW + timedelta(hours=1), about="self")
    helper = await repo.record_event(1, 6, "concern", "dm", NOW, about="other")
    await repo.start_followup(first, 5, NOW + timedelta(hours=24))
    await repo.start_followup(second, 5, NOW + timedelta(hours=25))  # replaces the first
    assert (await repo.get_event(first)).followup_state == "superseded"  # type: ignore[union-attr]
    assert not await repo.settle_followup(first, "sent", NOW)
    assert await repo.settle_followup(second, "sent", NOW)
    assert not await repo.settle_followup(second, "sent", NOW)  # exactly once
    assert await repo.answer_followup(second, "ok", NOW)
    assert not await repo.answer_followup(second, "ok", NOW)
    assert await repo.answer_followup(second, "talk", NOW)  # may still ask to talk after "I'm OK"
    assert not await repo.answer_followup(second, "talk", NOW)  # asked once
    assert not await repo.answer_followup(second, "ok", NOW)  # never back from talk
    event = await repo.get_event(helper)
    assert event is not None and event.about == "other" and event.followup_state is None
    assert await repo.followup_counts(1, NOW - timedelta(days=1)) == {"superseded": 1, "talk": 1}
    assert await repo.get_event(999) is None


async def test_alerts_keep_reader_target_recent_count_and_time_to_claim(repo):
    old = await repo.create_alert(1, 5, None, "urgent", 10, 11, NOW - timedelta(days=31))
    first = await repo.create_alert(1, 5, None, "concern", 10, 12, NOW, reader="harassment", target_id=6)
    second = await repo.create_alert(1, 5, None, "concern", 10, 13, NOW + timedelta(minutes=1))
    elsewhere = await repo.create_alert(2, 5, None, "concern", 10, 14, NOW)
    counts = [(await repo.get_alert(a)).recent_alerts for a in (old, first, second, elsewhere)]  # type: ignore[union-attr]
    assert counts == [1, 1, 2, 1]  # 30 days, this group, this one included
    alert = await repo.get_alert(first)
    assert alert is not None and alert.reader == "harassment" and alert.target_id == 6
    assert await repo.recent_unresolved_alert(1, 5, NOW, reader="self") is not None
    assert (await repo.recent_unresolved_alert(1, 5, NOW, reader="harassment")).alert_id == first  # type: ignore[union-attr]
    assert await repo.claim(first, 100, NOW + timedelta(minutes=7))
    assert await repo.close(first, "resolved", 100, NOW + timedelta(minutes=30))
    assert await repo.close(second, "false_alarm", 100, NOW + timedelta(minutes=9))
    claimed = {a: (await repo.get_alert(a)).claimed_at for a in (first, second, elsewhere)}  # type: ignore[union-attr]
    assert claimed == {first: NOW + timedelta(minutes=7), second: NOW + timedelta(minutes=9), elsewhere: None}
    rows = await repo.report_rows(1, NOW - timedelta(days=1))
    assert [(r.reader, r.state) for r in rows] == [("harassment", "resolved"), ("self", "false_alarm")]


async def test_sensitivity_is_stored_per_group(repo):
    assert (await repo.settings(1)).sensitivity == "standard"
    await repo.save_settings(CrisisSettings(1, sensitivity="cautious"), NOW)
    assert await repo.settings(1) == CrisisSettings(1, alerts=True, ping_urgent=False, sensitivity="cautious")
    assert (await repo.settings(2)).sensitivity == "standard"
