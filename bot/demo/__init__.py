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
from typing import Any, TextIO, cast

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


def demo_settings(folder: Path, content_path: Path | None = None) -> Settings:
    """The simulated group's settings: every one given here, none read from the environment.

    An operator's ``.env`` may hold a token, a key, a PostgreSQL ``DATABASE_URL`` or shards: the
    demo must neither need nor touch any of them. Only the content folder is passed on, so a
    facilitator can try edited content.
    """
    values: dict[str, Any] = {name: info.default for name, info in Settings.model_fields.items()}
    values.update(
        database_path=folder / "demo.db",
        backup_dir=folder / "backups",
        default_timezone="Europe/London",
    )
    if content_path is not None:
        values["content_path"] = content_path
    return Settings(**values)


async def run_demo(out: TextIO | None = None, *, content_path: Path | None = None) -> int:
    """Play every scene against a fresh database; print what each person saw. Returns 0.

    ``content_path``: the content folder to play with (default: the shipped one).
    """
    out = out or sys.stdout
    with tempfile.TemporaryDirectory(prefix="resilience-demo-") as tmp:
        settings = demo_settings(Path(tmp), content_path)
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
