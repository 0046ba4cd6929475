"""The scheduler on a real SQLite file: due sends, catch-up, crashes and restarts."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.core.clock import FakeClock, ShiftedClock
from bot.core.schedule_rules import Rule
from bot.core.schedule_store import Schedule
from bot.core.scheduler import WAKE_JOB_ID, Scheduler
from bot.db import SqliteDatabase

LONDON = ZoneInfo("Europe/London")


class Crash(BaseException):
    """Stands in for the process dying: not an Exception, so nothing catches it."""


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[int, datetime]] = []
        self.crash_next = False

    async def __call__(self, schedule: Schedule, occurrence: datetime) -> None:
        if self.crash_next:
            self.crash_next = False
            raise Crash
        self.calls.append((schedule.schedule_id, occurrence))


async def make(
    path: Path, clock: FakeClock, grace_minutes: int = 120
) -> tuple[Scheduler, SqliteDatabase, Recorder]:
    db = SqliteDatabase(path)
    await db.connect()
    await db.migrate()
    scheduler = Scheduler(db, clock, grace=timedelta(minutes=grace_minutes), alarm=False)
    recorder = Recorder()
    scheduler.register("test:post", recorder)
    return scheduler, db, recorder


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 3, 27, 12, 0, tzinfo=UTC))


async def test_daily_schedule_sends_once_per_day_across_spring_forward(tmp_path, clock):
    scheduler, db, rec = await make(tmp_path / "s.db", clock)
    await scheduler.set(1, "test:post", Rule.daily(time(9, 0), LONDON))
    # Walk the clock minute by minute-ish (every 20 minutes) through the DST weekend.
    moment = clock.now()
    while moment < datetime(2026, 3, 31, 12, tzinfo=UTC):
        moment += timedelta(minutes=20)
        clock.set(moment)
        await scheduler.run_due()
    sent = [occ.astimezone(LONDON) for _, occ in rec.calls]
    assert [s.day for s in sent] == [28, 29, 30, 31]
    assert all(s.hour == 9 and s.minute == 0 for s in sent)
    await db.close()


async def test_catch_up_after_downtime_sends_once_within_grace(tmp_path, clock):
    scheduler, db, rec = await make(tmp_path / "s.db", clock)
    clock.set(datetime(2026, 3, 27, 8, 0, tzinfo=UTC))
    await scheduler.set(1, "test:post", Rule.daily(time(9, 0), LONDON))
    # The bot is down at 09:00 and comes back at 10:30: within the two-hour grace.
    clock.set(datetime(2026, 3, 27, 10, 30, tzinfo=UTC))
    report = await scheduler.run_due()
    assert len(report.sent) == 1 and len(rec.calls) == 1
    # Running again (a second wake-up, or a restart) does not send again.
    await scheduler.run_due()
    assert len(rec.calls) == 1
    await db.close()


async def test_missed_beyond_grace_is_skipped_with_a_log_line(tmp_path, clock, caplog):
    scheduler, db, rec = await make(tmp_path / "s.db", clock)
    clock.set(datetime(2026, 3, 27, 8, 0, tzinfo=UTC))
    schedule = await scheduler.set(1, "test:post", Rule.daily(time(9, 0), LONDON))
    # Down for three days; back at 15:00, long past 09:00 plus grace.
    clock.set(datetime(2026, 3, 30, 14, 0, tzinfo=UTC))
    with caplog.at_level("INFO", logger="bot.core.scheduler"):
        report = await scheduler.run_due()
    assert rec.calls == []
    assert len(report.skipped) == 4  # 27th, 28th, 29th, 30th
    assert "catch-up grace" in caplog.text
    statuses = [status for _, status in await scheduler.repo.ledger(schedule.schedule_id)]
    assert statuses == ["skipped"] * 4
    # The next day is sent normally.
    clock.set(datetime(2026, 3, 31, 8, 0, 30, tzinfo=UTC))
    await scheduler.run_due()
    assert len(rec.calls) == 1
    await db.close()


async def test_a_kind_registered_with_its_own_grace_is_caught_up_that_much_later(tmp_path, clock):
    scheduler, db, _ = await make(tmp_path / "s.db", clock)
    late = Recorder()
    scheduler.register("test:checkin", late, grace=timedelta(days=3))
    clock.set(datetime(2026, 3, 27, 8, 0, tzinfo=UTC))
    nine = Rule.once(datetime(2026, 3, 27, 9, 0, tzinfo=UTC), LONDON)
    await scheduler.set(1, "test:checkin", nine, key="a")
    await scheduler.set(1, "test:checkin", nine, key="b")
    await scheduler.set(1, "test:post", nine)
    # Down for a day and a half: past the two-hour grace, within this kind's three days.
    clock.set(datetime(2026, 3, 28, 21, 0, tzinfo=UTC))
    report = await scheduler.run_due()
    assert len(late.calls) == 2 and len(report.skipped) == 1  # the ordinary post is skipped
    await db.close()


async def test_a_kinds_own_grace_still_ends(tmp_path, clock):
    scheduler, db, _ = await make(tmp_path / "s.db", clock)
    late = Recorder()
    scheduler.register("test:checkin", late, grace=timedelta(days=3))
    clock.set(datetime(2026, 3, 27, 8, 0, tzinfo=UTC))
    await scheduler.set(1, "test:checkin", Rule.once(datetime(2026, 3, 27, 9, 0, tzinfo=UTC), LONDON))
    clock.set(datetime(2026, 3, 30, 10, 0, tzinfo=UTC))
    report = await scheduler.run_due()
    assert late.calls == [] and len(report.skipped) == 1
    await db.close()


async def test_crash_mid_send_then_restart_sends_exactly_once(tmp_path, clock):
    path = tmp_path / "s.db"
    scheduler, db, rec = await make(path, clock)
    clock.set(datetime(2026, 3, 27, 8, 0, tzinfo=UTC))
    await scheduler.set(1, "test:post", Rule.daily(time(9, 0), LONDON))
    clock.set(datetime(2026, 3, 27, 9, 0, 5, tzinfo=UTC))
    rec.crash_next = True
    with pytest.raises(Crash):
        await scheduler.run_due()
    assert rec.calls == []
    await db.close()

    # A new process on the same file: the claimed occurrence is retried once, with the same nonce.
    restarted, db2, rec2 = await make(path, clock)
    clock.set(datetime(2026, 3, 27, 9, 1, tzinfo=UTC))
    await restarted.run_due()
    await restarted.run_due()
    assert len(rec2.calls) == 1
    (_sid, occurrence) = rec2.calls[0]
    assert occurrence == datetime(2026, 3, 27, 9, 0, tzinfo=UTC)
    await db2.close()


async def test_sent_occurrence_is_never_resent_even_if_next_due_was_not_saved(tmp_path, clock):
    path = tmp_path / "s.db"
    scheduler, db, rec = await make(path, clock)
    clock.set(datetime(2026, 3, 27, 8, 0, tzinfo=UTC))
    schedule = await scheduler.set(1, "test:post", Rule.daily(time(9, 0), LONDON))
    clock.set(datetime(2026, 3, 27, 9, 0, 5, tzinfo=UTC))
    await scheduler.run_due()
    assert len(rec.calls) == 1
    # Simulate a crash after the ledger said "sent" but before next_due moved on.
    await scheduler.repo.set_next_due(schedule.schedule_id, datetime(2026, 3, 27, 9, 0, tzinfo=UTC))
    await db.close()
    restarted, db2, rec2 = await make(path, clock)
    await restarted.run_due()
    assert rec2.calls == []
    await db2.close()


@pytest.mark.allow_error_logs
async def test_failed_handler_is_recorded_and_does_not_block_others(tmp_path, clock):
    scheduler, db, _rec = await make(tmp_path / "s.db", clock)

    async def broken(schedule: Schedule, occurrence: datetime) -> None:
        raise RuntimeError("boom")

    scheduler.register("test:broken", broken)
    clock.set(datetime(2026, 3, 27, 8, 0, tzinfo=UTC))
    await scheduler.set(1, "test:broken", Rule.daily(time(9, 0), LONDON))
    await scheduler.set(1, "test:post", Rule.daily(time(9, 0), LONDON))
    clock.set(datetime(2026, 3, 27, 9, 0, 1, tzinfo=UTC))
    report = await scheduler.run_due()
    assert len(report.failed) == 1 and len(report.sent) == 1
    await db.close()


async def test_a_handler_may_delete_its_own_schedule(tmp_path, clock):
    scheduler, db, _rec = await make(tmp_path / "s.db", clock)
    fired: list[datetime] = []

    async def once_then_stop(schedule: Schedule, occurrence: datetime) -> None:
        fired.append(occurrence)
        await scheduler.remove(schedule.guild_id, schedule.kind, schedule.key)

    scheduler.register("test:self-removing", once_then_stop)
    clock.set(datetime(2026, 3, 27, 8, 0, tzinfo=UTC))
    await scheduler.set(1, "test:self-removing", Rule.daily(time(9, 0), LONDON))
    # Two occurrences are due at once (grace of three days): the first one removes the schedule.
    scheduler.grace = timedelta(days=3)
    clock.set(datetime(2026, 3, 28, 9, 30, tzinfo=UTC))
    report = await scheduler.run_due()
    assert len(fired) == 1 and len(report.sent) == 1
    assert await scheduler.get(1, "test:self-removing") is None
    await db.close()


async def test_changing_a_schedule_replaces_it(tmp_path, clock):
    scheduler, db, _rec = await make(tmp_path / "s.db", clock)
    first = await scheduler.set(7, "test:post", Rule.daily(time(9, 0), LONDON), key="a")
    second = await scheduler.set(7, "test:post", Rule.daily(time(20, 30), LONDON), key="a")
    assert first.schedule_id == second.schedule_id
    assert second.next_due == datetime(2026, 3, 27, 20, 30, tzinfo=UTC)
    assert await scheduler.remove(7, "test:post", key="a")
    assert await scheduler.get(7, "test:post", key="a") is None
    await db.close()


async def test_alarm_is_armed_for_the_earliest_due_row(tmp_path):
    clock = FakeClock(datetime.now(UTC))
    db = SqliteDatabase(tmp_path / "a.db")
    await db.connect()
    await db.migrate()
    scheduler = Scheduler(db, clock, grace=timedelta(hours=2), alarm=True)
    scheduler.register("test:post", Recorder())
    await scheduler.start()
    try:
        assert scheduler._aps is not None
        assert scheduler._aps.get_job(WAKE_JOB_ID) is None
        soon = (clock.now() + timedelta(hours=3)).astimezone(LONDON)
        later = (clock.now() + timedelta(hours=6)).astimezone(LONDON)
        await scheduler.set(
            1, "test:post", Rule.daily(later.time().replace(second=0, microsecond=0), LONDON), key="x"
        )
        await scheduler.set(
            1, "test:post", Rule.daily(soon.time().replace(second=0, microsecond=0), LONDON), key="y"
        )
        job = scheduler._aps.get_job(WAKE_JOB_ID)
        assert job is not None
        expected = await scheduler.repo.earliest_due()
        assert job.next_run_time == expected
    finally:
        await scheduler.stop()
        await db.close()


async def test_the_alarm_waits_in_the_clocks_own_time_when_it_runs_from_another_date(tmp_path):
    """A ShiftedClock (benchmarks) runs months off the wall clock; APScheduler counts wall time."""
    clock = ShiftedClock.starting_at(datetime(2026, 3, 29, 0, 30, 0, 123456, tzinfo=UTC))
    db = SqliteDatabase(tmp_path / "a.db")
    await db.connect()
    await db.migrate()
    scheduler = Scheduler(db, clock, grace=timedelta(hours=2), alarm=True)
    scheduler.register("test:post", Recorder())
    await scheduler.start()
    try:
        assert scheduler._aps is not None
        await scheduler.set(1, "test:post", Rule.daily(time(9, 0), LONDON), key="x")
        job = scheduler._aps.get_job(WAKE_JOB_ID)
        assert job is not None
        due = await scheduler.repo.earliest_due()
        assert due == datetime(2026, 3, 29, 8, 0, tzinfo=UTC)  # 09:00 BST, the first morning of summer time
        assert job.next_run_time == due - clock.offset
    finally:
        await scheduler.stop()
        await db.close()
