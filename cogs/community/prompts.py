"""``/prompt``: the ``Prompts`` cog and the facilitator's commands: post now, schedule, quiet hours.

What a scheduled prompt does by itself (the send, quiet hours, its thread) is ``jobs.PromptJobs``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.community.logic import check_length, ts
from bot.community.polls import poll_plan
from bot.community.prompts import PROMPT_TEXT_LIMIT, preview, prompt_rule, with_time
from bot.community.store import CommunityRepository, PromptRow
from bot.core.bot import ResilienceBot
from bot.core.checks import facilitator_only, is_facilitator
from bot.core.errors import UserError
from bot.core.timeparse import parse_time
from cogs.community.base import NO_MENTIONS
from cogs.community.jobs import PROMPT_POST, PromptJobs
from cogs.community.views import prompt_embed, thread_name

# The options /prompt post and /prompt schedule share.
TEXT_OPTIONS = {
    "text": f"Your own prompt (up to {PROMPT_TEXT_LIMIT:,} characters)",
    "library": "Or a prompt from the library: type a topic or tag",
}


async def _is_facilitator(interaction: discord.Interaction[Any]) -> bool:
    if interaction.guild is None or not isinstance(interaction.user, discord.Member):
        return False
    bot: ResilienceBot = interaction.client
    return is_facilitator(interaction.user, await bot.guilds_repo.get(interaction.guild.id))


async def library_autocomplete(
    interaction: discord.Interaction[Any], current: str
) -> list[app_commands.Choice[str]]:
    """Library prompts whose id, text or tags contain what was typed."""
    bot: ResilienceBot = interaction.client
    q = current.strip().lower()
    found = []
    for prompt in bot.content.prompts.values():
        haystack = " ".join([prompt.id, prompt.text.lower(), *prompt.tags]).replace("_", " ")
        if not q or q in haystack or q.replace(" ", "_") in prompt.tags:
            found.append(prompt)
    return [app_commands.Choice(name=f"{p.id}: {p.text}"[:100], value=p.id) for p in found[:25]]


async def prompt_number_autocomplete(
    interaction: discord.Interaction[Any], current: str
) -> list[app_commands.Choice[int]]:
    if interaction.guild is None or not await _is_facilitator(interaction):
        return []
    bot: ResilienceBot = interaction.client
    choices = []
    for row in await CommunityRepository(bot.db).prompts(interaction.guild.id):
        label = f"#{row.prompt_id}: {preview(row, bot.content.prompts)}"
        if current.strip().lower() in label.lower():
            choices.append(app_commands.Choice(name=label[:100], value=row.prompt_id))
    return choices[:25]


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class Prompts(
    PromptJobs, commands.GroupCog, group_name="prompt", group_description="Post and schedule group prompts"
):
    """Facilitator prompts: post now or on a schedule, kept out of the group's quiet hours."""

    # -- helpers ----------------------------------------------------------------------------------

    def _resolve_text(self, text: str | None, library: str | None) -> tuple[str | None, str | None]:
        """(free text, library id): exactly one, checked."""
        if text and library:
            raise UserError("Choose either your own text or a library prompt, not both.")
        if library:
            if library not in self.bot.content.prompts:
                raise UserError(
                    f"I don't have a library prompt `{library[:50]}`. Start typing in the library "
                    "option to pick one, like `what-helped-this-week`."
                )
            return None, library
        if text:
            return check_length(text, PROMPT_TEXT_LIMIT, "prompt text"), None
        raise UserError("Write the prompt text, or pick one from the library (start typing a topic).")

    async def _post(self, channel: discord.abc.Messageable, text: str, *, thread: bool) -> discord.Message:
        """``/prompt post``: the facilitator is waiting, so it is sent at once."""
        message = await channel.send(embed=prompt_embed(text), allowed_mentions=NO_MENTIONS)
        if thread and isinstance(message.channel, discord.TextChannel):
            await message.create_thread(name=thread_name(text))
        return message

    async def _own_prompt(self, guild_id: int, number: int) -> PromptRow:
        row = await self.repo.prompt(guild_id, number)
        if row is None:
            raise UserError(f"There's no prompt #{number} here. `/prompt list` shows the scheduled ones.")
        return row

    # -- commands ---------------------------------------------------------------------------------

    @app_commands.command(name="post", description="Post a prompt now")
    @app_commands.describe(
        **TEXT_OPTIONS,
        channel="Where to post (default: the group channel)",
        thread="Open a discussion thread on it",
    )
    @app_commands.autocomplete(library=library_autocomplete)
    @facilitator_only()
    async def post(
        self,
        interaction: discord.Interaction[Any],
        text: str | None = None,
        library: str | None = None,
        channel: discord.TextChannel | None = None,
        thread: bool = False,
    ) -> None:
        assert interaction.guild is not None
        own, library_id = self._resolve_text(text, library)
        body = own or self.bot.content.prompts[str(library_id)].text
        target = await self._channel(interaction.guild.id, channel.id if channel else None)
        message = await self._post(target, body, thread=thread)
        await interaction.response.send_message(f"Posted: {message.jump_url}", ephemeral=True)

    @app_commands.command(
        name="poll", description="A poll for logistics (a session time, a topic); never for moods"
    )
    @app_commands.describe(
        question="What to decide, like: Which evening suits the next session?",
        answers="2 to 10 answers separated by ;  like: Monday; Tuesday; Thursday",
        hours="How long it stays open (1 to 768 hours; default 24)",
        multiple="Let people pick more than one answer",
        channel="Where to post (default: the group channel)",
    )
    @facilitator_only()
    async def poll(
        self,
        interaction: discord.Interaction[Any],
        question: str,
        answers: str,
        hours: int = 24,
        multiple: bool = False,
        channel: discord.TextChannel | None = None,
    ) -> None:
        assert interaction.guild is not None
        plan = poll_plan(question, answers, hours, multiple=multiple)
        target = await self._channel(interaction.guild.id, channel.id if channel else None)
        poll = discord.Poll(
            question=plan.question, duration=timedelta(hours=plan.hours), multiple=plan.multiple
        )
        for answer in plan.answers:
            poll.add_answer(text=answer)
        message = await target.send(poll=poll, allowed_mentions=NO_MENTIONS)
        await self.bot.audit.record(
            interaction.guild.id, interaction.user.id, "prompts:poll", str(message.id)
        )
        await interaction.response.send_message(
            f"Poll posted: {message.jump_url} (open for {plan.hours} hours). "
            "Everyone can see who voted for what.",
            ephemeral=True,
        )

    @app_commands.command(name="schedule", description="Schedule a prompt: once, daily or weekly")
    @app_commands.describe(
        repeat="once, daily, or weekly on chosen days",
        time="Local time in the group's timezone, like 19:00 or 7pm",
        **TEXT_OPTIONS,
        date="For a one-off: the date, like 2026-12-24",
        days="For weekly: the days, like mon, thu (default: today's weekday)",
        every_weeks="For weekly: every N weeks (default 1)",
        channel="Where to post (default: the group channel)",
        thread="Open a discussion thread on each post",
    )
    @app_commands.autocomplete(library=library_autocomplete)
    @facilitator_only()
    async def schedule(
        self,
        interaction: discord.Interaction[Any],
        repeat: Literal["once", "daily", "weekly"],
        time: str,
        text: str | None = None,
        library: str | None = None,
        date: str | None = None,
        days: str | None = None,
        every_weeks: app_commands.Range[int, 1, 52] = 1,
        channel: discord.TextChannel | None = None,
        thread: bool = False,
    ) -> None:
        assert interaction.guild is not None
        guild_id = interaction.guild.id
        own, library_id = self._resolve_text(text, library)
        tz = await self.zone(guild_id)
        rule = prompt_rule(
            repeat,
            tz=tz,
            now=self.bot.clock.now(),
            time_text=time,
            date_text=date,
            days_text=days,
            every_weeks=every_weeks,
        )
        number = await self.repo.add_prompt(
            guild_id,
            text=own,
            library_id=library_id,
            channel_id=channel.id if channel else None,
            thread=thread,
            now=self.bot.clock.now(),
        )
        schedule = await self.bot.scheduler.set(guild_id, PROMPT_POST, rule, key=str(number), payload={})
        await self.bot.audit.record(
            guild_id, interaction.user.id, "prompts:scheduled", f"#{number}, {rule.describe()}"
        )
        when = f" Next: {ts(schedule.next_due)}." if schedule.next_due else ""
        await interaction.response.send_message(
            f"Scheduled prompt #{number}: {rule.describe()}.{when}", ephemeral=True
        )

    @app_commands.command(name="list", description="Scheduled prompts and when they next go out")
    @facilitator_only()
    async def list_(self, interaction: discord.Interaction[Any]) -> None:
        assert interaction.guild is not None
        lines = []
        for row in await self.repo.prompts(interaction.guild.id):
            schedule = await self.bot.scheduler.get(interaction.guild.id, PROMPT_POST, str(row.prompt_id))
            if schedule is None:
                continue
            if row.paused:
                status = "paused"
            elif schedule.next_due is not None:
                status = f"next {ts(schedule.next_due)}"
            else:
                continue  # a one-off that already went out
            shown = preview(row, self.bot.content.prompts)
            lines.append(f"**#{row.prompt_id}** {shown}\n  {schedule.rule.describe()}, {status}")
        if not lines:
            text = "No prompts are scheduled. `/prompt schedule` sets one up."
        else:
            text = "**Upcoming prompts**\n" + "\n".join(lines)
        await interaction.response.send_message(text[:2000], ephemeral=True)

    @app_commands.command(name="edit", description="Change a scheduled prompt's text or time")
    @app_commands.describe(
        prompt="The prompt number", text="New text", library="Or a library prompt", time="New local time"
    )
    @app_commands.autocomplete(prompt=prompt_number_autocomplete)
    @app_commands.autocomplete(library=library_autocomplete)
    @facilitator_only()
    async def edit(
        self,
        interaction: discord.Interaction[Any],
        prompt: int,
        text: str | None = None,
        library: str | None = None,
        time: str | None = None,
    ) -> None:
        assert interaction.guild is not None
        guild_id = interaction.guild.id
        row = await self._own_prompt(guild_id, prompt)
        if not (text or library or time):
            raise UserError(
                "Tell me what to change: new `text`, a `library` prompt, or a new `time` like 19:00."
            )
        changes = []
        if text or library:
            own, library_id = self._resolve_text(text, library)
            await self.repo.update_prompt(guild_id, prompt, text=own, library_id=library_id)
            changes.append("text")
        if time:
            at = parse_time(time)
            schedule = await self.bot.scheduler.get(guild_id, PROMPT_POST, str(prompt))
            if schedule is None or schedule.rule.kind == "once":
                raise UserError("A one-off prompt's time can't be moved. Cancel it and schedule a new one.")
            await self.reschedule(schedule, with_time(schedule.rule, at), enabled=not row.paused)
            changes.append("time")
        await self.bot.audit.record(
            guild_id, interaction.user.id, "prompts:edited", f"#{prompt}, {' and '.join(changes)}"
        )
        await interaction.response.send_message(
            f"Updated prompt #{prompt} ({' and '.join(changes)}).", ephemeral=True
        )

    @app_commands.command(name="pause", description="Pause or resume a scheduled prompt")
    @app_commands.describe(prompt="The prompt number", resume="Resume it instead")
    @app_commands.autocomplete(prompt=prompt_number_autocomplete)
    @facilitator_only()
    async def pause(self, interaction: discord.Interaction[Any], prompt: int, resume: bool = False) -> None:
        assert interaction.guild is not None
        guild_id = interaction.guild.id
        await self._own_prompt(guild_id, prompt)
        schedule = await self.bot.scheduler.get(guild_id, PROMPT_POST, str(prompt))
        if schedule is None:
            raise UserError(f"Prompt #{prompt} isn't scheduled. `/prompt list` shows the scheduled ones.")
        await self.repo.set_prompt_paused(guild_id, prompt, not resume)
        updated = await self.reschedule(schedule, schedule.rule, enabled=resume)
        if resume:
            when = f" Next: {ts(updated.next_due)}." if updated.next_due else " It has no future time left."
            message = f"Prompt #{prompt} is back on.{when}"
        else:
            message = f"Prompt #{prompt} is paused. Resume with `/prompt pause prompt:{prompt} resume:True`."
        await interaction.response.send_message(message, ephemeral=True)

    @app_commands.command(name="cancel", description="Cancel a scheduled prompt for good")
    @app_commands.describe(prompt="The prompt number")
    @app_commands.autocomplete(prompt=prompt_number_autocomplete)
    @facilitator_only()
    async def cancel(self, interaction: discord.Interaction[Any], prompt: int) -> None:
        assert interaction.guild is not None
        guild_id = interaction.guild.id
        await self._own_prompt(guild_id, prompt)
        await self.bot.scheduler.remove(guild_id, PROMPT_POST, str(prompt))
        await self.repo.delete_prompt(guild_id, prompt)
        await self.bot.audit.record(guild_id, interaction.user.id, "prompts:cancelled", f"#{prompt}")
        await interaction.response.send_message(f"Prompt #{prompt} is cancelled.", ephemeral=True)

    @app_commands.command(name="quiet", description="Quiet hours: no prompts between these local times")
    @app_commands.describe(
        start="When quiet hours begin, like 22:00",
        end="When they end, like 07:00",
        off="Turn quiet hours off",
    )
    @facilitator_only()
    async def quiet(
        self,
        interaction: discord.Interaction[Any],
        start: str | None = None,
        end: str | None = None,
        off: bool = False,
    ) -> None:
        assert interaction.guild is not None
        guild_id = interaction.guild.id
        now = self.bot.clock.now()
        if off:
            await self.repo.update_settings(guild_id, now, quiet_start=None, quiet_end=None)
            await interaction.response.send_message("Quiet hours are off.", ephemeral=True)
            return
        if not (start and end):
            raise UserError("Give both times, like start `22:00` end `07:00`, or set `off` to True.")
        begin, finish = parse_time(start), parse_time(end)
        if begin == finish:
            raise UserError("Start and end are the same time. Try start `22:00` end `07:00`.")
        await self.repo.update_settings(
            guild_id, now, quiet_start=begin.strftime("%H:%M"), quiet_end=finish.strftime("%H:%M")
        )
        zone = await self.bot.group_timezone(guild_id)
        await interaction.response.send_message(
            f"Quiet hours: {begin:%H:%M} to {finish:%H:%M} ({zone}). A prompt due then waits until "
            f"{finish:%H:%M}.",
            ephemeral=True,
        )
