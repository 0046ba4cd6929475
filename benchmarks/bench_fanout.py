"""Fan-out benchmarks: the outbox against the loopback Discord enforcing 50 requests/s.

- ``fanout_rate_ratio``: N members (default 2,000) each due one DM reminder at the same minute;
  on the first day each needs a DM channel (``POST /users/@me/channels``) and a message, so the
  enforced ceiling is 25 deliveries/s. Value: deliveries per second from the first fan-out
  request to the last delivery; baseline: that ceiling. The bot runs as a real process
  (``create_bot`` with the real clock, its background outbox worker) against the fake in this
  process.
- ``fanout_deliveries_per_s`` / ``fanout_deliveries_per_s_day2``: the first day's rate, and the
  next day's reminders to the same members (the bot restarted in between, so the DM channel ids
  come from its database: one request per delivery) beside it; ``fanout_rate_ratio_day2`` is the
  second day against its ceiling of 50 deliveries/s.
- ``fanout_429_count`` and ``fanout_invalid_requests``: what the fake answered 429 / 401 / 403
  during both days (nothing is injected).
- ``fanout_crash_duplicates`` / ``fanout_crash_lost``: five runs; each SIGKILLs the bot process
  when a random share (10–90 %) of the fan-out has been delivered, starts it again on the same
  database, and counts members with more than one message / with none. The fake (and so its
  nonce memory and counts) lives in this process and survives the kill.
- ``outage_recovered``: in-process bot on a simulated clock shared with the fake; halfway
  through a fan-out the fake answers 503 to everything for 60 simulated seconds. 1 when every
  member then has exactly one message, else 0.

- ``fanout_rate_ratio_pg``: the same fan-out with the bot on PostgreSQL (a fresh schema at
  ``RESILIENCE_TEST_PG_URL``, default ``postgresql://postgres@127.0.0.1:5432/test``), reported
  next to the SQLite figure from the same run (its ``sqlite_value``). Where PostgreSQL does not
  answer the line says ``skipped`` and why; a failure on PostgreSQL is an ``error`` line.

The rows are enqueued before the bot starts, as the scheduler's reminder handler would enqueue
them at 09:00 (one row per member, in the handler's transaction). Sizes: ``FANOUT_MEMBERS``,
``FANOUT_CRASH_MEMBERS`` (default 2,000 each run, the issue's size),
``FANOUT_OUTAGE_MEMBERS`` (default 500). Tiny: 10 members, one crash run.

Every bot runs on the benchmark's clock (``start``, default now): the bot processes are handed
its offset from the wall clock, so a restarted process carries on the same timeline. They run in
a temporary folder, never reading a ``.env``, forked from a server that imported the bot once.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import random
import sqlite3
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from benchmarks import clock_at, clock_from_us, offset_us, pg_url, result, settings
from bot.core.clock import Clock, ShiftedClock
from tests.support.loopback import LoopbackDiscord, pointed_at

TOKEN = "bench-token"
GLOBAL_LIMIT = 50
DM_ROUTE = "POST /users/@me/channels"
MESSAGE_ROUTE = "POST /channels/{channel_id}/messages"
FIRST_USER = 900_000_000_000_000_000
REMINDER = "Good morning. A minute to check in? `/checkin now` when you're ready."
OUTAGE_S = 60
_KEY = ""


def _key() -> str:
    global _KEY
    if not _KEY:
        from bot.core.crypto import generate_key

        _KEY = generate_key()
    return _KEY


def _size(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


@dataclass(frozen=True)
class Sizes:
    members: int
    crash_members: int
    outage_members: int
    crash_runs: int = 5
    crash_settle_s: float = 1.0  # after the last delivery, time for a duplicate to show up


def _sizes(tiny: bool) -> Sizes:
    if tiny:
        return Sizes(members=10, crash_members=10, outage_members=10, crash_runs=1, crash_settle_s=0.2)
    return Sizes(
        members=_size("FANOUT_MEMBERS", 2000),
        crash_members=_size("FANOUT_CRASH_MEMBERS", 2000),
        outage_members=_size("FANOUT_OUTAGE_MEMBERS", 500),
    )


# --------------------------------------------------------------------------- the bot process

# Bot processes are forked from a server that has already imported the bot (multiprocessing's
# forkserver, a clean process of its own): each is still a separate process that SIGKILL stops
# dead, without paying a second of imports at every start and restart.
_FORKS = multiprocessing.get_context("forkserver")


def _child(port: int, database: str, clock_offset: int, key: str, cwd: str) -> None:
    """In the bot process: our bot against the fake on ``port``, forever (until killed).

    ``database`` is a SQLite path or a ``postgresql://`` URL; the bot runs on the benchmark's
    clock (``clock_offset`` microseconds off the wall clock, the same across restarts), in
    ``cwd`` (a temporary folder: no ``.env`` there), with its output discarded.
    """
    from bot.app import create_bot

    os.chdir(cwd)
    quiet = os.open(os.devnull, os.O_WRONLY)
    os.dup2(quiet, 1)
    os.dup2(quiet, 2)
    where: dict[str, Any] = (
        {"database_url": database} if "://" in database else {"database_path": Path(database)}
    )

    async def main() -> None:
        base = f"http://127.0.0.1:{port}"
        with pointed_at(f"{base}/api/v10", f"ws://127.0.0.1:{port}/gateway"):
            bot = create_bot(
                settings(**where, discord_token=TOKEN, encryption_key=key), clock=clock_from_us(clock_offset)
            )
            bot._connection.guild_ready_timeout = 0.01
            await bot.start(TOKEN)

    asyncio.run(main())


async def _spawn(port: int, database: Path | str, clock: ShiftedClock, cwd: Path) -> BaseProcess:
    """Our bot in a process of its own; the same key every time (a restart reads its notes)."""
    from bot.app import discover_extensions

    _FORKS.set_forkserver_preload(["bot.app", "tests.support.loopback", *discover_extensions()])
    process = _FORKS.Process(
        target=_child, args=(port, str(database), offset_us(clock), _key(), str(cwd)), daemon=True
    )
    await asyncio.to_thread(process.start)
    return process


def _alive(process: BaseProcess) -> None:
    """Raise at once when the bot process died by itself (instead of waiting out a timeout)."""
    if process.exitcode is not None:
        raise RuntimeError(f"the bot process exited by itself (exit code {process.exitcode})")


async def _kill(process: BaseProcess) -> None:
    if process.exitcode is None:
        process.kill()  # SIGKILL: no shutdown code runs
    await asyncio.to_thread(process.join)


# --------------------------------------------------------------------------- arranging


async def _enqueue(database: Path | str, members: int, clock: Clock, day: int = 1) -> None:
    """The reminder handler's work at 09:00: one outbox row per member due a DM, due now.

    ``database`` is a SQLite path or a ``postgresql://`` URL.
    """
    from bot.app import create_bot
    from bot.core.outbox import PRIORITY_DM, nonce_for_key

    where = {"database_url": database} if isinstance(database, str) else {"database_path": database}
    bot = create_bot(settings(**where), clock=clock)
    await bot.db.connect()
    try:
        await bot.db.migrate()
        now = bot.clock.now()
        payload = bot.outbox.payload(REMINDER)
        async with bot.db.transaction() as tx:
            for n in range(members):
                user_id = FIRST_USER + n
                key = f"checkin:remind:1@{int(now.timestamp())}d{day}:u{user_id}"
                await bot.outbox.repo.add(
                    tx,
                    guild_id=1,
                    kind="checkin:remind",
                    dedupe_key=key,
                    nonce=nonce_for_key(key),
                    priority=PRIORITY_DM,
                    channel_id=None,
                    user_id=user_id,
                    payload=payload,
                    ref="",
                    due_at=now,
                    now=now,
                )
    finally:
        await bot.db.close()


def _fake(clock: Callable[[], float] = time.perf_counter, *, point: bool = False) -> LoopbackDiscord:
    return LoopbackDiscord(global_limit=GLOBAL_LIMIT, clock=clock, point_discord=point, token=TOKEN)


def _per_member(fake: LoopbackDiscord, members: int) -> list[int]:
    counts = []
    for n in range(members):
        channel = fake.dm_channels.get(FIRST_USER + n)
        counts.append(fake.stats.messages_by_channel[channel.id] if channel else 0)
    return counts


def _delivered(fake: LoopbackDiscord, members: int) -> int:
    return sum(1 for c in _per_member(fake, members) if c > 0)


async def _wait_until(predicate: Callable[[], bool], within: float, poll: float = 0.02) -> bool:
    deadline = time.perf_counter() + within
    while time.perf_counter() < deadline:
        if predicate():
            return True
        await asyncio.sleep(poll)
    return predicate()


def _statuses(database: Path) -> dict[str, int]:
    with sqlite3.connect(database) as conn:
        return dict(conn.execute("SELECT status, COUNT(*) FROM outbox GROUP BY status").fetchall())


# --------------------------------------------------------------------------- fanout_rate_ratio


@dataclass(frozen=True)
class FanOut:
    """Deliveries per second on each day, and the fake that counted both."""

    day1: float
    day2: float
    fake: LoopbackDiscord


async def _one_day(
    fake: LoopbackDiscord, database: Path | str, members: int, clock: ShiftedClock, cwd: Path, day: int
) -> float:
    """Enqueue the day's reminders, start our bot process, time its fan-out; deliveries per second."""
    await _enqueue(database, members, clock, day)
    before = fake.stats.requests[DM_ROUTE] + fake.stats.requests[MESSAGE_ROUTE]
    target = members * day
    process = await _spawn(fake.port, database, clock, cwd)
    try:
        started = await _wait_until(
            lambda: (
                fake.stats.requests[DM_ROUTE] + fake.stats.requests[MESSAGE_ROUTE] > before
                or process.exitcode is not None
            ),
            within=60,
            poll=0.001,
        )
        t_first = time.perf_counter()
        _alive(process)
        if not started:
            raise RuntimeError(f"the bot never started day {day}'s fan-out")
        done = await _wait_until(
            lambda: fake.stats.messages_created >= target or process.exitcode is not None,
            within=members / 10 + 60,
            poll=0.005,
        )
        _alive(process)
        t_last = time.perf_counter()
    finally:
        await _kill(process)
    if not done:
        raise RuntimeError(f"day {day}: only {fake.stats.messages_created} of {target} delivered")
    return members / (t_last - t_first)


async def _fan_out(database: Path | str, members: int, clock: ShiftedClock, cwd: Path) -> FanOut:
    """Two days' reminders to the same members, the bot restarted in between."""
    async with _fake() as fake:
        fake.add_guild(name="Fan-out", channels=["general"], members=12, admins=1)
        day1 = await _one_day(fake, database, members, clock, cwd, day=1)
        day2 = await _one_day(fake, database, members, clock, cwd, day=2)
    return FanOut(day1, day2, fake)


def _fan_out_lines(run: FanOut, suffix: str = "") -> list[dict[str, Any]]:
    return [
        # The first day against its ceiling: two requests per delivery under 50/s.
        result(f"fanout_deliveries_per_s{suffix}", run.day1, "deliveries/s", GLOBAL_LIMIT / 2),
        # The next day: one request per delivery instead of two; its baseline is the first day.
        result(f"fanout_deliveries_per_s_day2{suffix}", run.day2, "deliveries/s", run.day1),
        result(f"fanout_rate_ratio_day2{suffix}", run.day2, "deliveries/s", GLOBAL_LIMIT),
        result(f"fanout_429_count{suffix}", run.fake.stats.rate_limited, "responses"),
        result(f"fanout_invalid_requests{suffix}", run.fake.stats.invalid_requests, "requests"),
    ]


async def _rate(members: int, tmp: Path, clock: ShiftedClock) -> list[dict[str, Any]]:
    run = await _fan_out(tmp / "rate.db", members, clock, tmp)
    ceiling = GLOBAL_LIMIT / 2  # two requests per delivery on the first day
    return [
        result("fanout_rate_ratio", run.day1, "deliveries/s", ceiling),
        *_fan_out_lines(run),
        result("fanout_members", members, "members"),
    ]


# --------------------------------------------------------------------------- fanout_rate_ratio_pg


async def _rate_pg(
    members: int, sqlite: list[dict[str, Any]], tmp: Path, clock: ShiftedClock
) -> list[dict[str, Any]]:
    """``fanout_rate_ratio_pg``: the ``_rate`` workload with the bot process on PostgreSQL."""
    from bot.db.url import redact
    from tests.support.pg import fresh_schema, unavailable_reason

    metric = "fanout_rate_ratio_pg"
    url = pg_url()
    reason = await asyncio.to_thread(unavailable_reason, url)
    if reason is not None:
        return [{"metric": metric, "skipped": f"PostgreSQL does not answer at {redact(url)}: {reason}"}]
    sqlite_rate = next((line["value"] for line in sqlite if line.get("metric") == "fanout_rate_ratio"), None)
    try:
        with fresh_schema(url) as schema:
            run = await _fan_out(schema, members, clock, tmp)
    except Exception as error:  # a crash on PostgreSQL; the SQLite figures still stand
        return [{"metric": metric, "error": f"{type(error).__name__}: {error}"}]
    line = result(metric, run.day1, "deliveries/s", GLOBAL_LIMIT / 2)
    line["sqlite_value"] = sqlite_rate  # the SQLite figure from this same run, side by side
    return [line, *_fan_out_lines(run, "_pg")]


# --------------------------------------------------------------------------- crash runs


async def _crash_once(
    members: int, tmp: Path, run: int, rng: random.Random, clock: ShiftedClock, settle_s: float
) -> tuple[int, int, int]:
    database = tmp / f"crash{run}.db"
    await _enqueue(database, members, clock)
    share = rng.uniform(0.1, 0.9)
    async with _fake() as fake:
        fake.add_guild(name="Fan-out", channels=["general"], members=12, admins=1)
        process = await _spawn(fake.port, database, clock, tmp)
        try:
            await _wait_until(
                lambda: fake.stats.messages_created >= members * share or process.exitcode is not None,
                within=members / 10 + 60,
            )
            _alive(process)
            await _kill(process)
            process = await _spawn(fake.port, database, clock, tmp)
            # Whoever is still missing after this counts as lost.
            await _wait_until(
                lambda: _delivered(fake, members) >= members or process.exitcode is not None,
                within=members / 10 + 60,
            )
            _alive(process)
            # Give a duplicate every chance to show up before counting.
            await _wait_until(lambda: _statuses(database).get("sent", 0) >= members, within=30, poll=0.2)
            await asyncio.sleep(settle_s)
        finally:
            await _kill(process)
        counts = _per_member(fake, members)
        duplicates = sum(c - 1 for c in counts if c > 1)
        lost = sum(1 for c in counts if c == 0)
        return duplicates, lost, fake.stats.nonce_duplicates


async def _crashes(members: int, tmp: Path, clock: ShiftedClock, sizes: Sizes) -> list[dict[str, Any]]:
    rng = random.Random(9)
    duplicates = lost = caught = 0
    for run in range(sizes.crash_runs):
        d, lost_now, caught_now = await _crash_once(members, tmp, run, rng, clock, sizes.crash_settle_s)
        duplicates += d
        lost += lost_now
        caught += caught_now
    return [
        result("fanout_crash_duplicates", duplicates, "messages"),
        result("fanout_crash_lost", lost, "messages"),
        result("fanout_crash_members", members, "members per run"),
        # Sends repeated after a kill that the fake answered with the first message (enforce_nonce).
        result("fanout_crash_nonce_dedups", caught, "requests"),
    ]


# --------------------------------------------------------------------------- outage_recovered


class _SimClock:
    """The benchmark's clock plus simulated seconds skipped; the fake's is the same skew on perf_counter."""

    def __init__(self, base: Clock) -> None:
        self.base = base
        self.ahead = 0.0

    def now(self) -> datetime:
        return self.base.now() + timedelta(seconds=self.ahead)

    def monotonic(self) -> float:
        return time.perf_counter() + self.ahead


async def _outage(members: int, tmp: Path, clock: Clock) -> list[dict[str, Any]]:
    from bot.app import create_bot
    from tests.support.loopback import running

    database = tmp / "outage.db"
    sim = _SimClock(clock)
    await _enqueue(database, members, clock=sim)
    async with LoopbackDiscord(global_limit=GLOBAL_LIMIT, clock=sim.monotonic) as fake:
        fake.add_guild(name="Fan-out", channels=["general"], members=12, admins=1)
        bot = create_bot(settings(database_path=database), clock=sim, guild_ready_timeout=0.01)
        async with running(bot, ready_within=30):
            assert bot._scheduler_start is not None
            drain = asyncio.create_task(bot.outbox.drain())
            await _wait_until(lambda: fake.stats.messages_created >= members // 2, within=members)
            fake.fail_for(OUTAGE_S, status=503)  # in the fake's (simulated) seconds
            failed_at = sim.monotonic()
            await drain
            rounds = 0
            while await bot.outbox.repo.count_unsettled():
                upcoming = await bot.outbox.repo.earliest_pending()
                if upcoming is not None and upcoming > sim.now():
                    sim.ahead += (upcoming - sim.now()).total_seconds() + 0.01  # skip the wait
                await bot.outbox.drain()
                rounds += 1
                if rounds > 10_000:
                    raise RuntimeError("the outbox never emptied")
            outage_seconds = sim.monotonic() - failed_at
            statuses = await bot.outbox.repo.all()
        counts = _per_member(fake, members)
    exactly_once = all(c == 1 for c in counts) and all(r.status == "sent" for r in statuses)
    return [
        result("outage_recovered", 1.0 if exactly_once else 0.0, "bool"),
        result("outage_faults_answered", fake.stats.faults_injected, "responses"),
        # From the first 503 until every row settled, beside the outage itself.
        result("outage_simulated_s", outage_seconds, "s", OUTAGE_S),
    ]


# --------------------------------------------------------------------------- entry point


async def _run_all(sizes: Sizes, clock: ShiftedClock) -> list[dict[str, Any]]:
    lines: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="bench-fanout-") as name:
        tmp = Path(name)
        lines += await _rate(sizes.members, tmp, clock)
        lines += await _rate_pg(sizes.members, lines, tmp, clock)
        lines += await _crashes(sizes.crash_members, tmp, clock, sizes)
        lines += await _outage(sizes.outage_members, tmp, clock)
    return lines


def run(*, tiny: bool = False, start: datetime | None = None) -> list[dict[str, Any]]:
    return asyncio.run(_run_all(_sizes(tiny), clock_at(start)))


if __name__ == "__main__":
    import json

    for line in run():
        print(json.dumps(line), flush=True)
