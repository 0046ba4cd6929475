"""The daily skill post: its schedule, the card sent through the outbox, the reflection thread,
and the "how many practised" count, edited at most once a minute."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import discord

from bot.core.content import Skill
from bot.core.outbox import PRIORITY_POST
from bot.core.outbox_store import OutboxRow
from bot.core.schedule_rules import Rule
from bot.core.schedule_store import Schedule
from bot.core.scheduler import occurrence_key
from bot.skills.logic import ids_in_theme, next_skill
from bot.skills.store import SkillPost
from cogs.skills.card import skill_card
from cogs.skills.library import SkillLibrary

log = logging.getLogger(__name__)

POST_KIND = "skill:post"
REFRESH_KIND = "skill:refresh"
THREAD_KIND = "skill:thread"
# The card's "how many practised" line is edited at most this often (Discord rate limits).
EDIT_EVERY = timedelta(minutes=1)


class _AlreadyQueued(Exception):
    """Rolls back a card row whose outbox send already exists (a handler run twice)."""


class SkillJobs(SkillLibrary):
    """What the ``Skills`` cog does on a schedule or when the outbox reports back."""

    def start_jobs(self) -> None:
        """Register the scheduled handlers, the outbox callback and the /setup listener."""
        self.bot.scheduler.register(POST_KIND, self._on_post_due)
        self.bot.scheduler.register(REFRESH_KIND, self._on_refresh_due)
        # The daily card goes out through the outbox; its message id comes back here.
        self.bot.outbox.on_delivered(POST_KIND, self._post_delivered)
        self.bot.on_config_change(self.rederive)

    def stop_jobs(self) -> None:
        """Undo :meth:`start_jobs` (the cog is unloading)."""
        self.bot.scheduler.unregister(POST_KIND)
        self.bot.scheduler.unregister(REFRESH_KIND)
        self.bot.remove_config_listener(self.rederive)

    # -- schedules --------------------------------------------------------------------------

    async def rederive(self, guild_id: int) -> None:
        """Keep the daily post's schedule in step with /setup (skill time, channel, timezone)."""
        config = await self.bot.guilds_repo.get(guild_id)
        if config.skill_time is None or config.channel("skills") is None:
            await self.bot.scheduler.remove(guild_id, POST_KIND)
            return
        rule = Rule.daily(config.skill_time, await self.group_zone(guild_id))
        existing = await self.bot.scheduler.get(guild_id, POST_KIND)
        if existing is not None and existing.rule == rule and existing.enabled:
            return
        await self.bot.scheduler.set(guild_id, POST_KIND, rule)

    async def _on_post_due(self, schedule: Schedule, occurrence: datetime) -> None:
        await self.post_skill(schedule.guild_id, key=occurrence_key(schedule, occurrence))

    async def _on_refresh_due(self, schedule: Schedule, _occurrence: datetime) -> None:
        post = await self.repo.post(int(schedule.key))
        if post is not None and post.edit_pending:
            await self._edit_card(post)

    # -- the daily post ---------------------------------------------------------------------

    async def post_skill(self, guild_id: int, *, key: str | None = None) -> tuple[SkillPost, Skill] | None:
        """Pick the group's next skill and post its card; None if there is nowhere or nothing to post.

        With ``key`` (the scheduled post) the card is queued in the outbox in the same transaction
        as its row, and ``_post_delivered`` records its message id and opens the thread. Without
        (``/skill skip``, a facilitator waiting for it) it is sent at once.
        """
        config = await self.bot.guilds_repo.get(guild_id)
        channel_id = config.channel("skills")
        channel = self.bot.get_channel(channel_id) if channel_id else None
        if not isinstance(channel, discord.TextChannel):
            log.warning("no skills channel for guild %s; skill post skipped", guild_id)
            return None
        now = self.bot.clock.now()
        settings = await self.repo.group(guild_id, now)
        skills = await self.enabled(guild_id)
        cycle, posted = await self.repo.current_cycle(guild_id)
        theme = settings.active_theme(now)
        pick = next_skill(
            skills.keys(),
            posted,
            settings.seed,
            cycle=cycle,
            theme_ids=ids_in_theme(skills, theme) if theme else None,
            queue=settings.queue,
        )
        if pick is None:
            log.warning("no enabled skills in guild %s; skill post skipped", guild_id)
            return None
        skill = skills[pick.skill_id]
        today = now.astimezone(await self.group_zone(guild_id)).date()
        if key is not None:
            try:
                async with self.bot.db.transaction() as tx:
                    post_id = await self.repo.add_post(
                        guild_id, skill.id, pick.cycle, today, channel.id, now, tx=tx
                    )
                    added = await self.bot.outbox.enqueue(
                        guild_id=guild_id,
                        kind=POST_KIND,
                        key=key,
                        channel_id=channel.id,
                        card=skill_card(skill, post_id=post_id, practised=0, day=today),
                        priority=PRIORITY_POST,
                        ref=str(post_id),
                        tx=tx,
                    )
                    if not added:
                        raise _AlreadyQueued
            except _AlreadyQueued:
                return None  # a re-run handler: this occurrence's card is already queued
        else:
            post_id = await self.repo.add_post(guild_id, skill.id, pick.cycle, today, channel.id, now)
            try:
                fresh = skill_card(skill, post_id=post_id, practised=0, day=today)
                message = await channel.send(view=fresh.view())
            except Exception:
                await self.repo.delete_post(post_id)
                raise
        queue = [sid for sid in settings.queue if sid in skills]
        if pick.reason == "queue":
            queue.remove(pick.skill_id)
        if list(settings.queue) != queue:
            await self.repo.set_queue(guild_id, queue, now)
        if key is None:
            await self._card_posted(post_id, message.id, direct=True)
        post = await self.repo.post(post_id)
        assert post is not None
        return post, skill

    async def _post_delivered(self, row: OutboxRow, message_id: int | None) -> None:
        """The outbox posted a daily card: remember its message (for count edits), open the thread."""
        if message_id is not None and row.ref.isdigit():
            await self._card_posted(int(row.ref), message_id, direct=False)

    async def _card_posted(self, post_id: int, message_id: int, *, direct: bool) -> None:
        await self.repo.set_post_message(post_id, message_id)
        post = await self.repo.post(post_id)
        if post is None:
            return
        settings = await self.repo.group(post.guild_id, self.bot.clock.now())
        if settings.thread_on:
            await self._open_thread(post, message_id, direct=direct)

    async def _open_thread(self, post: SkillPost, message_id: int, *, direct: bool) -> None:
        """Thread creation is not a message send, so it stays direct.

        Its intro is queued after a scheduled card (the same drain sends it) and sent at once
        after ``/skill skip``.
        """
        skill = (await self.catalogue(post.guild_id)).get(post.skill_id)
        channel = self.bot.get_channel(post.channel_id)
        if skill is None or not isinstance(channel, discord.TextChannel):
            return
        try:
            thread = await channel.get_partial_message(message_id).create_thread(
                name=f"Reflections: {skill.title}"[:100]
            )
        except discord.HTTPException:
            log.warning("could not open a reflection thread (message %s)", message_id)
            return
        intro = f"A space to share how **{skill.title}** went, if you'd like to.\n> {skill.reflection}"
        if direct:
            await thread.send(intro)
            return
        await self.bot.outbox.enqueue(
            guild_id=post.guild_id,
            kind=THREAD_KIND,
            key=str(post.post_id),
            channel_id=thread.id,
            content=intro,
            priority=PRIORITY_POST,
        )

    # -- the practised count, edited at most once a minute -----------------------------------

    async def refresh_card(self, post_id: int) -> None:
        """Show the new count now if the card was not edited in the last minute; otherwise later."""
        post = await self.repo.post(post_id)
        if post is None or post.message_id is None:
            return
        now = self.bot.clock.now()
        if post.last_edit_at is None or now - post.last_edit_at >= EDIT_EVERY:
            await self._edit_card(post)
            return
        await self.repo.mark_pending(post_id)
        # A one-off schedule flushes the pending edit when the minute is up (tests: advance the
        # clock and run_due); the next click after a minute flushes it too.
        await self.bot.scheduler.set(
            post.guild_id,
            REFRESH_KIND,
            Rule.once(post.last_edit_at + EDIT_EVERY, await self.group_zone(post.guild_id)),
            key=str(post_id),
        )

    async def _edit_card(self, post: SkillPost) -> None:
        now = self.bot.clock.now()
        count = await self.repo.practised_count(post.guild_id, post.post_id)
        skill = (await self.catalogue(post.guild_id)).get(post.skill_id)
        channel = self.bot.get_channel(post.channel_id)
        if skill is None or post.message_id is None or not isinstance(channel, discord.TextChannel):
            await self.repo.mark_edited(post.post_id, post.shown_count, now)
            return
        if count != post.shown_count:
            fresh = skill_card(skill, post_id=post.post_id, practised=count, day=post.local_date)
            # In place, as a V2 card. A card an earlier release posted as an embed becomes one
            # too: Discord takes the flag on an edit that clears the content and the embeds.
            await channel.get_partial_message(post.message_id).edit(
                content=None, embeds=[], view=fresh.view()
            )
        await self.repo.mark_edited(post.post_id, count, now)
