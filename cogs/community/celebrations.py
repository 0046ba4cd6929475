"""``/celebrate`` and ``/wins``: members cheering each other on, in public only by choice.

The daily milestone cards (what runs by itself) are ``jobs.CelebrationJobs``.
"""

from __future__ import annotations

from typing import Any, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.community.celebrations import CELEBRATION_LIMIT, celebration_text, wins_since
from bot.community.logic import check_length, ts
from bot.core.errors import UserError
from cogs.community.jobs import REACTIONS, CelebrationJobs
from cogs.community.views import celebration_card


class Celebrations(CelebrationJobs, commands.Cog):
    """Celebration cards in the wins channel, or a private DM for members who prefer that."""

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
        limits = self.bot.cooldowns
        if limits.celebrate_pair.hit((guild_id, interaction.user.id, member.id)) is not None:
            raise UserError(
                f"You've celebrated {member.display_name} several times today, which is lovely. "
                "Save the next one for tomorrow so it still feels special."
            )
        if limits.celebrate_target.hit((guild_id, member.id)) is not None:
            raise UserError(
                f"{member.display_name} has had a lot of celebrations today already. "
                "Try again tomorrow, or tell them in the group channel."
            )
        target = await self.bot.members.get(guild_id, member.id)
        public = target is not None and not target.left and target.public_celebrations
        if public:
            channel = await self.text_channel(guild_id, "wins")
            if channel is None:
                raise UserError("The wins channel isn't set yet. An admin can set it with `/setup channel`.")
            card = await channel.send(
                view=celebration_card(
                    celebration_text(interaction.user.display_name, member.mention, text)
                ).view(),
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
