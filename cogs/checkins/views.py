"""The check-in buttons (work after restarts and on old posts), the check-in modal and its
follow-ups: the family's words after submitting, and the group picker in DMs.

The check-in modal holds at most five controls, so emotion words come in two steps:

1. In the modal, one select offers up to 25 common words taken fairly from every family of the
   feelings wheel (pick up to three), and a second select offers the *families* themselves
   ("Want a more precise word?").
2. If a family was picked, the private confirmation carries a select with that family's words
   (each family holds at most 25), and what is picked there is added to the check-in.

So everyday words take one step, and all 56 words stay reachable in two.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

import discord

from bot.checkins.logic import MAX_EMOTIONS, MOODS, NOTE_MAX, clean_emotions, common_words
from bot.core.cards import Card, Divider, Section, Text, card
from bot.core.errors import UserError
from bot.core.ui import BaseModal, BaseView, IdButton, cog_of

if TYPE_CHECKING:
    from cogs.checkins.form import CheckinForm

# The buttons import the cog inside ``run``: the cog's modules import this one to build views.

# -- persistent buttons (work after restarts and on old posts) ---------------------------------


class CheckinButton(IdButton, prefix="checkin:open"):
    """**Check in**: on the daily post and in reminder DMs; opens the modal for that group."""

    label = "Check in"
    style = discord.ButtonStyle.primary
    emoji = "📝"

    async def run(self, interaction: discord.Interaction[Any]) -> None:
        from cogs.checkins.commands import Checkins

        await cog_of(interaction, Checkins).open_checkin(interaction, self.target_id, yesterday=False)


class SnoozeButton(IdButton, prefix="checkin:snooze"):
    """Snooze a reminder for one hour (once a day)."""

    label = "Snooze 1 hour"

    async def run(self, interaction: discord.Interaction[Any]) -> None:
        from cogs.checkins.commands import Checkins

        await cog_of(interaction, Checkins).snooze(interaction, self.target_id)


class StopButton(IdButton, prefix="checkin:stop"):
    """Stop reminders from a reminder DM."""

    label = "Stop reminders"

    async def run(self, interaction: discord.Interaction[Any]) -> None:
        from cogs.checkins.commands import Checkins

        await cog_of(interaction, Checkins).stop_reminders(interaction, self.target_id)


class RecapStopButton(IdButton, prefix="checkin:recapoff"):
    """Stop the weekly recap from the recap DM itself."""

    label = "Stop weekly recap"

    async def run(self, interaction: discord.Interaction[Any]) -> None:
        from cogs.checkins.commands import Checkins

        await cog_of(interaction, Checkins).stop_recap(interaction, self.target_id)


PERSISTENT_BUTTONS = (CheckinButton, SnoozeButton, StopButton, RecapStopButton)


def recap_view(guild_id: int) -> discord.ui.View:
    """Under a weekly recap DM: stop the recap."""
    view = discord.ui.View(timeout=None)
    view.add_item(RecapStopButton(guild_id))
    return view


POST_COLOUR = 0xF4B860  # a morning colour for the card's edge
POST_HEADING = "## 🌤️ Daily check-in"
POST_ASK = "How are you, really? Take a breath and name it."
POST_NOTE = "-# It's private unless you choose to share. Press **Check in**, or use `/checkin now`."


def post_card(guild_id: int) -> Card:
    """The daily post (Components V2): the question, the **Check in** button beside it, a quiet note.

    The button's custom id is the one posts have always carried (``checkin:open:<guild>``), so
    posts from before the card, and from before a restart, open the same form.
    """
    return card(
        Section((POST_HEADING, POST_ASK), accessory=CheckinButton(guild_id)),
        Divider(visible=False),
        Text(POST_NOTE),
        accent=POST_COLOUR,
    )


def reminder_view(guild_id: int, *, snooze: bool = True) -> discord.ui.View:
    """Under a reminder DM: check in, snooze (unless already snoozed), stop reminders."""
    view = discord.ui.View(timeout=None)
    view.add_item(CheckinButton(guild_id))
    if snooze:
        view.add_item(SnoozeButton(guild_id))
    view.add_item(StopButton(guild_id))
    return view


# -- the modal and its follow-ups --------------------------------------------------------------


class CheckinModal(BaseModal):
    """Mood (radio), common emotion words, a family for more words, a private note, share."""

    def __init__(self, cog: CheckinForm, guild_id: int, day: date, *, yesterday: bool) -> None:
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
        cog: CheckinForm,
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

    def __init__(self, cog: CheckinForm, guilds: list[tuple[int, str]], *, yesterday: bool) -> None:
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
