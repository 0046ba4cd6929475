"""Skill of the day: the daily card, its buttons, ``/skill`` and ``/toolkit``.

Thin: rotation, search and suggestions are in ``bot.skills``; all SQL is in ``bot.repos.skills``.
"""

from __future__ import annotations

import logging
import re
from datetime import date, datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.bot import ResilienceBot
from bot.core.checks import facilitator_only
from bot.core.consent import answer_privately
from bot.core.content import (
    Category,
    Kind,
    Skill,
    Tag,
    label,
    parse_skill_dict,
    slugify,
    split_steps,
    validate_skill_dict,
)
from bot.core.content.models import REFLECTION_MAX, STEP_MAX, STEPS_MAX, TITLE_MAX, WHY_MAX
from bot.core.errors import UserError
from bot.core.members import Member
from bot.core.outbox import PRIORITY_POST
from bot.core.outbox_store import OutboxRow
from bot.core.problems import ContentInvalid
from bot.core.schedule_rules import Rule
from bot.core.schedule_store import Schedule
from bot.core.scheduler import occurrence_key
from bot.core.timeparse import parse_time
from bot.core.ui import BaseModal, report_error
from bot.skills import (
    alternative_of_same_kind,
    closest_titles,
    find_skills,
    ids_in_theme,
    next_skill,
    normalise_theme,
    suggest,
    themes,
)
from bot.skills.card import skill_embed, skill_line
from bot.skills.store import SkillPost, SkillRepository

log = logging.getLogger(__name__)

POST_KIND = "skill:post"
REFRESH_KIND = "skill:refresh"
THREAD_KIND = "skill:thread"
# The card's "how many practised" line is edited at most this often (Discord rate limits).
EDIT_EVERY = timedelta(minutes=1)
# /skill suggest avoids what the member practised in this many recent days.
RECENT_DAYS = 3

CATEGORY_CHOICES = [app_commands.Choice(name=label(c.value), value=c.value) for c in Category]
KIND_CHOICES = [app_commands.Choice(name=label(k.value), value=k.value) for k in Kind]
TAG_CHOICES = [app_commands.Choice(name=label(t.value), value=t.value) for t in Tag]


class _AlreadyQueued(Exception):
    """Rolls back a card row whose outbox send already exists (a handler run twice)."""


def _skills_cog(interaction: discord.Interaction[Any]) -> Skills:
    cog = interaction.client.get_cog("Skills")
    if not isinstance(cog, Skills):
        raise UserError("Skills are not available right now. Please try again in a moment.")
    return cog


# -- persistent card buttons ------------------------------------------------------------------


class PractisedButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"skill:practised:(?P<post>\d+)"
):
    """I practised this: logs once per member per skill per day (after consent)."""

    def __init__(self, post_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="I practised this",
                emoji="\N{WHITE HEAVY CHECK MARK}",
                style=discord.ButtonStyle.success,
                custom_id=f"skill:practised:{post_id}",
            )
        )
        self.post_id = post_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> PractisedButton:
        return cls(int(match["post"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        try:
            await _skills_cog(interaction).practised(interaction, self.post_id)
        except Exception as error:
            await report_error(interaction, error)


class SaveButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"skill:save:(?P<post>\d+)"):
    """Save to my toolkit (after consent)."""

    def __init__(self, post_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="Save to my toolkit",
                emoji="\N{BOOKMARK}",
                style=discord.ButtonStyle.primary,
                custom_id=f"skill:save:{post_id}",
            )
        )
        self.post_id = post_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> SaveButton:
        return cls(int(match["post"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        try:
            await _skills_cog(interaction).save(interaction, self.post_id)
        except Exception as error:
            await report_error(interaction, error)


class OtherButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"skill:other:(?P<post>\d+)"):
    """Something else: a private alternative of the same kind. Stores nothing."""

    def __init__(self, post_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="Something else",
                style=discord.ButtonStyle.secondary,
                custom_id=f"skill:other:{post_id}",
            )
        )
        self.post_id = post_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> OtherButton:
        return cls(int(match["post"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        try:
            await _skills_cog(interaction).something_else(interaction, self.post_id)
        except Exception as error:
            await report_error(interaction, error)


def card_view(post_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(PractisedButton(post_id))
    view.add_item(SaveButton(post_id))
    view.add_item(OtherButton(post_id))
    return view


# -- the facilitator's skill modal --------------------------------------------------------------


class AddSkillModal(BaseModal, title="Write a skill for your group"):
    """Five text inputs; category, kind and tags come from the command's options."""

    skill_title: discord.ui.TextInput[Any] = discord.ui.TextInput(
        label="Title", custom_id="skill:add:title", max_length=TITLE_MAX, placeholder="Stretch and breathe"
    )
    why: discord.ui.TextInput[Any] = discord.ui.TextInput(
        label="Why it helps (one line)", custom_id="skill:add:why", max_length=WHY_MAX
    )
    steps: discord.ui.TextInput[Any] = discord.ui.TextInput(
        label="Steps (3 to 7, one per line)",
        custom_id="skill:add:steps",
        style=discord.TextStyle.paragraph,
        max_length=STEPS_MAX * (STEP_MAX + 4),
    )
    minutes: discord.ui.TextInput[Any] = discord.ui.TextInput(
        label="Minutes needed (1 to 60)", custom_id="skill:add:minutes", max_length=2, placeholder="5"
    )
    reflection: discord.ui.TextInput[Any] = discord.ui.TextInput(
        label="Reflection question",
        custom_id="skill:add:reflection",
        style=discord.TextStyle.paragraph,
        max_length=REFLECTION_MAX,
    )

    def __init__(self, cog: Skills, category: str, kind: str, good_for: list[str]) -> None:
        super().__init__(timeout=1800)
        self.cog = cog
        self.category = category
        self.kind = kind
        self.good_for = good_for

    async def on_submit(self, interaction: discord.Interaction[Any], /) -> None:
        assert interaction.guild is not None
        await self.cog.add_group_skill(
            interaction,
            {
                "title": self.skill_title.value,
                "why": self.why.value,
                "steps": split_steps(self.steps.value),
                "minutes": self.minutes.value,
                "reflection": self.reflection.value,
                "category": self.category,
                "kind": self.kind,
                "good_for": self.good_for,
            },
        )


_FIELD_NAMES = {
    "title": "Title",
    "why": "Why it helps",
    "steps": "Steps",
    "minutes": "Minutes",
    "reflection": "Reflection question",
}


def _explain(problem_field: str, message: str) -> str:
    """One line naming the modal field in words: ``steps[1]`` -> ``Step 2``."""
    match = re.fullmatch(r"(\w+)(?:\[(\d+)\]|\.(\d+))?", problem_field)
    head = match.group(1) if match else problem_field
    index = (match.group(2) or match.group(3)) if match else None
    name = _FIELD_NAMES.get(head, head)
    if head == "steps" and index is not None:
        name = f"Step {int(index) + 1}"
    if head == "minutes":
        message = "should be a whole number from 1 to 60"
    return f"- {name}: {message}"


# -- the cog ----------------------------------------------------------------------------------


class Skills(commands.Cog):
    """The daily skill card, its rotation and the members' toolkits."""

    skill = app_commands.Group(
        name="skill", description="Skill of the day: practise, find and save coping skills", guild_only=True
    )

    def __init__(self, bot: ResilienceBot) -> None:
        self.bot = bot
        self.repo = SkillRepository(bot.db)

    async def cog_load(self) -> None:
        self.bot.scheduler.register(POST_KIND, self._on_post_due)
        self.bot.scheduler.register(REFRESH_KIND, self._on_refresh_due)
        # The daily card goes out through the outbox; its message id comes back here.
        self.bot.outbox.on_delivered(POST_KIND, self._post_delivered)
        self.bot.on_config_change(self.rederive)

    async def cog_unload(self) -> None:
        self.bot.scheduler.unregister(POST_KIND)
        self.bot.scheduler.unregister(REFRESH_KIND)
        self.bot.remove_config_listener(self.rederive)

    # -- the group's skills -----------------------------------------------------------------

    async def catalogue(self, guild_id: int) -> dict[str, Skill]:
        """Shipped skills and the group's own, by id."""
        skills = dict(self.bot.content.skills)
        for data in await self.repo.custom_skills(guild_id):
            try:
                skill = parse_skill_dict(data, source="group skill")
            except ContentInvalid:
                log.warning("a stored group skill no longer validates (guild %s)", guild_id)
                continue
            skills.setdefault(skill.id, skill)
        return skills

    async def enabled(self, guild_id: int) -> dict[str, Skill]:
        disabled = await self.repo.disabled(guild_id)
        return {sid: s for sid, s in (await self.catalogue(guild_id)).items() if sid not in disabled}

    async def resolve(self, guild_id: int, skill_id: str, *, enabled_only: bool = False) -> Skill:
        """The skill with this id, or a kind error naming the three closest titles."""
        skills = await (self.enabled(guild_id) if enabled_only else self.catalogue(guild_id))
        key = skill_id.strip().lower()
        if key in skills:
            return skills[key]
        close = closest_titles(skill_id, skills, 3)
        shown = skill_id.strip().replace("`", "'")[:50] or "an empty name"
        raise UserError(
            f"I don't know a skill called `{shown}`. Did you mean: {', '.join(close)}? "
            "You can search with `/skill find`, like `/skill find breathing`."
        )

    async def group_zone(self, guild_id: int) -> ZoneInfo:
        return ZoneInfo(await self.bot.group_timezone(guild_id))

    async def group_today(self, guild_id: int) -> date:
        return self.bot.clock.now().astimezone(await self.group_zone(guild_id)).date()

    async def member_today(self, guild_id: int, member: Member | None) -> date:
        if member is not None and member.timezone:
            return self.bot.clock.now().astimezone(ZoneInfo(member.timezone)).date()
        return await self.group_today(guild_id)

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
        embed = skill_embed(skill, practised=0, day=today)
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
                        embed=embed,
                        view=card_view(post_id),
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
                message = await channel.send(embed=embed, view=card_view(post_id))
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
            await channel.get_partial_message(post.message_id).edit(
                embed=skill_embed(skill, practised=count, day=post.local_date)
            )
        await self.repo.mark_edited(post.post_id, count, now)

    # -- button actions ---------------------------------------------------------------------

    async def _card(self, interaction: discord.Interaction[Any], post_id: int) -> tuple[SkillPost, Skill]:
        post = await self.repo.post(post_id)
        if post is None or interaction.guild is None or post.guild_id != interaction.guild.id:
            raise UserError("I can't find that skill card any more. `/skill today` shows the latest one.")
        skill = (await self.catalogue(post.guild_id)).get(post.skill_id)
        if skill is None:
            raise UserError(
                "That skill is no longer in this group's library. `/skill today` shows the latest one."
            )
        return post, skill

    async def practised(self, interaction: discord.Interaction[Any], post_id: int) -> None:
        post, skill = await self._card(interaction, post_id)

        async def then(inter: discord.Interaction[Any], member: Member) -> None:
            today = await self.member_today(post.guild_id, member)
            logged = await self.repo.log_practice(
                post.guild_id, member.user_id, skill.id, today, post.post_id, self.bot.clock.now()
            )
            if logged:
                message = f"Logged: you practised **{skill.title}** today. Well done for making the time."
            else:
                message = f"You've already logged **{skill.title}** today. Nice work."
            await answer_privately(interaction, inter, message)
            if logged:
                await self.refresh_card(post.post_id)

        await self.bot.consent.require(interaction, post.guild_id, then)

    async def save(self, interaction: discord.Interaction[Any], post_id: int) -> None:
        post, skill = await self._card(interaction, post_id)

        async def then(inter: discord.Interaction[Any], member: Member) -> None:
            saved = await self.repo.save(post.guild_id, member.user_id, skill.id, self.bot.clock.now())
            if saved:
                message = f"Saved **{skill.title}** to your toolkit. See it any time with `/toolkit`."
            else:
                message = f"**{skill.title}** is already in your toolkit (`/toolkit`)."
            await answer_privately(interaction, inter, message)

        await self.bot.consent.require(interaction, post.guild_id, then)

    async def something_else(self, interaction: discord.Interaction[Any], post_id: int) -> None:
        post, skill = await self._card(interaction, post_id)
        skills = await self.enabled(post.guild_id)
        today = await self.group_today(post.guild_id)
        other = alternative_of_same_kind(
            skill, skills, exclude={skill.id}, seed=f"{interaction.user.id}:{today}"
        )
        if other is None:
            await interaction.response.send_message(
                f"There isn't another {label(skill.kind)} skill here right now. "
                "Try `/skill suggest` and tell me how you feel.",
                ephemeral=True,
            )
            return
        await interaction.response.send_message(
            f"Here's another {label(skill.kind)} skill you could try instead:",
            embed=skill_embed(other),
            ephemeral=True,
        )

    # -- autocomplete -----------------------------------------------------------------------

    async def _skill_choices(
        self, interaction: discord.Interaction[Any], current: str, *, enabled_only: bool
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild is None:
            return []
        guild_id = interaction.guild.id
        skills = await (self.enabled(guild_id) if enabled_only else self.catalogue(guild_id))
        found = (
            find_skills(skills, current, 25)
            if current.strip()
            else sorted(skills.values(), key=lambda s: s.title)
        )
        return [app_commands.Choice(name=s.title[:100], value=s.id) for s in found[:25]]

    async def any_skill_autocomplete(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        return await self._skill_choices(interaction, current, enabled_only=False)

    async def enabled_skill_autocomplete(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        return await self._skill_choices(interaction, current, enabled_only=True)

    async def theme_autocomplete(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild is None:
            return []
        names = ["off", *themes(await self.enabled(interaction.guild.id))]
        text = current.strip().lower().replace(" ", "_")
        return [app_commands.Choice(name=label(n), value=n) for n in names if text in n][:25]

    # -- member commands --------------------------------------------------------------------

    @skill.command(name="today", description="See today's skill")
    async def today(self, interaction: discord.Interaction[Any]) -> None:
        assert interaction.guild is not None
        guild_id = interaction.guild.id
        post = await self.repo.latest_post(guild_id)
        if post is None:
            await interaction.response.send_message(
                "No skill has been posted in this group yet. Meanwhile, `/skill find` or `/skill suggest` "
                "can help you pick one.",
                ephemeral=True,
            )
            return
        skill = (await self.catalogue(guild_id)).get(post.skill_id)
        if skill is None:
            raise UserError("The latest skill is no longer in this group's library. Try `/skill find`.")
        count = await self.repo.practised_count(guild_id, post.post_id)
        if post.local_date == await self.group_today(guild_id):
            intro = "Today's skill:"
        else:
            intro = "Today's skill isn't out yet. Here's the most recent one:"
        await interaction.response.send_message(
            intro,
            embed=skill_embed(skill, practised=count, day=post.local_date),
            view=card_view(post.post_id),
            ephemeral=True,
        )

    @skill.command(name="show", description="Show one skill's card")
    @app_commands.describe(skill="Start typing a title or a tag, like breathing or sleep")
    @app_commands.autocomplete(skill=any_skill_autocomplete)
    async def show(self, interaction: discord.Interaction[Any], skill: str) -> None:
        assert interaction.guild is not None
        found = await self.resolve(interaction.guild.id, skill)
        await interaction.response.send_message(embed=skill_embed(found), ephemeral=True)

    @skill.command(name="find", description="Search the skills by words or a tag")
    @app_commands.describe(words="Words or a tag, like breathing, sleep or boundaries")
    async def find(
        self, interaction: discord.Interaction[Any], words: app_commands.Range[str, 1, 200]
    ) -> None:
        assert interaction.guild is not None
        skills = await self.enabled(interaction.guild.id)
        found = find_skills(skills, words, 10)
        if not found:
            raise UserError(
                "I couldn't find a skill for that. Try a tag like "
                f"{', '.join(f'`{label(t)}`' for t in themes(skills)[:6])}, or a word like `breathing`."
            )
        lines = "\n".join(f"- {skill_line(s)}" for s in found)
        await interaction.response.send_message(
            f"Skills for **{words.strip()[:100]}**:\n{lines}\n\nOpen one with `/skill show`."[:2000],
            ephemeral=True,
        )

    @skill.command(name="suggest", description="Tell me how you feel and I'll suggest a skill")
    @app_commands.describe(feeling="In your own words, like 'stressed and can't sleep'")
    async def suggest_cmd(
        self, interaction: discord.Interaction[Any], feeling: app_commands.Range[str, 1, 300]
    ) -> None:
        assert interaction.guild is not None
        guild_id = interaction.guild.id
        member = await self.bot.members.get(guild_id, interaction.user.id)
        today = await self.member_today(guild_id, member)
        recent = (
            await self.repo.practised_since(guild_id, member.user_id, today - timedelta(days=RECENT_DAYS))
            if member is not None
            else set()
        )
        skills = await self.enabled(guild_id)
        # The feeling text is used only for this reply: never stored or logged.
        result = suggest(skills, feeling, recent, f"{interaction.user.id}:{today}", n=3)
        if not result.skills:
            raise UserError("I couldn't find a skill to suggest just now. Try `/skill find breathing`.")
        if result.tags:
            intro = f"For {', '.join(label(t) for t in result.tags)}, you could try:"
        else:
            intro = "I'm not sure I understood, so here are a few short, gentle skills:"
        lines = "\n".join(f"- {skill_line(s)}" for s in result.skills)
        await interaction.response.send_message(
            f"{intro}\n{lines}\n\nOpen one with `/skill show`."[:2000], ephemeral=True
        )

    # -- facilitator commands ---------------------------------------------------------------

    @skill.command(name="theme", description="Facilitators: focus the daily skills on a theme for a while")
    @app_commands.describe(
        theme="A category or tag, like boundaries or sleep ('off' to stop)", weeks="How long"
    )
    @app_commands.autocomplete(theme=theme_autocomplete)
    @facilitator_only()
    async def theme(
        self, interaction: discord.Interaction[Any], theme: str, weeks: app_commands.Range[int, 1, 12] = 1
    ) -> None:
        assert interaction.guild is not None
        guild_id = interaction.guild.id
        now = self.bot.clock.now()
        skills = await self.enabled(guild_id)
        valid = ", ".join(f"`{label(t)}`" for t in themes(skills))
        if theme.strip().lower() in {"off", "none", "stop"}:
            await self.repo.set_theme(guild_id, None, None, now)
            await interaction.response.send_message(
                "Done: no theme. The daily skills go back to the usual mix."
            )
            return
        key = normalise_theme(theme)
        if key is None:
            raise UserError(f"`{theme.strip()[:50]}` isn't a theme I know. Themes you can use: {valid}.")
        if not ids_in_theme(skills, key):
            raise UserError(f"No enabled skill fits `{label(key)}` right now. Themes you can use: {valid}.")
        until = now + timedelta(weeks=weeks)
        await self.repo.set_theme(guild_id, key, until, now)
        count = len(ids_in_theme(skills, key))
        await interaction.response.send_message(
            f"Done: the daily skills focus on **{label(key)}** ({count} skills) "
            f"until <t:{int(until.timestamp())}:D>."
        )

    @skill.command(name="queue", description="Facilitators: choose an upcoming daily skill")
    @app_commands.describe(skill="The skill to post next (queued skills go first, in order)")
    @app_commands.autocomplete(skill=enabled_skill_autocomplete)
    @facilitator_only()
    async def queue(self, interaction: discord.Interaction[Any], skill: str) -> None:
        assert interaction.guild is not None
        guild_id = interaction.guild.id
        found = await self.resolve(guild_id, skill)
        if found.id in await self.repo.disabled(guild_id):
            raise UserError(
                f"**{found.title}** is switched off here. Turn it on with `/skill enable {found.id}`."
            )
        now = self.bot.clock.now()
        settings = await self.repo.group(guild_id, now)
        queue = list(settings.queue)
        if found.id in queue:
            raise UserError(
                f"**{found.title}** is already in the queue (number {queue.index(found.id) + 1})."
            )
        queue.append(found.id)
        await self.repo.set_queue(guild_id, queue, now)
        where = "next" if len(queue) == 1 else f"number {len(queue)} in the queue"
        await interaction.response.send_message(f"Done: **{found.title}** is {where}.", ephemeral=True)

    @skill.command(name="skip", description="Facilitators: skip today's skill and post the next one now")
    @facilitator_only()
    async def skip(self, interaction: discord.Interaction[Any]) -> None:
        assert interaction.guild is not None
        guild_id = interaction.guild.id
        latest = await self.repo.latest_post(guild_id)
        today = await self.group_today(guild_id)
        if latest is None or latest.local_date != today:
            config = await self.bot.guilds_repo.get(guild_id)
            when = f" at {config.skill_time:%H:%M}" if config.skill_time else ""
            raise UserError(
                f"Nothing to skip yet: today's skill hasn't been posted (it goes out{when}). "
                "To choose which one, use `/skill queue`."
            )
        await interaction.response.defer(ephemeral=True)
        await self.repo.mark_skipped(latest.post_id)
        posted = await self.post_skill(guild_id)
        if posted is None:
            await interaction.followup.send(
                "I marked today's skill as skipped, but couldn't post another: check the skills channel.",
                ephemeral=True,
            )
            return
        _, skill = posted
        await interaction.followup.send(f"Skipped. I've posted **{skill.title}** instead.", ephemeral=True)

    @skill.command(name="disable", description="Facilitators: stop a skill appearing in this group")
    @app_commands.autocomplete(skill=enabled_skill_autocomplete)
    @facilitator_only()
    async def disable(self, interaction: discord.Interaction[Any], skill: str) -> None:
        assert interaction.guild is not None
        guild_id = interaction.guild.id
        found = await self.resolve(guild_id, skill)
        enabled = await self.enabled(guild_id)
        if found.id in enabled and len(enabled) == 1:
            raise UserError("That's the last skill switched on; keep at least one for the daily post.")
        changed = await self.repo.set_disabled(guild_id, found.id, True)
        text = "is now switched off here" if changed else "was already switched off"
        await interaction.response.send_message(f"**{found.title}** {text}.", ephemeral=True)

    @skill.command(name="enable", description="Facilitators: bring back a skill that was switched off")
    @app_commands.autocomplete(skill=any_skill_autocomplete)
    @facilitator_only()
    async def enable(self, interaction: discord.Interaction[Any], skill: str) -> None:
        assert interaction.guild is not None
        found = await self.resolve(interaction.guild.id, skill)
        changed = await self.repo.set_disabled(interaction.guild.id, found.id, False)
        text = "is switched on again" if changed else "was already switched on"
        await interaction.response.send_message(f"**{found.title}** {text}.", ephemeral=True)

    @skill.command(name="add", description="Facilitators: write a skill for this group")
    @app_commands.describe(
        category="Resilience Wheel element", kind="What sort of practice", good_for="What it helps with"
    )
    @app_commands.choices(
        category=CATEGORY_CHOICES, kind=KIND_CHOICES, good_for=TAG_CHOICES, also_good_for=TAG_CHOICES
    )
    @facilitator_only()
    async def add(
        self,
        interaction: discord.Interaction[Any],
        category: str,
        kind: str,
        good_for: str,
        also_good_for: str | None = None,
    ) -> None:
        tags = [good_for] + ([also_good_for] if also_good_for and also_good_for != good_for else [])
        await interaction.response.send_modal(AddSkillModal(self, category, kind, tags))

    async def add_group_skill(self, interaction: discord.Interaction[Any], data: dict[str, Any]) -> None:
        """Validate a facilitator's skill like the shipped files, then store it for the group."""
        assert interaction.guild is not None
        guild_id = interaction.guild.id
        taken = set(await self.catalogue(guild_id))
        base = slugify(str(data["title"]))
        skill_id, n = base, 2
        while skill_id in taken:
            suffix = f"-{n}"
            skill_id, n = base[: 50 - len(suffix)] + suffix, n + 1
        item = {"id": skill_id, **data}
        problems = validate_skill_dict(item, existing_ids=taken, source="your skill")
        if problems:
            lines = "\n".join(_explain(p.field, p.message) for p in problems[:8])
            raise UserError(f"I couldn't add that skill yet. Please fix:\n{lines}\nNothing was saved.")
        skill = parse_skill_dict(item, existing_ids=taken, source="your skill")
        stored = skill.model_dump(mode="json")
        await self.repo.add_custom(guild_id, skill.id, stored, interaction.user.id, self.bot.clock.now())
        await interaction.response.send_message(
            f"Added **{skill.title}** (`{skill.id}`) to this group's skills. It joins the daily rotation.",
            embed=skill_embed(skill),
            ephemeral=True,
        )

    @skill.command(name="schedule", description="Facilitators: set the time of the daily skill")
    @app_commands.describe(time="Local time, like 09:00 or 8:30pm")
    @facilitator_only()
    async def schedule(self, interaction: discord.Interaction[Any], time: str) -> None:
        assert interaction.guild is not None
        guild_id = interaction.guild.id
        at = parse_time(time)
        await self.bot.guilds_repo.set_field(
            guild_id, "skill_time", at.strftime("%H:%M"), self.bot.clock.now()
        )
        await self.bot.config_changed(guild_id)
        zone = await self.bot.group_timezone(guild_id)
        config = await self.bot.guilds_repo.get(guild_id)
        where = config.channel("skills")
        place = f" in <#{where}>" if where else " once a skills channel is set with `/setup channel`"
        await interaction.response.send_message(
            f"Done: the skill of the day will be posted at **{at:%H:%M}** ({zone}) every day{place}.",
            ephemeral=True,
        )

    @skill.command(name="thread", description="Facilitators: open a reflection thread on each daily skill")
    @facilitator_only()
    async def thread(self, interaction: discord.Interaction[Any], setting: Literal["on", "off"]) -> None:
        assert interaction.guild is not None
        await self.repo.set_thread(interaction.guild.id, setting == "on", self.bot.clock.now())
        text = (
            "Done: each daily skill will get a thread for reflections."
            if setting == "on"
            else "Done: no more reflection threads on the daily skill."
        )
        await interaction.response.send_message(text, ephemeral=True)

    # -- /toolkit ---------------------------------------------------------------------------

    @app_commands.command(
        name="toolkit", description="Your saved skills, with how often you've practised them"
    )
    @app_commands.guild_only()
    async def toolkit(self, interaction: discord.Interaction[Any]) -> None:
        assert interaction.guild is not None
        guild_id = interaction.guild.id
        entries = await self.repo.toolkit(guild_id, interaction.user.id)
        if not entries:
            await interaction.response.send_message(
                "Your toolkit is empty. Press **Save to my toolkit** on a skill card to keep one here.",
                ephemeral=True,
            )
            return
        skills = await self.catalogue(guild_id)
        lines = []
        for entry in entries:
            skill = skills.get(entry.skill_id)
            title = (
                f"**{skill.title}** (`{skill.id}`)" if skill else f"`{entry.skill_id}` (no longer available)"
            )
            if entry.practised:
                times = "once" if entry.practised == 1 else f"{entry.practised} times"
                assert entry.last_practised is not None
                done = f"practised {times}, last on <t:{int(entry.last_practised.timestamp())}:D>"
            else:
                done = "not practised yet"
            lines.append(f"- {title}: {done}")
        embed = discord.Embed(title="Your toolkit", description="\n".join(lines)[:4096])
        embed.set_footer(text="Only you can see this.")
        await interaction.response.send_message(embed=embed, ephemeral=True)


async def setup(bot: ResilienceBot) -> None:
    bot.add_dynamic_items(PractisedButton, SaveButton, OtherButton)
    await bot.add_cog(Skills(bot))
