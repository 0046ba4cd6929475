"""The demo's stage: a simulated group, a clock, and a transcript of what each person saw."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any, TextIO
from zoneinfo import ZoneInfo

import discord
import simcord

from bot.core.bot import ResilienceBot
from bot.core.clock import FakeClock
from bot.core.schedule_rules import local_instant
from bot.core.wording import long_date, plural, short_date

WIDTH = 78
PEOPLE = ["Asha", "Ben", "Chloe", "Dev", "Elena", "Femi"]
# The group agreement is the same long text each time a member first stores something: the
# transcript shows it once in full, then says it is there again.
AGREEMENT_FIELD = "What the bot stores about you"
AGREEMENT_AGAIN = "┃ (the agreement again)"


@dataclass
class Group:
    """A simulated group: who is in the server and its channels. The tests use it too."""

    env: simcord.Env
    bot: ResilienceBot
    clock: FakeClock
    guild: simcord.GuildHandle
    facilitator_role: simcord.RoleHandle
    admin: simcord.MemberActor
    facilitator: simcord.MemberActor
    members: list[simcord.MemberActor]
    channels: dict[str, simcord.ChannelHandle] = field(default_factory=dict)
    # Every bot built for this group (a restart builds a new one); all are released at the end.
    pool: list[ResilienceBot] = field(default_factory=list)

    @property
    def member(self) -> simcord.MemberActor:
        return self.members[0]

    @property
    def general(self) -> simcord.ChannelHandle:
        return self.channels["group"]


def _indent(text: str, prefix: str = "    ") -> str:
    return "\n".join(prefix + line if line else prefix.rstrip() for line in text.splitlines())


def _buttons(components: list[dict[str, Any]]) -> list[str]:
    labels: list[str] = []
    for component in components:
        if component.get("type") == 2 and component.get("label"):
            labels.append(str(component["label"]))
        labels.extend(_buttons(component.get("components", [])))
        accessory = component.get("accessory")
        if isinstance(accessory, dict):
            labels.extend(_buttons([accessory]))
    return labels


def _card_texts(components: list[dict[str, Any]]) -> list[str]:
    """The TextDisplays of a Components V2 card, nested ones too, in reading order."""
    texts: list[str] = []
    for component in components:
        if component.get("type") == 10 and component.get("content"):
            texts.append(str(component["content"]))
        texts.extend(_card_texts(component.get("components", [])))
    return texts


def is_agreement(embed: discord.Embed) -> bool:
    return any(embed_field.name == AGREEMENT_FIELD for embed_field in embed.fields)


def render(
    content: str,
    embeds: list[discord.Embed],
    components: list[dict[str, Any]],
    attachments: list[str | tuple[str, str | None]],
    *,
    abridge: set[int] | None = None,
) -> str:
    """A message as plain text: content, embeds, a card's texts, files (with their alt text) and
    buttons.

    Embeds whose index is in ``abridge`` (the agreement, seen before) print as one line.
    """
    parts: list[str] = []
    if content:
        parts.append(content)
    for index, embed in enumerate(embeds):
        if abridge and index in abridge:
            parts.append(AGREEMENT_AGAIN)
            continue
        if embed.title:
            parts.append(f"┃ **{embed.title}**")
        if embed.description:
            parts.append(_indent(embed.description, "┃ "))
        for embed_field in embed.fields:
            value = embed_field.value or ""
            if "\n" in value:
                # Discord shows a field's name above its value: a list keeps its own lines.
                parts.append(f"┃ **{embed_field.name}**")
                parts.append(_indent(value, "┃ "))
            else:
                parts.append(f"┃ {embed_field.name}: {value}")
        if embed.footer and embed.footer.text:
            parts.append(f"┃ ({embed.footer.text})")
    for text in _card_texts(components):
        parts.append(_indent(text, "┃ "))
    for attachment in attachments:
        name, description = (attachment, None) if isinstance(attachment, str) else attachment
        parts.append(f"[file: {name}, alt text: “{description}”]" if description else f"[file: {name}]")
    labels = _buttons(components)
    if labels:
        parts.append("  ".join(f"[ {label} ]" for label in labels))
    return "\n".join(parts)


_MENTION = re.compile(r"<(#|@&|@!?)(\d+)>")
_TIMESTAMP = re.compile(r"<t:(-?\d+)(?::([tTdDfFR]))?>")


def relative(when: datetime, now: datetime) -> str:
    """``<t:...:R>`` as Discord words it: "just now", "in 40 minutes", "3 hours ago", "in 2 days"."""
    seconds = (when - now).total_seconds()
    if abs(seconds) < 45:
        return "just now" if seconds <= 0 else "in a few seconds"
    minutes = round(abs(seconds) / 60)
    hours = round(abs(seconds) / 3600)
    days = round(abs(seconds) / 86400)
    if minutes < 45:
        amount = "a minute" if minutes == 1 else plural(minutes, "minute")
    elif hours < 22:
        amount = "an hour" if hours == 1 else plural(hours, "hour")
    else:
        amount = "a day" if days == 1 else plural(days, "day")
    return f"in {amount}" if seconds > 0 else f"{amount} ago"


class Stage:
    """Drives the demo: people act, the clock moves, and everything seen is printed."""

    def __init__(self, env: simcord.Env, bot: ResilienceBot, clock: FakeClock, out: TextIO) -> None:
        self.env = env
        self.bot = bot
        self.clock = clock
        self.out = out
        self._seen: set[int] = set()
        self._printed: set[tuple[int, str]] = set()
        self._agreement_shown = False
        self.zone = ZoneInfo("Europe/London")
        self.group: Group

    # -- printing -----------------------------------------------------------------------------

    def _print(self, text: str = "") -> None:
        print(text, file=self.out, flush=True)

    def heading(self, text: str) -> None:
        local = self.clock.now().astimezone(self.zone)
        self._print()
        self._print(f"═══ {text} ".ljust(WIDTH, "═"))
        self._print(f"    {long_date(local.date())}, {local:%H:%M} in London")

    def narrate(self, text: str) -> None:
        self._print()
        self._print(f"» {text}")

    def _name(self, user_id: int) -> str:
        if self.bot.user is not None and user_id == self.bot.user.id:
            return "Resilience Bot"
        guild = self.bot.get_guild(self.group.guild.id)
        member = guild.get_member(user_id) if guild else None
        return member.display_name if member else str(user_id)

    def readable(self, text: str) -> str:
        """Mentions and ``<t:...>`` timestamps as a reader in London would see them."""
        guild = self.bot.get_guild(self.group.guild.id)

        def mention(match: re.Match[str]) -> str:
            kind, ident = match.group(1), int(match.group(2))
            if kind == "#":
                channel = self.bot.get_channel(ident)
                return f"#{getattr(channel, 'name', ident)}"
            if kind == "@&":
                role = guild.get_role(ident) if guild else None
                return f"@{role.name if role else ident}"
            return f"@{self._name(ident)}"

        def timestamp(match: re.Match[str]) -> str:
            when = datetime.fromtimestamp(int(match.group(1)), UTC).astimezone(self.zone)
            style = match.group(2) or "f"
            if style in "tT":
                return f"{when:%H:%M}"
            if style in "dD":
                return short_date(when.date())
            if style == "R":
                return relative(when, self.clock.now())
            return f"{long_date(when.date())}, {when:%H:%M}"

        return _TIMESTAMP.sub(timestamp, _MENTION.sub(mention, text))

    def _abridged(self, embeds: list[discord.Embed]) -> set[int]:
        """Which embeds to print as one line: the agreement after its first showing."""
        found = {i for i, embed in enumerate(embeds) if is_agreement(embed)}
        if found and not self._agreement_shown:
            self._agreement_shown = True
            return set()
        return found

    def _render(self, message: discord.Message | simcord.ResponseMessage, *, abridge: bool = True) -> str:
        components: list[dict[str, Any]] = [
            c if isinstance(c, dict) else dict(c.to_dict()) for c in message.components
        ]
        files: list[str | tuple[str, str | None]] = [(a.filename, a.description) for a in message.attachments]
        embeds = list(message.embeds)
        shorter = self._abridged(embeds) if abridge else None
        return self.readable(render(message.content, embeds, components, files, abridge=shorter))

    def _fingerprint(self, message: simcord.ResponseMessage) -> str:
        """The message in full, to tell an edited reply from one already printed."""
        return self._render(message, abridge=False)

    def _show_message(self, where: str, message: discord.Message) -> None:
        self._print()
        if message.type == discord.MessageType.thread_created:
            # Discord's own notice in the channel, not a post: say what it is.
            name = self._name(message.author.id)
            self._print(f"  {where}  ({name} started a thread: “{message.content}”)")
            return
        self._print(f"  {where}  {self._name(message.author.id)}:")
        self._print(_indent(self._render(message)))

    def show_result(
        self, actor: simcord.MemberActor, result: simcord.InteractionResult, *, dm: bool = False
    ) -> None:
        """What the person who acted saw: a private reply, a public one, or a form."""
        if result.modal is not None:
            title = result.modal.get("title", "a form")
            self._print(f"    → a form opens for {actor.name}: “{title}”")
        responses = ([result.response] if result.response is not None else []) + list(result.followups)
        for response in responses:
            # An edited reply keeps its id, so what was printed is remembered by content too.
            key = (response.id, self._fingerprint(response))
            if key in self._printed:
                continue
            text = self._render(response)
            self._printed.add(key)
            self._seen.add(response.id)
            who = f"only {actor.name} sees" if response.ephemeral or dm else "everyone sees"
            self._print(f"    → ({who})")
            self._print(_indent(text, "      "))
        self.show_new()

    def show_new(self) -> None:
        """Print every channel post and DM that appeared since the last call."""
        channels = list(self.group.channels.items())
        for purpose, channel in list(channels):
            channels.extend((f"{purpose} thread", thread) for thread in channel.threads)
        for _purpose, channel in channels:
            for message in channel.history():
                if message.id in self._seen or message.flags.ephemeral:
                    continue
                self._seen.add(message.id)
                self._show_message(f"#{channel.name}", message)
        for person in [self.group.admin, self.group.facilitator, *self.group.members]:
            for message in person.user.dm_channel.history():
                if message.id in self._seen:
                    continue
                self._seen.add(message.id)
                self._show_message(f"DM to {person.name}", message)

    # -- acting -------------------------------------------------------------------------------

    async def slash(
        self, actor: simcord.MemberActor, channel: simcord.ChannelHandle, name: str, /, **options: Any
    ) -> simcord.InteractionResult:
        shown = " ".join(f"{k}:{getattr(v, 'name', v)}" for k, v in options.items())
        self._print()
        self._print(f"  {actor.name} runs /{name} {shown}".rstrip() + f"  (in #{channel.name})")
        result = await actor.slash(channel, name, **options)
        self.show_result(actor, result)
        return result

    async def click(
        self, actor: simcord.MemberActor, message: Any, /, **target: Any
    ) -> simcord.InteractionResult:
        self._print()
        in_dm = isinstance(message, discord.Message) and message.guild is None
        self._print(
            f"  {actor.name} clicks “{target.get('label', 'a button')}”" + (" (in a DM)" if in_dm else "")
        )
        # A button in a DM is pressed by the user, not the server member.
        result = await (actor.user.click(message, **target) if in_dm else actor.click(message, **target))
        self.show_result(actor, result, dm=in_dm)
        return result

    async def submit_modal(
        self, actor: simcord.MemberActor, shown: simcord.InteractionResult, values: dict[str, Any]
    ) -> simcord.InteractionResult:
        self._print(f"  {actor.name} fills in the form and submits it")
        result = await actor.submit_modal(shown, values)
        self.show_result(actor, result)
        return result

    async def say(
        self, actor: simcord.MemberActor, channel: simcord.ChannelHandle, text: str
    ) -> discord.Message:
        self._print()
        self._print(f"  {actor.name} writes in #{channel.name}: “{text}”")
        message = await actor.send(channel, text)
        self._seen.add(message.id)
        self.show_new()
        return message

    async def at(self, local: str, *, days: int = 0) -> None:
        """Move the clock to a local time (today, or ``days`` later) and run what came due."""
        today = self.clock.now().astimezone(self.zone).date() + timedelta(days=days)
        when = local_instant(today, time.fromisoformat(local), self.zone)
        if when < self.clock.now():
            raise ValueError(f"the demo clock cannot go back to {local}")
        self.clock.set(when)
        self.heading(f"{local}")
        await self.bot.scheduler.run_due(when)
        await self.env.settle()
        self.show_new()

    def now(self) -> datetime:
        return self.clock.now()

    # -- the group ----------------------------------------------------------------------------

    async def build(self) -> None:
        """A server with a facilitator, six members and a channel per purpose, set up by its admin."""
        env = self.env
        guild = env.create_guild("Thursday Resilience Group")
        role = guild.create_role("Facilitator")
        admin_role = guild.create_role("Admin", permissions=discord.Permissions(manage_guild=True))
        names = [
            ("checkins", "check-ins"),
            ("skills", "skill-of-the-day"),
            ("wins", "wins"),
            ("pairs", "partners"),
            ("alerts", "facilitators"),
            ("group", "group"),
        ]
        channels = {purpose: guild.create_text_channel(name) for purpose, name in names}
        admin = guild.add_member(env.create_user("Olu (server admin)"), roles=[admin_role])
        facilitator = guild.add_member(env.create_user("Sam (facilitator)"), roles=[role])
        members = [guild.add_member(env.create_user(name)) for name in PEOPLE]
        self.group = Group(env, self.bot, self.clock, guild, role, admin, facilitator, members, channels)
        self._print("Resilience Bot — offline demo")
        self._print("The real bot runs against a simulated Discord server: one facilitator, six members.")
        self._print("Below is what each person saw: channel posts, private (ephemeral) replies and DMs.")
        self.heading("Setting up the group")
        general = channels["group"]
        for purpose, channel in channels.items():
            await admin.slash(general, "setup channel", purpose=purpose, channel=channel)
        await admin.slash(general, "setup facilitator-role", role=role)
        await admin.slash(general, "setup timezone", zone="Europe/London")
        await admin.slash(general, "setup country", code="GB")
        self.narrate("Olu, the server admin, points each purpose at a channel, names the facilitator role,")
        self._print("  and sets the group's timezone (Europe/London) and country (GB). /setup show:")
        result = await admin.slash(general, "setup show")
        self.show_result(admin, result)
        # What an admin does once in Server Settings → Integrations: show facilitator commands.
        for command in self.bot.tree.get_commands():
            if command.default_permissions is not None:
                found = env.backend.find_command(command.name, guild.id)
                if found is not None:
                    guild.set_command_permissions(int(found["id"]), {role: True})
