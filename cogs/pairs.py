"""``/pair``: opt-in accountability pairs with a private thread each, and a mid-round follow-up."""

from __future__ import annotations

import dataclasses
import logging
import re
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.bot import ResilienceBot
from bot.core.checks import facilitator_only
from bot.core.errors import UserError
from bot.core.members import Member
from bot.core.outbox import PRIORITY_ALERT, PRIORITY_DM, PRIORITY_POST
from bot.core.outbox_store import OutboxRow
from bot.core.schedule_rules import WEEKDAY_NAMES, Rule
from bot.core.schedule_store import Schedule
from bot.core.scheduler import occurrence_key
from bot.core.timeparse import parse_date, parse_time
from bot.core.ui import BaseView, reply_private, report_error
from bot.pairs import logic as pairs_flow
from bot.pairs.pairing import PairingResult, RePairKind, make_pairs, re_pair
from bot.pairs.store import Answer, PairGroup, PairRepository, Round

log = logging.getLogger(__name__)

ROUND_KIND = "pair:round"
FOLLOWUP_KIND = "pair:followup"
END_KIND = "pair:end"
# Outbox kinds: every message a round sends goes through the outbox (thread creation and adding
# members to a thread are not message sends and stay direct).
INTRO_KIND = "pair:intro"
THIRD_KIND = "pair:third"
FOLLOWUP_SEND_KIND = "pair:followup"
PARTNER_LEFT_KIND = "pair:partner_left"
GOODBYE_KIND = "pair:goodbye"
NOTE_KIND = "pair:note"
FOLLOWUP_DAYS = app_commands.Range[int, 1, 27]

ANSWER_LABELS: dict[Answer, str] = {
    "connected": "We connected",
    "not_yet": "Not yet",
    "new_partner": "I need a new partner",
}

THREAD_PERMISSION_NOTE = (
    "I couldn't open private threads in {channel}, so I introduced this round's pairs by DM "
    "instead. To give each pair a private thread, let my role **Create Private Threads** and "
    "**Send Messages in Threads** in that channel."
)


def _pairs(bot: discord.Client) -> Pairs:
    cog = bot.get_cog("Pairs") if isinstance(bot, commands.Bot) else None
    if not isinstance(cog, Pairs):
        raise RuntimeError("the Pairs cog is not loaded")
    return cog


async def _answer(interaction: discord.Interaction[Any], content: str, *, edit: bool = False) -> None:
    """Reply privately, or replace the component message this interaction came from."""
    if edit and not interaction.response.is_done() and interaction.type is discord.InteractionType.component:
        await interaction.response.edit_message(content=content, embed=None, view=None)
    else:
        await reply_private(interaction, content)


class AnswerButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"pair:answer:(?P<group>\d+):(?P<answer>connected|not_yet|new_partner)",
):
    """A persistent follow-up button in a pair's thread (or DM)."""

    def __init__(self, group_id: int, answer: Answer) -> None:
        style = discord.ButtonStyle.success if answer == "connected" else discord.ButtonStyle.secondary
        super().__init__(
            discord.ui.Button(
                label=ANSWER_LABELS[answer], style=style, custom_id=f"pair:answer:{group_id}:{answer}"
            )
        )
        self.group_id = group_id
        self.answer: Answer = answer

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> AnswerButton:
        answer = match["answer"]
        assert answer in ANSWER_LABELS
        return cls(int(match["group"]), answer)

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        try:
            await _pairs(interaction.client).on_answer(interaction, self.group_id, self.answer)
        except Exception as error:
            await report_error(interaction, error)


class RePairButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"pair:repair:(?P<round>\d+)"):
    """ "Find me a new partner", offered to someone whose partner left mid-round."""

    def __init__(self, round_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="Find me a new partner",
                style=discord.ButtonStyle.primary,
                custom_id=f"pair:repair:{round_id}",
            )
        )
        self.round_id = round_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> RePairButton:
        return cls(int(match["round"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        try:
            await _pairs(interaction.client).on_repair_request(interaction, self.round_id)
        except Exception as error:
            await report_error(interaction, error)


def _group_count(summary: str) -> str:
    """ "4 pairs" for the audit log, from a round summary (never names or goal lines)."""
    found = re.search(r"(\d+) group", summary)
    return f"{found[1]} pairs" if found else ""


def answer_view(group_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for answer in ANSWER_LABELS:
        view.add_item(AnswerButton(group_id, answer))
    return view


def repair_view(round_id: int) -> discord.ui.View:
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
            self.guild_id, interaction.user.id, "pairs:round_run", _group_count(summary)
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


WEEKDAY_CHOICES = [app_commands.Choice(name=n.capitalize(), value=i) for i, n in enumerate(WEEKDAY_NAMES)]


class Pairs(commands.Cog):
    """Accountability pairs: opt in, get a partner each round, and check in with each other."""

    pair = app_commands.Group(
        name="pair", description="Accountability partners between sessions", guild_only=True
    )

    def __init__(self, bot: ResilienceBot) -> None:
        self.bot = bot
        self.repo = PairRepository(bot.db)

    async def cog_load(self) -> None:
        self.bot.scheduler.register(ROUND_KIND, self._scheduled_round)
        self.bot.scheduler.register(FOLLOWUP_KIND, self._followup)
        self.bot.scheduler.register(END_KIND, self._end)
        self.bot.outbox.on_delivered(GOODBYE_KIND, self._goodbye_delivered)
        self.bot.on_config_change(self._config_changed)

    async def cog_unload(self) -> None:
        for kind in (ROUND_KIND, FOLLOWUP_KIND, END_KIND):
            self.bot.scheduler.unregister(kind)
        self.bot.remove_config_listener(self._config_changed)

    # -- helpers ------------------------------------------------------------------------------

    def _guild(self, interaction: discord.Interaction[Any]) -> discord.Guild:
        if interaction.guild is None:
            raise UserError("This works inside your group's server. Try it there.")
        return interaction.guild

    async def _zone(self, guild_id: int) -> ZoneInfo:
        return ZoneInfo(await self.bot.group_timezone(guild_id))

    def _name(self, guild_id: int, user_id: int) -> str:
        guild = self.bot.get_guild(guild_id)
        member = guild.get_member(user_id) if guild else None
        return member.display_name if member else "a former member"

    # -- members ------------------------------------------------------------------------------

    @pair.command(name="join", description="Opt in to accountability pairs")
    @app_commands.describe(goal="What you'd like accountability for (your partner sees this)")
    async def join(
        self,
        interaction: discord.Interaction[Any],
        goal: app_commands.Range[str, 1, pairs_flow.GOAL_MAX] | None = None,
    ) -> None:
        guild = self._guild(interaction)
        cleaned = " ".join(goal.split()) if goal else None

        async def save(inter: discord.Interaction[Any], _member: Member) -> None:
            await self.repo.join(guild.id, inter.user.id, cleaned, self.bot.clock.now())
            optin = await self.repo.get_optin(guild.id, inter.user.id)
            goal_text = f" Your goal line: *{optin.goal}*." if optin and optin.goal else ""
            await _answer(
                inter,
                "You're in. You'll get a partner in the next round, in a private thread."
                f"{goal_text} Take a break any time with `/pair pause` or stop with `/pair leave`.",
                edit=True,
            )

        await self.bot.consent.require(interaction, guild.id, save)

    @pair.command(name="leave", description="Stop taking part in accountability pairs")
    async def leave(self, interaction: discord.Interaction[Any]) -> None:
        guild = self._guild(interaction)
        was_in = await self.repo.leave(guild.id, interaction.user.id)
        left_group = await self._depart(guild.id, interaction.user.id, reason="opted out")
        if not was_in and not left_group:
            await reply_private(
                interaction, "You're not in accountability pairs, so there's nothing to stop."
            )
            return
        await reply_private(
            interaction,
            "Done: you won't be paired again. Thank you for taking part. `/pair join` any time to come back.",
        )

    @pair.command(name="pause", description="Take a break from pairs until a date")
    @app_commands.describe(until="The date you'd like to be paired again, like 2026-12-24")
    async def pause(self, interaction: discord.Interaction[Any], until: str) -> None:
        guild = self._guild(interaction)
        day = parse_date(until)
        zone = await self._zone(guild.id)
        resume = datetime.combine(day, time(0, 0), tzinfo=zone)
        if resume <= self.bot.clock.now():
            raise UserError("That date has already passed. Pick a future date, like `2026-12-24`.")
        if not await self.repo.pause(guild.id, interaction.user.id, resume):
            raise UserError("You're not in accountability pairs yet. Join with `/pair join`.")
        await reply_private(
            interaction,
            f"Paused: you won't be paired in rounds starting before <t:{int(resume.timestamp())}:D>. "
            "Any current partner stays yours until this round ends.",
        )

    @pair.command(name="status", description="Your current partner, their goal, and when the round ends")
    async def status(self, interaction: discord.Interaction[Any]) -> None:
        guild = self._guild(interaction)
        user_id = interaction.user.id
        optin = await self.repo.get_optin(guild.id, user_id)
        group = await self.repo.current_group(guild.id, user_id)
        lines: list[str] = []
        if group is not None:
            active = await self.repo.get_round(group.round_id)
            assert active is not None
            partners = [m for m in group.members if m != user_id]
            goals = await self.repo.goals(guild.id, partners)
            if partners:
                lines.append("**Your partner(s) this round:**")
                lines += [pairs_flow.goal_line(p, goals.get(p)) for p in partners]
            else:
                lines.append("Your partner isn't in the round any more. I'll pair you as soon as I can.")
            lines.append(f"The round ends <t:{int(active.ends_at.timestamp())}:F>.")
            if group.thread_id:
                lines.append(f"Your thread: <#{group.thread_id}>")
        elif optin is not None:
            lines.append("You're opted in, and you'll get a partner in the next round.")
        else:
            lines.append("You're not in accountability pairs. Join with `/pair join`.")
        if optin is not None:
            lines.append(f"Your goal line: *{optin.goal}*" if optin.goal else "You have no goal line yet.")
            if optin.paused_until and optin.paused_until > self.bot.clock.now():
                lines.append(f"Paused until <t:{int(optin.paused_until.timestamp())}:D>.")
        await reply_private(interaction, "\n".join(lines))

    @pair.command(name="history", description="Your own past partners")
    async def history(self, interaction: discord.Interaction[Any]) -> None:
        guild = self._guild(interaction)
        past = await self.repo.partners_history(guild.id, interaction.user.id)
        if not past:
            await reply_private(interaction, "You haven't had a partner yet.")
            return
        lines = ["**Your partners so far:**"]
        lines += [
            f"- <t:{int(when.timestamp())}:D>: " + " & ".join(pairs_flow.mention(p) for p in partners)
            for when, partners in past[:20]
        ]
        await reply_private(interaction, "\n".join(lines))

    @pair.command(name="avoid", description="Privately ask never to be paired with someone")
    @app_commands.describe(
        member="Who not to pair you with (they are never told). Leave empty to see your list."
    )
    async def avoid(
        self, interaction: discord.Interaction[Any], member: discord.Member | None = None
    ) -> None:
        guild = self._guild(interaction)
        if member is None:
            entries = await self.repo.avoid_list(guild.id, interaction.user.id)
            text = await self.avoid_list_text(guild.id, interaction.user.id)
            if not entries:
                await reply_private(interaction, text)
                return
            named = [(uid, self._name(guild.id, uid)) for uid in entries]
            await reply_private(
                interaction, text, view=AvoidListView(self, guild.id, interaction.user.id, named)
            )
            return
        if member.id == interaction.user.id:
            raise UserError(
                "You can't put yourself on your do-not-pair list. Try `/pair avoid member:@someone`."
            )
        if member.bot:
            raise UserError(
                "Bots are never paired, so there's no need to list one. Try `/pair avoid member:@someone`."
            )
        avoided = member.id

        async def save(inter: discord.Interaction[Any], _member: Member) -> None:
            await self.repo.add_avoid(guild.id, inter.user.id, avoided, self.bot.clock.now())
            await _answer(
                inter,
                f"Noted. You won't be paired with {pairs_flow.mention(avoided)}. They are never told, "
                "and facilitators don't see your list. `/pair avoid` shows it.",
                edit=True,
            )

        await self.bot.consent.require(interaction, guild.id, save)

    async def avoid_list_text(self, guild_id: int, user_id: int) -> str:
        entries = await self.repo.avoid_list(guild_id, user_id)
        if not entries:
            return "Your do-not-pair list is empty. Add someone with `/pair avoid member:@someone`."
        return "**Your do-not-pair list** (only you can see it):\n" + "\n".join(
            f"- {pairs_flow.mention(uid)}" for uid in entries
        )

    # -- facilitators -------------------------------------------------------------------------

    @pair.command(name="run", description="Facilitators: preview and start a round now")
    @app_commands.describe(followup_day="Day of the round for the check-in question (default: halfway)")
    @facilitator_only()
    async def run(
        self, interaction: discord.Interaction[Any], followup_day: FOLLOWUP_DAYS | None = None
    ) -> None:
        guild = self._guild(interaction)
        seed = int(self.bot.clock.now().timestamp())
        result, text = await self.propose(guild.id, seed)
        if result.problem:
            await reply_private(interaction, text)
            return
        await reply_private(
            interaction, text, view=PreviewView(self, guild.id, seed, result, followup_day=followup_day)
        )

    async def propose(self, guild_id: int, seed: int) -> tuple[PairingResult, str]:
        """A proposed round and the preview text; nothing is stored or posted."""
        now = self.bot.clock.now()
        available = await self.repo.available(guild_id, now)
        result = make_pairs(
            available, await self.repo.history(guild_id), await self.repo.constraints(guild_id), seed=seed
        )
        if result.problem:
            return result, (
                f"Only {len(available)} member(s) are opted in, and a round needs at least two. "
                "Nothing was posted. Members opt in with `/pair join`."
            )
        ends = pairs_flow.round_end(now, await self.repo.round_weeks(guild_id))
        active = await self.repo.active_round(guild_id)
        return result, pairs_flow.preview_text(result, ends_at=ends, replaces_active=active is not None)

    @pair.command(name="schedule", description="Facilitators: start rounds automatically")
    @app_commands.describe(
        weekday="Day rounds start",
        at="Local time, like 18:00",
        every="Weeks between rounds",
        followup_day="Day of each round for the check-in question (default: halfway)",
    )
    @app_commands.rename(at="time")
    @app_commands.choices(
        weekday=WEEKDAY_CHOICES,
        every=[app_commands.Choice(name=f"every {n} week{'s' if n > 1 else ''}", value=n) for n in (1, 2, 4)],
    )
    @facilitator_only()
    async def schedule(
        self,
        interaction: discord.Interaction[Any],
        weekday: int,
        at: str,
        every: int = 1,
        followup_day: FOLLOWUP_DAYS | None = None,
    ) -> None:
        guild = self._guild(interaction)
        local = parse_time(at)
        if followup_day is not None and followup_day >= every * 7:
            raise UserError(
                f"A round lasts {every * 7} days, so the check-in question must come before day "
                f"{every * 7}, like `followup_day:{max(1, every * 7 // 2)}`."
            )
        zone = await self._zone(guild.id)
        rule = Rule.weekly({weekday}, local, zone, every_weeks=every)
        await self.repo.set_round_weeks(guild.id, every)
        payload = {"followup_day": followup_day} if followup_day is not None else {}
        saved = await self.bot.scheduler.set(guild.id, ROUND_KIND, rule, payload=payload)
        detail = rule.describe() + (f", follow-up on day {followup_day}" if followup_day else "")
        await self.bot.audit.record(guild.id, interaction.user.id, "pairs:schedule_set", detail)
        when = f" The first one starts <t:{int(saved.next_due.timestamp())}:F>." if saved.next_due else ""
        asked = f"on day {followup_day}" if followup_day is not None else "halfway through"
        await reply_private(
            interaction,
            f"Pairs rounds will start {rule.describe()}, each lasting until the next.{when} "
            f"Each pair is asked how it's going {asked}. "
            "Scheduled rounds start without a preview; `/pair run` still works any time.",
        )

    @pair.command(
        name="constraint", description="Facilitators: keep two members apart, or pair them next round"
    )
    @app_commands.describe(action="What to do", first="One member", second="The other member")
    @app_commands.choices(
        action=[
            app_commands.Choice(name="keep apart", value="separate"),
            app_commands.Choice(name="pair together next round", value="pin"),
            app_commands.Choice(name="clear", value="clear"),
        ]
    )
    @facilitator_only()
    async def constraint(
        self,
        interaction: discord.Interaction[Any],
        action: str,
        first: discord.Member,
        second: discord.Member,
    ) -> None:
        guild = self._guild(interaction)
        if first.id == second.id:
            raise UserError("Pick two different members, like `/pair constraint first:@Ana second:@Ben`.")
        if first.bot or second.bot:
            raise UserError(
                "Bots are never paired. Pick two members, like `/pair constraint first:@Ana second:@Ben`."
            )
        names = f"{first.mention} and {second.mention}"
        if action == "clear":
            removed = await self.repo.clear_constraints(guild.id, first.id, second.id)
            text = f"Cleared: {names} have no constraints now." if removed else f"{names} had no constraints."
        elif action == "separate":
            await self.repo.set_constraint(guild.id, "separate", first.id, second.id, self.bot.clock.now())
            text = f"{names} will be kept apart in every round until you clear it."
        else:
            await self.repo.set_constraint(guild.id, "pin", first.id, second.id, self.bot.clock.now())
            text = f"{names} will be paired together next round, if both are opted in and allowed."
        await reply_private(interaction, text)

    @pair.command(name="report", description="Facilitators: how rounds went (totals only)")
    @facilitator_only()
    async def report(self, interaction: discord.Interaction[Any]) -> None:
        guild = self._guild(interaction)
        rounds = await self.repo.report(guild.id)
        if not rounds:
            await reply_private(interaction, "No rounds yet. Start one with `/pair run`.")
            return
        lines = ["**Pairs rounds** (newest first; totals only)"]
        lines += [
            f"- <t:{int(r.started_at.timestamp())}:D>: {r.groups} pair(s), {r.connected} said they connected"
            for r in rounds
        ]
        await reply_private(interaction, "\n".join(lines))

    # -- a round ------------------------------------------------------------------------------

    async def start_round(
        self, guild_id: int, result: PairingResult, seed: int, *, followup_day: int | None = None
    ) -> str:
        """Store the round, deliver every group, schedule the follow-up and the end."""
        now = self.bot.clock.now()
        active = await self.repo.active_round(guild_id)
        if active is not None:
            await self.end_round(active)
        ends = pairs_flow.round_end(now, await self.repo.round_weeks(guild_id))
        sat_out = [u.member for u in result.unplaced]
        new_round, groups = await self.repo.create_round(
            guild_id, result.groups, sat_out, started=now, ends=ends, seed=seed
        )
        by_dm = 0
        for group in groups:
            if not await self.deliver(new_round, group):
                by_dm += 1
        zone = await self._zone(guild_id)
        payload = {"round_id": new_round.round_id}
        await self.bot.scheduler.set(
            guild_id,
            FOLLOWUP_KIND,
            Rule.once(pairs_flow.followup_at(now, ends, followup_day), zone),
            payload={**payload, "followup_day": followup_day},
        )
        await self.bot.scheduler.set(guild_id, END_KIND, Rule.once(ends, zone), payload=payload)
        text = f"Round started: {len(groups)} group(s)"
        text += f", {by_dm} introduced by DM." if by_dm else ", each with a private thread."
        if sat_out:
            text += f" {len(sat_out)} member(s) couldn't be placed this time."
        return text

    async def _send(
        self,
        guild_id: int,
        kind: str,
        key: str,
        content: str,
        *,
        channel_id: int | None = None,
        user_id: int | None = None,
        view: discord.ui.View | None = None,
        mentions: discord.AllowedMentions | None = None,
        priority: int = PRIORITY_POST,
    ) -> None:
        await self.bot.outbox.enqueue(
            guild_id=guild_id,
            kind=kind,
            key=key,
            channel_id=channel_id,
            user_id=user_id,
            content=content,
            view=view,
            allowed_mentions=mentions or discord.AllowedMentions.none(),
            priority=priority if user_id is None else PRIORITY_DM,
        )

    async def deliver(self, round_: Round, group: PairGroup) -> bool:
        """A private thread for the group, or DMs when threads aren't possible. True for a thread."""
        config = await self.bot.guilds_repo.get(group.guild_id)
        goals = await self.repo.goals(group.guild_id, group.members)
        skill = pairs_flow.skill_of_the_week(self.bot.content.skills, round_.round_id)
        step = pairs_flow.first_step(group.group_id)
        mentions = discord.AllowedMentions(users=[discord.Object(m) for m in group.members])
        channel_id = config.channel("pairs")
        channel = self.bot.get_channel(channel_id) if channel_id else None
        if isinstance(channel, discord.TextChannel):
            try:
                names = " & ".join(self._name(group.guild_id, m) for m in group.members)
                thread = await channel.create_thread(
                    name=f"Pair: {names}"[:100],
                    type=discord.ChannelType.private_thread,
                    invitable=False,
                    auto_archive_duration=10080,
                )
                for member in group.members:
                    await thread.add_user(discord.Object(member))
                intro = pairs_flow.intro_text(
                    group.members, goals, ends_at=round_.ends_at, step=step, skill=skill
                )
                await self.repo.set_delivery(group.group_id, thread.id, "thread")
                await self._send(
                    group.guild_id,
                    INTRO_KIND,
                    str(group.group_id),
                    intro,
                    channel_id=thread.id,
                    mentions=mentions,
                )
                return True
            except discord.Forbidden:
                log.warning("no private threads in guild %s; pairs introduced by DM", group.guild_id)
        guild = self.bot.get_guild(group.guild_id)
        intro = pairs_flow.intro_text(
            group.members,
            goals,
            ends_at=round_.ends_at,
            step=step,
            skill=skill,
            group_name=guild.name if guild else None,
        )
        await self.repo.set_delivery(group.group_id, None, "dm")
        for member_id in group.members:
            await self._dm(
                group.guild_id, member_id, intro, INTRO_KIND, str(group.group_id), mentions=mentions
            )
        await self._warn_threads(group.guild_id, channel_id)
        return False

    async def _dm(
        self,
        guild_id: int,
        user_id: int,
        content: str,
        kind: str,
        key: str,
        *,
        view: discord.ui.View | None = None,
        mentions: discord.AllowedMentions | None = None,
    ) -> None:
        """Queue a DM; the outbox marks closed DMs (50007) and skips them from then on."""
        await self._send(guild_id, kind, key, content, user_id=user_id, view=view, mentions=mentions)

    async def _warn_threads(self, guild_id: int, channel_id: int | None) -> None:
        if not await self.repo.claim_threads_warning(guild_id, self.bot.clock.now()):
            return
        config = await self.bot.guilds_repo.get(guild_id)
        alerts_id = config.channel("alerts")
        alerts = self.bot.get_channel(alerts_id) if alerts_id else None
        where = f"<#{channel_id}>" if channel_id else "the pairs channel (set one with `/setup channel`)"
        if alerts_id is not None and alerts is not None:
            await self._send(
                guild_id,
                NOTE_KIND,
                f"threads@{int(self.bot.clock.now().timestamp())}",
                THREAD_PERMISSION_NOTE.format(channel=where),
                channel_id=alerts_id,
                priority=PRIORITY_ALERT,
            )

    async def end_round(self, round_: Round) -> None:
        """Archive the round's threads (with a short goodbye) and close it."""
        for group in await self.repo.groups(round_.round_id):
            if group.thread_id is None:
                continue
            thread = self.bot.get_channel(group.thread_id)
            if not isinstance(thread, discord.Thread):
                continue
            # The goodbye is queued; the thread is archived once it has been posted (a message
            # sent to an archived thread would reopen it).
            await self._send(
                group.guild_id,
                GOODBYE_KIND,
                str(group.group_id),
                "This round has ended. Thank you for showing up for each other.",
                channel_id=thread.id,
            )
        await self.repo.end_round(round_.round_id)

    async def _goodbye_delivered(self, row: OutboxRow, _message_id: int | None) -> None:
        thread = self.bot.get_channel(row.channel_id) if row.channel_id else None
        if not isinstance(thread, discord.Thread):
            return
        try:
            await thread.edit(archived=True)
        except discord.HTTPException:
            log.warning("could not archive pair thread %s", thread.id)

    # -- scheduled ----------------------------------------------------------------------------

    async def _scheduled_round(self, schedule: Schedule, occurrence: datetime) -> None:
        guild_id = schedule.guild_id
        seed = int(occurrence.timestamp())
        result, text = await self.propose(guild_id, seed)
        key = occurrence_key(schedule, occurrence)
        if result.problem:
            await self._tell_facilitators(guild_id, f"No pairs round this time. {text}", key=key)
            return
        day = schedule.payload.get("followup_day")
        summary = await self.start_round(guild_id, result, seed, followup_day=int(day) if day else None)
        await self.bot.audit.record(guild_id, 0, "pairs:round_run", _group_count(summary))
        if result.unplaced:
            await self._tell_facilitators(
                guild_id,
                summary
                + "\n"
                + "\n".join(f"- {pairs_flow.mention(u.member)}: {u.message}" for u in result.unplaced),
                key=key,
            )

    async def _tell_facilitators(self, guild_id: int, text: str, *, key: str) -> None:
        config = await self.bot.guilds_repo.get(guild_id)
        alerts_id = config.channel("alerts")
        alerts = self.bot.get_channel(alerts_id) if alerts_id else None
        if isinstance(alerts, discord.TextChannel):
            await self._send(
                guild_id, NOTE_KIND, key, text[:2000], channel_id=alerts.id, priority=PRIORITY_ALERT
            )

    async def _followup(self, schedule: Schedule, occurrence: datetime) -> None:
        round_ = await self.repo.get_round(int(schedule.payload["round_id"]))
        if round_ is None or round_.status != "active":
            return
        when = "Halfway through the round" if schedule.payload.get("followup_day") is None else "A check-in"
        text = f"{when}: how's it going? Each of you can answer; only totals reach the facilitators."
        for group in await self.repo.groups(round_.round_id):
            if not group.members:
                continue
            key = str(group.group_id)
            thread = self.bot.get_channel(group.thread_id) if group.thread_id else None
            if isinstance(thread, discord.Thread):
                await self._send(
                    group.guild_id,
                    FOLLOWUP_SEND_KIND,
                    key,
                    text,
                    channel_id=thread.id,
                    view=answer_view(group.group_id),
                )
                continue
            for member_id in group.members:
                await self._dm(
                    group.guild_id, member_id, text, FOLLOWUP_SEND_KIND, key, view=answer_view(group.group_id)
                )

    async def _end(self, schedule: Schedule, occurrence: datetime) -> None:
        round_ = await self.repo.get_round(int(schedule.payload["round_id"]))
        if round_ is not None and round_.status == "active":
            await self.end_round(round_)

    async def _config_changed(self, guild_id: int) -> None:
        """Keep the weekly round at the same local time when the group's timezone changes."""
        existing = await self.bot.scheduler.get(guild_id, ROUND_KIND)
        if existing is None:
            return
        zone = await self._zone(guild_id)
        if existing.rule.tz.key != zone.key:
            await self.bot.scheduler.set(
                guild_id, ROUND_KIND, dataclasses.replace(existing.rule, tz=zone), payload=existing.payload
            )

    # -- follow-up answers and re-pairing -----------------------------------------------------

    async def on_answer(self, interaction: discord.Interaction[Any], group_id: int, answer: Answer) -> None:
        group = await self.repo.get_group(group_id)
        user_id = interaction.user.id
        if group is None or user_id not in (*group.members, *group.left):
            raise UserError("These buttons are for the members of this pair.")
        round_ = await self.repo.get_round(group.round_id)
        if round_ is None or round_.status != "active":
            raise UserError("This round has ended. Thanks for taking part; a new round brings a new partner.")
        await self.repo.record_answer(group_id, group.guild_id, user_id, answer, self.bot.clock.now())
        if answer == "connected":
            await reply_private(interaction, "Lovely, thank you for letting me know.")
        elif answer == "not_yet":
            await reply_private(
                interaction,
                "Thanks for being honest. There's still time: the round ends "
                f"<t:{int(round_.ends_at.timestamp())}:R>.",
            )
        else:
            if user_id not in group.members:
                raise UserError(
                    "You've already moved on from this pair. `/pair status` shows your current one."
                )
            await self._depart(group.guild_id, user_id, reason="asked for a new partner")
            await reply_private(
                interaction, await self.find_new_partner(round_, user_id, exclude=group.members)
            )

    async def on_repair_request(self, interaction: discord.Interaction[Any], round_id: int) -> None:
        round_ = await self.repo.get_round(round_id)
        if round_ is None or round_.status != "active":
            await _answer(
                interaction, "This round has ended; you'll get a partner in the next one.", edit=True
            )
            return
        user_id = interaction.user.id
        current = await self.repo.current_group(round_.guild_id, user_id)
        if current is not None and len(current.members) >= 2:
            await _answer(
                interaction, "You already have a partner this round. `/pair status` shows them.", edit=True
            )
            return
        exclude: tuple[int, ...] = ()
        if current is not None:
            exclude = current.left
            await self.repo.mark_left_group(current.group_id, user_id, self.bot.clock.now())
        await _answer(interaction, await self.find_new_partner(round_, user_id, exclude=exclude), edit=True)

    async def find_new_partner(self, round_: Round, user_id: int, *, exclude: tuple[int, ...]) -> str:
        """Pair with someone waiting, join a pair as a third, or wait. Returns what to tell them."""
        guild_id = round_.guild_id
        now = self.bot.clock.now()
        waiting = [w for w in await self.repo.waiting(round_.round_id) if w != user_id]
        current = [g for g in await self.repo.groups(round_.round_id) if g.members]
        pairs = [g for g in current if len(g.members) == 2 and user_id not in g.members]
        outcome = re_pair(
            user_id,
            waiting=waiting,
            groups=[g.members for g in pairs],
            history=await self.repo.history(guild_id),
            constraints=await self.repo.constraints(guild_id),
            exclude=exclude,
            seed=int(now.timestamp()),
        )
        if outcome.kind is RePairKind.PAIRED and outcome.group is not None:
            other = next(m for m in outcome.group if m != user_id)
            await self.repo.remove_waiting(round_.round_id, other)
            old = await self.repo.current_group(guild_id, other)
            if old is not None:
                await self.repo.mark_left_group(old.group_id, other, now)
            group = await self.repo.add_group(round_.round_id, guild_id, outcome.group, now)
            await self.deliver(round_, group)
            return f"You're now paired with {pairs_flow.mention(other)}. Look for your new thread (or a DM)."
        if outcome.kind is RePairKind.JOINED_GROUP and outcome.replaces is not None:
            target = next(g for g in pairs if g.members == outcome.replaces)
            await self.repo.add_to_group(target.group_id, guild_id, user_id)
            await self.repo.remove_waiting(round_.round_id, user_id)
            await self._welcome_third(round_, target, user_id)
            names = " & ".join(pairs_flow.mention(m) for m in target.members)
            return f"You've joined {names} as a trio for the rest of the round."
        await self.repo.add_waiting(round_.round_id, guild_id, user_id, now)
        return (
            "No one is free right now, so you're first in line: I'll pair you as soon as someone "
            "else needs a partner, or in the next round."
        )

    async def _welcome_third(self, round_: Round, group: PairGroup, user_id: int) -> None:
        goals = await self.repo.goals(group.guild_id, [*group.members, user_id])
        everyone = (*group.members, user_id)
        mentions = discord.AllowedMentions(users=[discord.Object(m) for m in everyone])
        text = (
            f"{pairs_flow.goal_line(user_id, goals.get(user_id))}\n"
            "They're joining you as a third for the rest of this round. Welcome!"
        )
        thread = self.bot.get_channel(group.thread_id) if group.thread_id else None
        if isinstance(thread, discord.Thread):
            try:
                await thread.add_user(discord.Object(user_id))
            except discord.HTTPException:
                log.warning("could not add a third member to pair thread %s", group.thread_id)
            else:
                key = f"{group.group_id}:{user_id}"
                await self._send(
                    group.guild_id, THIRD_KIND, key, text, channel_id=thread.id, mentions=mentions
                )
                return
        intro = pairs_flow.intro_text(
            everyone, goals, ends_at=round_.ends_at, step=pairs_flow.first_step(group.group_id), skill=None
        )
        for member_id in everyone:
            await self._dm(
                group.guild_id, member_id, intro, THIRD_KIND, f"{group.group_id}:{user_id}", mentions=mentions
            )

    async def _depart(self, guild_id: int, user_id: int, *, reason: str) -> bool:
        """Take a member out of their current group; a partner left alone gets a kind note."""
        group = await self.repo.current_group(guild_id, user_id)
        active = await self.repo.active_round(guild_id)
        if active is not None:
            await self.repo.remove_waiting(active.round_id, user_id)
        if group is None:
            return False
        await self.repo.mark_left_group(group.group_id, user_id, self.bot.clock.now())
        remaining = [m for m in group.members if m != user_id]
        if len(remaining) == 1:
            note = (
                "Your accountability partner can't continue this round. That's nothing you did; "
                "things come up. Would you like a new partner for the rest of the round?"
            )
            await self._dm(
                guild_id,
                remaining[0],
                note,
                PARTNER_LEFT_KIND,
                f"{group.group_id}:{user_id}",
                view=repair_view(group.round_id),
            )
        log.info("member left a pair group (%s) in guild %s", reason, guild_id)
        return True

    @commands.Cog.listener()
    async def on_member_remove(self, member: discord.Member) -> None:
        await self._depart(member.guild.id, member.id, reason="left the server")
        await self.repo.forget_member(member.guild.id, member.id)


async def setup(bot: ResilienceBot) -> None:
    await bot.add_cog(Pairs(bot))
    bot.add_dynamic_items(AnswerButton, RePairButton)
