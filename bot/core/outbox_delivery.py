"""Sending one outbox row, and what each of Discord's answers means for it.

:class:`Outbox` (``bot/core/outbox.py``) decides what is due; a :class:`Delivery` sends one row
through the public ``Messageable.send`` and settles it: sent, skipped (too late, DMs closed),
failed (4xx, or retried out), or retried later (5xx, timeouts, a 429 discord.py gave up on).
"""

from __future__ import annotations

import asyncio
import logging
import random
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Protocol

import aiohttp
import discord

from bot.core.bounded import BoundedDict
from bot.core.clock import Clock
from bot.core.dm_channels import DmChannelRepository
from bot.core.members import MemberRepository
from bot.core.outbox_payload import send_arguments
from bot.core.outbox_store import OutboxRepository, OutboxRow
from bot.core.pacing import Pacer

if TYPE_CHECKING:
    from bot.core.outbox import OutboxConfig

log = logging.getLogger("bot.core.outbox")
DM_CHANNELS_KEPT = 10_000  # about 1 MB: a large bot's recent recipients stay in memory

# Lower sends first. Crisis replies and alerts always jump the queue.
PRIORITY_CRISIS = 0
PRIORITY_ALERT = 10
PRIORITY_DM = 40
PRIORITY_POST = 50
PRIORITY_DIGEST = 80

# Discord's code for "Cannot send messages to this user" (their DMs are closed to the bot).
_CANNOT_DM = 50007
# "Unknown Channel": a stored DM channel id Discord no longer knows.
_UNKNOWN_CHANNEL = 10003

Delivered = Callable[[OutboxRow, int | None], Awaitable[None]]
DmClosed = Callable[[OutboxRow], Awaitable[None]]
Failed = Callable[[OutboxRow, str], Awaitable[None]]


class Transport(Protocol):
    """What the outbox needs of the Discord client (``discord.Client`` is one)."""

    @property
    def allowed_mentions(self) -> discord.AllowedMentions | None: ...

    def get_partial_messageable(
        self, id: int, *, guild_id: int | None = None, type: discord.ChannelType | None = None
    ) -> discord.PartialMessageable: ...

    async def create_dm(self, user: discord.abc.Snowflake) -> discord.DMChannel: ...


@dataclass
class DrainReport:
    """What one :meth:`Outbox.drain` did, by outbox id."""

    sent: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)


@dataclass
class Callbacks:
    """What features asked to hear about, by kind; several may follow one kind."""

    delivered: dict[str, list[Delivered]] = field(default_factory=dict)
    dm_closed: dict[str, list[DmClosed]] = field(default_factory=dict)
    failed: dict[str, list[Failed]] = field(default_factory=dict)

    def forget(self, kind: str) -> None:
        for registry in (self.delivered, self.dm_closed, self.failed):
            registry.pop(kind, None)


class SendObserver(Protocol):
    """What the delivery tells the metrics (bot.core.metrics.Metrics has these)."""

    def sent(self, kind: str, outcome: str, guild_id: int, waited: float | None = None) -> None: ...

    def error(self, error: BaseException, where: str) -> None: ...


class Delivery:
    """Sends rows and settles them; shared by every drain of one outbox."""

    def __init__(
        self,
        *,
        transport: Transport,
        repo: OutboxRepository,
        members: MemberRepository,
        clock: Clock,
        pacer: Pacer,
        config: OutboxConfig,
        callbacks: Callbacks,
        observer: SendObserver | None = None,
        dm_channels: DmChannelRepository | None = None,
    ) -> None:
        self.observer = observer
        self.dm_channels = dm_channels
        self.transport = transport
        self.repo = repo
        self.members = members
        self.clock = clock
        self.pacer = pacer
        self.config = config
        self.callbacks = callbacks
        # The DM channels in use lately; every one is in the database (dm_channels), so a member
        # dropped from here costs one read, not a request. Bounded: recipients grow with members.
        self._dm_channels: BoundedDict[int, int] = BoundedDict(DM_CHANNELS_KEPT)

    async def deliver(self, row: OutboxRow, report: DrainReport) -> None:
        try:
            await self._attempt(row, report)
        except asyncio.CancelledError:
            raise
        except Exception as error:  # a bug, not Discord: never lose the row silently
            ref = secrets.token_hex(3)
            log.exception("outbox row %s (%s) failed unexpectedly [ref %s]", row.outbox_id, row.kind, ref)
            reason = f"{type(error).__name__} [ref {ref}]"
            await self.repo.mark_settled(row.outbox_id, "failed", reason, self.clock.now())
            report.failed.append(row.outbox_id)
            self._observe(row, "failed")
            if self.observer is not None:
                self.observer.error(error, "outbox")
            await self._after_failure(row, reason)

    def _observe(self, row: OutboxRow, outcome: str, waited: float | None = None) -> None:
        if self.observer is not None:
            self.observer.sent(row.kind, outcome, row.guild_id, waited)

    async def _attempt(self, row: OutboxRow, report: DrainReport) -> None:
        late = self.clock.now() - row.due_at
        if row.priority > PRIORITY_ALERT and late > self.config.stale_after:
            log.info("outbox row %s (%s) skipped: %s past its time", row.outbox_id, row.kind, late)
            await self._skip(row, f"too late: due {late} ago", report)
            return
        try:
            if row.user_id is not None:
                if await self._dms_closed(row.guild_id, row.user_id):
                    await self._skip(row, "dms closed", report)
                    return
                message = await self._send_dm(row, row.user_id)
            else:
                assert row.channel_id is not None
                message = await self._send(row, row.channel_id)
        except discord.Forbidden as error:
            if error.code == _CANNOT_DM and row.user_id is not None:
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
            now = self.clock.now()
            await self.repo.mark_sent(row.outbox_id, message.id, now)
            report.sent.append(row.outbox_id)
            self._observe(row, "sent", (now - row.due_at).total_seconds())
            for delivered in self.callbacks.delivered.get(row.kind, []):
                await delivered(row, message.id)

    async def _send(self, row: OutboxRow, channel_id: int) -> discord.Message:
        channel = self.transport.get_partial_messageable(channel_id)
        async with self.pacer.slot():
            # ``nonce`` makes discord.py send ``enforce_nonce``: a retry returns the first message.
            return await channel.send(**send_arguments(row.payload).as_kwargs(), nonce=row.nonce)

    async def _send_dm(self, row: OutboxRow, user_id: int) -> discord.Message:
        """Send to the member's stored DM channel: one request; open it again once if it is gone."""
        known = await self._known_dm_channel(user_id)
        if known is not None:
            try:
                return await self._send(row, known)
            except discord.NotFound as error:
                if error.code != _UNKNOWN_CHANNEL:
                    raise
                log.info("outbox: a stored DM channel is gone (10003); opening it again")
                await self._forget_dm_channel(user_id)
        return await self._send(row, await self._open_dm_channel(user_id))

    async def _known_dm_channel(self, user_id: int) -> int | None:
        known = self._dm_channels.get(user_id)
        if known is None and self.dm_channels is not None:
            known = await self.dm_channels.get(user_id)
            if known is not None:
                self._dm_channels[user_id] = known
        return known

    async def _forget_dm_channel(self, user_id: int) -> None:
        self._dm_channels.pop(user_id, None)
        if self.dm_channels is not None:
            await self.dm_channels.forget(user_id)

    async def _open_dm_channel(self, user_id: int) -> int:
        # create_dm answers from discord.py's cache when it can, else it is one request.
        async with self.pacer.slot():
            channel = await self.transport.create_dm(discord.Object(user_id))
        self._dm_channels[user_id] = channel.id
        if self.dm_channels is not None:
            await self.dm_channels.store(user_id, channel.id, self.clock.now())
        return channel.id

    async def _dms_closed(self, guild_id: int, user_id: int) -> bool:
        # Read each time, not cached: a member who allows DMs again and re-enables a reminder
        # (which clears the mark) must get it without a restart of the bot.
        member = await self.members.get(guild_id, user_id)
        return member is not None and member.dm_closed

    async def _dms_now_closed(self, row: OutboxRow) -> None:
        assert row.user_id is not None
        log.info("outbox: DMs closed (50007) for a member of guild %s; their DMs are skipped", row.guild_id)
        await self.members.mark_dm_closed(row.guild_id, row.user_id, self.clock.now())
        for listener in self.callbacks.dm_closed.get(row.kind, []):
            await listener(row)

    async def _skip(self, row: OutboxRow, reason: str, report: DrainReport) -> None:
        await self.repo.mark_settled(row.outbox_id, "skipped", reason, self.clock.now())
        report.skipped.append(row.outbox_id)
        self._observe(row, "skipped")

    async def _fail(self, row: OutboxRow, reason: str, report: DrainReport) -> None:
        log.error("outbox row %s (%s, guild %s) failed: %s", row.outbox_id, row.kind, row.guild_id, reason)
        await self.repo.mark_settled(row.outbox_id, "failed", reason, self.clock.now())
        report.failed.append(row.outbox_id)
        self._observe(row, "failed")
        await self._after_failure(row, reason)

    async def _after_failure(self, row: OutboxRow, reason: str) -> None:
        for callback in self.callbacks.failed.get(row.kind, []):
            try:
                await callback(row, reason)
            except Exception:  # the row is settled either way; a broken fallback must not stop the drain
                log.exception("outbox failure callback for row %s (%s) failed", row.outbox_id, row.kind)

    async def _transient(self, row: OutboxRow, reason: str, report: DrainReport) -> None:
        now = self.clock.now()
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
        now = self.clock.now()
        await self.repo.retry_later(
            row.outbox_id,
            at=now + timedelta(seconds=delay),
            error=reason,
            first_failure_at=row.first_failure_at or now,
            count=count,
        )
        report.retrying.append(row.outbox_id)
        self._observe(row, "retried")
