"""The durable outbox: every scheduled or fanned-out message waits here as a row until sent.

Why: at 09:00 local a community of many groups has thousands of DMs and posts due at once.
Sending them straight from the scheduler's handlers loses messages to 429s (discord.py gives up
after five), repeats them after a crash, and drops them in an outage. Here instead:

- A feature calls :meth:`Outbox.enqueue` in the transaction that decides the send. The row's
  ``dedupe_key`` (feature, occurrence, recipient) makes a re-run handler a no-op, and its
  Discord ``nonce`` (derived from that key, sent with ``enforce_nonce``) makes a retried send
  after a crash or a lost response return the first message instead of posting twice.
- A worker drains due rows, most urgent first (crisis replies and alerts before anything), with
  bounded concurrency, behind a client-side pacer that keeps the whole bot under Discord's global
  limit. discord.py paces each route's bucket from the response headers itself; the pacer only
  covers the global limit, which Discord never announces until it answers 429. The pacer's
  rate is a configurable default that backs off whenever discord.py reports a 429 and creeps
  back afterwards.
- 50007 (the member's DMs are closed) marks the member through ``bot.members`` and skips any
  further DM to them, so invalid requests stay near zero. Other 4xx fail the row at once.
- 5xx, timeouts and connection errors retry with jittered exponential backoff for a bounded
  time (``retry_for``), then the row is marked failed, logged, and counted in ``/status``.
- At start-up rows a crash left mid-send go back to pending and are sent again (same nonce).
- Sharded (``SHARD_COUNT``/``SHARD_IDS``, several processes on one PostgreSQL database): each
  worker claims, resumes and waits for only the rows of the guilds it owns
  (``(guild_id >> 22) % SHARD_COUNT`` in its shards, the scheduler's filter); rows not tied to a
  group carry guild 0 and so belong to whichever process owns shard 0. On PostgreSQL the claim
  is ``FOR UPDATE SKIP LOCKED``, so even workers that overlap never take the same row.

Tests and the demo (an injected clock) drain inline: ``run_due`` ends by draining what is due.
With the real clock a background task drains and sleeps until the next row is due.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import io
import logging
import random
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import aiohttp
import discord
from discord.http import MultipartParameters, handle_message_parameters

from bot.core.outbox_store import OutboxHealth, OutboxRepository, OutboxRow
from bot.core.schedule_store import ShardFilter
from bot.db import Transaction

if TYPE_CHECKING:
    from bot.core.bot import ResilienceBot

log = logging.getLogger(__name__)

# Lower sends first. Crisis replies and alerts always jump the queue.
PRIORITY_CRISIS = 0
PRIORITY_ALERT = 10
PRIORITY_DM = 40
PRIORITY_POST = 50
PRIORITY_DIGEST = 80

DM_CLOSED = 50007

Delivered = Callable[[OutboxRow, int | None], Awaitable[None]]
DmClosed = Callable[[OutboxRow], Awaitable[None]]
Failed = Callable[[OutboxRow, str], Awaitable[None]]


_FILES_KEY = "_files"


def with_files(payload: dict[str, Any], files: list[tuple[str, bytes]]) -> dict[str, Any]:
    """Keep attachments in the stored payload (base64), with the ``attachments`` Discord expects."""
    if not files:
        return payload
    stored = dict(payload)
    stored["attachments"] = [{"id": index, "filename": name} for index, (name, _data) in enumerate(files)]
    stored[_FILES_KEY] = [
        {"filename": name, "data": base64.b64encode(data).decode("ascii")} for name, data in files
    ]
    return stored


def send_parameters(body: dict[str, Any]) -> MultipartParameters:
    """The request for a stored payload: plain JSON, or multipart when it carries files."""
    stored = body.get(_FILES_KEY)
    if not stored:
        return MultipartParameters(payload=body, multipart=None, files=None)
    payload = {k: v for k, v in body.items() if k != _FILES_KEY}
    files = [discord.File(io.BytesIO(base64.b64decode(f["data"])), filename=f["filename"]) for f in stored]
    multipart: list[dict[str, Any]] = [{"name": "payload_json", "value": discord.utils._to_json(payload)}]
    for index, file in enumerate(files):
        multipart.append(
            {
                "name": f"files[{index}]",
                "value": file.fp,
                "filename": file.filename,
                "content_type": "application/octet-stream",
            }
        )
    return MultipartParameters(payload=None, multipart=multipart, files=files)


@dataclass(frozen=True)
class OutboxConfig:
    """Tunables. Defaults suit one bot token on Discord's documented 50 requests/s global limit."""

    # Requests per ``period`` the pacer allows before any 429 is seen: headroom under 50/s.
    global_rate: float = 48.0
    period: float = 1.0
    # Sends in flight at once; the pacer, not this, sets the rate.
    concurrency: int = 16
    # How long 5xx / timeouts / dropped connections are retried before a row is marked failed.
    retry_for: timedelta = timedelta(minutes=30)
    # A row still unsent this long after it was due (the bot was down) is skipped, not sent late:
    # a morning post or a "you haven't checked in today" DM makes no sense the next day. Crisis
    # replies and facilitator alerts never go stale. The bot uses CATCHUP_GRACE_MINUTES, the
    # same grace the scheduler gives a missed occurrence.
    stale_after: timedelta = timedelta(hours=2)
    backoff_base: float = 2.0
    backoff_cap: float = 30.0
    # A 429 that discord.py could not absorb: how long the row waits before its next try.
    rate_limited_wait: float = 1.0
    # Settled rows are kept this long (for /status and post-mortems), then pruned.
    keep_settled: timedelta = timedelta(days=7)


class Pacer:
    """Spaces requests evenly at ``rate`` per ``period`` (GCRA without burst).

    Even spacing, not a window of ``rate`` at once, because Discord's window and ours never line
    up: a burst at the end of our window plus one at the start of the next would land in one of
    Discord's. ``rate_limited`` (fed by discord.py's 429 log records and by a 429 that reached
    us) lowers the rate and pauses; each clean ``period`` of traffic raises it back towards the
    configured ceiling.
    """

    def __init__(
        self,
        rate: float,
        period: float = 1.0,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.ceiling = rate
        self.rate = rate
        self.period = period
        self.rate_limits_seen = 0
        self._monotonic = monotonic
        self._sleep = sleep
        self._next = 0.0
        self._paused_until = 0.0
        self._clean = 0
        self._lock = asyncio.Lock()

    @property
    def interval(self) -> float:
        return self.period / self.rate

    async def acquire(self) -> None:
        """Wait for this request's slot."""
        async with self._lock:
            while True:
                now = self._monotonic()
                slot = max(now, self._next, self._paused_until)
                if slot <= now:
                    break
                await self._sleep(slot - now)
            self._next = max(now, self._next) + self.interval
            self._clean += 1
            if self._clean >= self.ceiling and self.rate < self.ceiling:
                self.rate = min(self.ceiling, self.rate + self.ceiling * 0.02)
                self._clean = 0

    def rate_limited(self, retry_after: float) -> None:
        """Discord said 429: slow down by a tenth (never below half) and pause ``retry_after``."""
        self.rate_limits_seen += 1
        self.rate = max(self.ceiling * 0.5, self.rate * 0.9)
        self._clean = 0
        self._paused_until = max(self._paused_until, self._monotonic() + max(retry_after, 0.0))


async def _real_sleep(seconds: float) -> None:
    await asyncio.to_thread(time.sleep, seconds)


class _RateLimitListener(logging.Handler):
    """Hears discord.py's own 429 handling (it logs each one) and tells the pacer.

    discord.py absorbs 429s internally and offers no hook; its warning records carry the
    ``retry_after`` it is about to sleep, which is exactly what the pacer needs.
    """

    def __init__(self, pacer: Pacer) -> None:
        super().__init__(level=logging.WARNING)
        self.pacer = pacer

    def emit(self, record: logging.LogRecord) -> None:
        message = str(record.msg)
        if "rate limit" not in message.lower():
            return
        args = record.args if isinstance(record.args, tuple) else ()
        retry_after = next((float(a) for a in reversed(args) if isinstance(a, float)), 1.0)
        self.pacer.rate_limited(retry_after)


@dataclass
class DrainReport:
    """What one :meth:`Outbox.drain` did, by outbox id."""

    sent: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)


def nonce_for_key(dedupe_key: str) -> str:
    """A Discord nonce (at most 25 characters) fixed by the row's identity."""
    return "o" + hashlib.sha256(dedupe_key.encode()).hexdigest()[:24]


class Outbox:
    """Enqueue messages durably; a worker sends them paced, ordered, once."""

    def __init__(
        self,
        bot: ResilienceBot,
        config: OutboxConfig | None = None,
        *,
        inline: bool,
        shards: ShardFilter | None = None,
    ) -> None:
        self.bot = bot
        self.config = config or OutboxConfig()
        # Sharded: claim only the rows of our guilds (guild 0, no guild, belongs to shard 0).
        # By default the same filter create_bot gave the scheduler, so the two never disagree.
        if shards is None:
            shards = bot.scheduler.repo.shards
        self.repo = OutboxRepository(bot.db, shards=shards)
        self.inline = inline
        # The pacer measures real time. With an injected clock (tests, the demo) the event loop's
        # timers may be virtual (simcord), and a virtual sleep inside a handler the simulator is
        # settling never ends; a sleep on a worker thread waits real time whatever the loop does.
        pace_sleep = _real_sleep if inline else asyncio.sleep
        self.pacer = Pacer(self.config.global_rate, self.config.period, sleep=pace_sleep)
        self._listener = _RateLimitListener(self.pacer)
        self._delivered: dict[str, Delivered] = {}
        self._dm_closed_listeners: dict[str, DmClosed] = {}
        self._failed: dict[str, Failed] = {}
        self._dm_channels: dict[int, int] = {}
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._drain_lock = asyncio.Lock()

    # -- features use these ---------------------------------------------------------------

    def on_delivered(self, kind: str, callback: Delivered) -> None:
        """Call ``callback(row, message_id)`` after a row of ``kind`` is sent (e.g. to edit it later)."""
        self._delivered[kind] = callback

    def on_dm_closed(self, kind: str, callback: DmClosed) -> None:
        """Call ``callback(row)`` when a DM of ``kind`` finds the member's DMs closed."""
        self._dm_closed_listeners[kind] = callback

    def on_failed(self, kind: str, callback: Failed) -> None:
        """Call ``callback(row, reason)`` when a row of ``kind`` is finally given up on."""
        self._failed[kind] = callback

    def payload(
        self,
        content: str | None = None,
        *,
        embed: discord.Embed | None = None,
        embeds: list[discord.Embed] | None = None,
        view: discord.ui.View | None = None,
        allowed_mentions: discord.AllowedMentions | None = None,
    ) -> dict[str, Any]:
        """The JSON body Discord will receive, built the way ``channel.send`` builds it.

        Views must be persistent (``timeout=None``, every item with a ``custom_id``, handled by
        a registered ``DynamicItem`` or persistent view): the message may go out after a restart.
        """
        if view is not None and not view.is_persistent():
            raise ValueError("only persistent views can wait in the outbox")
        params = handle_message_parameters(
            content=content,
            embed=embed if embed is not None else discord.utils.MISSING,
            embeds=embeds if embeds is not None else discord.utils.MISSING,
            view=view if view is not None else discord.utils.MISSING,
            allowed_mentions=allowed_mentions,
            previous_allowed_mentions=self.bot.allowed_mentions,
        )
        body = dict(params.payload or {})
        body.pop("nonce", None)
        body.pop("enforce_nonce", None)
        return body

    async def enqueue(
        self,
        *,
        guild_id: int,
        kind: str,
        key: str,
        channel_id: int | None = None,
        user_id: int | None = None,
        content: str | None = None,
        embed: discord.Embed | None = None,
        embeds: list[discord.Embed] | None = None,
        view: discord.ui.View | None = None,
        allowed_mentions: discord.AllowedMentions | None = None,
        files: list[tuple[str, bytes]] | None = None,
        priority: int = PRIORITY_POST,
        due: datetime | None = None,
        ref: str = "",
        tx: Transaction | None = None,
    ) -> bool:
        """Queue one message to a channel (``channel_id``) or a member's DMs (``user_id``).

        ``key`` names this send within ``kind`` (e.g. ``f"{schedule_id}@{occurrence}"``):
        enqueueing the same (kind, key, recipient) twice keeps one row, so a handler re-run
        after a crash adds nothing. Pass ``tx`` to write it in the transaction that decided the
        send. ``ref`` is yours (e.g. a post id) and comes back to ``on_delivered``. ``files``
        are ``(filename, bytes)`` attachments (a chart), kept in the row until it is sent. Returns
        False if the row already existed.
        """
        if (channel_id is None) == (user_id is None):
            raise ValueError("give exactly one of channel_id or user_id")
        target = f"c{channel_id}" if channel_id is not None else f"u{user_id}"
        dedupe_key = f"{kind}:{key}:{target}"
        now = self.bot.clock.now()
        fields: dict[str, Any] = {
            "guild_id": guild_id,
            "kind": kind,
            "dedupe_key": dedupe_key,
            "nonce": nonce_for_key(dedupe_key),
            "priority": priority,
            "channel_id": channel_id,
            "user_id": user_id,
            "payload": with_files(
                self.payload(
                    content, embed=embed, embeds=embeds, view=view, allowed_mentions=allowed_mentions
                ),
                files or [],
            ),
            "ref": ref,
            "due_at": due or now,
            "now": now,
        }
        if tx is not None:
            added = await self.repo.add(tx, **fields)
        else:
            async with self.bot.db.transaction() as own:
                added = await self.repo.add(own, **fields)
        self.wake()
        return added

    # -- the worker ---------------------------------------------------------------------------

    def wake(self) -> None:
        self._wake.set()

    async def resume(self) -> int:
        """Rows a crash left mid-send go back to pending; their nonce guards against a repeat."""
        resumed = await self.repo.resume()
        if resumed:
            log.info("outbox: resuming %d sends interrupted by the last shutdown", resumed)
        return resumed

    async def start(self) -> None:
        """Resume, prune old settled rows, and (real clock) start draining in the background."""
        logging.getLogger("discord.http").addHandler(self._listener)
        await self.resume()
        await self.repo.prune(self.bot.clock.now() - self.config.keep_settled)
        if not self.inline and self._task is None:
            self._task = asyncio.create_task(self._run(), name="outbox:worker")

    async def stop(self) -> None:
        """Stop the worker. Rows in flight stay 'sending' and are resumed at the next start."""
        logging.getLogger("discord.http").removeHandler(self._listener)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def after_scheduler_run(self, now: datetime) -> None:
        """The scheduler calls this after each ``run_due``: drain inline, or wake the worker."""
        if self.inline:
            await self.drain(now)
        else:
            self.wake()

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            try:
                await self.drain()
                upcoming = await self.repo.earliest_pending()
            except asyncio.CancelledError:
                raise
            except Exception:
                ref = secrets.token_hex(3)
                log.exception("outbox worker hit an error; retrying in a minute [ref %s]", ref)
                upcoming = None
            wait = 60.0
            if upcoming is not None:
                wait = min(wait, max(0.05, (upcoming - self.bot.clock.now()).total_seconds()))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=wait)

    async def drain(self, now: datetime | None = None) -> DrainReport:
        """Send every row due at ``now`` (default: the clock's now), most urgent first.

        Rows that fail transiently are rescheduled into the future and left for a later drain.
        """
        report = DrainReport()
        async with self._drain_lock:
            tasks: set[asyncio.Task[None]] = set()
            while True:
                free = self.config.concurrency - len(tasks)
                if free > 0:
                    # Re-read after every completion, so a crisis row queued mid fan-out goes next.
                    for row in await self.repo.take_due(now or self.bot.clock.now(), free):
                        tasks.add(asyncio.create_task(self._deliver(row, report)))
                if not tasks:
                    break
                try:
                    done, tasks = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
                except asyncio.CancelledError:
                    # Stopped mid-drain: stop the sends in flight too. Their rows stay 'sending'
                    # and the next start resumes them with the same nonce.
                    for task in tasks:
                        task.cancel()
                    await asyncio.gather(*tasks, return_exceptions=True)
                    raise
                for task in done:
                    task.result()
        return report

    async def health(self) -> OutboxHealth:
        now = self.bot.clock.now()
        return await self.repo.health(now, now - timedelta(days=1))

    # -- one row ------------------------------------------------------------------------------

    async def _deliver(self, row: OutboxRow, report: DrainReport) -> None:
        try:
            await self._attempt(row, report)
        except asyncio.CancelledError:
            raise
        except Exception as error:  # a bug, not Discord: never lose the row silently
            ref = secrets.token_hex(3)
            log.exception("outbox row %s (%s) failed unexpectedly [ref %s]", row.outbox_id, row.kind, ref)
            reason = f"{type(error).__name__} [ref {ref}]"
            await self.repo.mark_settled(row.outbox_id, "failed", reason, self.bot.clock.now())
            report.failed.append(row.outbox_id)
            await self._after_failure(row, reason)

    async def _attempt(self, row: OutboxRow, report: DrainReport) -> None:
        late = self.bot.clock.now() - row.due_at
        if row.priority > PRIORITY_ALERT and late > self.config.stale_after:
            log.info("outbox row %s (%s) skipped: %s past its time", row.outbox_id, row.kind, late)
            await self._skip(row, f"too late: due {late} ago", report)
            return
        try:
            if row.user_id is not None:
                if await self._dms_closed(row.guild_id, row.user_id):
                    await self._skip(row, "dms closed", report)
                    return
                channel_id = await self._dm_channel(row.user_id)
            else:
                assert row.channel_id is not None
                channel_id = row.channel_id
            await self.pacer.acquire()
            body = {**row.payload, "nonce": row.nonce, "enforce_nonce": True}
            data = await self.bot.http.send_message(channel_id, params=send_parameters(body))
        except discord.Forbidden as error:
            if error.code == DM_CLOSED and row.user_id is not None:
                await self._dms_now_closed(row)
                await self._skip(row, "dms closed (50007)", report)
                return
            await self._fail(row, f"forbidden {error.code}", report)
        except discord.DiscordServerError as error:
            await self._transient(row, f"server error {error.status}", report)
        except discord.HTTPException as error:
            if error.status == 429:
                # discord.py already retried five times; slow down and keep the row.
                self.pacer.rate_limited(self.config.rate_limited_wait)
                await self._retry(
                    row, "rate limited", report, count=False, delay=self.config.rate_limited_wait
                )
                return
            if error.status >= 500:
                await self._transient(row, f"server error {error.status}", report)
                return
            await self._fail(row, f"http {error.status} code {error.code}", report)
        except (aiohttp.ClientError, OSError, TimeoutError) as error:
            await self._transient(row, type(error).__name__, report)
        else:
            message_id = int(data["id"]) if isinstance(data, dict) and "id" in data else None
            await self.repo.mark_sent(row.outbox_id, message_id, self.bot.clock.now())
            report.sent.append(row.outbox_id)
            callback = self._delivered.get(row.kind)
            if callback is not None:
                await callback(row, message_id)

    async def _dm_channel(self, user_id: int) -> int:
        known = self._dm_channels.get(user_id)
        if known is not None:
            return known
        cached = self.bot.get_user(user_id)
        if cached is not None and cached.dm_channel is not None:
            channel_id = cached.dm_channel.id
        else:
            await self.pacer.acquire()
            data = await self.bot.http.start_private_message(user_id)
            channel_id = int(data["id"])
        self._dm_channels[user_id] = channel_id
        return channel_id

    async def _dms_closed(self, guild_id: int, user_id: int) -> bool:
        # Read each time, not cached: a member who allows DMs again and re-enables a reminder
        # (which clears the mark) must get it without a restart of the bot.
        member = await self.bot.members.get(guild_id, user_id)
        return member is not None and member.dm_closed

    async def _dms_now_closed(self, row: OutboxRow) -> None:
        assert row.user_id is not None
        log.info("outbox: DMs closed (50007) for a member of guild %s; their DMs are skipped", row.guild_id)
        await self.bot.members.mark_dm_closed(row.guild_id, row.user_id, self.bot.clock.now())
        listener = self._dm_closed_listeners.get(row.kind)
        if listener is not None:
            await listener(row)

    async def _skip(self, row: OutboxRow, reason: str, report: DrainReport) -> None:
        await self.repo.mark_settled(row.outbox_id, "skipped", reason, self.bot.clock.now())
        report.skipped.append(row.outbox_id)

    async def _fail(self, row: OutboxRow, reason: str, report: DrainReport) -> None:
        log.error("outbox row %s (%s, guild %s) failed: %s", row.outbox_id, row.kind, row.guild_id, reason)
        await self.repo.mark_settled(row.outbox_id, "failed", reason, self.bot.clock.now())
        report.failed.append(row.outbox_id)
        await self._after_failure(row, reason)

    async def _after_failure(self, row: OutboxRow, reason: str) -> None:
        callback = self._failed.get(row.kind)
        if callback is None:
            return
        try:
            await callback(row, reason)
        except Exception:  # the row is settled either way; a broken fallback must not stop the drain
            log.exception("outbox failure callback for row %s (%s) failed", row.outbox_id, row.kind)

    async def _transient(self, row: OutboxRow, reason: str, report: DrainReport) -> None:
        now = self.bot.clock.now()
        first = row.first_failure_at or now
        remaining = (first + self.config.retry_for - now).total_seconds()
        # Stored times have whole seconds: a retry sooner than 1 s would come due again at once.
        if remaining < 1.0:
            await self._fail(row, f"{reason}; gave up after {row.attempts + 1} tries", report)
            return
        cap = min(self.config.backoff_cap, self.config.backoff_base * 2**row.attempts)
        delay = cap * random.uniform(0.5, 1.0)  # jitter, not security
        # Never wait past the give-up time: the last try lands on it.
        delay = min(max(delay, 1.0), remaining)
        await self._retry(row, reason, report, count=True, delay=delay)

    async def _retry(
        self, row: OutboxRow, reason: str, report: DrainReport, *, count: bool, delay: float
    ) -> None:
        now = self.bot.clock.now()
        await self.repo.retry_later(
            row.outbox_id,
            at=now + timedelta(seconds=delay),
            error=reason,
            first_failure_at=row.first_failure_at or now,
            count=count,
        )
        report.retrying.append(row.outbox_id)
