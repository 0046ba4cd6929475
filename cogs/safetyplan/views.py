"""The safety plan's embed, its persistent buttons and the form that edits one part of it.

Every button acts on the plan of the person who clicked, so nobody can open someone else's.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Self

import discord

from bot.core.ui import BaseModal, PersistentButton, cog_of
from bot.safetyplan.logic import OPEN_PLAN_ID, PLAN_PARTS, PLAN_SECTIONS, SECTION_MAX, part_label

if TYPE_CHECKING:
    from cogs.safetyplan.commands import SafetyPlan

# The buttons import the cog inside ``run``: the cog's module imports this one to build views.

INTRO = (
    "A safety plan is a short list you write for yourself, for the moments when things get hard: "
    "your warning signs, what helps, who you can reach. Only you can see it here, and you can "
    "download it or delete it any time."
)


def _cog(interaction: discord.Interaction[Any]) -> SafetyPlan:
    from cogs.safetyplan.commands import SafetyPlan

    return cog_of(interaction, SafetyPlan)


def plan_embed(sections: dict[str, str] | None) -> discord.Embed:
    """The plan as the owner sees it: every section, filled in or not."""
    embed = discord.Embed(title="My safety plan", colour=discord.Colour.blurple())
    if not sections:
        embed.description = INTRO + f"\n\nPress **{part_label(0)}** to start."
    for section in PLAN_SECTIONS:
        value = (sections or {}).get(section.key) or "-# not filled in yet"
        embed.add_field(name=section.title, value=value[:1024], inline=False)
    embed.set_footer(text="Private to you. In danger right now? Call your local emergency number.")
    return embed


def plan_view(has_plan: bool) -> discord.ui.View:
    """Edit buttons for each part; download and delete once there is a plan."""
    view = discord.ui.View(timeout=None)
    for part in range(len(PLAN_PARTS)):
        view.add_item(PlanEdit(part))
    if has_plan:
        view.add_item(PlanExport())
        view.add_item(PlanDelete(confirm=False))
    return view


class PlanModal(BaseModal):
    """One part of the plan (a modal holds at most five inputs)."""

    def __init__(self, part: int, current: dict[str, str]) -> None:
        super().__init__(
            title=f"My safety plan ({part + 1} of {len(PLAN_PARTS)})", custom_id=f"safetyplan:modal:{part}"
        )
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
        written = {key: field.value or "" for key, field in self.inputs.items()}
        await _cog(interaction).save_part(interaction, written)


class PlanOpen(PersistentButton, template=re.escape(OPEN_PLAN_ID)):
    """**My safety plan** (in a crisis DM): opens the clicker's own plan privately."""

    label = "My safety plan"
    style = discord.ButtonStyle.primary

    def __init__(self) -> None:
        super().__init__(OPEN_PLAN_ID)

    @classmethod
    def from_match(cls, match: re.Match[str]) -> Self:
        return cls()

    async def run(self, interaction: discord.Interaction[Any]) -> None:
        await _cog(interaction).show(interaction)


class PlanEdit(PersistentButton, template=r"safetyplan:edit:(?P<part>\d)"):
    """**Edit sections 1–4** / **5–7**: the form for that part, filled with what was written."""

    def __init__(self, part: int) -> None:
        self.part = part
        super().__init__(f"safetyplan:edit:{part}", label=part_label(part))

    @classmethod
    def from_match(cls, match: re.Match[str]) -> Self:
        return cls(min(int(match["part"]), len(PLAN_PARTS) - 1))

    async def run(self, interaction: discord.Interaction[Any]) -> None:
        await _cog(interaction).edit_part(interaction, self.part)


class PlanExport(PersistentButton, template=r"safetyplan:export"):
    """**Download as text**: the plan as a file, privately."""

    label = "Download as text"

    def __init__(self) -> None:
        super().__init__("safetyplan:export")

    @classmethod
    def from_match(cls, match: re.Match[str]) -> Self:
        return cls()

    async def run(self, interaction: discord.Interaction[Any]) -> None:
        await _cog(interaction).send_export(interaction)


class PlanDelete(PersistentButton, template=r"safetyplan:delete:(?P<confirm>ask|yes)"):
    """**Delete my plan** asks first; **Yes, delete it** deletes."""

    style = discord.ButtonStyle.danger

    def __init__(self, *, confirm: bool) -> None:
        self.confirm = confirm
        super().__init__(
            f"safetyplan:delete:{'yes' if confirm else 'ask'}",
            label="Yes, delete it" if confirm else "Delete my plan",
        )

    @classmethod
    def from_match(cls, match: re.Match[str]) -> Self:
        return cls(confirm=match["confirm"] == "yes")

    async def run(self, interaction: discord.Interaction[Any]) -> None:
        await _cog(interaction).delete(interaction, confirmed=self.confirm)


PLAN_BUTTONS = (PlanOpen, PlanEdit, PlanExport, PlanDelete)


def confirm_delete_view() -> discord.ui.View:
    """The one button that really deletes."""
    view = discord.ui.View(timeout=None)
    view.add_item(PlanDelete(confirm=True))
    return view
