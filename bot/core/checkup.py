"""The pre-flight checklist (``resilience-bot doctor``): what a group needs from Discord and /setup.

Pure functions over discord.py objects and the stored configuration: the caller fetches them
(over HTTP, without the gateway) and prints the result. Each check says what it found and, when
it fails, the one thing to do about it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

import discord

from bot.core.guilds import CHANNEL_PURPOSES, GuildConfig

# What the bot does in every channel it uses, by discord.py's name and the name Discord shows.
CHANNEL_PERMISSIONS = {
    "view_channel": "View Channel",
    "send_messages": "Send Messages",
    "embed_links": "Embed Links",
    "attach_files": "Attach Files",
    "create_private_threads": "Create Private Threads",
    "manage_threads": "Manage Threads",
}
PORTAL = "Developer Portal (https://discord.com/developers/applications) → your application → Bot"


@dataclass(frozen=True, slots=True)
class Check:
    """One line of the checklist."""

    ok: bool
    what: str
    fix: str = ""


def intent_checks(flags: discord.ApplicationFlags, *, message_content: bool = True) -> list[Check]:
    """The privileged intents the bot connects with, as the application has them.

    With ``message_content`` False (MESSAGE_CONTENT_INTENT=false) the bot does not ask for it.
    """
    found = []
    wanted = [("Server Members", flags.gateway_guild_members or flags.gateway_guild_members_limited)]
    if message_content:
        wanted.append(
            ("Message Content", flags.gateway_message_content or flags.gateway_message_content_limited)
        )
    else:
        found.append(
            Check(True, "Message Content intent not used (MESSAGE_CONTENT_INTENT=false): see /crisis automod")
        )
    for label, on in wanted:
        state = "on" if on else "off"
        fix = f"switch on {label} Intent in the {PORTAL} → Privileged Gateway Intents"
        found.append(Check(on, f"{label} intent is {state} for the application", "" if on else fix))
    return found


def _setup_fix(purpose: str) -> str:
    return f"in the server: /setup channel purpose:{purpose} channel:#a-channel"


def channel_checks(
    guild: discord.Guild, me: discord.Member, channels: Mapping[int, object], config: GuildConfig
) -> list[Check]:
    """Each channel the bot uses exists and lets it work; the facilitators' one is private."""
    found: list[Check] = []
    users: dict[int, list[str]] = {}  # channel id -> the purposes that post there
    for purpose in CHANNEL_PURPOSES:
        channel_id = config.channel(purpose)
        if channel_id is None:
            found.append(Check(False, f"no channel is set for {purpose}", _setup_fix(purpose)))
        elif not isinstance(channels.get(channel_id), discord.TextChannel):
            what = f"the {purpose} channel (id {channel_id}) no longer exists or is not a text channel"
            found.append(Check(False, what, _setup_fix(purpose)))
        else:
            users.setdefault(channel_id, []).append(purpose)
    for channel_id, purposes in users.items():
        channel = channels[channel_id]
        assert isinstance(channel, discord.TextChannel)
        name = f"#{channel.name} ({', '.join(purposes)})"
        allowed = channel.permissions_for(me)
        missing = [label for attr, label in CHANNEL_PERMISSIONS.items() if not getattr(allowed, attr)]
        if missing:
            fix = (
                f"in #{channel.name} → Edit Channel → Permissions, allow the bot's role: {', '.join(missing)}"
            )
            found.append(Check(False, f"{name}: the bot lacks {', '.join(missing)}", fix))
        else:
            found.append(Check(True, f"{name}: the bot can view, send, embed, attach and manage threads"))
        if "alerts" in purposes:
            found.append(_private(channel, guild))
    return found


def _private(channel: discord.TextChannel, guild: discord.Guild) -> Check:
    if channel.permissions_for(guild.default_role).view_channel:
        fix = (
            f"in #{channel.name} → Edit Channel → Permissions, deny View Channel to @everyone and "
            "allow it to the facilitator role (or pick a private one: /setup channel purpose:alerts)"
        )
        return Check(False, f"the facilitators' channel #{channel.name} is visible to @everyone", fix)
    return Check(True, f"the facilitators' channel #{channel.name} is hidden from @everyone")


def group_checks(
    guild: discord.Guild,
    me: discord.Member,
    channels: Mapping[int, object],
    config: GuildConfig,
    *,
    registered: Collection[str],
    expected: Collection[str] | None,
) -> list[Check]:
    """Everything one server needs: channels, the facilitator role, commands, timezone, country.

    ``registered`` are the command names Discord has for this server; ``expected`` the bot's own
    (None when they could not be worked out, e.g. the content is invalid).
    """
    found = channel_checks(guild, me, channels, config)
    role_id = config.facilitator_role_id
    if role_id is None:
        found.append(Check(False, "no facilitator role is set", "in the server: /setup facilitator-role"))
    elif guild.get_role(role_id) is None:
        what = f"the facilitator role (id {role_id}) no longer exists"
        found.append(Check(False, what, "in the server: /setup facilitator-role role:@Facilitator"))
    else:
        found.append(Check(True, f"facilitator role @{guild.get_role(role_id)} exists"))
    found.append(_commands(registered, expected))
    if config.timezone:
        found.append(Check(True, f"timezone is {config.timezone}"))
    else:
        found.append(Check(False, "no timezone is set", "in the server: /setup timezone zone:Europe/London"))
    if config.country:
        found.append(Check(True, f"country for helplines is {config.country}"))
    else:
        found.append(Check(False, "no country is set for helplines", "in the server: /setup country code:GB"))
    return found


def _commands(registered: Collection[str], expected: Collection[str] | None) -> Check:
    sync = "run `resilience-bot sync` (or start the bot: it registers them)"
    if expected is None:
        return Check(False, "could not tell whether the slash commands are synced", "fix the content first")
    missing = sorted(set(expected) - set(registered))
    if missing:
        shown = ", ".join(f"/{name}" for name in missing[:6]) + (" …" if len(missing) > 6 else "")
        return Check(False, f"{len(missing)} slash commands are not registered here: {shown}", sync)
    return Check(True, f"all {len(expected)} slash commands are registered")


def render(sections: Sequence[tuple[str, Sequence[Check]]]) -> list[str]:
    """The checklist as lines: a heading per section, ``[ok]`` or ``[!!]`` and a fix per check."""
    lines: list[str] = []
    for title, checks in sections:
        lines.append(title)
        for check in checks:
            lines.append(f"  [{'ok' if check.ok else '!!'}] {check.what}")
            if not check.ok and check.fix:
                lines.append(f"       fix: {check.fix}")
        lines.append("")
    failed = sum(not c.ok for _, checks in sections for c in checks)
    if failed:
        lines.append(f"{failed} to fix. Fix them, then run `resilience-bot doctor` again.")
    else:
        lines.append("Everything checked is in order.")
    return lines
