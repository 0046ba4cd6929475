"""``/safetyplan``: a private, personal safety plan (Stanley–Brown sections), only for its owner.

Every read and write is keyed by the person who clicked or typed, so nobody can open someone
else's plan. The plan belongs to the person, not to a group: it works in DMs too, and it is
offered as a button in every crisis DM. All buttons are persistent (``safetyplan:*``).
"""

from __future__ import annotations

import io
import re
from typing import Any, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.bot import ResilienceBot
from bot.core.ui import BaseModal, report_error
from bot.crisis.reply import PLAN_PARTS, PLAN_SECTIONS, SECTION_MAX, clean_plan, plan_as_text
from bot.crisis.store import CrisisRepository

INTRO = (
    "A safety plan is a short list you write for yourself, for the moments when things get hard: "
    "your warning signs, what helps, who you can reach. Only you can see it here, and you can "
    "download it or delete it any time."
)


def plan_embed(sections: dict[str, str] | None) -> discord.Embed:
    """The plan as the owner sees it: every section, filled in or not."""
    embed = discord.Embed(title="My safety plan", colour=discord.Colour.blurple())
    if not sections:
        embed.description = INTRO + "\n\nPress **Edit sections 1–4** to start."
    for section in PLAN_SECTIONS:
        value = (sections or {}).get(section.key) or "-# not filled in yet"
        embed.add_field(name=section.title, value=value[:1024], inline=False)
    embed.set_footer(text="Private to you. In danger right now? Call your local emergency number.")
    return embed


def plan_view(has_plan: bool) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(PlanEdit(0))
    view.add_item(PlanEdit(1))
    if has_plan:
        view.add_item(PlanExport())
        view.add_item(PlanDelete(confirm=False))
    return view


def _repo(interaction: discord.Interaction[Any]) -> CrisisRepository:
    bot: ResilienceBot = interaction.client
    return CrisisRepository(bot.db)


async def show_plan(interaction: discord.Interaction[Any], *, edit: bool = False) -> None:
    """Show the clicker's own plan privately (editing the message it came from if asked)."""
    sections = await _repo(interaction).get_plan(interaction.user.id)
    embed, view = plan_embed(sections), plan_view(bool(sections))
    if edit and interaction.message is not None and not interaction.response.is_done():
        await interaction.response.edit_message(content=None, embed=embed, view=view)
    elif interaction.response.is_done():
        await interaction.followup.send(embed=embed, view=view, ephemeral=True)
    else:
        await interaction.response.send_message(embed=embed, view=view, ephemeral=True)


class PlanModal(BaseModal):
    """One part of the plan (a modal holds at most five inputs)."""

    def __init__(self, part: int, current: dict[str, str]) -> None:
        super().__init__(
            title=f"My safety plan ({part + 1} of {len(PLAN_PARTS)})", custom_id=f"safetyplan:modal:{part}"
        )
        self.part = part
        self.inputs: dict[str, discord.ui.TextInput[Any]] = {}
        for section in PLAN_PARTS[part]:
            field: discord.ui.TextInput[Any] = discord.ui.TextInput(
                label=section.label,
                custom_id=section.key,
                style=discord.TextStyle.paragraph,
                placeholder=section.placeholder[:100],
                default=current.get(section.key),
                required=False,
                max_length=SECTION_MAX,
            )
            self.inputs[section.key] = field
            self.add_item(field)

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        bot: ResilienceBot = interaction.client
        repo = _repo(interaction)
        current = await repo.get_plan(interaction.user.id) or {}
        updated = dict(current)
        for key, field in self.inputs.items():
            updated[key] = field.value or ""
        await repo.save_plan(interaction.user.id, clean_plan(updated), bot.clock.now())
        await show_plan(interaction, edit=True)


class PlanOpen(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"safetyplan:view"):
    """ "My safety plan" in a crisis DM: opens the clicker's own plan privately."""

    def __init__(self) -> None:
        super().__init__(
            discord.ui.Button(
                label="My safety plan", style=discord.ButtonStyle.primary, custom_id="safetyplan:view"
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> PlanOpen:
        return cls()

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        try:
            await show_plan(interaction)
        except Exception as error:
            await report_error(interaction, error)


class PlanEdit(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"safetyplan:edit:(?P<part>\d)"):
    def __init__(self, part: int) -> None:
        first, last = PLAN_PARTS[0], PLAN_PARTS[-1]
        label = (
            f"Edit sections 1–{len(first)}"
            if part == 0
            else f"Edit sections {len(first) + 1}–{len(first) + len(last)}"
        )
        super().__init__(
            discord.ui.Button(
                label=label, style=discord.ButtonStyle.secondary, custom_id=f"safetyplan:edit:{part}"
            )
        )
        self.part = part

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> PlanEdit:
        return cls(min(int(match["part"]), len(PLAN_PARTS) - 1))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        try:
            current = await _repo(interaction).get_plan(interaction.user.id) or {}
            await interaction.response.send_modal(PlanModal(self.part, current))
        except Exception as error:
            await report_error(interaction, error)


class PlanExport(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"safetyplan:export"):
    def __init__(self) -> None:
        super().__init__(
            discord.ui.Button(
                label="Download as text", style=discord.ButtonStyle.secondary, custom_id="safetyplan:export"
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> PlanExport:
        return cls()

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        try:
            await send_export(interaction)
        except Exception as error:
            await report_error(interaction, error)


async def send_export(interaction: discord.Interaction[Any]) -> None:
    sections = await _repo(interaction).get_plan(interaction.user.id)
    if not sections:
        await interaction.response.send_message(
            "You haven't written a safety plan yet. `/safetyplan` gets you started.", ephemeral=True
        )
        return
    data = io.BytesIO(plan_as_text(sections).encode("utf-8"))
    await interaction.response.send_message(
        "Here's your safety plan as a text file. Keep it somewhere you can find it quickly.",
        file=discord.File(data, filename="my-safety-plan.txt"),
        ephemeral=True,
    )


class PlanDelete(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"safetyplan:delete:(?P<confirm>ask|yes)"
):
    def __init__(self, *, confirm: bool) -> None:
        super().__init__(
            discord.ui.Button(
                label="Yes, delete it" if confirm else "Delete my plan",
                style=discord.ButtonStyle.danger,
                custom_id=f"safetyplan:delete:{'yes' if confirm else 'ask'}",
            )
        )
        self.confirm = confirm

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> PlanDelete:
        return cls(confirm=match["confirm"] == "yes")

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        try:
            if not self.confirm:
                view = discord.ui.View(timeout=None)
                view.add_item(PlanDelete(confirm=True))
                await interaction.response.send_message(
                    "Delete your safety plan? This can't be undone. (You can download it first.)",
                    view=view,
                    ephemeral=True,
                )
                return
            await _repo(interaction).delete_plan(interaction.user.id)
            await interaction.response.edit_message(
                content="Your safety plan is deleted. You can write a new one any time with `/safetyplan`.",
                view=None,
            )
        except Exception as error:
            await report_error(interaction, error)


class SafetyPlan(commands.Cog):
    """Personal safety plans."""

    def __init__(self, bot: ResilienceBot) -> None:
        self.bot = bot

    @app_commands.command(
        name="safetyplan", description="Your private safety plan: see it, edit it, download it"
    )
    @app_commands.describe(action="What to do (default: show it)")
    @app_commands.allowed_contexts(guilds=True, dms=True, private_channels=False)
    async def safetyplan(
        self,
        interaction: discord.Interaction[Any],
        action: Literal["show", "download"] = "show",
    ) -> None:
        if action == "download":
            await send_export(interaction)
        else:
            await show_plan(interaction)


async def setup(bot: ResilienceBot) -> None:
    bot.add_dynamic_items(PlanOpen, PlanEdit, PlanExport, PlanDelete)
    await bot.add_cog(SafetyPlan(bot))
