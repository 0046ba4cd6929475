"""The crisis DM's buttons (safety plan, grounding, replies off/on), the follow-up's buttons a day
later (I'm OK / talk to a facilitator / the lines again) and the facilitator alert: its text and
its claim / resolve / false alarm buttons. All persistent (``crisis:*``)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Literal, Self

import discord

from bot.core.ui import PersistentButton, cog_of
from bot.crisis.reply import GROUNDING_STEPS, SUMMARY_LISTED, alert_message, alert_status, grounding_step
from bot.crisis.store import Alert
from bot.safetyplan.logic import OPEN_PLAN_ID

if TYPE_CHECKING:
    from cogs.crisis.commands import Crisis

# The buttons import the cog inside ``run``: the cog's modules import this one to build views.

AlertAction = Literal["claim", "resolve", "false"]
FollowupAction = Literal["ok", "talk", "lines"]
_FOLLOWUP_LOOKS: dict[str, tuple[str, discord.ButtonStyle]] = {
    "ok": ("I'm OK", discord.ButtonStyle.success),
    "talk": ("I'd like to talk to a facilitator", discord.ButtonStyle.primary),
    "lines": ("Show me the lines again", discord.ButtonStyle.secondary),
}
_ALERT_LOOKS: dict[str, tuple[str, discord.ButtonStyle]] = {
    "claim": ("I'm reaching out", discord.ButtonStyle.primary),
    "resolve": ("Resolved", discord.ButtonStyle.success),
    "false": ("False alarm", discord.ButtonStyle.secondary),
}


def _cog(interaction: discord.Interaction[Any]) -> Crisis:
    from cogs.crisis.commands import Crisis

    return cog_of(interaction, Crisis)


# -- the crisis DM ------------------------------------------------------------------------------


class GroundingButton(PersistentButton, template=r"crisis:ground:(?P<step>start|\d+)"):
    """``start`` opens the exercise in a new private message; a number moves to that step."""

    def __init__(self, step: int | None) -> None:
        self.step = step
        if step is None:
            super().__init__("crisis:ground:start", label="Grounding exercise")
        else:
            super().__init__(f"crisis:ground:{step}", label="Next", style=discord.ButtonStyle.primary)

    @classmethod
    def from_match(cls, match: re.Match[str]) -> Self:
        return cls(None if match["step"] == "start" else int(match["step"]))

    async def run(self, interaction: discord.Interaction[Any]) -> None:
        if self.step is None:
            await interaction.response.send_message(grounding_step(0), view=first_step_view(), ephemeral=True)
        else:
            await interaction.response.edit_message(
                content=grounding_step(self.step), view=grounding_view(self.step + 1)
            )


def first_step_view() -> discord.ui.View:
    """The Next button under the exercise's opening."""
    view = discord.ui.View(timeout=None)
    view.add_item(GroundingButton(1))
    return view


def grounding_view(next_step: int) -> discord.ui.View | None:
    """A Next button to ``next_step``, or nothing after the last step."""
    if next_step >= len(GROUNDING_STEPS):
        return None
    view = discord.ui.View(timeout=None)
    view.add_item(GroundingButton(next_step))
    return view


class RepliesButton(PersistentButton, template=r"crisis:replies:(?P<on>on|off):(?P<guild>\d+)"):
    """Turn automatic replies off (from the crisis DM) or back on (from the confirmation)."""

    def __init__(self, on: bool, guild_id: int) -> None:
        self.on = on
        self.guild_id = guild_id
        super().__init__(
            f"crisis:replies:{'on' if on else 'off'}:{guild_id}",
            label="Turn automatic replies back on" if on else "Turn off automatic replies",
        )

    @classmethod
    def from_match(cls, match: re.Match[str]) -> Self:
        return cls(match["on"] == "on", int(match["guild"]))

    async def run(self, interaction: discord.Interaction[Any]) -> None:
        await _cog(interaction).set_replies(interaction, on=self.on, guild_id=self.guild_id)


def replies_on_view(guild_id: int) -> discord.ui.View:
    """The way back after turning replies off."""
    view = discord.ui.View(timeout=None)
    view.add_item(RepliesButton(True, guild_id))
    return view


def crisis_dm_view(guild_id: int) -> discord.ui.View:
    """The crisis DM's buttons: the safety plan, grounding, and turning replies off."""
    view = discord.ui.View(timeout=None)
    # The safety plan's own persistent button answers this id: crisis only carries it.
    view.add_item(
        discord.ui.Button(label="My safety plan", style=discord.ButtonStyle.primary, custom_id=OPEN_PLAN_ID)
    )
    view.add_item(GroundingButton(None))
    view.add_item(RepliesButton(False, guild_id))
    return view


def helper_dm_view(guild_id: int) -> discord.ui.View:
    """Under the reply to someone worried about another person: grounding, and replies off."""
    view = discord.ui.View(timeout=None)
    view.add_item(GroundingButton(None))
    view.add_item(RepliesButton(False, guild_id))
    return view


# -- the follow-up a day later ------------------------------------------------------------------


class FollowupButton(PersistentButton, template=r"crisis:followup:(?P<action>ok|talk|lines):(?P<id>\d+)"):
    """The member answers the check-in about the reply ``event_id``."""

    def __init__(self, action: FollowupAction, event_id: int) -> None:
        self.action: FollowupAction = action
        self.event_id = event_id
        label, style = _FOLLOWUP_LOOKS[action]
        super().__init__(f"crisis:followup:{action}:{event_id}", label=label, style=style)

    @classmethod
    def from_match(cls, match: re.Match[str]) -> Self:
        action: FollowupAction = match["action"]  # type: ignore[assignment]
        return cls(action, int(match["id"]))

    async def run(self, interaction: discord.Interaction[Any]) -> None:
        await _cog(interaction).answer_followup(interaction, self.action, self.event_id)


def followup_view(event_id: int, *, actions: tuple[FollowupAction, ...]) -> discord.ui.View:
    """The follow-up's buttons still worth pressing (talk only when there is a group to ask)."""
    view = discord.ui.View(timeout=None)
    for action in actions:
        view.add_item(FollowupButton(action, event_id))
    return view


# -- the facilitator alert ----------------------------------------------------------------------


def jump_url(alert: Alert) -> str:
    """The link to the message an alert is about."""
    return (
        f"https://discord.com/channels/{alert.guild_id}/{alert.source_channel_id}/{alert.source_message_id}"
    )


def render_alert(alert: Alert) -> str:
    """The alert's text as it stands now (who, where, when, its status; never the words)."""
    at = alert.updated_at if alert.state != "open" else alert.created_at
    status = alert_status(
        alert.state, claimed_by=alert.claimed_by, closed_by=alert.closed_by, at_unix=int(at.timestamp())
    )
    return alert_message(
        level=alert.level,
        member_id=alert.user_id,
        channel_id=alert.source_channel_id,
        jump_url=jump_url(alert),
        at_unix=int(alert.created_at.timestamp()),
        status=status,
        reader=alert.reader,
        target_id=alert.target_id,
        recent_alerts=alert.recent_alerts,
    )


def alert_view(alert: Alert) -> discord.ui.View | None:
    """Claim, resolve and false alarm while the alert is open or claimed; nothing once closed."""
    if alert.state not in ("open", "claimed"):
        return None
    view = discord.ui.View(timeout=None)
    # The claim button stays while claimed: a second facilitator who clicks is told who has it.
    for action in ("claim", "resolve", "false"):
        view.add_item(AlertButton(action, alert.alert_id))
    return view


class AlertButton(PersistentButton, template=r"crisis:alert:(?P<action>claim|resolve|false):(?P<id>\d+)"):
    """A facilitator claims the alert, resolves it or marks it a false alarm."""

    def __init__(self, action: AlertAction, alert_id: int) -> None:
        self.action: AlertAction = action
        self.alert_id = alert_id
        label, style = _ALERT_LOOKS[action]
        super().__init__(f"crisis:alert:{action}:{alert_id}", label=label, style=style)

    @classmethod
    def from_match(cls, match: re.Match[str]) -> Self:
        action: AlertAction = match["action"]  # type: ignore[assignment]
        return cls(action, int(match["id"]))

    async def run(self, interaction: discord.Interaction[Any]) -> None:
        await _cog(interaction).act_on_alert(interaction, self.action, self.alert_id)


class OpenAlertButton(PersistentButton, template=r"crisis:alert:open:(?P<id>\d+)"):
    """On a summary of folded alerts: shows one alert in full, with its own buttons, privately."""

    def __init__(self, alert_id: int) -> None:
        self.alert_id = alert_id
        super().__init__(f"crisis:alert:open:{alert_id}", label=f"#{alert_id}")

    @classmethod
    def from_match(cls, match: re.Match[str]) -> Self:
        return cls(int(match["id"]))

    async def run(self, interaction: discord.Interaction[Any]) -> None:
        await _cog(interaction).open_alert(interaction, self.alert_id)


def summary_view(alerts: list[Alert]) -> discord.ui.View:
    """A button per listed alert (as many as the summary lists, in rows of five)."""
    view = discord.ui.View(timeout=None)
    for alert in alerts[:SUMMARY_LISTED]:
        view.add_item(OpenAlertButton(alert.alert_id))
    return view


CRISIS_BUTTONS = (GroundingButton, RepliesButton, AlertButton, OpenAlertButton, FollowupButton)
