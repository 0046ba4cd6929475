"""The one factory: the entry point, the demo and the tests all build the bot here."""

from __future__ import annotations

from datetime import timedelta

import discord

from bot.clock import Clock, SystemClock
from bot.core import ResilienceBot
from bot.db import SqliteDatabase
from bot.scheduler import Scheduler
from bot.settings import Settings


def create_bot(
    settings: Settings,
    *,
    clock: Clock | None = None,
    intents: discord.Intents | None = None,
    guild_ready_timeout: float = 2.0,
) -> ResilienceBot:
    """Build a ready-to-start bot. Nothing connects until it is started.

    With ``clock=None`` the real clock is used and APScheduler wakes the scheduler at each due
    time. With a clock of your own (tests, the demo), nothing fires by itself: drive time with
    ``await bot.scheduler.run_due(now)``.
    """
    real_time = clock is None
    clock = clock or SystemClock()
    db = SqliteDatabase(settings.database_path)
    scheduler = Scheduler(db, clock, grace=timedelta(minutes=settings.catchup_grace_minutes), alarm=real_time)
    return ResilienceBot(
        settings,
        clock=clock,
        db=db,
        scheduler=scheduler,
        intents=intents,
        guild_ready_timeout=guild_ready_timeout,
    )
