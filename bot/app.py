"""The one factory: the entry point, the demo and the tests all build the bot here."""

from __future__ import annotations

import pkgutil
from datetime import timedelta
from typing import Any

import discord

import cogs
from bot.core.bot import ResilienceBot, ShardedResilienceBot
from bot.core.clock import Clock, ShiftedClock, SystemClock
from bot.core.outbox import OutboxConfig
from bot.core.schedule_store import ShardFilter
from bot.core.scheduler import Scheduler
from bot.core.settings import Settings
from bot.db import Database, SqliteDatabase
from bot.validation import load_all


def discover_extensions() -> list[str]:
    """Every module or package in ``cogs/`` (each defines ``setup``): one extension per feature."""
    found = []
    for info in pkgutil.iter_modules(cogs.__path__):
        if not info.name.startswith("_"):
            found.append(f"cogs.{info.name}")
    return sorted(found)


def open_database(settings: Settings) -> Database:
    """The backend ``DATABASE_URL`` names (SQLite at ``DATABASE_PATH`` when it is unset)."""
    url = settings.database
    if url.backend == "postgresql" and url.dsn is not None:
        from bot.db.postgres import PostgresDatabase

        return PostgresDatabase(url.dsn)
    return SqliteDatabase(url.path or settings.database_path)


def outbox_config_from(settings: Settings) -> OutboxConfig:
    """The send queue's tunables: OUTBOX_RATE, _CONCURRENCY, _RETRY_MINUTES, and CATCHUP_GRACE_MINUTES."""
    return OutboxConfig(
        global_rate=settings.outbox_rate,
        concurrency=settings.outbox_concurrency,
        retry_for=timedelta(minutes=settings.outbox_retry_minutes),
        stale_after=timedelta(minutes=settings.catchup_grace_minutes),
    )


def create_bot(
    settings: Settings,
    *,
    clock: Clock | None = None,
    intents: discord.Intents | None = None,
    guild_ready_timeout: float = 2.0,
) -> ResilienceBot:
    """Build a ready-to-start bot. Nothing connects until it is started.

    With ``clock=None`` the real clock is used and APScheduler wakes the scheduler at each due
    time; so it does with a :class:`ShiftedClock` (the real clock's pace from another date, for
    benchmarks). With any other clock of your own (tests, the demo), nothing fires by itself:
    drive time with ``await bot.scheduler.run_due(now)``.
    """
    real_time = clock is None or isinstance(clock, ShiftedClock)
    clock = clock or SystemClock()
    db = open_database(settings)
    owned = settings.owned_shards
    shards = ShardFilter(settings.shard_count, owned) if settings.shard_count and owned is not None else None
    scheduler = Scheduler(
        db, clock, grace=timedelta(minutes=settings.catchup_grace_minutes), alarm=real_time, shards=shards
    )
    bot_class: type[ResilienceBot] = ResilienceBot
    sharding: dict[str, Any] = {}
    if settings.shard_count is not None:
        # Discord's own gateway sharding: this process connects only as its shards.
        bot_class = ShardedResilienceBot
        sharding = {"shard_count": settings.shard_count, "shard_ids": list(owned) if owned else None}
    return bot_class(
        settings,
        clock=clock,
        db=db,
        scheduler=scheduler,
        extensions=discover_extensions(),
        load_content=load_all,
        intents=intents,
        guild_ready_timeout=guild_ready_timeout,
        outbox_config=outbox_config_from(settings),
        **sharding,
    )
