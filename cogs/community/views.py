"""The session reminder's persistent RSVP buttons and the community's cards: the prompt card
(an embed), and the Components V2 cards for milestones, celebrations, session reminders and the
pre-session digest (``bot/core/cards.py`` fits them to Discord's limits)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Self

import discord

from bot.core.cards import Buttons, Card, Gallery, Media, Text, card
from bot.core.outbox_payload import Attachment
from bot.core.ui import PersistentButton, cog_of

# The button imports the cog inside ``run``: the cog's module imports this one to build views.


class RsvpButton(PersistentButton, template=r"session:rsvp:(?P<day>\d{4}-\d{2}-\d{2}):(?P<answer>yes|no)"):
    """**Going** / **Can't make it** on a session reminder (after consent)."""

    def __init__(self, day: str, answer: str) -> None:
        going = answer == "yes"
        super().__init__(
            f"session:rsvp:{day}:{answer}",
            label="Going" if going else "Can't make it",
            style=discord.ButtonStyle.success if going else discord.ButtonStyle.secondary,
        )
        self.day = day
        self.going = going

    @classmethod
    def from_match(cls, match: re.Match[str]) -> Self:
        return cls(match["day"], match["answer"])

    async def run(self, interaction: discord.Interaction[Any]) -> None:
        from cogs.community.sessions import Sessions

        await cog_of(interaction, Sessions).rsvp(interaction, self.day, self.going)


WINS_COLOUR = 0xF1C40F
SESSION_COLOUR = 0x57A773
DIGEST_COLOUR = 0x8E7CC3


def milestone_card(text: str) -> Card:
    """A milestone in the wins channel: the words (the member's mention in them), then an invite."""
    return card(Text(text), Text("-# Join in with a reaction below."), accent=WINS_COLOUR)


def celebration_card(text: str) -> Card:
    """A member's ``/celebrate`` in the wins channel."""
    return card(Text(text), accent=WINS_COLOUR)


def reminder_card(text: str, day: date | None = None, *, note: str | None = None) -> Card:
    """A session reminder: its lines, Going / Can't make it (in the channel), a quiet note (a DM)."""
    buttons = (
        Buttons((RsvpButton(day.isoformat(), "yes"), RsvpButton(day.isoformat(), "no"))) if day else None
    )
    return card(Text(text), buttons, Text(f"-# {note}") if note else None, accent=SESSION_COLOUR)


def digest_card(text: str, chart: Attachment | None) -> Card:
    """The pre-session digest for facilitators, its chart below it with the chart's words as alt text."""
    gallery = Gallery((Media(f"attachment://{chart.filename}", chart.description),)) if chart else None
    return card(Text(text), gallery, accent=DIGEST_COLOUR)


def prompt_embed(text: str) -> discord.Embed:
    embed = discord.Embed(title="Something to reflect on", description=text, colour=discord.Colour.teal())
    embed.set_footer(text="Share as much or as little as you like.")
    return embed


def thread_name(text: str) -> str:
    """The prompt's first line if it fits, else its first sentence, else its start cut at a word."""
    limit = 90
    name = text.split("\n", 1)[0]
    if len(name) <= limit:
        return name
    sentence = re.match(r".+?[?!.](?=\s|$)", name)
    if sentence is not None and len(sentence[0]) <= limit:
        return sentence[0]
    return name[:limit].rsplit(" ", 1)[0] + "…"
