"""Daily check-ins: ``/checkin now|history|remind|pause``, the daily post, reminders, ``/group pulse``.

The check-in modal holds at most five controls, so emotion words come in two steps:

1. In the modal, one select offers up to 25 common words taken fairly from every family of the
   feelings wheel (pick up to three), and a second select offers the *families* themselves
   ("Want a more precise word?").
2. If a family was picked, the private confirmation carries a select with that family's words
   (each family holds at most 25), and what is picked there is added to the check-in.

So everyday words take one step, and all 56 words stay reachable in two.
"""

from __future__ import annotations

import asyncio
import io
import logging
import re
from datetime import date, datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

import discord
from discord import app_commands
from discord.ext import commands

from bot.checkins.logic import (
    MAX_EMOTIONS,
    MOODS,
    NOTE_MAX,
    RECAP_TIME,
    WEEKDAYS,
    PulseRow,
    card_text,
    clean_emotions,
    common_words,
    compute_pulse,
    emotion_labels,
    history_points,
    history_text,
    local_day,
    milestone_text,
    mood_words,
    recap_text,
    recap_week,
    streak_text,
    summarize_history,
)
from bot.checkins.store import CheckinRepository
from bot.checkins.streaks import Streak, compute_streak, new_milestone
from bot.core.bot import ResilienceBot
from bot.core.charts import group_pulse_png, mood_history_png
from bot.core.checks import facilitator_only
from bot.core.errors import UserError
from bot.core.members import Member
from bot.core.outbox import PRIORITY_DIGEST, PRIORITY_DM, PRIORITY_POST
from bot.core.outbox_store import OutboxRow
from bot.core.schedule_rules import Rule
from bot.core.schedule_store import Schedule
from bot.core.scheduler import occurrence_key
from bot.core.timeparse import parse_date, parse_time
from bot.core.ui import BaseModal, BaseView, report_error

log = logging.getLogger(__name__)

POST_KIND = "checkin:post"
REMIND_KIND = "checkin:remind"
SNOOZE_KIND = "checkin:snooze"
RECAP_KIND = "checkin:recap"
SNOOZE = timedelta(hours=1)
DM_CLOSED = 50007
PAUSE_MAX_DAYS = 366
#: How long a group's timezone is remembered; a /setup or /timezone change forgets it at once.
ZONE_CACHE_TTL = timedelta(minutes=5)

POST_TEXT = (
    "🌤️ **Daily check-in.** How are you, really? Take a breath and name it.\n"
    "It's private unless you choose to share. Press **Check in** below, or use `/checkin now`."
)
REMINDER_TEXT = (
    "Hi, a gentle reminder: you haven't checked in today yet. It takes a minute, and it stays "
    "private unless you choose to share."
)
DM_CLOSED_NOTICE = (
    "I couldn't send you a DM because your DMs from this server are closed, so I've stopped that "
    "check-in DM (reminders or weekly recap). If you want it back, allow DMs (Server menu → "
    "Privacy Settings) and run `/checkin remind` or `/checkin recap` again."
)


def _cog(interaction: discord.Interaction[Any]) -> Checkins:
    cog = interaction.client.get_cog("Checkins")
    assert isinstance(cog, Checkins)
    return cog


# -- persistent buttons (work after restarts and on old posts) ---------------------------------


class CheckinButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"checkin:open:(?P<gid>\d+)"):
    """**Check in**: on the daily post and in reminder DMs; opens the modal for that group."""

    def __init__(self, guild_id: int) -> None:
        self.guild_id = guild_id
        super().__init__(
            discord.ui.Button(
                label="Check in",
                style=discord.ButtonStyle.primary,
                emoji="📝",
                custom_id=f"checkin:open:{guild_id}",
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> CheckinButton:
        return cls(int(match["gid"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        try:
            await _cog(interaction).open_checkin(interaction, self.guild_id, yesterday=False)
        except Exception as error:
            await report_error(interaction, error)


class SnoozeButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"checkin:snooze:(?P<gid>\d+)"):
    """Snooze a reminder for one hour (once a day)."""

    def __init__(self, guild_id: int) -> None:
        self.guild_id = guild_id
        super().__init__(
            discord.ui.Button(
                label="Snooze 1 hour",
                style=discord.ButtonStyle.secondary,
                custom_id=f"checkin:snooze:{guild_id}",
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> SnoozeButton:
        return cls(int(match["gid"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        try:
            await _cog(interaction).snooze(interaction, self.guild_id)
        except Exception as error:
            await report_error(interaction, error)


class StopButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"checkin:stop:(?P<gid>\d+)"):
    """Stop reminders from a reminder DM."""

    def __init__(self, guild_id: int) -> None:
        self.guild_id = guild_id
        super().__init__(
            discord.ui.Button(
                label="Stop reminders",
                style=discord.ButtonStyle.secondary,
                custom_id=f"checkin:stop:{guild_id}",
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> StopButton:
        return cls(int(match["gid"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        try:
            await _cog(interaction).stop_reminders(interaction, self.guild_id)
        except Exception as error:
            await report_error(interaction, error)


class RecapStopButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"checkin:recapoff:(?P<gid>\d+)"
):
    """Stop the weekly recap from the recap DM itself."""

    def __init__(self, guild_id: int) -> None:
        self.guild_id = guild_id
        super().__init__(
            discord.ui.Button(
                label="Stop weekly recap",
                style=discord.ButtonStyle.secondary,
                custom_id=f"checkin:recapoff:{guild_id}",
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> RecapStopButton:
        return cls(int(match["gid"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        try:
            await _cog(interaction).stop_recap(interaction, self.guild_id)
        except Exception as error:
            await report_error(interaction, error)


def recap_view(guild_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(RecapStopButton(guild_id))
    return view


def post_view(guild_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(CheckinButton(guild_id))
    return view


def reminder_view(guild_id: int, *, snooze: bool = True) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(CheckinButton(guild_id))
    if snooze:
        view.add_item(SnoozeButton(guild_id))
    view.add_item(StopButton(guild_id))
    return view


# -- the modal and its follow-ups --------------------------------------------------------------


class CheckinModal(BaseModal):
    """Mood (radio), common emotion words, a family for more words, a private note, share."""

    def __init__(self, cog: Checkins, guild_id: int, day: date, *, yesterday: bool) -> None:
        super().__init__(title="Check in for yesterday" if yesterday else "Daily check-in", timeout=900)
        self.cog = cog
        self.guild_id = guild_id
        self.day = day
        vocabulary = cog.bot.content.emotions
        self.mood: discord.ui.RadioGroup[Any] = discord.ui.RadioGroup(
            custom_id="checkin:mood",
            options=[
                discord.RadioGroupOption(label=f"{emoji} {words}", value=str(value))
                for value, (words, emoji) in sorted(MOODS.items(), reverse=True)
            ],
        )
        self.emotions: discord.ui.Select[Any] = discord.ui.Select(
            custom_id="checkin:emotions",
            placeholder="Pick up to three",
            min_values=0,
            max_values=MAX_EMOTIONS,
            required=False,
            options=[
                discord.SelectOption(label=w.label, value=w.value, description=w.description)
                for w in common_words(vocabulary)
            ],
        )
        self.family: discord.ui.Select[Any] = discord.ui.Select(
            custom_id="checkin:family",
            placeholder="Optional: a family of feelings",
            min_values=0,
            max_values=1,
            required=False,
            options=[
                discord.SelectOption(label=f.label, value=f.id, emoji=f.emoji) for f in vocabulary.families
            ],
        )
        self.note: discord.ui.TextInput[Any] = discord.ui.TextInput(
            custom_id="checkin:note",
            style=discord.TextStyle.paragraph,
            max_length=NOTE_MAX,
            required=False,
            placeholder="Only you can see this",
        )
        self.share: discord.ui.Checkbox[Any] = discord.ui.Checkbox(custom_id="checkin:share")
        self.add_item(discord.ui.Label(text="How are you, overall?", component=self.mood))
        self.add_item(discord.ui.Label(text="Name what you feel", component=self.emotions))
        self.add_item(
            discord.ui.Label(
                text="Want a more precise word?",
                description="Pick a family; I'll show all its words after you submit",
                component=self.family,
            )
        )
        self.add_item(discord.ui.Label(text="Private note (optional)", component=self.note))
        self.add_item(
            discord.ui.Label(
                text="Share with the group",
                description="Posts your mood and feelings in the check-in channel, never the note",
                component=self.share,
            )
        )

    async def on_submit(self, interaction: discord.Interaction[Any], /) -> None:
        if self.mood.value is None or not self.mood.value.isdigit() or int(self.mood.value) not in MOODS:
            raise UserError("Please choose how you are, from Very low to Great, then submit again.")
        vocabulary = self.cog.bot.content.emotions
        await self.cog.record(
            interaction,
            self.guild_id,
            self.day,
            mood=int(self.mood.value),
            emotions=clean_emotions(self.emotions.values, vocabulary),
            note=(self.note.value or "").strip() or None,
            shared=bool(self.share.value),
            family=self.family.values[0] if self.family.values else None,
        )


class MoreWordsView(BaseView):
    """After submitting: all words of the chosen family, added to the check-in."""

    def __init__(
        self,
        cog: Checkins,
        guild_id: int,
        user_id: int,
        day: date,
        family_id: str,
        card: discord.Message | None,
    ) -> None:
        super().__init__(timeout=900)
        self.cog, self.guild_id, self.user_id, self.day, self.card = cog, guild_id, user_id, day, card
        family = next(f for f in cog.bot.content.emotions.families if f.id == family_id)
        select: discord.ui.Select[Any] = discord.ui.Select(
            custom_id="checkin:more",
            placeholder=f"{family.label}: pick up to three",
            min_values=1,
            max_values=min(MAX_EMOTIONS, len(family.words)),
            options=[
                discord.SelectOption(label=w.label, value=w.value, description=w.description)
                for w in family.words
            ],
        )
        select.callback = self.picked  # type: ignore[method-assign]
        self.select = select
        self.add_item(select)

    async def picked(self, interaction: discord.Interaction[Any]) -> None:
        await self.cog.add_words(interaction, self, list(self.select.values))


class GroupPicker(BaseView):
    """In DMs, for a member of several groups: which group is this check-in for?"""

    def __init__(self, cog: Checkins, guilds: list[tuple[int, str]], *, yesterday: bool) -> None:
        super().__init__(timeout=600)
        self.cog, self.yesterday = cog, yesterday
        select: discord.ui.Select[Any] = discord.ui.Select(
            custom_id="checkin:pick-group",
            placeholder="Which group?",
            options=[discord.SelectOption(label=name[:100], value=str(gid)) for gid, name in guilds[:25]],
        )
        select.callback = self.picked  # type: ignore[method-assign]
        self.select = select
        self.add_item(select)

    async def picked(self, interaction: discord.Interaction[Any]) -> None:
        await self.cog.open_checkin(interaction, int(self.select.values[0]), yesterday=self.yesterday)


# -- the cog -----------------------------------------------------------------------------------


async def _reply(interaction: discord.Interaction[Any], content: str, **kwargs: Any) -> None:
    if interaction.response.is_done():
        await interaction.followup.send(content, ephemeral=True, **kwargs)
    else:
        await interaction.response.send_message(content, ephemeral=True, **kwargs)


class Checkins(commands.Cog):
    """Daily check-ins and everything around them."""

    checkin = app_commands.Group(
        name="checkin",
        description="Your daily check-in",
        allowed_contexts=app_commands.AppCommandContext(guild=True, dm_channel=True, private_channel=False),
    )
    group = app_commands.Group(
        name="group",
        description="Facilitator tools for the group",
        guild_only=True,
        default_permissions=discord.Permissions(manage_guild=True),
    )

    def __init__(self, bot: ResilienceBot) -> None:
        self.bot = bot
        self.repo = CheckinRepository(bot.db)
        # guild id -> (group timezone, remembered until): the 09:00 burst asks for it on every
        # press and submit. Forgotten in ``rederive`` (any /setup or /timezone change).
        self._zones: dict[int, tuple[str, datetime]] = {}

    async def cog_load(self) -> None:
        self.bot.scheduler.register(POST_KIND, self.post_daily)
        self.bot.scheduler.register(REMIND_KIND, self.send_reminder)
        self.bot.scheduler.register(SNOOZE_KIND, self.send_snoozed)
        self.bot.scheduler.register(RECAP_KIND, self.send_recap)
        for kind in (REMIND_KIND, SNOOZE_KIND):
            self.bot.outbox.on_dm_closed(kind, self._reminder_refused)
        self.bot.outbox.on_dm_closed(RECAP_KIND, self._recap_refused)
        self.bot.on_config_change(self.rederive)

    async def cog_unload(self) -> None:
        for kind in (POST_KIND, REMIND_KIND, SNOOZE_KIND, RECAP_KIND):
            self.bot.scheduler.unregister(kind)
        self.bot.remove_config_listener(self.rederive)

    # -- helpers ------------------------------------------------------------------------------

    async def member_zone(self, guild_id: int, member: Member | None) -> str:
        """A member's own timezone, else the group's: their "today" and their reminders follow it."""
        if member is not None and member.timezone:
            return member.timezone
        return await self.group_zone(guild_id)

    async def group_zone(self, guild_id: int) -> str:
        """``bot.group_timezone``, remembered briefly (see ``_zones``)."""
        now = self.bot.clock.now()
        cached = self._zones.get(guild_id)
        if cached is not None and now < cached[1]:
            return cached[0]
        zone = await self.bot.group_timezone(guild_id)
        self._zones[guild_id] = (zone, now + ZONE_CACHE_TTL)
        return zone

    async def today_for(self, guild_id: int, member: Member | None) -> date:
        return local_day(self.bot.clock.now(), await self.member_zone(guild_id, member))

    async def streak(self, guild_id: int, user_id: int, today: date) -> Streak:
        days, pauses = await self.repo.streak_inputs(guild_id, user_id)
        return compute_streak(days, today, pauses)

    async def dm_notice(self, member: Member | None) -> str:
        """Tell a member once that their DMs are closed and reminders stopped."""
        if member is None or not member.dm_closed or member.dm_closed_told:
            return ""
        await self.bot.members.mark_dm_closed_told(member.guild_id, member.user_id)
        return "\n\n" + DM_CLOSED_NOTICE

    async def resolve_guild(self, interaction: discord.Interaction[Any]) -> int:
        """The group a command is about: this server, or in DMs the member's one group."""
        if interaction.guild is not None:
            return interaction.guild.id
        guild_ids = await self.bot.members.guilds_of(interaction.user.id)
        if not guild_ids:
            raise UserError(
                "I don't have you in any group yet. Run `/checkin now` inside your group's server."
            )
        if len(guild_ids) > 1:
            raise UserError("You're in more than one group, so please run this inside that group's server.")
        return guild_ids[0]

    def display_name(self, guild_id: int, user: discord.abc.User) -> str:
        guild = self.bot.get_guild(guild_id)
        member = guild.get_member(user.id) if guild else None
        return (member or user).display_name

    # -- /checkin now ---------------------------------------------------------------------------

    @checkin.command(name="now", description="Check in: how are you today?")
    @app_commands.describe(day="Today, or yesterday if you missed it")
    async def now(
        self, interaction: discord.Interaction[Any], day: Literal["today", "yesterday"] = "today"
    ) -> None:
        yesterday = day == "yesterday"
        if interaction.guild is not None:
            await self.open_checkin(interaction, interaction.guild.id, yesterday=yesterday)
            return
        guild_ids = await self.bot.members.guilds_of(interaction.user.id)
        if not guild_ids:
            raise UserError(
                "I don't have you in any group yet. Run `/checkin now` inside your group's server first."
            )
        if len(guild_ids) == 1:
            await self.open_checkin(interaction, guild_ids[0], yesterday=yesterday)
            return
        names = [(gid, g.name if (g := self.bot.get_guild(gid)) else f"Group {gid}") for gid in guild_ids]
        await interaction.response.send_message(
            "Which group is this check-in for?",
            view=GroupPicker(self, names, yesterday=yesterday),
            ephemeral=True,
        )

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
            await _reply(interaction, content, view=view)
        else:
            await _reply(interaction, content)

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

    # -- /checkin history -------------------------------------------------------------------------

    @checkin.command(name="history", description="Your moods over time, as a chart (only you see it)")
    @app_commands.describe(days="How far back to look")
    async def history(self, interaction: discord.Interaction[Any], days: Literal[7, 30, 90] = 7) -> None:
        guild_id = await self.resolve_guild(interaction)
        member = await self.bot.members.get(guild_id, interaction.user.id)
        if member is None:
            raise UserError("There's nothing saved about you yet. Start with `/checkin now`.")
        await interaction.response.defer(ephemeral=True, thinking=True)
        today = await self.today_for(guild_id, member)
        first = today - timedelta(days=days - 1)
        rows = await self.repo.history(guild_id, interaction.user.id, first, today)
        streak = await self.streak(guild_id, interaction.user.id, today)
        summary = summarize_history([(c.day, c.mood, c.emotions) for c in rows], days)
        points = history_points([(c.day, c.mood) for c in rows], today, days)
        png = await asyncio.to_thread(mood_history_png, points, title=f"Your mood, last {days} days")
        text = history_text(summary, streak, self.bot.content.emotions) + await self.dm_notice(member)
        await interaction.followup.send(
            text, file=discord.File(io.BytesIO(png), filename="mood-history.png"), ephemeral=True
        )

    # -- /checkin pause ---------------------------------------------------------------------------

    @checkin.command(name="pause", description="Pause check-ins (holidays): your streak waits for you")
    @app_commands.describe(until="Last day of the pause, like 2026-12-31, or 'off' to end it")
    async def pause(self, interaction: discord.Interaction[Any], until: str) -> None:
        guild_id = await self.resolve_guild(interaction)

        async def then(inter: discord.Interaction[Any], member: Member) -> None:
            today = await self.today_for(guild_id, member)
            notice = await self.dm_notice(member)
            if until.strip().lower() == "off":
                await self.repo.end_pauses(guild_id, inter.user.id, today)
                await _reply(inter, "Welcome back: your pause is over and your streak carries on." + notice)
                return
            last = parse_date(until)
            if last < today:
                raise UserError(
                    f"That day has passed. Pick today or later, like `{today + timedelta(days=7)}`."
                )
            if last > today + timedelta(days=PAUSE_MAX_DAYS):
                raise UserError(
                    f"A pause can be up to a year. Try a closer day, like `{today + timedelta(days=14)}`."
                )
            await self.repo.add_pause(guild_id, inter.user.id, today, last, self.bot.clock.now())
            await _reply(
                inter,
                f"Paused until **{last:%A %d %B %Y}**. No reminders until then, and your streak waits for "
                "you. Checking in during a pause still counts. End it early with `/checkin pause until:off`."
                + notice,
            )

        await self.bot.consent.require(interaction, guild_id, then)

    # -- /checkin remind --------------------------------------------------------------------------

    @checkin.command(name="remind", description="A daily DM reminder at your local time, or 'off'")
    @app_commands.describe(time="Your local time, like 20:30 or 8pm, or 'off'")
    async def remind(self, interaction: discord.Interaction[Any], time: str) -> None:
        guild_id = await self.resolve_guild(interaction)
        off = time.strip().lower() == "off"
        at = None if off else parse_time(time)

        async def then(inter: discord.Interaction[Any], member: Member) -> None:
            notice = await self.dm_notice(member)
            if at is None:
                await self.remove_reminder(guild_id, inter.user.id)
                await _reply(
                    inter, "Reminders are off. Turn them on again any time with `/checkin remind`." + notice
                )
                return
            zone = await self.member_zone(guild_id, member)
            await self.repo.set_reminder(guild_id, inter.user.id, at, self.bot.clock.now())
            if member.dm_closed:
                # They asked again: try again (a refusal stops it once more).
                await self.bot.members.clear_dm_closed(guild_id, inter.user.id)
            await self._schedule_reminder(guild_id, inter.user.id, at, zone)
            await _reply(
                inter,
                f"I'll DM you at **{at:%H:%M}** ({zone}) on days you haven't checked in yet. "
                "Make sure DMs from this server are allowed. Stop with `/checkin remind time:off`." + notice,
            )

        await self.bot.consent.require(interaction, guild_id, then)

    async def _schedule_reminder(self, guild_id: int, user_id: int, at: Any, zone: str) -> None:
        rule = Rule.daily(at, ZoneInfo(zone))
        existing = await self.bot.scheduler.get(guild_id, REMIND_KIND, str(user_id))
        if existing is None or existing.rule != rule:
            await self.bot.scheduler.set(guild_id, REMIND_KIND, rule, key=str(user_id))

    async def remove_reminder(self, guild_id: int, user_id: int) -> None:
        await self.repo.delete_reminder(guild_id, user_id)
        await self.bot.scheduler.remove(guild_id, REMIND_KIND, str(user_id))
        await self.bot.scheduler.remove(guild_id, SNOOZE_KIND, str(user_id))

    async def send_reminder(self, schedule: Schedule, occurrence: datetime) -> None:
        await self._remind(schedule, occurrence, snoozed=False)

    async def send_snoozed(self, schedule: Schedule, occurrence: datetime) -> None:
        await self._remind(schedule, occurrence, snoozed=True)

    async def _remind(self, schedule: Schedule, occurrence: datetime, *, snoozed: bool) -> None:
        guild_id, user_id = schedule.guild_id, int(schedule.key)
        if await self.repo.get_reminder(guild_id, user_id) is None:
            return
        member = await self.bot.members.get(guild_id, user_id)
        if member is None or member.left or member.dm_closed:
            return
        day = local_day(occurrence, await self.member_zone(guild_id, member))
        if await self.repo.get(guild_id, user_id, day) is not None:
            return  # already checked in today
        if any(a <= day <= b for a, b in await self.repo.pauses(guild_id, user_id)):
            return
        if not snoozed and not await self.repo.claim_reminder_day(guild_id, user_id, day):
            return  # never more than one reminder a day
        # Through the outbox: paced under the global limit with the rest of the 09:00 fan-out,
        # sent once across crashes (its nonce), retried through outages.
        await self.bot.outbox.enqueue(
            guild_id=guild_id,
            kind=schedule.kind,
            key=occurrence_key(schedule, occurrence),
            user_id=user_id,
            content=REMINDER_TEXT,
            view=reminder_view(guild_id, snooze=not snoozed),
            priority=PRIORITY_DM,
        )

    async def _reminder_refused(self, row: OutboxRow) -> None:
        """The outbox met 50007 (and marked the member): stop their reminders."""
        guild_id, user_id = row.guild_id, row.user_id
        if user_id is None:
            return
        log.info("reminder DM refused (50007) in guild %s; reminders stopped", guild_id)
        await self.repo.delete_reminder(guild_id, user_id)
        # The schedule row is disabled, not deleted: the scheduler's ledger refers to it.
        schedule = await self.bot.scheduler.get(guild_id, REMIND_KIND, str(user_id))
        if schedule is not None:
            await self.bot.scheduler.set(
                guild_id, REMIND_KIND, schedule.rule, key=schedule.key, enabled=False
            )
        if row.kind == REMIND_KIND:
            await self.bot.scheduler.remove(guild_id, SNOOZE_KIND, str(user_id))

    async def snooze(self, interaction: discord.Interaction[Any], guild_id: int) -> None:
        user_id = interaction.user.id
        if await self.repo.get_reminder(guild_id, user_id) is None:
            raise UserError("Reminders are off for you. Turn them on with `/checkin remind`.")
        member = await self.bot.members.get(guild_id, user_id)
        zone = await self.member_zone(guild_id, member)
        now = self.bot.clock.now()
        if not await self.repo.claim_snooze_day(guild_id, user_id, local_day(now, zone)):
            raise UserError("You've already snoozed today's reminder once. Check in whenever you're ready.")
        at = now + SNOOZE
        await self.bot.scheduler.set(guild_id, SNOOZE_KIND, Rule.once(at, ZoneInfo(zone)), key=str(user_id))
        await interaction.response.edit_message(
            content=f"{REMINDER_TEXT}\n\nSnoozed: I'll ask again <t:{int(at.timestamp())}:R>.",
            view=reminder_view(guild_id, snooze=False),
        )

    async def stop_reminders(self, interaction: discord.Interaction[Any], guild_id: int) -> None:
        await self.remove_reminder(guild_id, interaction.user.id)
        await interaction.response.edit_message(
            content="Reminders are off. You can turn them on again with `/checkin remind`.", view=None
        )

    # -- /checkin recap ----------------------------------------------------------------------------

    @checkin.command(name="recap", description="A weekly DM recap of your check-ins, or 'off'")
    @app_commands.describe(day="The day you'd like it, in the evening, or 'off'")
    async def recap(
        self,
        interaction: discord.Interaction[Any],
        day: Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "off"],
    ) -> None:
        guild_id = await self.resolve_guild(interaction)

        async def then(inter: discord.Interaction[Any], member: Member) -> None:
            notice = await self.dm_notice(member)
            if day == "off":
                await self.remove_recap(guild_id, inter.user.id)
                await _reply(
                    inter, "Weekly recap is off. Turn it on again any time with `/checkin recap`." + notice
                )
                return
            weekday = WEEKDAYS.index(day)
            zone = await self.member_zone(guild_id, member)
            await self.repo.set_recap(guild_id, inter.user.id, weekday, self.bot.clock.now())
            if member.dm_closed:
                # They asked again: try again (a refusal stops it once more).
                await self.bot.members.clear_dm_closed(guild_id, inter.user.id)
            await self._schedule_recap(guild_id, inter.user.id, weekday, zone)
            await _reply(
                inter,
                f"Every **{day.capitalize()}** at {RECAP_TIME:%H:%M} ({zone}) I'll DM you a short recap of "
                "your week: your moods, the feelings you named, skills you practised and your streak. "
                "Never your notes. A week without check-ins gets no recap. Make sure DMs from this server "
                "are allowed. Stop with `/checkin recap day:off`." + notice,
            )

        await self.bot.consent.require(interaction, guild_id, then)

    async def _schedule_recap(self, guild_id: int, user_id: int, weekday: int, zone: str) -> None:
        rule = Rule.weekly({weekday}, RECAP_TIME, ZoneInfo(zone))
        existing = await self.bot.scheduler.get(guild_id, RECAP_KIND, str(user_id))
        if existing is None or existing.rule != rule or not existing.enabled:
            await self.bot.scheduler.set(guild_id, RECAP_KIND, rule, key=str(user_id))

    async def remove_recap(self, guild_id: int, user_id: int) -> None:
        await self.repo.delete_recap(guild_id, user_id)
        await self.bot.scheduler.remove(guild_id, RECAP_KIND, str(user_id))

    async def send_recap(self, schedule: Schedule, occurrence: datetime) -> None:
        """The member's weekly recap, through the outbox; nothing for a week without check-ins."""
        guild_id, user_id = schedule.guild_id, int(schedule.key)
        if await self.repo.get_recap(guild_id, user_id) is None:
            return
        member = await self.bot.members.get(guild_id, user_id)
        if member is None or member.left or member.dm_closed:
            return
        last = local_day(occurrence, await self.member_zone(guild_id, member))
        first, last = recap_week(last)
        week = await self.repo.week_moods(guild_id, user_id, first, last)
        if not week:
            return  # silence rather than a report of absence: no recap for an empty week
        practised = await self.repo.skills_practised(guild_id, user_id, first, last)
        skills = self.bot.content.skills
        titles = [(skills[sid].title if sid in skills else _skill_label(sid), n) for sid, n in practised]
        streak = await self.streak(guild_id, user_id, last)
        guild = self.bot.get_guild(guild_id)
        text = recap_text(
            last,
            [(c.day, c.mood, c.emotions) for c in week],
            titles,
            streak,
            self.bot.content.emotions,
            group_name=guild.name if guild else None,
        )
        if text is None or not await self.repo.claim_recap_day(guild_id, user_id, last):
            return
        await self.bot.outbox.enqueue(
            guild_id=guild_id,
            kind=RECAP_KIND,
            key=occurrence_key(schedule, occurrence),
            user_id=user_id,
            content=text[:2000],
            view=recap_view(guild_id),
            allowed_mentions=discord.AllowedMentions.none(),
            priority=PRIORITY_DIGEST,
        )

    async def _recap_refused(self, row: OutboxRow) -> None:
        """The outbox met 50007 on a recap (and marked the member): stop their recap."""
        guild_id, user_id = row.guild_id, row.user_id
        if user_id is None:
            return
        log.info("recap DM refused (50007) in guild %s; recap stopped", guild_id)
        await self.repo.delete_recap(guild_id, user_id)
        # Disabled, not deleted: the scheduler's ledger refers to it.
        schedule = await self.bot.scheduler.get(guild_id, RECAP_KIND, str(user_id))
        if schedule is not None:
            await self.bot.scheduler.set(guild_id, RECAP_KIND, schedule.rule, key=schedule.key, enabled=False)

    async def stop_recap(self, interaction: discord.Interaction[Any], guild_id: int) -> None:
        """Stop from the recap DM: the recap stays readable, the button goes, a line says so."""
        await self.remove_recap(guild_id, interaction.user.id)
        stopped = "\n\nWeekly recap is off. You can turn it on again with `/checkin recap`."
        kept = interaction.message.content if interaction.message else ""
        await interaction.response.edit_message(
            content=kept[: 2000 - len(stopped)] + stopped,
            view=None,
            allowed_mentions=discord.AllowedMentions.none(),
        )

    @commands.Cog.listener()
    async def on_member_remove(self, member: discord.Member) -> None:
        """Someone left the server: their reminders and weekly recap stop at once."""
        await self.remove_reminder(member.guild.id, member.id)
        await self.remove_recap(member.guild.id, member.id)

    # -- the daily post ---------------------------------------------------------------------------

    async def rederive(self, guild_id: int) -> None:
        """``/setup`` or ``/timezone`` changed: re-derive the daily post and members' reminders."""
        self._zones.pop(guild_id, None)
        config = await self.bot.guilds_repo.get(guild_id)
        zone = await self.group_zone(guild_id)
        existing = await self.bot.scheduler.get(guild_id, POST_KIND)
        if config.checkin_time is None or config.channel("checkins") is None:
            if existing is not None:
                await self.bot.scheduler.remove(guild_id, POST_KIND)
        else:
            rule = Rule.daily(config.checkin_time, ZoneInfo(zone))
            if existing is None or existing.rule != rule:
                await self.bot.scheduler.set(guild_id, POST_KIND, rule)
        for reminder in await self.repo.reminders(guild_id):
            member = await self.bot.members.get(guild_id, reminder.user_id)
            member_zone = member.timezone if member and member.timezone else zone
            await self._schedule_reminder(guild_id, reminder.user_id, reminder.local_time, member_zone)
        for recap in await self.repo.recaps(guild_id):
            member = await self.bot.members.get(guild_id, recap.user_id)
            member_zone = member.timezone if member and member.timezone else zone
            await self._schedule_recap(guild_id, recap.user_id, recap.weekday, member_zone)

    async def post_daily(self, schedule: Schedule, occurrence: datetime) -> None:
        config = await self.bot.guilds_repo.get(schedule.guild_id)
        channel_id = config.channel("checkins")
        channel = self.bot.get_channel(channel_id) if channel_id else None
        if not isinstance(channel, discord.TextChannel | discord.Thread):
            log.warning("no check-in channel for guild %s; daily post skipped", schedule.guild_id)
            return
        # Through the outbox with the rest of the 09:00 fan-out: paced, sent once, retried.
        await self.bot.outbox.enqueue(
            guild_id=schedule.guild_id,
            kind=schedule.kind,
            key=occurrence_key(schedule, occurrence),
            channel_id=channel.id,
            content=POST_TEXT,
            view=post_view(schedule.guild_id),
            allowed_mentions=discord.AllowedMentions.none(),
            priority=PRIORITY_POST,
        )

    # -- /group pulse -----------------------------------------------------------------------------

    @group.command(name="pulse", description="How the group is doing: check-ins, mood, feelings")
    @app_commands.describe(days="How many days to look at (7 to 90)")
    @facilitator_only()
    async def pulse(
        self, interaction: discord.Interaction[Any], days: app_commands.Range[int, 7, 90] = 14
    ) -> None:
        assert interaction.guild is not None
        guild_id = interaction.guild.id
        await interaction.response.defer(ephemeral=True, thinking=True)
        members = await self.bot.members.list_active(guild_id)
        sharing = [m for m in members if m.share_checkins in ("aggregate", "named")]
        followup = [m.user_id for m in sharing if m.facilitator_followup]
        today = local_day(self.bot.clock.now(), await self.bot.group_timezone(guild_id))
        first = today - timedelta(days=max(days, 14) - 1)
        rows = await self.repo.group_range(guild_id, [m.user_id for m in sharing], first, today)
        pulse = compute_pulse(
            [PulseRow(c.user_id, c.day, c.mood, c.emotions) for c in rows], today, days, followup
        )
        png = await asyncio.to_thread(
            group_pulse_png, pulse.days, pulse.counts, pulse.avg_mood, title=f"Group pulse, last {days} days"
        )
        vocabulary = self.bot.content.emotions
        total = sum(pulse.counts)
        lines = [
            f"**Group pulse, last {days} days**",
            f"Counted over the {len(sharing)} member{'s' if len(sharing) != 1 else ''} who share check-ins "
            f"with the group: {total} check-in{'s' if total != 1 else ''}.",
        ]
        if pulse.top_emotions:
            labels = emotion_labels([v for v, _ in pulse.top_emotions], vocabulary)
            named = ", ".join(f"{lab} ({n})" for lab, (_, n) in zip(labels, pulse.top_emotions, strict=True))
            lines.append(f"Most named feelings: {named}.")
        if pulse.dropped:
            who = "member's" if pulse.dropped == 1 else "members'"
            lines.append(
                f"{pulse.dropped} {who} mood dropped by 1.5 points or more this week against the week before."
            )
            if pulse.dropped_named:
                mentions = ", ".join(f"<@{uid}>" for uid in pulse.dropped_named)
                lines.append(f"Open to a check-in from a facilitator: {mentions}.")
        else:
            lines.append("No one's mood dropped sharply this week.")
        await interaction.followup.send(
            "\n".join(lines),
            file=discord.File(io.BytesIO(png), filename="group-pulse.png"),
            ephemeral=True,
            allowed_mentions=discord.AllowedMentions.none(),
        )


def _skill_label(skill_id: str) -> str:
    """A readable name for a skill the shipped library does not know (e.g. a group's own)."""
    return skill_id.replace("-", " ").replace("_", " ").capitalize()


async def setup(bot: ResilienceBot) -> None:
    bot.add_dynamic_items(CheckinButton, SnoozeButton, StopButton, RecapStopButton)
    await bot.add_cog(Checkins(bot))
