from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import discord

LONDON = ZoneInfo("Europe/London")
PROMPT_TITLE = "Something to reflect on"


def london(*args: int) -> datetime:
    """A London wall-clock time as an aware datetime."""
    return datetime(*args, tzinfo=LONDON)  # type: ignore[misc]


def prompt_posts(channel) -> list[discord.Message]:  # type: ignore[no-untyped-def]
    return [m for m in channel.history() if m.embeds and m.embeds[0].title == PROMPT_TITLE]


async def at(group, when: datetime) -> None:  # type: ignore[no-untyped-def]
    """Move the fake clock and run whatever came due, as the alarm would."""
    group.clock.set(when)
    await group.bot.scheduler.run_due()


async def restart(group) -> None:  # type: ignore[no-untyped-def]
    """Restart with a fresh bot on the same database, released at the end of the test."""
    from tests.conftest import restart as restart_group

    await restart_group(group)
