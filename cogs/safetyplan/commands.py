"""``/safetyplan`` and what the plan's buttons and form do: the ``SafetyPlan`` cog.

Every read and write is keyed by the person who clicked or typed, so nobody can open someone
else's plan. The sections and the text file are in ``bot.safetyplan.logic``, the SQL in
``bot.safetyplan.store``; the embed, buttons and form in ``views``.
"""

from __future__ import annotations

import io
from typing import Any, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.bot import ResilienceBot
from bot.safetyplan.logic import clean_plan, plan_as_text
from bot.safetyplan.store import SafetyPlanRepository
from cogs.safetyplan.views import PlanModal, confirm_delete_view, plan_embed, plan_view


class SafetyPlan(commands.Cog):
    """Personal safety plans."""

    def __init__(self, bot: ResilienceBot) -> None:
        self.bot = bot
        self.store = SafetyPlanRepository(bot.db)

    @app_commands.command(
        name="safetyplan", description="Your private safety plan: see it, edit it, download it"
    )
    @app_commands.describe(action="What to do (default: show it)")
    @app_commands.allowed_contexts(guilds=True, dms=True, private_channels=False)
    @app_commands.allowed_installs(guilds=True, users=False)
    async def safetyplan(
        self,
        interaction: discord.Interaction[Any],
        action: Literal["show", "download"] = "show",
    ) -> None:
        if action == "download":
            await self.send_export(interaction)
        else:
            await self.show(interaction)

    # -- what the buttons and the form do ------------------------------------------------------

    async def show(self, interaction: discord.Interaction[Any], *, edit: bool = False) -> None:
        """Show the clicker's own plan privately (editing the message it came from if asked)."""
        sections = await self.store.get(interaction.user.id)
        embed, view = plan_embed(sections), plan_view(bool(sections))
        if edit and interaction.message is not None and not interaction.response.is_done():
            await interaction.response.edit_message(content=None, embed=embed, view=view)
        elif interaction.response.is_done():
            await interaction.followup.send(embed=embed, view=view, ephemeral=True)
        else:
            await interaction.response.send_message(embed=embed, view=view, ephemeral=True)

    async def edit_part(self, interaction: discord.Interaction[Any], part: int) -> None:
        """The form for one part of the plan, filled with what the clicker wrote before."""
        current = await self.store.get(interaction.user.id) or {}
        await interaction.response.send_modal(PlanModal(part, current))

    async def save_part(self, interaction: discord.Interaction[Any], written: dict[str, str]) -> None:
        """Save one part's sections, keeping the other part as it was, and show the plan."""
        user_id = interaction.user.id
        updated = dict(await self.store.get(user_id) or {})
        updated.update(written)
        await self.store.save(user_id, clean_plan(updated), self.bot.clock.now())
        await self.show(interaction, edit=True)

    async def send_export(self, interaction: discord.Interaction[Any]) -> None:
        """The clicker's plan as a text file, privately."""
        sections = await self.store.get(interaction.user.id)
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

    async def delete(self, interaction: discord.Interaction[Any], *, confirmed: bool) -> None:
        """Ask before deleting the clicker's plan; delete it once they confirm."""
        if not confirmed:
            await interaction.response.send_message(
                "Delete your safety plan? This can't be undone. (You can download it first.)",
                view=confirm_delete_view(),
                ephemeral=True,
            )
            return
        await self.store.delete(interaction.user.id)
        await interaction.response.edit_message(
            content="Your safety plan is deleted. You can write a new one any time with `/safetyplan`.",
            view=None,
        )
