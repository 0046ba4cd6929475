"""The pairs' persistent buttons (follow-up answers, "find me a new partner") and the
facilitator's round preview and a member's do-not-pair list."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Self

import discord

from bot.core.ui import BaseView, IdButton, PersistentButton, cog_of, reply_private
from bot.pairs.logic import group_count
from bot.pairs.pairing import PairingResult
from bot.pairs.store import Answer

if TYPE_CHECKING:
    from cogs.pairs.commands import Pairs

# The buttons import the cog inside ``run``: the cog's modules import this one to build views.

ANSWER_LABELS: dict[Answer, str] = {
    "connected": "We connected",
    "not_yet": "Not yet",
    "new_partner": "I need a new partner",
}


async def reply_or_replace(
    interaction: discord.Interaction[Any], content: str, *, edit: bool = False
) -> None:
    """Reply privately, or replace the component message this interaction came from."""
    if edit and not interaction.response.is_done() and interaction.type is discord.InteractionType.component:
        await interaction.response.edit_message(content=content, embed=None, view=None)
    else:
        await reply_private(interaction, content)


class AnswerButton(
    PersistentButton, template=r"pair:answer:(?P<group>\d+):(?P<answer>connected|not_yet|new_partner)"
):
    """A follow-up answer in a pair's thread (or DM): connected, not yet, or a new partner, please."""

    def __init__(self, group_id: int, answer: Answer) -> None:
        style = discord.ButtonStyle.success if answer == "connected" else discord.ButtonStyle.secondary
        super().__init__(f"pair:answer:{group_id}:{answer}", label=ANSWER_LABELS[answer], style=style)
        self.group_id = group_id
        self.answer: Answer = answer

    @classmethod
    def from_match(cls, match: re.Match[str]) -> Self:
        answer = match["answer"]
        assert answer in ANSWER_LABELS
        return cls(int(match["group"]), answer)

    async def run(self, interaction: discord.Interaction[Any]) -> None:
        from cogs.pairs.commands import Pairs

        await cog_of(interaction, Pairs).on_answer(interaction, self.group_id, self.answer)


class RePairButton(IdButton, prefix="pair:repair"):
    """**Find me a new partner**, offered to someone whose partner left mid-round (the id is the round)."""

    label = "Find me a new partner"
    style = discord.ButtonStyle.primary

    async def run(self, interaction: discord.Interaction[Any]) -> None:
        from cogs.pairs.commands import Pairs

        await cog_of(interaction, Pairs).on_repair_request(interaction, self.target_id)


def answer_view(group_id: int) -> discord.ui.View:
    """The three follow-up answers for one group."""
    view = discord.ui.View(timeout=None)
    for answer in ANSWER_LABELS:
        view.add_item(AnswerButton(group_id, answer))
    return view


def repair_view(round_id: int) -> discord.ui.View:
    """The one "find me a new partner" button."""
    view = discord.ui.View(timeout=None)
    view.add_item(RePairButton(round_id))
    return view


class PreviewView(BaseView):
    """Approve / Reshuffle for a proposed round, shown only to the facilitator who asked."""

    def __init__(
        self, cog: Pairs, guild_id: int, seed: int, result: PairingResult, followup_day: int | None = None
    ) -> None:
        super().__init__(timeout=900)
        self.cog = cog
        self.guild_id = guild_id
        self.seed = seed
        self.result = result
        self.followup_day = followup_day

    @discord.ui.button(label="Approve", style=discord.ButtonStyle.success)
    async def approve(self, interaction: discord.Interaction[Any], _button: discord.ui.Button[Any]) -> None:
        self.stop()
        await interaction.response.edit_message(content="Starting the round…", view=None)
        summary = await self.cog.start_round(
            self.guild_id, self.result, self.seed, followup_day=self.followup_day
        )
        await self.cog.bot.audit.record(
            self.guild_id, interaction.user.id, "pairs:round_run", group_count(summary)
        )
        await interaction.edit_original_response(content=summary)

    @discord.ui.button(label="Reshuffle", style=discord.ButtonStyle.secondary)
    async def reshuffle(self, interaction: discord.Interaction[Any], _button: discord.ui.Button[Any]) -> None:
        self.seed += 1
        self.result, text = await self.cog.propose(self.guild_id, self.seed)
        if self.result.problem:
            self.stop()
            await interaction.response.edit_message(content=text, view=None)
            return
        await interaction.response.edit_message(content=text, view=self)


class AvoidListView(BaseView):
    """A member's own do-not-pair list, with a select to remove entries."""

    def __init__(self, cog: Pairs, guild_id: int, user_id: int, entries: list[tuple[int, str]]) -> None:
        super().__init__(timeout=600)
        self.cog = cog
        self.guild_id = guild_id
        self.user_id = user_id
        select: discord.ui.Select[Any] = discord.ui.Select(
            placeholder="Remove someone from your list",
            custom_id="pair:avoid:remove",
            min_values=1,
            max_values=len(entries[:25]),
            options=[discord.SelectOption(label=name[:100], value=str(uid)) for uid, name in entries[:25]],
        )
        select.callback = self.remove  # type: ignore[method-assign]
        self.select = select
        self.add_item(select)

    async def remove(self, interaction: discord.Interaction[Any]) -> None:
        for value in self.select.values:
            await self.cog.repo.remove_avoid(self.guild_id, self.user_id, int(value))
        self.stop()
        await interaction.response.edit_message(
            content=await self.cog.avoid_list_text(self.guild_id, self.user_id), view=None
        )
