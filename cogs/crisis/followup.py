"""The check-in about a day after a crisis reply: scheduling it, sending it, and its answers.

Exactly once per reply, across restarts: the reply schedules a one-off row (``crisis:followup``,
keyed by the member, so a later reply's check-in replaces one still waiting: a day after their
latest reply, not several in a row). When it comes due the scheduler's ledger claims the
occurrence and the handler enqueues one outbox row keyed by the reply's event id. Nothing is sent
if they turned crisis messages off, even after the reply, or left the group.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import discord

from bot.core.bot import ResilienceBot
from bot.core.outbox import PRIORITY_DM
from bot.core.schedule_rules import Rule
from bot.core.schedule_store import Schedule
from bot.crisis.followup import FOLLOWUP_DELAY, FOLLOWUP_GRACE, followup_message, followup_ok, followup_talk
from bot.crisis.reply import resources_message
from bot.crisis.resources import resources_for
from bot.crisis.store import DM_GUILD, CrisisRepository, Event
from cogs.crisis.jobs import CrisisWatch, country_for
from cogs.crisis.views import FollowupAction, followup_view

log = logging.getLogger(__name__)

FOLLOWUP_KIND = "crisis:followup"
_UTC = ZoneInfo("UTC")


def _buttons(event: Event, *, answered: str | None = None) -> tuple[FollowupAction, ...]:
    """What is still worth pressing: talk only from a group, and not once asked."""
    can_talk = event.guild_id != DM_GUILD and answered != "talk"
    return tuple(
        a for a in ("ok", "talk", "lines") if (a != "ok" or answered is None) and (a != "talk" or can_talk)
    )


class CrisisFollowup(CrisisWatch):
    """The follow-up half of the crisis cog (mixed into :class:`cogs.crisis.commands.Crisis`)."""

    bot: ResilienceBot
    repo: CrisisRepository

    def _start_followups(self) -> None:
        self.bot.scheduler.register(FOLLOWUP_KIND, self._followup_due, grace=FOLLOWUP_GRACE)

    def _stop_followups(self) -> None:
        self.bot.scheduler.unregister(FOLLOWUP_KIND)

    async def schedule_followup(self, guild_id: int, user_id: int, event_id: int) -> None:
        """A check-in for this reply about a day from now (replacing one still waiting)."""
        due = self.bot.clock.now() + FOLLOWUP_DELAY
        await self.repo.start_followup(event_id, user_id, due)
        await self.bot.scheduler.set(
            guild_id, FOLLOWUP_KIND, Rule.once(due, _UTC), key=str(user_id), payload={"event": event_id}
        )

    async def _followup_due(self, schedule: Schedule, occurrence: datetime) -> None:
        event_id = schedule.payload.get("event")
        event = await self.repo.get_event(int(event_id)) if isinstance(event_id, int) else None
        if event is None or event.followup_state != "pending":
            return  # erased, superseded, or already handled
        now = self.bot.clock.now()
        guild_id, user_id = event.guild_id, event.user_id
        member = await self.bot.members.get(guild_id, user_id) if guild_id else None
        if await self._opted_out(guild_id, user_id) or (member is not None and member.left):
            await self.repo.settle_followup(event.event_id, "skipped", now)
            log.info("crisis follow-up skipped in guild %s (replies off, or left)", guild_id or "dm")
            return
        res = resources_for(await country_for(self.bot, user_id, guild_id or None))
        can_talk = guild_id != DM_GUILD
        await self.bot.outbox.enqueue(
            guild_id=guild_id,
            kind=FOLLOWUP_KIND,
            key=str(event.event_id),
            user_id=user_id,
            content=followup_message(res, can_talk=can_talk),
            view=followup_view(event.event_id, actions=_buttons(event)),
            priority=PRIORITY_DM,
            ref=str(event.event_id),
        )
        await self.repo.settle_followup(event.event_id, "sent", now)

    async def answer_followup(
        self, interaction: discord.Interaction[Any], action: FollowupAction, event_id: int
    ) -> None:
        """The member pressed a button on their check-in."""
        event = await self.repo.get_event(event_id)
        if event is None or event.user_id != interaction.user.id:
            await interaction.response.send_message(
                "This check-in isn't available any more. `/resources` shows support lines any time.",
                ephemeral=True,
            )
            return
        guild_id, user_id = event.guild_id, event.user_id
        res = resources_for(await country_for(self.bot, user_id, guild_id or None))
        if action == "lines":
            await interaction.response.send_message(resources_message(res), ephemeral=True)
            return
        now = self.bot.clock.now()
        if action == "ok":
            await self.repo.answer_followup(event_id, "ok", now)
            text, answered = followup_ok(), "ok"
        else:
            if guild_id == DM_GUILD:
                await interaction.response.send_message(
                    "This check-in came from a message to me outside any group, so there is no "
                    "facilitator I can tell. `/resources` shows people you can reach right now.",
                    ephemeral=True,
                )
                return
            changed = await self.repo.answer_followup(event_id, "talk", now)
            if changed:
                await self.request_talk(guild_id, user_id, event_id)
            text, answered = followup_talk(res, already=not changed), "talk"
        current = interaction.message.content if interaction.message else ""
        first = current.split("\n\n**Your answer:**")[0]
        await interaction.response.edit_message(
            content=f"{first}\n\n**Your answer:** {text}"[:2000],
            view=followup_view(event_id, actions=_buttons(event, answered=answered)),
        )
