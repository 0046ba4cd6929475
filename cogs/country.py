"""``/country``: a member sets their own country, for the helplines the bot offers them.

A member living abroad (or travelling) gets their own country's helplines in ``/resources`` and in
the private reply to crisis language; without one, the group's country (``/setup country``) is used.
"""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.autocomplete import country_autocomplete
from bot.core.bot import ResilienceBot
from bot.core.countries import countries, validate_country
from bot.core.errors import UserError
from bot.core.member_groups import GROUP_OPTION, group_autocomplete
from bot.core.member_setting import MemberSetting

# What a member types to stop using their own country and go back to the group's.
BACK_TO_GROUP = "group"
USED_FOR = (
    "the helplines I offer you (in `/resources`, and in the private message I send if you're struggling)"
)


def _named(code: str) -> str:
    return f"{countries().get(code, code)} ({code})"


def _parse(code: str) -> str | None:
    """An alpha-2 code, or ``None`` for ``group``; an unknown code is a kind error naming both."""
    if code.strip().lower() == BACK_TO_GROUP:
        return None
    try:
        return validate_country(code)
    except UserError as error:
        raise UserError(f"{error} Or `{BACK_TO_GROUP}` to use your group's country.") from None


async def _autocomplete(
    interaction: discord.Interaction[Any], current: str
) -> list[app_commands.Choice[str]]:
    """Countries by name or code, with "back to the group's country" first when it matches."""
    choices = await country_autocomplete(interaction, current)
    if BACK_TO_GROUP.startswith(current.strip().lower()):
        back = app_commands.Choice(name="Use my group's country", value=BACK_TO_GROUP)
        return [back, *choices][:25]
    return choices


class CountrySetting(MemberSetting[str | None]):
    """A member's own country (``None``: back to the group's)."""

    not_in_a_group = (
        "I don't have you in any group yet. Run `/country` inside your group's server first. "
        "Until then, `/resources country:` shows any country's helplines."
    )

    def __init__(self, bot: ResilienceBot) -> None:
        super().__init__(bot.members, bot.consent, bot.member_groups)
        self.guilds = bot.guilds_repo

    def parse(self, raw: str) -> str | None:
        return _parse(raw)

    async def _group_country(self, guild_ids: list[int]) -> str | None:
        """The first of the member's groups that has set a country."""
        for guild_id in guild_ids:
            country = (await self.guilds.get(guild_id)).country
            if country:
                return country
        return None

    async def describe(self, user_id: int, guild_ids: list[int], *, in_dm: bool) -> str:
        if in_dm:
            own = await self.members.own_country(user_id)
        else:
            member = await self.members.get(guild_ids[0], user_id)
            own = member.country if member else None
        return _current(own, await self._group_country(guild_ids))

    async def nothing_to_save(self, guild_id: int, user_id: int, value: str | None) -> bool:
        member = await self.members.get(guild_id, user_id)
        return value is None and (member is None or member.country is None)

    async def store(self, guild_id: int, user_id: int, value: str | None) -> None:
        await self.members.set_country(guild_id, user_id, value)

    async def confirm(self, value: str | None, guild_ids: list[int], *, everywhere: bool) -> str:
        return _saved(value, await self._group_country(guild_ids), everywhere=everywhere)


class Country(commands.Cog):
    """Per-member country, for helplines."""

    def __init__(self, bot: ResilienceBot) -> None:
        self.bot = bot
        self.setting = CountrySetting(bot)

    @app_commands.command(name="country", description="Set your own country for helplines (or see it)")
    @app_commands.describe(
        code="Two-letter country code, like GB or US; `group` to use your group's", group=GROUP_OPTION
    )
    @app_commands.autocomplete(code=_autocomplete, group=group_autocomplete)
    @app_commands.allowed_contexts(guilds=True, dms=True, private_channels=False)
    @app_commands.allowed_installs(guilds=True, users=False)
    async def country(
        self, interaction: discord.Interaction[Any], code: str | None = None, group: str | None = None
    ) -> None:
        await self.setting.handle(interaction, code, group)


def _current(own: str | None, group: str | None) -> str:
    if own:
        return (
            f"Yours: **{_named(own)}**. It's used for {USED_FOR}. "
            f"Change it with `/country code:`, or `/country code:{BACK_TO_GROUP}` to use the group's."
        )
    if group:
        return (
            f"The group's: **{_named(group)}**. It's used for {USED_FOR}. "
            "If you live or are staying somewhere else, set yours with `/country code:`."
        )
    return (
        "Neither you nor the group has set a country yet, so I offer international helpline "
        "directories. Set yours with `/country code:` to get your own country's helplines."
    )


def _saved(chosen: str | None, group: str | None, *, everywhere: bool = False) -> str:
    where = " in all your groups" if everywhere else ""
    if chosen is not None:
        return (
            f"Saved: your country is **{_named(chosen)}**{where}. I'll use it for {USED_FOR}. "
            f"`/country code:{BACK_TO_GROUP}` goes back to the group's."
        )
    if group:
        return f"Done: you're back to the group's country{where}, **{_named(group)}**, for {USED_FOR}."
    return (
        f"Done: you're back to the group's country{where}. It hasn't been set yet, so I offer "
        "international helpline directories; `/resources country:` shows any country's helplines."
    )


async def setup(bot: ResilienceBot) -> None:
    await bot.add_cog(Country(bot))
