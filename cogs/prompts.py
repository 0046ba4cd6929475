"""``/prompt``: the facilitator's voice between sessions: post now, schedule, quiet hours."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

import discord
from discord import app_commands
from discord.ext import commands

from bot.community.logic import (
    PROMPT_TEXT_LIMIT,
    check_length,
    prompt_rule,
    quiet_release,
    ts,
    with_time,
    with_zone,
)
from bot.community.store import CommunityRepository, PromptRow
from bot.core.bot import ResilienceBot
from bot.core.checks import facilitator_only, is_facilitator
from bot.core.errors import UserError
from bot.core.outbox import PRIORITY_POST
from bot.core.outbox_store import OutboxRow
from bot.core.schedule_rules import Rule
from bot.core.schedule_store import Schedule
from bot.core.scheduler import occurrence_key
from bot.core.timeparse import parse_time

log = logging.getLogger(__name__)

POST = "prompt:post"
DEFERRED = "prompt:deferred"
NO_MENTIONS = discord.AllowedMentions.none()
THREAD = "thread"  # an outbox row's ref: open a thread on the prompt once it is posted


def _thread_name(text: str) -> str:
    name = text.split("\n", 1)[0]
    return (name[:90] + "…") if len(name) > 90 else name


def prompt_embed(text: str) -> discord.Embed:
    embed = discord.Embed(title="Something to reflect on", description=text, colour=discord.Colour.teal())
    embed.set_footer(text="Share as much or as little as you like.")
    return embed


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
    repo = CommunityRepository(bot.db)
    choices = []
    for row in await repo.prompts(interaction.guild.id):
        preview = _preview(bot, row)
        label = f"#{row.prompt_id}: {preview}"
        if current.strip().lower() in label.lower():
            choices.append(app_commands.Choice(name=label[:100], value=row.prompt_id))
    return choices[:25]


def _preview(bot: ResilienceBot, row: PromptRow) -> str:
    text = _prompt_text(bot, row) or "(library prompt no longer available)"
    return text if len(text) <= 60 else text[:59] + "…"


def _prompt_text(bot: ResilienceBot, row: PromptRow) -> str | None:
    if row.text:
        return row.text
    if row.library_id and row.library_id in bot.content.prompts:
        return bot.content.prompts[row.library_id].text
    return None


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class Prompts(commands.GroupCog, group_name="prompt", group_description="Post and schedule group prompts"):
    """Facilitator prompts: post now or on a schedule, kept out of the group's quiet hours."""

    def __init__(self, bot: ResilienceBot) -> None:
        self.bot = bot
        self.repo = CommunityRepository(bot.db)
        super().__init__()

    async def cog_load(self) -> None:
        self.bot.scheduler.register(POST, self._fire)
        self.bot.scheduler.register(DEFERRED, self._fire_deferred)
        # Scheduled prompts go out through the outbox; a thread opens once the message exists.
        for kind in (POST, DEFERRED):
            self.bot.outbox.on_delivered(kind, self._delivered)
        self.bot.on_config_change(self._config_changed)

    async def cog_unload(self) -> None:
        self.bot.scheduler.unregister(POST)
        self.bot.scheduler.unregister(DEFERRED)
        self.bot.remove_config_listener(self._config_changed)

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

    async def _channel(self, guild_id: int, channel_id: int | None) -> discord.abc.Messageable:
        config = await self.bot.guilds_repo.get(guild_id)
        target = channel_id or config.channel("group")
        channel = self.bot.get_channel(target) if target else None
        if not isinstance(channel, discord.TextChannel):
            raise UserError("The group channel isn't set yet. An admin can set it with `/setup channel`.")
        return channel

    async def _post(self, channel: discord.abc.Messageable, text: str, *, thread: bool) -> discord.Message:
        """``/prompt post``: the facilitator is waiting, so it is sent at once."""
        message = await channel.send(embed=prompt_embed(text), allowed_mentions=NO_MENTIONS)
        if thread and isinstance(message.channel, discord.TextChannel):
            await message.create_thread(name=_thread_name(text))
        return message

    async def _delivered(self, row: OutboxRow, message_id: int | None) -> None:
        """A queued prompt was posted: open its thread (not a message send, so direct)."""
        if row.ref != THREAD or message_id is None or row.channel_id is None:
            return
        channel = self.bot.get_channel(row.channel_id)
        embeds = row.payload.get("embeds") or [{}]
        text = str(embeds[0].get("description") or "Reflections")
        if not isinstance(channel, discord.TextChannel):
            return
        try:
            await channel.get_partial_message(message_id).create_thread(name=_thread_name(text))
        except discord.HTTPException:
            log.warning("could not open a prompt thread in guild %s", row.guild_id)

    async def _own_prompt(self, guild_id: int, number: int) -> PromptRow:
        row = await self.repo.prompt(guild_id, number)
        if row is None:
            raise UserError(f"There's no prompt #{number} here. `/prompt list` shows the scheduled ones.")
        return row

    async def _zone(self, guild_id: int) -> ZoneInfo:
        return ZoneInfo(await self.bot.group_timezone(guild_id))

    # -- scheduled sends --------------------------------------------------------------------------

    async def _fire(self, schedule: Schedule, occurrence: datetime) -> None:
        row = await self.repo.prompt(schedule.guild_id, int(schedule.key))
        if row is None or row.paused:
            return
        settings = await self.repo.settings(schedule.guild_id)
        if settings.quiet_start and settings.quiet_end:
            tz = await self._zone(schedule.guild_id)
            release = quiet_release(occurrence, tz, settings.quiet_start, settings.quiet_end)
            if release is not None:
                # Keyed by occurrence: this occurrence is already claimed in the ledger, and the
                # deferred one-off has its own ledger entry, so each is sent exactly once.
                await self.bot.scheduler.set(
                    schedule.guild_id,
                    DEFERRED,
                    Rule.once(release, tz),
                    key=f"{row.prompt_id}:{int(occurrence.timestamp())}",
                    payload={"prompt_id": row.prompt_id},
                )
                return
        await self._send_scheduled(row, schedule, occurrence)

    async def _fire_deferred(self, schedule: Schedule, occurrence: datetime) -> None:
        row = await self.repo.prompt(schedule.guild_id, int(schedule.payload["prompt_id"]))
        if row is None or row.paused:
            return
        await self._send_scheduled(row, schedule, occurrence)

    async def _send_scheduled(self, row: PromptRow, schedule: Schedule, occurrence: datetime) -> None:
        text = _prompt_text(self.bot, row)
        if text is None:
            log.warning("prompt %s has no text any more; not sent", row.prompt_id)
            return
        channel = await self._channel(row.guild_id, row.channel_id)
        await self.bot.outbox.enqueue(
            guild_id=row.guild_id,
            kind=schedule.kind,
            key=occurrence_key(schedule, occurrence),
            channel_id=getattr(channel, "id", None),
            embed=prompt_embed(text),
            allowed_mentions=NO_MENTIONS,
            priority=PRIORITY_POST,
            ref=THREAD if row.thread else "",
        )

    async def _config_changed(self, guild_id: int) -> None:
        """A new group timezone: recurring prompts keep their local time in the new zone."""
        tz = await self._zone(guild_id)
        for row in await self.repo.prompts(guild_id):
            schedule = await self.bot.scheduler.get(guild_id, POST, str(row.prompt_id))
            if schedule is None or schedule.rule.kind == "once" or schedule.rule.tz.key == tz.key:
                continue
            await self.bot.scheduler.set(
                guild_id,
                POST,
                with_zone(schedule.rule, tz),
                key=schedule.key,
                payload=schedule.payload,
                enabled=not row.paused,
            )

    # -- commands ---------------------------------------------------------------------------------

    @app_commands.command(name="post", description="Post a prompt now")
    @app_commands.describe(
        text=f"Your own prompt (up to {PROMPT_TEXT_LIMIT:,} characters)",
        library="Or a prompt from the library: type a topic or tag",
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

    @app_commands.command(name="schedule", description="Schedule a prompt: once, daily or weekly")
    @app_commands.describe(
        repeat="once, daily, or weekly on chosen days",
        time="Local time in the group's timezone, like 19:00 or 7pm",
        text=f"Your own prompt (up to {PROMPT_TEXT_LIMIT:,} characters)",
        library="Or a prompt from the library: type a topic or tag",
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
        tz = await self._zone(guild_id)
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
        schedule = await self.bot.scheduler.set(guild_id, POST, rule, key=str(number), payload={})
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
            schedule = await self.bot.scheduler.get(interaction.guild.id, POST, str(row.prompt_id))
            if schedule is None:
                continue
            if row.paused:
                status = "paused"
            elif schedule.next_due is not None:
                status = f"next {ts(schedule.next_due)}"
            else:
                continue  # a one-off that already went out
            preview = _preview(self.bot, row)
            lines.append(f"**#{row.prompt_id}** {preview}\n  {schedule.rule.describe()}, {status}")
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
            schedule = await self.bot.scheduler.get(guild_id, POST, str(prompt))
            if schedule is None or schedule.rule.kind == "once":
                raise UserError("A one-off prompt's time can't be moved. Cancel it and schedule a new one.")
            await self.bot.scheduler.set(
                guild_id,
                POST,
                with_time(schedule.rule, at),
                key=schedule.key,
                payload=schedule.payload,
                enabled=not row.paused,
            )
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
        schedule = await self.bot.scheduler.get(guild_id, POST, str(prompt))
        if schedule is None:
            raise UserError(f"Prompt #{prompt} isn't scheduled. `/prompt list` shows the scheduled ones.")
        await self.repo.set_prompt_paused(guild_id, prompt, not resume)
        updated = await self.bot.scheduler.set(
            guild_id, POST, schedule.rule, key=schedule.key, payload=schedule.payload, enabled=resume
        )
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
        await self.bot.scheduler.remove(guild_id, POST, str(prompt))
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


async def setup(bot: ResilienceBot) -> None:
    await bot.add_cog(Prompts(bot))
