"""Which group a member command is about: the server it ran in, or in a DM one of the member's groups.

One Discord server is one group. In a server the answer is that server. In a DM to the bot it is
one of the groups the person has agreed to join (and not left): a member of one group is never
asked; a member of several names one with the commands' ``group`` option, whose autocomplete
offers only their own groups. A group they are not in is refused with the same words as one that
does not exist, so typing an id never reveals another server's name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import discord
from discord import app_commands

from bot.core.errors import UserError
from bot.core.members import MemberRepository

# The ``group`` option's description, the same on every command that has one.
GROUP_OPTION = "In a DM: which of your groups (asked only if you're in more than one)"
# What the member commands that work in DMs declare (server installs only: the bot is a group's).
DM_CONTEXTS = app_commands.AppCommandContext(guild=True, dm_channel=True, private_channel=False)
GUILD_INSTALL = app_commands.AppInstallationType(guild=True, user=False)

NOT_YOURS = (
    "I can't find a group by that name among yours. Start typing in `group:` and pick one of "
    "your groups from the list."
)
OTHER_SERVER = (
    "In a server I work with this server's group. To choose another of your groups, use the "
    "command in a DM with me."
)


@dataclass(frozen=True, slots=True)
class MemberGroup:
    """One of a person's groups, by id and by the name its server has now."""

    guild_id: int
    name: str


class MemberGroups:
    """The groups a person belongs to, and the one a command is about."""

    def __init__(self, members: MemberRepository, *, guild_name: Callable[[int], str | None]) -> None:
        self.members = members
        self._guild_name = guild_name

    async def of(self, user_id: int) -> list[MemberGroup]:
        """The groups the person agreed to join and has not left, by id."""
        return [
            MemberGroup(guild_id, self._guild_name(guild_id) or f"Group {guild_id}")
            for guild_id in await self.members.guilds_of(user_id)
        ]

    async def choose(
        self, interaction: discord.Interaction[Any], chosen: str | None, *, not_in_a_group: str
    ) -> int | list[MemberGroup]:
        """The group's id, or (in a DM, several groups and none named) the groups to choose from.

        ``chosen`` is what the ``group`` option holds: an id from the autocomplete, or a name
        typed by hand. ``not_in_a_group`` is what to tell someone in a DM who is in no group yet.
        """
        if interaction.guild is not None:
            guild = interaction.guild
            text = (chosen or "").strip()
            if text and text != str(guild.id) and text.casefold() != guild.name.casefold():
                raise UserError(OTHER_SERVER)
            return guild.id
        groups = await self.of(interaction.user.id)
        if not groups:
            raise UserError(not_in_a_group)
        if chosen:
            return _match(groups, chosen)
        if len(groups) == 1:
            return groups[0].guild_id
        return groups

    async def resolve(
        self, interaction: discord.Interaction[Any], chosen: str | None, *, not_in_a_group: str
    ) -> int:
        """The group's id; a member of several groups who named none is kindly asked to."""
        found = await self.choose(interaction, chosen, not_in_a_group=not_in_a_group)
        if isinstance(found, int):
            return found
        raise UserError(ask_which(found, interaction))

    async def autocomplete(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        """The person's own groups matching what they typed (in a server: that server only)."""
        if interaction.guild is not None:
            groups = [MemberGroup(interaction.guild.id, interaction.guild.name)]
        else:
            groups = await self.of(interaction.user.id)
        typed = current.strip().casefold()
        return [
            app_commands.Choice(name=g.name[:100], value=str(g.guild_id))
            for g in groups
            if typed in g.name.casefold()
        ][:25]


def _match(groups: list[MemberGroup], chosen: str) -> int:
    text = chosen.strip()
    for group in groups:
        if text == str(group.guild_id):
            return group.guild_id
    named = [g for g in groups if g.name.casefold() == text.casefold()]
    if len(named) == 1:
        return named[0].guild_id
    raise UserError(NOT_YOURS)


def ask_which(groups: list[MemberGroup], interaction: discord.Interaction[Any]) -> str:
    """The kind question to a member of several groups: which one is this for?"""
    names = ", ".join(f"**{g.name}**" for g in groups[:10])
    command = interaction.command.qualified_name if interaction.command else "the command"
    return (
        f"You're in more than one group ({names}). Which one is this for? Run `/{command}` again "
        "and choose it in `group:` (start typing and pick from the list)."
    )


async def group_autocomplete(
    interaction: discord.Interaction[Any], current: str
) -> list[app_commands.Choice[str]]:
    """Autocomplete for every command's ``group`` option: only the person's own groups."""
    groups: MemberGroups = interaction.client.member_groups
    return await groups.autocomplete(interaction, current)
