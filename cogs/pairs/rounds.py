"""A pairs round in Discord: proposing it, a private thread (or DMs) per group, re-pairing
mid-round, a member leaving their pair, and the end. What it says is in ``bot.pairs.logic``."""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

import discord

from bot.core.bot import ResilienceBot
from bot.core.lookup import QUERY_TIMEOUT, display_names
from bot.core.outbox import PRIORITY_ALERT, PRIORITY_DM, PRIORITY_POST
from bot.core.schedule_rules import Rule
from bot.core.wording import plural
from bot.pairs.logic import (
    first_step,
    followup_at,
    goal_line,
    intro_text,
    mention,
    preview_text,
    round_end,
    skill_of_the_week,
)
from bot.pairs.pairing import PairingResult, RePairKind, make_pairs, re_pair
from bot.pairs.store import PairGroup, PairRepository, Round
from cogs.pairs.views import repair_view

log = logging.getLogger(__name__)

# Schedule kinds: a round starts, its follow-up question goes out, it ends (handled in ``jobs``).
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

THREAD_PERMISSION_NOTE = (
    "I couldn't open private threads in {channel}, so I introduced this round's pairs by DM "
    "instead. To give each pair a private thread, let my role **Create Private Threads** and "
    "**Send Messages in Threads** in that channel."
)


class PairRounds:
    """The base of the ``Pairs`` cog: everything a round does, whoever starts it."""

    def __init__(self, bot: ResilienceBot) -> None:
        self.bot = bot
        self.repo = PairRepository(bot.db)

    async def _zone(self, guild_id: int) -> ZoneInfo:
        return ZoneInfo(await self.bot.group_timezone(guild_id))

    async def _names(
        self, guild_id: int, user_ids: list[int], *, within: float = QUERY_TIMEOUT
    ) -> dict[int, str]:
        """Each member's name in the server (asked of Discord: there is no member cache)."""
        guild = self.bot.get_guild(guild_id)
        return await display_names(guild, user_ids, gone="a former member", within=within)

    async def propose(self, guild_id: int, seed: int) -> tuple[PairingResult, str]:
        """A proposed round and the preview text; nothing is stored or posted."""
        now = self.bot.clock.now()
        available = await self.repo.available(guild_id, now)
        result = make_pairs(
            available, await self.repo.history(guild_id), await self.repo.constraints(guild_id), seed=seed
        )
        if result.problem:
            return result, (
                f"Only {plural(len(available), 'member is', 'members are')} opted in, and a round needs "
                "at least two. Nothing was posted. Members opt in with `/pair join`."
            )
        ends = round_end(now, await self.repo.round_weeks(guild_id))
        active = await self.repo.active_round(guild_id)
        return result, preview_text(result, ends_at=ends, replaces_active=active is not None)

    async def start_round(
        self, guild_id: int, result: PairingResult, seed: int, *, followup_day: int | None = None
    ) -> str:
        """Store the round, deliver every group, schedule the follow-up and the end."""
        now = self.bot.clock.now()
        active = await self.repo.active_round(guild_id)
        if active is not None:
            await self.end_round(active)
        ends = round_end(now, await self.repo.round_weeks(guild_id))
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
            Rule.once(followup_at(now, ends, followup_day), zone),
            payload={**payload, "followup_day": followup_day},
        )
        await self.bot.scheduler.set(guild_id, END_KIND, Rule.once(ends, zone), payload=payload)
        text = f"Round started: {plural(len(groups), 'pair')}"
        text += f", {by_dm} introduced by DM." if by_dm else ", each with a private thread."
        if sat_out:
            text += f" {plural(len(sat_out), 'member')} couldn't be placed this time."
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
        skill = skill_of_the_week(self.bot.content.skills, round_.round_id)
        step = first_step(group.group_id)
        mentions = discord.AllowedMentions(users=[discord.Object(m) for m in group.members])
        channel_id = config.channel("pairs")
        channel = self.bot.get_channel(channel_id) if channel_id else None
        if isinstance(channel, discord.TextChannel):
            try:
                names = " & ".join((await self._names(group.guild_id, list(group.members))).values())
                thread = await channel.create_thread(
                    name=f"Pair: {names}"[:100],
                    type=discord.ChannelType.private_thread,
                    invitable=False,
                    auto_archive_duration=10080,
                )
                for member in group.members:
                    await thread.add_user(discord.Object(member))
                intro = intro_text(group.members, goals, ends_at=round_.ends_at, step=step, skill=skill)
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
        intro = intro_text(
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
            return f"You're now paired with {mention(other)}. Look for your new thread (or a DM)."
        if outcome.kind is RePairKind.JOINED_GROUP and outcome.replaces is not None:
            target = next(g for g in pairs if g.members == outcome.replaces)
            await self.repo.add_to_group(target.group_id, guild_id, user_id)
            await self.repo.remove_waiting(round_.round_id, user_id)
            await self._welcome_third(round_, target, user_id)
            names = " & ".join(mention(m) for m in target.members)
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
            f"{goal_line(user_id, goals.get(user_id))}\n"
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
        intro = intro_text(
            everyone, goals, ends_at=round_.ends_at, step=first_step(group.group_id), skill=None
        )
        for member_id in everyone:
            await self._dm(
                group.guild_id, member_id, intro, THIRD_KIND, f"{group.group_id}:{user_id}", mentions=mentions
            )

    async def depart(self, guild_id: int, user_id: int, *, reason: str) -> bool:
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
