"""Fixtures: our real bot on a fake clock, talking to the loopback Discord over real sockets."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest_asyncio

from bot.app import create_bot
from bot.core.bot import ResilienceBot
from bot.core.clock import FakeClock
from bot.core.settings import Settings
from tests.support.loopback import FakeGuild, LoopbackDiscord, running


@dataclass
class Skew:
    """The loopback Discord's clock: real time plus whatever a test has skipped ahead."""

    ahead: float = 0.0

    def __call__(self) -> float:
        return time.perf_counter() + self.ahead


@dataclass
class Loop:
    fake: LoopbackDiscord
    bot: ResilienceBot
    clock: FakeClock
    guild: FakeGuild
    skew: Skew
    database: Path
    bots: list[ResilienceBot] = field(default_factory=list)

    def advance(self, seconds: float) -> None:
        """Move both our clock and the fake's forward (fault windows, nonce windows)."""
        self.clock.advance(timedelta(seconds=seconds))
        self.skew.ahead += seconds

    async def started(self, bot: ResilienceBot) -> None:
        """Wait for start-up (resume, catch-up, first drain) to finish."""
        task = bot._scheduler_start
        assert task is not None
        await task


@pytest_asyncio.fixture
async def loop(tmp_path: Path, clock: FakeClock) -> AsyncIterator[Loop]:
    skew = Skew()
    database = tmp_path / "outbox.db"
    async with LoopbackDiscord(clock=skew) as fake:
        guild = fake.add_guild(name="Group", channels=["general", "alerts", "wins"], members=4, admins=1)
        bot = create_bot(Settings(database_path=database), clock=clock, guild_ready_timeout=0.05)
        async with running(bot):
            world = Loop(fake, bot, clock, guild, skew, database)
            await world.started(bot)
            yield world
