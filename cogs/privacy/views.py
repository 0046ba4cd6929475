"""What /privacy and /mydata show: the privacy card and its buttons, the delete confirmation and
the agreement form."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord

from bot.core.bot import ResilienceBot
from bot.core.consent import GroupAgreement
from bot.core.errors import UserError
from bot.core.members import Member, ShareLevel
from bot.core.ui import BaseModal, BaseView
from bot.crisis.store import CrisisRepository
from bot.privacy.retention import Retention

SHARE_TEXT: dict[str, str] = {
    "private": "Private: only you see them",
    "aggregate": "Facilitators see group totals only, never your name",
    "named": "Facilitators see them with your name",
}

if TYPE_CHECKING:
    from cogs.privacy.commands import Privacy


def on_off(value: bool) -> str:
    return "On" if value else "Off"


def privacy_embed(member: Member, retention: Retention) -> discord.Embed:
    embed = discord.Embed(
        title="Your privacy choices",
        description="Change anything below; it takes effect straight away.",
    )
    embed.add_field(name="Check-ins", value=SHARE_TEXT[member.share_checkins], inline=False)
    embed.add_field(name="Public celebrations", value=on_off(member.public_celebrations), inline=True)
    embed.add_field(
        name="Facilitator follow-up if my mood drops", value=on_off(member.facilitator_followup), inline=True
    )
    embed.add_field(name="Automatic crisis replies", value=on_off(member.crisis_replies), inline=True)
    embed.set_footer(
        text=(
            f"Notes and other free text are deleted after {retention.notes_days} days. If you leave "
            f"the server, your data is deleted after {retention.leave_days} days. "
            "/mydata export or delete any time."
        )
    )
    return embed


class PrivacyView(BaseView):
    """The member's own choices; every change goes through ``bot.members.set_choice``."""

    def __init__(self, bot: ResilienceBot, member: Member, retention: Retention) -> None:
        super().__init__(timeout=900)
        self.bot = bot
        self.member = member
        self.retention = retention
        self._build()

    def _build(self) -> None:
        self.clear_items()
        share: discord.ui.Select[PrivacyView] = discord.ui.Select(
            custom_id="privacy:share",
            placeholder="Who sees my check-ins",
            options=[
                discord.SelectOption(label=text, value=value, default=value == self.member.share_checkins)
                for value, text in SHARE_TEXT.items()
            ],
            row=0,
        )
        share.callback = self._share  # type: ignore[method-assign]
        self.add_item(share)
        toggles = [
            ("public_celebrations", "public celebrations", self.member.public_celebrations),
            ("facilitator_followup", "follow-up", self.member.facilitator_followup),
            ("crisis_replies", "crisis replies", self.member.crisis_replies),
        ]
        for column, name, value in toggles:
            button: discord.ui.Button[PrivacyView] = discord.ui.Button(
                label=f"Turn {name} {'off' if value else 'on'}",
                custom_id=f"privacy:toggle:{column}",
                style=discord.ButtonStyle.secondary if value else discord.ButtonStyle.primary,
                row=1,
            )
            button.callback = self._toggler(column, not value)  # type: ignore[method-assign]
            self.add_item(button)

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        return interaction.user.id == self.member.user_id

    async def _show_choices(self, interaction: discord.Interaction[Any]) -> None:
        member = await self.bot.members.get(self.member.guild_id, self.member.user_id)
        if member is None:
            raise UserError(
                "Your data here was deleted, so there are no choices to change. "
                "Run `/privacy` to start again."
            )
        self.member = member
        self._build()
        await interaction.response.edit_message(embed=privacy_embed(member, self.retention), view=self)

    async def _share(self, interaction: discord.Interaction[Any]) -> None:
        data: dict[str, Any] = dict(interaction.data or {})
        values = list(data.get("values") or [])
        choice = str(values[0]) if values else "private"
        if choice not in SHARE_TEXT:
            raise UserError("That isn't one of the choices. Pick one from the list.")
        level: ShareLevel = choice  # type: ignore[assignment]
        await self.bot.members.set_choice(self.member.guild_id, self.member.user_id, "share_checkins", level)
        await self._show_choices(interaction)

    def _toggler(self, column: str, value: bool) -> Any:
        async def callback(interaction: discord.Interaction[Any]) -> None:
            await self.bot.members.set_choice(self.member.guild_id, self.member.user_id, column, int(value))
            if column == "crisis_replies":
                # The crisis DM's own off switch also works for people without a member row; keep
                # the two in step so /privacy can turn replies back on.
                crisis = CrisisRepository(self.bot.db)
                if value:
                    await crisis.opt_in(self.member.user_id)
                else:
                    await crisis.opt_out(self.member.guild_id, self.member.user_id, self.bot.clock.now())
            await self._show_choices(interaction)

        return callback


class DeleteView(BaseView):
    """Confirm before deleting; the safety plan (kept per person) only if asked."""

    def __init__(self, cog: Privacy, guild_id: int, user_id: int, has_plan: bool) -> None:
        super().__init__(timeout=300)
        self.cog = cog
        self.guild_id = guild_id
        self.user_id = user_id
        if not has_plan:
            self.remove_item(self.everything)

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        return interaction.user.id == self.user_id

    @discord.ui.button(label="Delete my data in this group", style=discord.ButtonStyle.danger)
    async def group_only(self, interaction: discord.Interaction[Any], _b: discord.ui.Button[Any]) -> None:
        self.stop()
        await self.cog.delete_now(interaction, self.guild_id, personal=False)

    @discord.ui.button(label="Also delete my safety plan", style=discord.ButtonStyle.danger)
    async def everything(self, interaction: discord.Interaction[Any], _b: discord.ui.Button[Any]) -> None:
        self.stop()
        await self.cog.delete_now(interaction, self.guild_id, personal=True)

    @discord.ui.button(label="Cancel", style=discord.ButtonStyle.secondary)
    async def cancel(self, interaction: discord.Interaction[Any], _b: discord.ui.Button[Any]) -> None:
        self.stop()
        await interaction.response.edit_message(content="Nothing was deleted.", view=None)


class AgreementModal(BaseModal, title="Edit the group agreement"):
    """A facilitator rewrites the agreement; members are asked again at their next interaction."""

    def __init__(self, cog: Privacy, guild_id: int, title: str, body: str) -> None:
        super().__init__()
        self.cog = cog
        self.guild_id = guild_id
        self.heading: discord.ui.TextInput[AgreementModal] = discord.ui.TextInput(
            label="Title", custom_id="agreement:title", default=title[:200], max_length=200
        )
        self.body: discord.ui.TextInput[AgreementModal] = discord.ui.TextInput(
            label="Agreement",
            custom_id="agreement:body",
            style=discord.TextStyle.paragraph,
            default=body[:3000],
            max_length=3000,
        )
        self.add_item(self.heading)
        self.add_item(self.body)

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        title, body = self.heading.value.strip(), self.body.value.strip()
        if not body:
            raise UserError("The agreement can't be empty. Write a few lines, or keep the current text.")
        await self.cog.save_agreement(interaction, self.guild_id, GroupAgreement(title=title, body=body))
