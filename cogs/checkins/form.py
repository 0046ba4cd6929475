"""The check-in itself: the form for a member's local day, saving what they submit, the card
shared in the group's channel, milestones, and the words added after submitting.

Also what commands and the form share: which group a DM is about, and the one-time notice that
a member's DMs are closed.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import discord

from bot.checkins.logic import (
    card_text,
    clean_emotions,
    emotion_labels,
    milestone_text,
    mood_words,
    streak_text,
)
from bot.checkins.streaks import compute_streak, new_milestone
from bot.core.errors import UserError
from bot.core.members import Member
from bot.core.ui import reply_private
from cogs.checkins.jobs import CheckinJobs
from cogs.checkins.views import CheckinModal, MoreWordsView

NOT_IN_A_GROUP = "I don't have you in any group yet. Run `/checkin now` inside your group's server first."
DM_CLOSED_NOTICE = (
    "I couldn't send you a DM because your DMs from this server are closed, so I've stopped that "
    "check-in DM (reminders or weekly recap). If you want it back, allow DMs (Server menu → "
    "Privacy Settings) and run `/checkin remind` or `/checkin recap` again."
)


class CheckinForm(CheckinJobs):
    """Opening the check-in form, recording it and sharing it: what the ``Checkins`` cog does
    when a member checks in."""

    async def dm_notice(self, member: Member | None) -> str:
        """Tell a member once that their DMs are closed and reminders stopped."""
        if member is None or not member.dm_closed or member.dm_closed_told:
            return ""
        await self.bot.members.mark_dm_closed_told(member.guild_id, member.user_id)
        return "\n\n" + DM_CLOSED_NOTICE

    async def resolve_guild(self, interaction: discord.Interaction[Any], group: str | None) -> int:
        """The group a command is about: this server, or in a DM the member's one or chosen group."""
        return await self.bot.member_groups.resolve(interaction, group, not_in_a_group=NOT_IN_A_GROUP)

    def display_name(self, guild_id: int, user: discord.abc.User) -> str:
        guild = self.bot.get_guild(guild_id)
        member = guild.get_member(user.id) if guild else None
        return (member or user).display_name

    async def open_checkin(
        self, interaction: discord.Interaction[Any], guild_id: int, *, yesterday: bool
    ) -> None:
        """Consent first, then the modal for the member's local today (or yesterday)."""

        async def then(inter: discord.Interaction[Any], member: Member) -> None:
            today = await self.today_for(guild_id, member)
            day = today - timedelta(days=1) if yesterday else today
            await inter.response.send_modal(CheckinModal(self, guild_id, day, yesterday=yesterday))

        await self.bot.consent.require(interaction, guild_id, then)

    async def record(
        self,
        interaction: discord.Interaction[Any],
        guild_id: int,
        day: date,
        *,
        mood: int,
        emotions: tuple[str, ...],
        note: str | None,
        shared: bool,
        family: str | None,
    ) -> None:
        """Save a submitted check-in, post the card if shared, and confirm privately."""
        user = interaction.user
        member = await self.bot.members.get(guild_id, user.id)
        if member is None or member.left:
            raise UserError(
                "Please agree to the group agreement first: run `/checkin now` in your group's server."
            )
        today = await self.today_for(guild_id, member)
        if day < today - timedelta(days=1):
            raise UserError(
                "That check-in form is from an earlier day. Please open a fresh one with `/checkin now`."
            )
        # One read serves both streaks and "did they already check in that day" (the burst path).
        days, pauses = await self.repo.streak_inputs(guild_id, user.id)
        updated = day in days
        await self.repo.put(
            guild_id,
            user.id,
            day,
            mood=mood,
            emotions=emotions,
            note=note,
            shared=shared,
            now=self.bot.clock.now(),
        )
        before = compute_streak(days, today, pauses)
        after = compute_streak([*days, day], today, pauses)
        when = "today" if day == today else "yesterday"
        vocabulary = self.bot.content.emotions
        feeling = ", ".join(emotion_labels(emotions, vocabulary))
        lines = [
            f"{'Updated' if updated else 'Saved'} your check-in for {when}: {mood_words(mood)}"
            + (f" · {feeling}" if feeling else "")
            + ".",
        ]
        if updated:
            lines.append("(You had already checked in for that day, so I replaced it.)")
        milestone = None if updated else new_milestone(before.current, after.current)
        # The group's channels are only needed to share or celebrate: private check-ins skip the read.
        config = await self.bot.guilds_repo.get(guild_id) if shared or milestone is not None else None
        card: discord.Message | None = None
        if shared:
            assert config is not None
            card = await self._post_card(config.channel("checkins"), guild_id, user, mood, emotions)
            lines.append(
                f"Shared in <#{card.channel.id}>; your note stays private."
                if card
                else "I couldn't post your card."
            )
        else:
            lines.append("Kept private.")
        lines.append(streak_text(after))
        if milestone is not None:
            assert config is not None
            if member.public_celebrations and await self._celebrate(config.channel("wins"), user, milestone):
                lines.append(f"🎉 {milestone} days! I celebrated it in <#{config.channel('wins')}>.")
            else:
                lines.append(milestone_text(milestone))
        if family is not None:
            lines.append("Pick from the words below to add a more precise one.")
        content = "\n".join(lines) + await self.dm_notice(member)
        if family is not None:
            view = MoreWordsView(self, guild_id, user.id, day, family, card)
            await reply_private(interaction, content, view=view)
        else:
            await reply_private(interaction, content)

    async def _post_card(
        self,
        channel_id: int | None,
        guild_id: int,
        user: discord.abc.User,
        mood: int,
        emotions: tuple[str, ...],
    ) -> discord.Message | None:
        channel = self.bot.get_channel(channel_id) if channel_id else None
        if not isinstance(channel, discord.TextChannel | discord.Thread):
            return None
        text = card_text(self.display_name(guild_id, user), mood, emotions, self.bot.content.emotions)
        return await channel.send(text, allowed_mentions=discord.AllowedMentions.none())

    async def _celebrate(self, channel_id: int | None, user: discord.abc.User, milestone: int) -> bool:
        channel = self.bot.get_channel(channel_id) if channel_id else None
        if not isinstance(channel, discord.TextChannel | discord.Thread):
            return False
        await channel.send(
            f"🎉 {user.mention} has checked in on {milestone} days. Showing up for yourself counts.",
            allowed_mentions=discord.AllowedMentions.none(),
        )
        return True

    async def add_words(
        self, interaction: discord.Interaction[Any], view: MoreWordsView, values: list[str]
    ) -> None:
        vocabulary = self.bot.content.emotions
        current = await self.repo.get(view.guild_id, view.user_id, view.day)
        if current is None:
            raise UserError("I can't find that check-in any more. Try `/checkin now`.")
        merged = clean_emotions([*values, *current.emotions], vocabulary)
        await self.repo.set_emotions(view.guild_id, view.user_id, view.day, merged)
        if view.card is not None:
            text = card_text(
                self.display_name(view.guild_id, interaction.user), current.mood, merged, vocabulary
            )
            await view.card.edit(content=text, allowed_mentions=discord.AllowedMentions.none())
        view.stop()
        await interaction.response.edit_message(
            content=f"Added. You're feeling: {', '.join(emotion_labels(merged, vocabulary))}.", view=None
        )
