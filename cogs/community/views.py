"""The session reminder's persistent RSVP buttons, and the prompt card."""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Self

import discord

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


def rsvp_view(day: date) -> discord.ui.View:
    """Going / Can't make it under a reminder for the session on ``day``."""
    view = discord.ui.View(timeout=None)
    view.add_item(RsvpButton(day.isoformat(), "yes"))
    view.add_item(RsvpButton(day.isoformat(), "no"))
    return view


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
