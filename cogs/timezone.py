"""``/timezone``: a member sets their own timezone, used for their reminders and their "today"."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.autocomplete import zone_autocomplete
from bot.core.bot import ResilienceBot
from bot.core.consent import answer_privately
from bot.core.members import Member
from bot.core.timezones import validate_zone


class Timezone(commands.Cog):
    """Per-member timezone."""

    def __init__(self, bot: ResilienceBot) -> None:
        self.bot = bot

    @app_commands.command(name="timezone", description="Set your own timezone (or see it)")
    @app_commands.describe(zone="A city or IANA zone, like London or America/New_York")
    @app_commands.autocomplete(zone=zone_autocomplete)
    @app_commands.allowed_contexts(guilds=True, dms=True, private_channels=False)
    async def timezone(self, interaction: discord.Interaction[Any], zone: str | None = None) -> None:
        now = int(self.bot.clock.now().timestamp())
        if interaction.guild is None:
            await self._in_dm(interaction, zone, now)
            return
        guild_id = interaction.guild.id
        if zone is None:
            member = await self.bot.members.get(guild_id, interaction.user.id)
            group = await self.bot.group_timezone(guild_id)
            current = member.timezone if member and member.timezone else f"{group} (the group's)"
            await interaction.response.send_message(
                f"Your timezone here is **{current}**. Change it with `/timezone zone:`.", ephemeral=True
            )
            return
        tz = validate_zone(zone)

        async def save(inter: discord.Interaction[Any], _member: Member) -> None:
            await self.bot.members.set_timezone(guild_id, inter.user.id, tz.key)
            await self.bot.config_changed(guild_id)
            message = (
                f"Saved: your timezone is **{tz.key}**. Your days and reminders follow it. "
                f"(Right now it's <t:{now}:t> where you are.)"
            )
            await answer_privately(interaction, inter, message)

        await self.bot.consent.require(interaction, guild_id, save)

    async def _in_dm(self, interaction: discord.Interaction[Any], zone: str | None, now: int) -> None:
        guild_ids = await self.bot.members.guilds_of(interaction.user.id)
        if not guild_ids:
            await interaction.response.send_message(
                "I don't have you in any group yet. Run `/timezone` inside your group's server first.",
                ephemeral=True,
            )
            return
        if zone is None:
            member = await self.bot.members.get(guild_ids[0], interaction.user.id)
            current = member.timezone if member and member.timezone else "your group's timezone"
            await interaction.response.send_message(f"Your timezone is **{current}**.", ephemeral=True)
            return
        tz = validate_zone(zone)
        for guild_id in guild_ids:
            await self.bot.members.set_timezone(guild_id, interaction.user.id, tz.key)
            await self.bot.config_changed(guild_id)
        await interaction.response.send_message(
            f"Saved: your timezone is **{tz.key}** in all your groups. It's <t:{now}:t> for you now.",
            ephemeral=True,
        )


async def setup(bot: ResilienceBot) -> None:
    await bot.add_cog(Timezone(bot))
