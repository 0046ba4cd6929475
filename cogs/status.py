"""``/status``: the send queue's health, for the bot's owner only."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.bot import ResilienceBot
from bot.core.outbox_store import OutboxHealth


def render_status(
    health: OutboxHealth, rate: float, ceiling: float, shards: tuple[int, ...] | None = None
) -> str:
    """Plain lines an operator can read at a glance."""
    oldest = "nothing waiting" if health.oldest_due is None else _when(health.oldest_due)
    where = "" if shards is None else f" (this process, shards {', '.join(map(str, shards))})"
    lines = [
        f"**Send queue**{where}",
        f"Waiting to send: {health.pending}",
        f"Oldest waiting since: {oldest}",
        f"Failed in the last day: {health.failed_last_day}",
        f"Sent in the last day: {health.sent_last_day}",
        f"Skipped in the last day (DMs closed, or too late after downtime): {health.skipped_last_day}",
        f"Pace: {rate:.0f} of {ceiling:.0f} requests a second",
    ]
    if health.failed_last_day:
        lines.append("Failures are in the log as `outbox row ... failed`.")
    return "\n".join(lines)


def _when(moment: datetime) -> str:
    stamp = int(moment.timestamp())
    return f"<t:{stamp}:F> (<t:{stamp}:R>)"


class Status(commands.Cog):
    def __init__(self, bot: ResilienceBot) -> None:
        self.bot = bot

    @app_commands.command(
        name="status",
        description="Bot owner: how the send queue is doing",
        extras={"who": "bot owner"},  # checked in the body: the README's command table reads this
    )
    async def status(self, interaction: discord.Interaction[Any]) -> None:
        if not await self.bot.is_owner(interaction.user):
            await interaction.response.send_message(
                "Only the person who runs this bot can see its status.", ephemeral=True
            )
            return
        outbox = self.bot.outbox
        health = await outbox.health()
        text = render_status(health, outbox.pacer.rate, outbox.pacer.ceiling, self.bot.settings.owned_shards)
        await interaction.response.send_message(text, ephemeral=True)


async def setup(bot: ResilienceBot) -> None:
    await bot.add_cog(Status(bot))
