"""The offline demo: the real bot in a simulated server, playing a scripted day.

Scenes are the modules ``bot/demo/scene_NN_name.py``, each with ``async def play(stage)``,
played in order. Each feature adds its own scene.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import tempfile
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO, cast

import simcord

from bot.app import create_bot
from bot.core.clock import FakeClock
from bot.core.settings import Settings
from bot.demo.stage import Stage

# A Monday in late November; the group lives in London.
DEMO_START = datetime(2026, 11, 23, 7, 30, tzinfo=UTC)

Scene = Callable[[Stage], Awaitable[None]]


def discover_scenes() -> list[tuple[str, Scene]]:
    """Every ``scene_*`` module in this package, in file-name order."""
    package = sys.modules[__name__]
    names = sorted(i.name for i in pkgutil.iter_modules(package.__path__) if i.name.startswith("scene_"))
    scenes = []
    for name in names:
        module = importlib.import_module(f"{__name__}.{name}")
        scenes.append((name, cast(Scene, module.play)))
    return scenes


async def run_demo(out: TextIO | None = None) -> int:
    """Play every scene against a fresh database; print what each person saw. Returns 0."""
    out = out or sys.stdout
    with tempfile.TemporaryDirectory(prefix="resilience-demo-") as tmp:
        settings = Settings(database_path=Path(tmp) / "demo.db", default_timezone="Europe/London")
        clock = FakeClock(DEMO_START)
        bot = create_bot(settings, clock=clock, guild_ready_timeout=0.05)
        try:
            async with simcord.run(bot) as env:
                stage = Stage(env, bot, clock, out)
                await stage.build()
                for _name, play in discover_scenes():
                    await play(stage)
                stage.heading("End of the demo")
                stage.narrate(
                    "That was the real bot, running against a simulated Discord. "
                    "Set DISCORD_TOKEN in .env and run `make run` to connect it to your server."
                )
        finally:
            await bot.release()
    return 0
