"""The scheduler: schedules are database rows, APScheduler is only the alarm clock.

``run_due(now)`` is the one code path that sends: it runs every occurrence due at or before
``now`` that has not been settled yet, whether it is called by the alarm, by catch-up at
start-up, or by a test driving time by hand. Every occurrence is claimed in the send ledger
before its handler runs and settled after, so a restart neither loses nor repeats a send.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.core.clock import Clock, ShiftedClock
from bot.core.schedule_rules import Rule, next_occurrence, occurrences
from bot.core.schedule_store import Schedule, ScheduleRepository, ShardFilter
from bot.db import Database

log = logging.getLogger(__name__)

Handler = Callable[[Schedule, datetime], Awaitable[None]]
AfterRun = Callable[[datetime], Awaitable[None]]

WAKE_JOB_ID = "scheduler:wake"
SWEEP_JOB_ID = "scheduler:sweep"
_BATCH = 500


def occurrence_key(schedule: Schedule, occurrence: datetime) -> str:
    """The outbox key for what a schedule sends at one occurrence: a re-run adds nothing."""
    return f"{schedule.schedule_id}@{int(occurrence.timestamp())}"


class RunObserver(Protocol):
    """What the scheduler tells the metrics (bot.core.metrics.Metrics has these)."""

    def scheduled(self, kind: str, lag: float) -> None: ...

    def error(self, error: BaseException, where: str) -> None: ...


@dataclass
class RunReport:
    """What one ``run_due`` call did, occurrence by occurrence."""

    sent: list[tuple[int, datetime]] = field(default_factory=list)
    skipped: list[tuple[int, datetime]] = field(default_factory=list)
    failed: list[tuple[int, datetime]] = field(default_factory=list)


class Scheduler:
    """Schedules stored as rows; sends driven by :meth:`run_due`."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        *,
        grace: timedelta,
        alarm: bool = True,
        shards: ShardFilter | None = None,
    ) -> None:
        # With shards, only schedules of the guilds this process owns are run (sharded deployment).
        self.repo = ScheduleRepository(db, shards=shards)
        self.clock = clock
        self.grace = grace
        self._alarm_enabled = alarm
        self._handlers: dict[str, Handler] = {}
        self._graces: dict[str, timedelta] = {}
        self._aps: AsyncIOScheduler | None = None
        self._lock = asyncio.Lock()
        # Set by the bot to the outbox: handlers enqueue, this drains (or wakes the worker).
        self.after_run: AfterRun | None = None
        # Set by the bot to its metrics: how late each occurrence ran, and what broke.
        self.observer: RunObserver | None = None

    @property
    def alarm_enabled(self) -> bool:
        """False with an injected clock: nothing fires unless ``run_due`` is called."""
        return self._alarm_enabled

    # -- registration -------------------------------------------------------------------------

    def register(self, kind: str, handler: Handler, *, grace: timedelta | None = None) -> None:
        """Say which coroutine sends for schedules of ``kind`` (e.g. ``checkin:post``).

        ``grace`` replaces the catch-up grace for this kind: a check-in on someone after a
        crisis reply is still worth sending a day late, a good-morning prompt is not.
        """
        self._handlers[kind] = handler
        if grace is None:
            self._graces.pop(kind, None)
        else:
            self._graces[kind] = grace

    def unregister(self, kind: str) -> None:
        self._handlers.pop(kind, None)
        self._graces.pop(kind, None)

    # -- rows ---------------------------------------------------------------------------------

    async def set(
        self,
        guild_id: int,
        kind: str,
        rule: Rule,
        *,
        key: str = "",
        payload: dict[str, Any] | None = None,
        enabled: bool = True,
    ) -> Schedule:
        """Create or replace the schedule ``(guild, kind, key)``; it next fires after now."""
        now = self.clock.now()
        schedule = await self.repo.upsert(
            guild_id=guild_id,
            kind=kind,
            key=key,
            rule=rule,
            payload=payload or {},
            next_due=next_occurrence(rule, now) if enabled else None,
            now=now,
            enabled=enabled,
        )
        await self._rearm()
        return schedule

    async def remove(self, guild_id: int, kind: str, key: str = "") -> bool:
        removed = await self.repo.delete(guild_id, kind, key)
        await self._rearm()
        return removed

    async def get(self, guild_id: int, kind: str, key: str = "") -> Schedule | None:
        return await self.repo.get(guild_id, kind, key)

    # -- running ------------------------------------------------------------------------------

    async def run_due(self, now: datetime | None = None) -> RunReport:
        """Run every unsettled occurrence due at or before ``now``.

        Occurrences older than the grace period are skipped with a log line instead of sent:
        a good-morning prompt delivered in the evening helps nobody.
        """
        now = (now or self.clock.now()).astimezone(UTC)
        report = RunReport()
        async with self._lock:
            while True:
                batch = await self.repo.due(now, _BATCH)
                for schedule in batch:
                    await self._run_schedule(schedule, now, report)
                if len(batch) < _BATCH:
                    break
        await self._rearm()
        if self.after_run is not None:
            await self.after_run(now)
        return report

    async def _run_schedule(self, schedule: Schedule, now: datetime, report: RunReport) -> None:
        assert schedule.next_due is not None
        due = [schedule.next_due, *occurrences(schedule.rule, schedule.next_due, now)]
        grace = self._graces.get(schedule.kind, self.grace)
        for occurrence in due:
            key = (schedule.schedule_id, occurrence)
            if now - occurrence > grace:
                if await self.repo.ledger_status(*key) is None:
                    await self.repo.settle(*key, "skipped", now)
                    log.info(
                        "skipped %s due %s: the bot was down past the %s catch-up grace",
                        schedule.job_id,
                        occurrence.isoformat(),
                        grace,
                    )
                    report.skipped.append(key)
                continue
            if not await self.repo.claim(*key, now):
                continue
            handler = self._handlers.get(schedule.kind)
            if handler is None:
                log.warning("no handler for %s; occurrence %s skipped", schedule.kind, occurrence)
                await self.repo.settle(*key, "skipped", now)
                report.skipped.append(key)
                continue
            try:
                await handler(schedule, occurrence)
            except Exception as error:
                if self.observer is not None:
                    self.observer.error(error, "scheduler")
                ref = secrets.token_hex(3)
                log.exception("scheduled send %s for %s failed [ref %s]", schedule.job_id, occurrence, ref)
                await self.repo.settle(*key, "failed", now)
                report.failed.append(key)
                continue
            await self.repo.settle(*key, "sent", now)
            report.sent.append(key)
            if self.observer is not None:
                self.observer.scheduled(schedule.kind, (self.clock.now() - occurrence).total_seconds())
        await self.repo.set_next_due(schedule.schedule_id, next_occurrence(schedule.rule, now))

    # -- the alarm clock ----------------------------------------------------------------------

    async def start(self) -> None:
        """Catch up on what came due while the bot was down, then arm the alarm."""
        await self.run_due(self.clock.now())
        if self._alarm_enabled and self._aps is None:
            self._aps = AsyncIOScheduler(timezone=UTC)
            # A sweep every minute backs up the precise alarm (clock jumps, lost wake-ups).
            self._aps.add_job(
                self._wake,
                IntervalTrigger(minutes=1, timezone=UTC),
                id=SWEEP_JOB_ID,
                replace_existing=True,
                coalesce=True,
                max_instances=1,
            )
            self._aps.start()
            await self._rearm()

    async def stop(self) -> None:
        if self._aps is not None:
            self._aps.shutdown(wait=False)
            self._aps = None

    async def _wake(self) -> None:
        await self.run_due(self.clock.now())

    async def _rearm(self) -> None:
        if self._aps is None:
            return
        first = await self.repo.earliest_due()
        if first is None:
            if self._aps.get_job(WAKE_JOB_ID) is not None:
                self._aps.remove_job(WAKE_JOB_ID)
            return
        run_date = max(first, self.clock.now())
        if isinstance(self.clock, ShiftedClock):
            run_date -= self.clock.offset  # APScheduler waits on the wall clock
        self._aps.add_job(
            self._wake,
            DateTrigger(run_date=run_date),
            id=WAKE_JOB_ID,
            replace_existing=True,
            misfire_grace_time=None,
            coalesce=True,
        )
