"""The browser preview: the demo's simulated group, served as a page by simcord's Preview.

The real bot runs against the same simulated server as the demo, set up the same way (the
demo's :meth:`Stage.build`), and simcord serves the ``#group`` channel on 127.0.0.1: its
history, a composer for messages and slash commands, and buttons and forms that call the
bot's real callbacks. Nothing leaves the machine.
"""

from __future__ import annotations

import io
import sys
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TextIO
from urllib.parse import urlsplit

import simcord

from bot.app import create_bot
from bot.core.clock import FakeClock
from bot.demo import DEMO_START, demo_settings
from bot.demo.stage import Group, Stage


@asynccontextmanager
async def preview_session(
    port: int = 0, *, content_path: Path | None = None
) -> AsyncIterator[tuple[simcord.Preview, Group]]:
    """The demo's group, set up by its admin, with ``#group`` served on 127.0.0.1:``port``.

    Port 0 picks a free one (``preview.url`` names it). On exit the page stops answering,
    the simulated Discord shuts down and the bot is released with its database.
    """
    with tempfile.TemporaryDirectory(prefix="resilience-preview-") as tmp:
        settings = demo_settings(Path(tmp), content_path)
        clock = FakeClock(DEMO_START)
        bot = create_bot(settings, clock=clock, guild_ready_timeout=0.05)
        try:
            # A person exploring meets refusals on purpose (a member trying a facilitator command);
            # the bot answers those itself, so they are not errors to re-raise on the way out.
            async with simcord.run(bot, check_errors=False) as env:
                # Discord's side of the clock (message times on the page) to the demo's Monday too.
                await env.advance_time(max(0.0, (DEMO_START - env.now()).total_seconds()))
                # The demo's setup, without its transcript: the page shows what happened.
                stage = Stage(env, bot, clock, io.StringIO())
                await stage.build()
                group = stage.group
                # The first viewer is the one the page opens as: the admin, who sees the setup.
                viewers = [group.admin, group.facilitator, *group.members]
                async with env.preview(
                    group.general, viewers=viewers, layout="channel", timezone="Europe/London", port=port
                ) as preview:
                    yield preview, group
        finally:
            await bot.release()


async def run_preview(port: int = 0, out: TextIO | None = None, *, content_path: Path | None = None) -> int:
    """Serve the preview until the page's *End preview session* or Ctrl-C. Returns 0."""
    out = out or sys.stdout
    async with preview_session(port, content_path=content_path) as (preview, group):
        lines = [
            "Resilience Bot — browser preview",
            "The real bot runs against the demo's simulated server, set up by its admin.",
            f"Serving #{group.general.name} on 127.0.0.1, port {urlsplit(preview.url).port}. "
            "Open this address in a browser",
            "on this machine (the part after # is the page's key):",
            "",
            f"    {preview.url}",
            "",
            f"'Viewing as' switches between {group.admin.name}, {group.facilitator.name} and "
            f"{len(group.members)} members;",
            "type a message or a /command to use the bot as them. Press Ctrl-C here to stop.",
        ]
        print("\n".join(lines), file=out, flush=True)
        await preview.wait_closed()
    print("Preview stopped.", file=out, flush=True)
    return 0
