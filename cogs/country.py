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
from bot.core.consent import answer_privately
from bot.core.countries import countries, validate_country
from bot.core.errors import UserError
from bot.core.members import Member

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


class Country(commands.Cog):
    """Per-member country, for helplines."""

    def __init__(self, bot: ResilienceBot) -> None:
        self.bot = bot

    @app_commands.command(name="country", description="Set your own country for helplines (or see it)")
    @app_commands.describe(code="Two-letter country code, like GB or US; `group` to use your group's")
    @app_commands.autocomplete(code=_autocomplete)
    @app_commands.allowed_contexts(guilds=True, dms=True, private_channels=False)
    async def country(self, interaction: discord.Interaction[Any], code: str | None = None) -> None:
        if interaction.guild is None:
            await self._in_dm(interaction, code)
            return
        guild_id = interaction.guild.id
        member = await self.bot.members.get(guild_id, interaction.user.id)
        own = member.country if member else None
        group = (await self.bot.guilds_repo.get(guild_id)).country
        if code is None:
            await interaction.response.send_message(_current(own, group), ephemeral=True)
            return
        chosen = _parse(code)
        if chosen is None and own is None:
            # Nothing to forget, so nothing to agree to first.
            await interaction.response.send_message(_saved(None, group), ephemeral=True)
            return

        async def save(inter: discord.Interaction[Any], _member: Member) -> None:
            await self.bot.members.set_country(guild_id, inter.user.id, chosen)
            message = _saved(chosen, group)
            await answer_privately(interaction, inter, message)

        await self.bot.consent.require(interaction, guild_id, save)

    async def _in_dm(self, interaction: discord.Interaction[Any], code: str | None) -> None:
        guild_ids = await self.bot.members.guilds_of(interaction.user.id)
        if not guild_ids:
            await interaction.response.send_message(
                "I don't have you in any group yet. Run `/country` inside your group's server first. "
                "Until then, `/resources country:` shows any country's helplines.",
                ephemeral=True,
            )
            return
        group = None
        for guild_id in guild_ids:
            group = (await self.bot.guilds_repo.get(guild_id)).country
            if group:
                break
        if code is None:
            own = await self.bot.members.own_country(interaction.user.id)
            await interaction.response.send_message(_current(own, group), ephemeral=True)
            return
        chosen = _parse(code)
        for guild_id in guild_ids:
            await self.bot.members.set_country(guild_id, interaction.user.id, chosen)
        await interaction.response.send_message(_saved(chosen, group, everywhere=True), ephemeral=True)


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
