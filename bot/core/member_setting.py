"""A member's own setting (``/timezone``, ``/country``): one flow in a server and in a DM.

In a server: no value shows the current one; a value is checked, then saved once the member has
agreed to the group agreement. In a DM to the bot: the value applies to every group the member
belongs to (they agreed in each already), or only to the one named in ``group``; someone in no
group yet is told where to start.
A subclass says how to parse, store and describe its value.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar, Generic, TypeVar

import discord

from bot.core.consent import Consent, answer_privately
from bot.core.member_groups import MemberGroups
from bot.core.members import Member, MemberRepository

T = TypeVar("T")


class MemberSetting(ABC, Generic[T]):
    """The shared flow; subclasses fill in the four parts that differ."""

    # Shown in a DM to someone the bot has in no group yet.
    not_in_a_group: ClassVar[str]

    def __init__(self, members: MemberRepository, consent: Consent, groups: MemberGroups) -> None:
        self.members = members
        self.consent = consent
        self.groups = groups

    @abstractmethod
    def parse(self, raw: str) -> T:
        """The value a member typed, or a ``UserError`` that says kindly what is wrong."""

    @abstractmethod
    async def describe(self, user_id: int, guild_ids: list[int], *, in_dm: bool) -> str:
        """The member's current value, in words."""

    @abstractmethod
    async def store(self, guild_id: int, user_id: int, value: T) -> None:
        """Save the value for one group."""

    @abstractmethod
    async def confirm(self, value: T, guild_ids: list[int], *, everywhere: bool) -> str:
        """The reply once it is saved (``everywhere``: from a DM, for all their groups)."""

    async def nothing_to_save(self, guild_id: int, user_id: int, value: T) -> bool:
        """True when saving would change nothing, so there is nothing to agree to first."""
        return False

    async def handle(
        self, interaction: discord.Interaction[Any], raw: str | None, group: str | None = None
    ) -> None:
        """Run the command: show, or check and save (``group``: the option naming one group)."""
        user_id = interaction.user.id
        if interaction.guild is None:
            await self._in_dm(interaction, raw, group)
            return
        guild_id = await self.groups.resolve(interaction, group, not_in_a_group=self.not_in_a_group)
        if raw is None:
            text = await self.describe(user_id, [guild_id], in_dm=False)
            await interaction.response.send_message(text, ephemeral=True)
            return
        value = self.parse(raw)
        if await self.nothing_to_save(guild_id, user_id, value):
            text = await self.confirm(value, [guild_id], everywhere=False)
            await interaction.response.send_message(text, ephemeral=True)
            return

        async def save(inter: discord.Interaction[Any], _member: Member) -> None:
            await self.store(guild_id, inter.user.id, value)
            await answer_privately(
                interaction, inter, await self.confirm(value, [guild_id], everywhere=False)
            )

        await self.consent.require(interaction, guild_id, save)

    async def _in_dm(self, interaction: discord.Interaction[Any], raw: str | None, group: str | None) -> None:
        user_id = interaction.user.id
        if group:
            # One group, named: only that one (refused, without a name, if it isn't theirs).
            chosen = await self.groups.resolve(interaction, group, not_in_a_group=self.not_in_a_group)
            guild_ids, everywhere = [chosen], False
        else:
            guild_ids, everywhere = [g.guild_id for g in await self.groups.of(user_id)], True
        if not guild_ids:
            await interaction.response.send_message(self.not_in_a_group, ephemeral=True)
            return
        if raw is None:
            text = await self.describe(user_id, guild_ids, in_dm=everywhere)
            await interaction.response.send_message(text, ephemeral=True)
            return
        value = self.parse(raw)
        for guild_id in guild_ids:
            await self.store(guild_id, user_id, value)
        text = await self.confirm(value, guild_ids, everywhere=everywhere)
        await interaction.response.send_message(text, ephemeral=True)
