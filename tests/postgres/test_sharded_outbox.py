"""Two processes, one PostgreSQL database, guilds over 4 shards: every outbox row is sent once.

Each process has its own pool, scheduler (over its own shards) and outbox worker, as two bot
processes would. Discord here is a recording fake shared by both: it keeps one message per nonce
(as Discord does with ``enforce_nonce``) and counts every request, so the test sees both what
people would see (messages) and what the workers did (attempts).
"""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter
from datetime import UTC, datetime, time, timedelta
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import discord

from bot.core.clock import FakeClock
from bot.core.members import MemberRepository
from bot.core.outbox import PRIORITY_DM, Outbox, OutboxConfig
from bot.core.outbox_store import OutboxRow
from bot.core.schedule_rules import Rule
from bot.core.schedule_store import Schedule, ShardFilter
from bot.core.scheduler import Scheduler
from bot.db.postgres import PostgresDatabase
from tests.postgres.test_sharding import GUILDS, OWNED, SHARDS, owner

MEMBERS = (101, 102)  # two members per group get a reminder DM with each post
NO_GUILD_USERS = (901, 902)  # DMs not tied to a group: stored with guild_id 0


def channel_of(guild_id: int) -> int:
    return guild_id + 1


class FakeDiscord:
    """One Discord for both processes: a message per nonce, every request counted."""

    def __init__(self) -> None:
        self.ids = itertools.count(1)
        self.messages: dict[str, dict[str, Any]] = {}
        self.attempts: Counter[str] = Counter()
        self.sent_by: dict[str, str] = {}
        # Requests from these processes are accepted by Discord, then never answered.
        self.hang_for: set[str] = set()
        self.hanging: dict[str, int] = Counter()
        self.hung = asyncio.Event()
        self.hang_after = 0
        self.hang_when = 0  # ``hung`` is set once this many requests hang


class FakeChannel:
    """A channel as the outbox sees it: one ``send`` with a nonce."""

    def __init__(self, transport: FakeTransport, channel_id: int) -> None:
        self.transport = transport
        self.id = channel_id

    async def send(self, content: str | None = None, *, nonce: str | None = None, **_: Any) -> Any:
        assert nonce is not None  # discord.py sends enforce_nonce with every nonce
        fake = self.transport.discord
        fake.attempts[nonce] += 1
        message = fake.messages.get(nonce)
        if message is None:
            message = {"id": str(next(fake.ids)), "channel_id": self.id, "content": content}
            fake.messages[nonce] = message
            fake.sent_by[nonce] = self.transport.process
        await asyncio.sleep(0)  # let the other process's worker run in between
        process = self.transport.process
        if process in fake.hang_for and self.transport.answered >= fake.hang_after:
            fake.hanging[process] += 1
            if fake.hanging[process] == fake.hang_when:
                fake.hung.set()
            await asyncio.Event().wait()  # accepted, but the answer never comes back
        self.transport.answered += 1
        return SimpleNamespace(id=int(message["id"]))


class FakeTransport:
    """The two calls the outbox makes on the client: a channel to send to, and a DM channel."""

    def __init__(self, discord_: FakeDiscord, process: str) -> None:
        self.discord = discord_
        self.process = process
        self.answered = 0
        self.allowed_mentions = discord.AllowedMentions(everyone=False, roles=False)

    def get_partial_messageable(self, channel_id: int, **_: Any) -> FakeChannel:
        return FakeChannel(self, channel_id)

    async def create_dm(self, user: discord.abc.Snowflake) -> Any:
        return SimpleNamespace(id=user.id * 10)


class Process:
    """One bot process: its own pool, scheduler and outbox over its own shards."""

    def __init__(
        self, name: str, url: str, clock: FakeClock, fake: FakeDiscord, shards: ShardFilter | None
    ) -> None:
        self.name = name
        self.db = PostgresDatabase(url)
        self.scheduler = Scheduler(self.db, clock, grace=timedelta(hours=2), alarm=False, shards=shards)
        self.transport = FakeTransport(fake, name)
        # As in create_bot: the outbox takes its shards from the scheduler's filter.
        self.outbox = Outbox(
            transport=self.transport,
            db=self.db,
            clock=clock,
            members=MemberRepository(self.db),
            config=OutboxConfig(global_rate=100_000, concurrency=4),
            inline=False,
            shards=self.scheduler.repo.shards,
        )
        assert self.outbox.repo.shards == shards
        self.scheduler.after_run = self.outbox.after_scheduler_run

        async def post(schedule: Schedule, occurrence: datetime) -> None:
            key = f"{schedule.schedule_id}@{occurrence.isoformat()}"
            await self.outbox.enqueue(
                guild_id=schedule.guild_id,
                kind="checkins:post",
                key=key,
                channel_id=channel_of(schedule.guild_id),
                content="How is everyone today?",
            )
            for member in MEMBERS:
                await self.outbox.enqueue(
                    guild_id=schedule.guild_id,
                    kind="checkins:reminder",
                    key=key,
                    user_id=member,
                    content="A gentle reminder to check in.",
                    priority=PRIORITY_DM,
                )

        self.scheduler.register("checkins:post", post)

    async def start(self) -> Process:
        await self.db.connect()
        await self.db.migrate()
        await self.outbox.resume()
        return self

    async def stop(self) -> None:
        await self.outbox.stop()
        await self.db.close()


def shard_filter(name: str) -> ShardFilter:
    return ShardFilter(SHARDS, OWNED[name])


def row_owner(row: OutboxRow) -> str:
    return owner(row.guild_id)


async def _no_guild_dms(process: Process, day: datetime) -> None:
    for user in NO_GUILD_USERS:
        await process.outbox.enqueue(
            guild_id=0, kind="account:notice", key=day.date().isoformat(), user_id=user, content="Hello."
        )


async def test_two_workers_send_every_row_once_and_a_killed_one_resumes_its_own(pg_url: str) -> None:
    clock = FakeClock(datetime(2026, 11, 23, 7, 0, tzinfo=UTC))
    fake = FakeDiscord()
    # Started one after the other: two first connections racing to create the schema collide.
    a = await Process("a", pg_url, clock, fake, shard_filter("a")).start()
    b = await Process("b", pg_url, clock, fake, shard_filter("b")).start()
    try:
        for guild_id in GUILDS:
            await a.scheduler.set(guild_id, "checkins:post", Rule.daily(time(9, 0), ZoneInfo("UTC")))

        # Day 1: both wake at once, each enqueues for its own guilds, both drain concurrently.
        day1 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
        clock.set(day1)
        await asyncio.gather(a.scheduler.run_due(), b.scheduler.run_due())
        await _no_guild_dms(b, day1)  # enqueued anywhere; sent by whoever owns shard 0
        await asyncio.gather(a.outbox.drain(), b.outbox.drain(), a.outbox.drain(), b.outbox.drain())

        rows = await a.outbox.repo.all()
        per_day = len(GUILDS) * (1 + len(MEMBERS)) + len(NO_GUILD_USERS)
        assert len(rows) == per_day
        assert {r.status for r in rows} == {"sent"}
        assert all(fake.attempts[r.nonce] == 1 for r in rows)  # nobody sent anything twice
        assert sorted(fake.messages) == sorted(r.nonce for r in rows)
        for row in rows:
            expected = "a" if row.guild_id == 0 else row_owner(row)  # guild 0 is shard 0: a's
            assert fake.sent_by[row.nonce] == expected, row

        # Day 2: b's Discord stops answering after 3 sends; while both drain, b is killed with
        # sends in flight (accepted by Discord, never marked sent).
        day2 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
        clock.set(day2)
        await asyncio.gather(a.scheduler.run_due(), b.scheduler.run_due())
        await _no_guild_dms(a, day2)
        # b's worker has 4 sends in flight at once: 3 answered and marked sent, then 4 that hang.
        fake.hang_for, fake.hang_after, fake.hang_when = {"b"}, 3, 4
        b.transport.answered = 0
        a_drain = asyncio.create_task(a.outbox.drain())
        await b.outbox.start()  # b's background worker, as with the real clock
        await fake.hung.wait()
        await b.outbox.stop()  # the kill: b's worker is cancelled mid-drain
        await a_drain
        await b.stop()

        day2_rows = [r for r in await a.outbox.repo.all() if r.due_at == day2]
        assert len(day2_rows) == per_day
        mine = [r for r in day2_rows if r.guild_id == 0 or row_owner(r) == "a"]
        theirs = [r for r in day2_rows if r.guild_id != 0 and row_owner(r) == "b"]
        # a's guilds are unaffected: all sent, once, by a.
        assert {r.status for r in mine} == {"sent"}
        assert all(fake.attempts[r.nonce] == 1 and fake.sent_by[r.nonce] == "a" for r in mine)
        # b's guilds wait: a few sent, the ones in flight 'sending', the rest pending; a took none.
        statuses = Counter(r.status for r in theirs)
        assert statuses["sent"] == 3 and statuses["sending"] >= 1 and statuses["pending"] >= 1
        in_flight = {r.nonce for r in theirs if r.status == "sending"}
        assert all(fake.sent_by.get(r.nonce, "b") == "b" for r in theirs)

        # b restarts: its own in-flight rows resume with the same nonce, and each goes out once.
        fake.hang_for = set()
        b = await Process("b", pg_url, clock, fake, shard_filter("b")).start()
        await asyncio.gather(b.outbox.drain(), a.outbox.drain())
        every = await a.outbox.repo.all()
        assert len(every) == 2 * per_day
        assert {r.status for r in every} == {"sent"}
        assert sorted(fake.messages) == sorted(r.nonce for r in every)  # one message per row
        for row in every:
            # Only the sends the kill interrupted were asked twice; Discord kept the first.
            assert fake.attempts[row.nonce] == (2 if row.nonce in in_flight else 1), row
            assert fake.sent_by[row.nonce] == ("a" if row.guild_id == 0 else row_owner(row))
            assert row.message_id == int(fake.messages[row.nonce]["id"])
    finally:
        await a.db.drop_schema()
        await a.stop()
        await b.stop()


async def test_workers_over_the_same_shards_never_claim_the_same_row(pg_url: str) -> None:
    """FOR UPDATE SKIP LOCKED: even two processes owning the same guilds split the queue."""
    clock = FakeClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    fake = FakeDiscord()
    workers = [await Process(n, pg_url, clock, fake, None).start() for n in ("p", "q", "r")]
    try:
        for guild_id in GUILDS:
            for n in range(10):
                await workers[0].outbox.enqueue(
                    guild_id=guild_id, kind="test:post", key=str(n), channel_id=channel_of(guild_id)
                )
        await asyncio.gather(*(w.outbox.drain() for w in workers for _ in range(2)))
        rows = await workers[0].outbox.repo.all()
        assert len(rows) == len(GUILDS) * 10
        assert {r.status for r in rows} == {"sent"}
        assert all(fake.attempts[r.nonce] == 1 for r in rows)
        assert len(set(fake.sent_by.values())) > 1  # the work really was shared
    finally:
        await workers[0].db.drop_schema()
        for w in workers:
            await w.stop()


async def test_a_restart_resumes_only_its_own_guilds_rows(pg_url: str) -> None:
    """Another process's 'sending' rows are in flight, not abandoned: resume leaves them."""
    clock = FakeClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    a = await Process("a", pg_url, clock, FakeDiscord(), shard_filter("a")).start()
    try:
        for guild_id in [*GUILDS, 0]:
            await a.outbox.enqueue(
                guild_id=guild_id, kind="test:post", key="1", channel_id=channel_of(guild_id)
            )
        await a.db.execute("UPDATE outbox SET status = 'sending'")
        b = await Process("b", pg_url, clock, FakeDiscord(), shard_filter("b")).start()
        await b.stop()
        rows = await a.outbox.repo.all()
        assert {r.guild_id for r in rows if r.status == "pending"} == {g for g in GUILDS if owner(g) == "b"}
        assert {r.guild_id for r in rows if r.status == "sending"} == {
            *(g for g in GUILDS if owner(g) == "a"),
            0,
        }
    finally:
        await a.db.drop_schema()
        await a.stop()
