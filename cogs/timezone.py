"""``/timezone``: a member sets their own timezone, used for their reminders and their "today"."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.autocomplete import zone_autocomplete
from bot.core.bot import ResilienceBot
from bot.core.member_groups import GROUP_OPTION, group_autocomplete
from bot.core.member_setting import MemberSetting
from bot.core.timezones import validate_zone


class TimezoneSetting(MemberSetting[ZoneInfo]):
    """A member's zone; changing it re-derives their reminder schedules."""

    not_in_a_group = "I don't have you in any group yet. Run `/timezone` inside your group's server first."

    def __init__(self, bot: ResilienceBot) -> None:
        super().__init__(bot.members, bot.consent, bot.member_groups)
        self.bot = bot

    def parse(self, raw: str) -> ZoneInfo:
        return validate_zone(raw)

    async def describe(self, user_id: int, guild_ids: list[int], *, in_dm: bool) -> str:
        member = await self.members.get(guild_ids[0], user_id)
        if in_dm:
            current = member.timezone if member and member.timezone else "your group's timezone"
            return f"Your timezone is **{current}**."
        group = await self.bot.group_timezone(guild_ids[0])
        current = member.timezone if member and member.timezone else f"{group} (the group's)"
        return f"Your timezone here is **{current}**. Change it with `/timezone zone:`."

    async def store(self, guild_id: int, user_id: int, value: ZoneInfo) -> None:
        await self.members.set_timezone(guild_id, user_id, value.key)
        await self.bot.config_changed(guild_id)

    async def confirm(self, value: ZoneInfo, guild_ids: list[int], *, everywhere: bool) -> str:
        # The zone's own wall clock, as text: a <t:...> stamp is drawn in the reader's device
        # zone, so it could not show whether the zone just chosen is the right one.
        local = wall_clock(self.bot.clock.now(), value)
        if everywhere:
            return f"Saved: your timezone is **{value.key}** in all your groups. It's {local} now."
        return (
            f"Saved: your timezone is **{value.key}**; your days and reminders follow it. It's {local} now."
        )


def wall_clock(now: datetime, zone: ZoneInfo) -> str:
    """``"Monday 02:30 in America/New_York"``: what a clock in ``zone`` shows at ``now``."""
    local = now.astimezone(zone)
    return f"{local:%A %H:%M} in {zone.key}"


class Timezone(commands.Cog):
    """Per-member timezone."""

    def __init__(self, bot: ResilienceBot) -> None:
        self.bot = bot
        self.setting = TimezoneSetting(bot)

    @app_commands.command(name="timezone", description="Set your own timezone (or see it)")
    @app_commands.describe(zone="A city or IANA zone, like London or America/New_York", group=GROUP_OPTION)
    @app_commands.autocomplete(zone=zone_autocomplete, group=group_autocomplete)
    @app_commands.allowed_contexts(guilds=True, dms=True, private_channels=False)
    @app_commands.allowed_installs(guilds=True, users=False)
    async def timezone(
        self, interaction: discord.Interaction[Any], zone: str | None = None, group: str | None = None
    ) -> None:
        await self.setting.handle(interaction, zone, group)


async def setup(bot: ResilienceBot) -> None:
    await bot.add_cog(Timezone(bot))
