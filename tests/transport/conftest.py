"""Fixtures for transport tests: a loopback Discord and a bare discord.py bot pointed at it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import discord
import discord.http
import pytest
from discord.ext import commands

from tests.support.loopback import LoopbackDiscord


@pytest.fixture
async def fake() -> AsyncIterator[LoopbackDiscord]:
    async with LoopbackDiscord() as server:
        server.add_guild(name="Group", channels=["general", "checkins", "wins"], members=4, admins=1)
        yield server


@pytest.fixture
def make_bot() -> Callable[..., commands.Bot]:
    """A bare ``commands.Bot`` (real discord.py, nothing of ours) that starts fast."""

    def build(**options: Any) -> commands.Bot:
        options.setdefault("intents", discord.Intents.default())
        return commands.Bot(command_prefix="!", guild_ready_timeout=0.05, **options)

    return build


class FastSleep:
    """Stands in for ``discord.http``'s ``asyncio``: its backoff sleeps run 100x faster.

    discord.py waits 1, 3, 5, 7, 9 s between 5xx retries; the tests keep that schedule's shape
    without spending real seconds on it. ``requested`` records what discord.py asked for.
    """

    def __init__(self) -> None:
        self.requested: list[float] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(asyncio, name)

    async def sleep(self, delay: float, result: Any = None) -> Any:
        self.requested.append(delay)
        return await asyncio.sleep(delay / 100, result)


@pytest.fixture
def fast_http_sleep(monkeypatch: pytest.MonkeyPatch) -> FastSleep:
    shim = FastSleep()
    monkeypatch.setattr(discord.http, "asyncio", shim)
    return shim
