"""The daily card's persistent buttons and the facilitator's "write a skill" modal."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import discord

from bot.core.content import split_steps
from bot.core.content.models import REFLECTION_MAX, STEP_MAX, STEPS_MAX, TITLE_MAX, WHY_MAX
from bot.core.ui import BaseModal, IdButton, cog_of

if TYPE_CHECKING:
    from cogs.skills.commands import Skills

# The buttons import the cog inside ``run``: the cog's module imports this one to build cards.


class PractisedButton(IdButton, prefix="skill:practised"):
    """**I practised this**: logs once per member per skill per day (after consent)."""

    label = "I practised this"
    style = discord.ButtonStyle.success
    emoji = "\N{WHITE HEAVY CHECK MARK}"

    async def run(self, interaction: discord.Interaction[Any]) -> None:
        from cogs.skills.commands import Skills

        await cog_of(interaction, Skills).practised(interaction, self.target_id)


class SaveButton(IdButton, prefix="skill:save"):
    """**Save to my toolkit** (after consent)."""

    label = "Save to my toolkit"
    style = discord.ButtonStyle.primary
    emoji = "\N{BOOKMARK}"

    async def run(self, interaction: discord.Interaction[Any]) -> None:
        from cogs.skills.commands import Skills

        await cog_of(interaction, Skills).save(interaction, self.target_id)


class OtherButton(IdButton, prefix="skill:other"):
    """**Something else**: a private alternative of the same kind. Stores nothing."""

    label = "Something else"
    style = discord.ButtonStyle.secondary

    async def run(self, interaction: discord.Interaction[Any]) -> None:
        from cogs.skills.commands import Skills

        await cog_of(interaction, Skills).something_else(interaction, self.target_id)


CARD_BUTTONS = (PractisedButton, SaveButton, OtherButton)


class AddSkillModal(BaseModal, title="Write a skill for your group"):
    """Five text inputs; category, kind and tags come from the command's options."""

    skill_title: discord.ui.TextInput[Any] = discord.ui.TextInput(
        label="Title", custom_id="skill:add:title", max_length=TITLE_MAX, placeholder="Stretch and breathe"
    )
    why: discord.ui.TextInput[Any] = discord.ui.TextInput(
        label="Why it helps (one line)", custom_id="skill:add:why", max_length=WHY_MAX
    )
    steps: discord.ui.TextInput[Any] = discord.ui.TextInput(
        label="Steps (3 to 7, one per line)",
        custom_id="skill:add:steps",
        style=discord.TextStyle.paragraph,
        max_length=STEPS_MAX * (STEP_MAX + 4),
    )
    minutes: discord.ui.TextInput[Any] = discord.ui.TextInput(
        label="Minutes needed (1 to 60)", custom_id="skill:add:minutes", max_length=2, placeholder="5"
    )
    reflection: discord.ui.TextInput[Any] = discord.ui.TextInput(
        label="Reflection question",
        custom_id="skill:add:reflection",
        style=discord.TextStyle.paragraph,
        max_length=REFLECTION_MAX,
    )

    def __init__(self, cog: Skills, category: str, kind: str, good_for: list[str]) -> None:
        super().__init__(timeout=1800)
        self.cog = cog
        self.category = category
        self.kind = kind
        self.good_for = good_for

    async def on_submit(self, interaction: discord.Interaction[Any], /) -> None:
        assert interaction.guild is not None
        await self.cog.add_group_skill(
            interaction,
            {
                "title": self.skill_title.value,
                "why": self.why.value,
                "steps": split_steps(self.steps.value),
                "minutes": self.minutes.value,
                "reflection": self.reflection.value,
                "category": self.category,
                "kind": self.kind,
                "good_for": self.good_for,
            },
        )


_FIELD_NAMES = {
    "title": "Title",
    "why": "Why it helps",
    "steps": "Steps",
    "minutes": "Minutes",
    "reflection": "Reflection question",
}


def explain(problem_field: str, message: str) -> str:
    """One line naming the modal field in words: ``steps[1]`` -> ``Step 2``."""
    match = re.fullmatch(r"(\w+)(?:\[(\d+)\]|\.(\d+))?", problem_field)
    head = match.group(1) if match else problem_field
    index = (match.group(2) or match.group(3)) if match else None
    name = _FIELD_NAMES.get(head, head)
    if head == "steps" and index is not None:
        name = f"Step {int(index) + 1}"
    if head == "minutes":
        message = "should be a whole number from 1 to 60"
    return f"- {name}: {message}"
