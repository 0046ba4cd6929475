"""``/goal``: a member's own goals, private by default; a group goal done becomes a win card.

Passing goals on to the accountability partner (the DMs, the daily catch-up) is ``jobs.GoalJobs``.
"""

from __future__ import annotations

from typing import Any, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.community.goals import GOAL_TEXT_LIMIT, goal_done_text, parse_progress
from bot.community.logic import check_length
from bot.community.store import CommunityRepository, Goal, Share
from bot.core.bot import ResilienceBot
from bot.core.errors import UserError
from bot.core.lookup import INTERACTION_TIMEOUT
from bot.core.members import Member
from bot.core.timeparse import parse_date
from bot.core.ui import reply_private
from bot.core.wording import long_date
from cogs.community.jobs import GoalJobs

NO_PARTNER_YET = (
    "You don't have an accountability partner right now, so nothing was sent. "
    "I'll share it with your partner when you have one."
)

SHARE_WORDS = {
    "private": "only you can see it",
    "partner": "shared with your accountability partner",
    "group": "shared with the group when it's done",
}


async def own_goal_autocomplete(
    interaction: discord.Interaction[Any], current: str
) -> list[app_commands.Choice[int]]:
    """Only the member's own open goals, ever."""
    if interaction.guild is None:
        return []
    bot: ResilienceBot = interaction.client
    goals = await CommunityRepository(bot.db).goals(interaction.guild.id, interaction.user.id, open_only=True)
    q = current.strip().lower()
    return [app_commands.Choice(name=g.text[:100], value=g.goal_id) for g in goals if q in g.text.lower()][
        :25
    ]


def _describe(goal: Goal) -> str:
    parts = [f"**{goal.text}**"]
    if goal.due_date:
        parts.append(f"by {long_date(goal.due_date, year=True)}")
    if goal.percent is not None:
        parts.append(f"{goal.percent}%")
    if goal.note:
        parts.append(f"“{goal.note}”")
    parts.append(f"({goal.share})")
    return " · ".join(parts)


@app_commands.guild_only()
class Goals(
    GoalJobs, commands.GroupCog, group_name="goal", group_description="Your own goals, private by default"
):
    """Goals belong to one member; every query is scoped to the member who asks."""

    async def _shared_note(self, guild_id: int, goal: Goal, event: str) -> str:
        # Answering a command: a lookup that Discord is slow to answer gives up in time.
        partners = await self._share(guild_id, goal, event, within=INTERACTION_TIMEOUT)
        if partners is None:
            return " Accountability pairs aren't set up in this group, so it stays with you for now."
        if not partners:
            return " " + NO_PARTNER_YET
        who = "your partner" if len(partners) == 1 else "your partners"
        return f" I let {who} know."

    async def _mine(self, interaction: discord.Interaction[Any], goal_id: int) -> Goal:
        assert interaction.guild is not None
        goal = await self.repo.goal(interaction.guild.id, interaction.user.id, goal_id)
        if goal is None or goal.status != "open":
            raise UserError("I couldn't find that among your open goals. Start typing to pick one of yours.")
        return goal

    @app_commands.command(name="set", description="Set a goal for yourself")
    @app_commands.describe(
        text=f"Your goal (up to {GOAL_TEXT_LIMIT} characters)",
        by="Optional date, like 2026-12-24",
        share="private (default), partner, or group",
    )
    async def set_(
        self,
        interaction: discord.Interaction[Any],
        text: str,
        by: str | None = None,
        share: Literal["private", "partner", "group"] = "private",
    ) -> None:
        assert interaction.guild is not None
        guild_id = interaction.guild.id
        cleaned = check_length(text, GOAL_TEXT_LIMIT, "goal")
        due = parse_date(by) if by else None
        if due is not None:
            tz = await self.zone(guild_id)
            today = self.bot.clock.now().astimezone(tz).date()
            if due < today:
                raise UserError(
                    f"{due.isoformat()} has already passed. "
                    f"Pick a future date, like `{today.year + 1}-01-31`."
                )
        level: Share = share

        async def then(inner: discord.Interaction[Any], member: Member) -> None:
            goal_id = await self.repo.add_goal(
                guild_id, member.user_id, cleaned, due, level, self.bot.clock.now()
            )
            note = ""
            if level == "partner":
                goal = await self.repo.goal(guild_id, member.user_id, goal_id)
                assert goal is not None
                note = await self._shared_note(guild_id, goal, "set")
            await reply_private(
                inner, f"Goal set: **{cleaned}** ({SHARE_WORDS[level]}). You've got this.{note}"
            )

        await self.bot.consent.require(interaction, guild_id, then)

    @app_commands.command(name="list", description="Your goals (only you see this)")
    async def list_(self, interaction: discord.Interaction[Any]) -> None:
        assert interaction.guild is not None
        goals = await self.repo.goals(interaction.guild.id, interaction.user.id)
        open_ = [g for g in goals if g.status == "open"]
        done = [g for g in goals if g.status == "done"][-5:]
        if not open_ and not done:
            await interaction.response.send_message("No goals yet. `/goal set` starts one.", ephemeral=True)
            return
        lines = ["**Your goals**"] + [f"- {_describe(g)}" for g in open_]
        if done:
            lines += ["", "**Done recently**"] + [f"- ✅ {g.text}" for g in done]
        await interaction.response.send_message("\n".join(lines)[:2000], ephemeral=True)

    @app_commands.command(name="update", description="Note progress on one of your goals")
    @app_commands.describe(goal="One of your goals", progress="A percent like 40% or a short note")
    @app_commands.autocomplete(goal=own_goal_autocomplete)
    async def update(self, interaction: discord.Interaction[Any], goal: int, progress: str) -> None:
        assert interaction.guild is not None
        mine = await self._mine(interaction, goal)
        percent, note = parse_progress(progress)
        await self.repo.update_goal_progress(
            interaction.guild.id, interaction.user.id, mine.goal_id, percent, note, self.bot.clock.now()
        )
        await interaction.response.send_message(f"Noted for **{mine.text}**. Keep going.", ephemeral=True)

    @app_commands.command(name="done", description="Mark one of your goals done")
    @app_commands.describe(goal="One of your goals")
    @app_commands.autocomplete(goal=own_goal_autocomplete)
    async def done(self, interaction: discord.Interaction[Any], goal: int) -> None:
        assert interaction.guild is not None
        guild_id = interaction.guild.id
        mine = await self._mine(interaction, goal)
        now = self.bot.clock.now()
        await self.repo.set_goal_status(guild_id, interaction.user.id, mine.goal_id, "done", now)
        extra = ""
        if mine.share == "group":
            channel = await self.text_channel(guild_id, "wins")
            if channel is not None:
                card = await channel.send(
                    goal_done_text(interaction.user.mention, mine.text),
                    allowed_mentions=discord.AllowedMentions(users=[interaction.user]),
                )
                await self.repo.add_win(guild_id, interaction.user.id, mine.text, now)
                for emoji in ("🎉", "👏"):
                    await card.add_reaction(emoji)
                extra = f" I shared it in {channel.mention}."
        elif mine.share == "partner":
            extra = await self._shared_note(guild_id, mine, "done")
        await interaction.response.send_message(
            f"Well done: **{mine.text}** is done.{extra} Take a moment to notice that.", ephemeral=True
        )

    @app_commands.command(name="drop", description="Let go of one of your goals")
    @app_commands.describe(goal="One of your goals")
    @app_commands.autocomplete(goal=own_goal_autocomplete)
    async def drop(self, interaction: discord.Interaction[Any], goal: int) -> None:
        assert interaction.guild is not None
        mine = await self._mine(interaction, goal)
        await self.repo.set_goal_status(
            interaction.guild.id, interaction.user.id, mine.goal_id, "dropped", self.bot.clock.now()
        )
        await interaction.response.send_message(
            f"Dropped **{mine.text}**. Changing course is allowed, and often wise.", ephemeral=True
        )
