"""``/celebrate`` and ``/wins``: members cheering each other on, in public only by choice."""

from __future__ import annotations

import logging
from datetime import datetime, time
from typing import Any, Literal
from zoneinfo import ZoneInfo

import discord
from discord import app_commands
from discord.ext import commands

from bot.community.logic import (
    CELEBRATION_LIMIT,
    celebration_text,
    check_length,
    milestone_text,
    milestone_win,
    new_milestones,
    ts,
    wins_since,
)
from bot.community.store import CommunityRepository
from bot.core.bot import ResilienceBot
from bot.core.errors import UserError
from bot.core.outbox import PRIORITY_POST
from bot.core.outbox_store import OutboxRow
from bot.core.schedule_rules import Rule
from bot.core.schedule_store import Schedule

log = logging.getLogger(__name__)

REACTIONS = ("🎉", "👏", "💛")
MILESTONES = "celebrations:milestones"
MILESTONE_CARD = "celebrations:milestone"
# Early evening in the group's zone: the day's practice is mostly in, and it isn't late.
MILESTONES_AT = time(19, 0)


class Celebrations(commands.Cog):
    """Celebration cards in the wins channel, or a private DM for members who prefer that."""

    def __init__(self, bot: ResilienceBot) -> None:
        self.bot = bot
        self.repo = CommunityRepository(bot.db)

    async def cog_load(self) -> None:
        self.bot.scheduler.register(MILESTONES, self._milestones)
        self.bot.outbox.on_delivered(MILESTONE_CARD, self._react)
        self.bot.on_config_change(self._derive)
        for guild_id in await self.repo.configured_guilds():
            await self._derive(guild_id)

    async def cog_unload(self) -> None:
        self.bot.scheduler.unregister(MILESTONES)
        self.bot.remove_config_listener(self._derive)

    # -- automatic milestone cards ----------------------------------------------------------------

    async def _derive(self, guild_id: int) -> None:
        """The daily milestone check at 19:00 in the group's zone (re-derived on /setup changes)."""
        rule = Rule.daily(MILESTONES_AT, ZoneInfo(await self.bot.group_timezone(guild_id)))
        existing = await self.bot.scheduler.get(guild_id, MILESTONES)
        if existing is None or existing.rule != rule:
            await self.bot.scheduler.set(guild_id, MILESTONES, rule)

    async def _milestones(self, schedule: Schedule, _occurrence: datetime) -> None:
        """A card per member per kind for the highest milestone newly reached.

        Only members who opted in to public celebrations are looked at. Lower milestones reached
        at the same time (e.g. on the first run) are marked celebrated without a card of their
        own, so nobody gets a burst of cards at once.
        """
        guild_id = schedule.guild_id
        guild = self.bot.get_guild(guild_id)
        channel_id = (await self.bot.guilds_repo.get(guild_id)).channel("wins")
        if guild is None or channel_id is None:
            return
        counts = await self.repo.milestone_counts(guild_id)
        celebrated = await self.repo.celebrated(guild_id)
        now = self.bot.clock.now()
        for member in await self.bot.members.list_active(guild_id):
            person = guild.get_member(member.user_id)
            if not member.public_celebrations or person is None or person.bot:
                continue
            for kind, per_member in counts.items():
                done = celebrated.get((member.user_id, kind), set())
                reached = new_milestones(kind, per_member.get(member.user_id, 0), done)
                if not reached:
                    continue
                top = reached[-1]
                async with self.bot.db.transaction() as tx:
                    if not await self.repo.record_milestones(
                        tx, guild_id, member.user_id, kind, reached, now
                    ):
                        continue
                    await self.repo.add_win_tx(tx, guild_id, member.user_id, milestone_win(kind, top), now)
                    await self.bot.outbox.enqueue(
                        guild_id=guild_id,
                        kind=MILESTONE_CARD,
                        key=f"{member.user_id}:{kind}:{top}",
                        channel_id=channel_id,
                        content=milestone_text(kind, top, person.mention),
                        allowed_mentions=discord.AllowedMentions(users=[person], everyone=False, roles=False),
                        priority=PRIORITY_POST,
                        tx=tx,
                    )

    async def _react(self, row: OutboxRow, message_id: int | None) -> None:
        """A few reactions on a delivered milestone card, so others can join in with one click."""
        if message_id is None or row.channel_id is None:
            return
        for emoji in REACTIONS:
            try:
                await self.bot.http.add_reaction(row.channel_id, message_id, emoji)
            except discord.HTTPException:
                log.info("could not add a reaction to a milestone card in guild %s", row.guild_id)
                return

    @app_commands.command(name="celebrate", description="Celebrate someone in the group")
    @app_commands.describe(
        member="Who to celebrate", what=f"What you're celebrating (up to {CELEBRATION_LIMIT})"
    )
    @app_commands.guild_only()
    async def celebrate(
        self, interaction: discord.Interaction[Any], member: discord.Member, what: str
    ) -> None:
        assert interaction.guild is not None
        guild_id = interaction.guild.id
        if member.bot:
            raise UserError(
                "That's kind, but bots don't need cheering. Celebrate one of the people here instead."
            )
        if member.id == interaction.user.id:
            raise UserError(
                "Celebrating yourself is a good habit! For your own wins, set a goal and mark it with "
                "`/goal done` (share it with the group if you like)."
            )
        text = check_length(what, CELEBRATION_LIMIT, "celebration")
        target = await self.bot.members.get(guild_id, member.id)
        public = target is not None and not target.left and target.public_celebrations
        if public:
            config = await self.bot.guilds_repo.get(guild_id)
            channel_id = config.channel("wins")
            channel = self.bot.get_channel(channel_id) if channel_id else None
            if not isinstance(channel, discord.TextChannel):
                raise UserError("The wins channel isn't set yet. An admin can set it with `/setup channel`.")
            card = await channel.send(
                celebration_text(interaction.user.display_name, member.mention, text),
                allowed_mentions=discord.AllowedMentions(users=[member], everyone=False, roles=False),
            )
            await self.repo.add_win(guild_id, member.id, text, self.bot.clock.now())
            for emoji in REACTIONS:
                await card.add_reaction(emoji)
            await interaction.response.send_message(
                f"Posted in {channel.mention}. Thank you for cheering {member.display_name} on.",
                ephemeral=True,
            )
            return
        try:
            await member.send(
                f"🎉 {interaction.user.display_name} from {interaction.guild.name} "
                f"is celebrating you:\n> {text}",
                allowed_mentions=discord.AllowedMentions.none(),
            )
        except discord.HTTPException:
            await interaction.response.send_message(
                f"{member.display_name} keeps celebrations private, and I couldn't reach them by DM. "
                "Maybe tell them yourself? It will mean a lot.",
                ephemeral=True,
            )
            return
        await interaction.response.send_message(
            f"{member.display_name} prefers to be celebrated privately, so I sent your message to them "
            "directly. Thank you for cheering them on.",
            ephemeral=True,
        )

    @app_commands.command(name="wins", description="The group's shared wins, newest first")
    @app_commands.describe(period="This week (default) or this month")
    @app_commands.guild_only()
    async def wins(
        self, interaction: discord.Interaction[Any], period: Literal["week", "month"] = "week"
    ) -> None:
        assert interaction.guild is not None
        found = await self.repo.wins(interaction.guild.id, wins_since(period, self.bot.clock.now()))
        if not found:
            await interaction.response.send_message(
                f"No shared wins this {period} yet. `/celebrate` someone to start the list.", ephemeral=True
            )
            return
        lines = [f"**Wins this {period}**"]
        for win in found:
            line = f"- <@{win.user_id}>: {win.what} ({ts(win.created_at, 'R')})"
            if sum(len(x) + 1 for x in lines) + len(line) > 1950:
                break
            lines.append(line)
        await interaction.response.send_message(
            "\n".join(lines), ephemeral=True, allowed_mentions=discord.AllowedMentions.none()
        )


async def setup(bot: ResilienceBot) -> None:
    await bot.add_cog(Celebrations(bot))
