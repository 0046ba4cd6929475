"""One error path for every interaction, and the base classes that use it."""

from __future__ import annotations

import logging
import math
import re
import secrets
import sqlite3
from typing import Any, ClassVar, Self, TypeVar

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.checks import facilitator_predicate
from bot.core.errors import UserError

log = logging.getLogger(__name__)

APOLOGY = (
    "Sorry, something went wrong on my side and nothing was changed. If it keeps happening, "
    "tell your facilitator and mention reference `{ref}`."
)


async def reply_private(interaction: discord.Interaction[Any], content: str, **kwargs: Any) -> None:
    """Answer only the person who asked, whether or not the interaction was answered yet."""
    if interaction.response.is_done():
        await interaction.followup.send(content, ephemeral=True, **kwargs)
    else:
        await interaction.response.send_message(content, ephemeral=True, **kwargs)


# Discord's client names a few permissions differently from the API.
_PERMISSION_NAMES = {"manage_guild": "Manage Server", "manage_threads": "Manage Threads"}


def permission_names(names: list[str]) -> str:
    return ", ".join(_PERMISSION_NAMES.get(p, p.replace("_", " ").title()) for p in names)


STORAGE_FULL = (
    "Sorry, I couldn't save that: my storage is full right now, so nothing was saved. "
    "Please try again later; your facilitator can let the person who runs me know."
)


def storage_full(error: BaseException) -> bool:
    """SQLite's SQLITE_FULL, or PostgreSQL's disk_full (SQLSTATE 53100)."""
    original = getattr(error, "original", error)
    if isinstance(original, sqlite3.OperationalError):
        return "database or disk is full" in str(original)
    return getattr(original, "sqlstate", None) == "53100"


def describe_error(error: BaseException) -> str | None:
    """The kind sentence for an expected problem, or None for a real fault."""
    original = getattr(error, "original", error)
    if isinstance(original, UserError):
        return str(original)
    if isinstance(error, app_commands.MissingPermissions):
        return f"You need the {permission_names(error.missing_permissions)} permission for this."
    if isinstance(error, app_commands.BotMissingPermissions):
        needed = permission_names(error.missing_permissions)
        return f"I need the {needed} permission here to do that. A server admin can grant it."
    if isinstance(error, app_commands.NoPrivateMessage):
        return "This works inside your group's server. Try it there."
    if isinstance(error, app_commands.CommandOnCooldown):
        seconds = max(1, math.ceil(error.retry_after))
        unit = "second" if seconds == 1 else "seconds"
        return f"That's a lot at once: nothing changed. You can do this again in {seconds} {unit}."
    if isinstance(error, app_commands.CheckFailure):
        return "You can't use this here."
    if storage_full(error):
        return STORAGE_FULL
    if isinstance(original, discord.Forbidden):
        return (
            "Discord didn't let me do that: I may be missing a permission in that channel. "
            "A server admin can check my role's permissions."
        )
    return None


async def report_error(interaction: discord.Interaction[Any], error: BaseException) -> None:
    """Turn any error from a command, button or modal into a private reply."""
    metrics = getattr(interaction.client, "metrics", None)
    if metrics is not None:
        metrics.error(error, "interaction")
    if storage_full(error):
        # The member gets the calm sentence; the operator must free space, so it is an error here.
        log.error("database is full (disk or size limit): writes fail until space is freed")
    message = describe_error(error)
    if message is None:
        ref = secrets.token_hex(3)
        original = getattr(error, "original", error)
        log.error("interaction failed [ref %s]", ref, exc_info=original)
        message = APOLOGY.format(ref=ref)
    try:
        await reply_private(interaction, message)
    except discord.HTTPException:
        log.warning("could not tell a member about an error (interaction %s)", interaction.id)


class BaseView(discord.ui.View):
    """A view whose errors take the one error path."""

    async def on_error(
        self, interaction: discord.Interaction[Any], error: Exception, item: discord.ui.Item[Any], /
    ) -> None:
        await report_error(interaction, error)


class BaseModal(discord.ui.Modal):
    """A modal whose errors take the one error path."""

    # discord.py's Modal narrows View.on_error's signature (no item), hence the ignore.
    async def on_error(self, interaction: discord.Interaction[Any], error: Exception, /) -> None:  # type: ignore[override]
        await report_error(interaction, error)


CogT = TypeVar("CogT", bound=commands.Cog)


def cog_of(interaction: discord.Interaction[Any], kind: type[CogT]) -> CogT:
    """The loaded cog of type ``kind``: how a persistent button or a modal reaches its feature."""
    cog = interaction.client.get_cog(kind.__cog_name__)
    if not isinstance(cog, kind):
        raise RuntimeError(f"the {kind.__cog_name__} feature is not loaded")
    return cog


class PersistentButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"(?!)"):
    """A button that keeps working after a restart and on messages posted long ago.

    Its ``custom_id`` (``feature:action[:args]``) carries everything a click needs. A subclass
    gives ``template=`` (a regex with named groups), its look (``label``, ``style``, ``emoji``),
    :meth:`from_match` to rebuild itself from a clicked custom id, and :meth:`run` for the click.
    Any error a click raises takes the one error path. Register subclasses with
    ``bot.add_dynamic_items``.
    """

    label: ClassVar[str] = ""
    style: ClassVar[discord.ButtonStyle] = discord.ButtonStyle.secondary
    emoji: ClassVar[str | None] = None

    def __init__(
        self,
        custom_id: str,
        *,
        label: str | None = None,
        style: discord.ButtonStyle | None = None,
        emoji: str | None = None,
    ) -> None:
        super().__init__(
            discord.ui.Button(
                label=label or type(self).label,
                style=style or type(self).style,
                emoji=emoji if emoji is not None else type(self).emoji,
                custom_id=custom_id,
            )
        )

    @classmethod
    def from_match(cls, match: re.Match[str]) -> Self:
        """Rebuild the button from its clicked custom id."""
        raise NotImplementedError

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> Self:
        return cls.from_match(match)

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        try:
            cooldowns = getattr(interaction.client, "cooldowns", None)
            custom_id = self.item.custom_id or ""
            if cooldowns is not None and not custom_id.startswith(UNLIMITED_BUTTONS):
                wait = cooldowns.buttons.hit((interaction.user.id, interaction.guild_id, type(self).__name__))
                if wait is not None:
                    raise _cooldown(wait, cooldowns.BUTTONS)
            await self.run(interaction)
        except Exception as error:
            await report_error(interaction, error)

    async def run(self, interaction: discord.Interaction[Any]) -> None:
        """What a click does."""
        raise NotImplementedError


class IdButton(PersistentButton, template=r"(?!)"):
    """A persistent button about one thing, ``<prefix>:<id>`` (a group, a post, a round).

    ``class CheckinButton(IdButton, prefix="checkin:open")`` is all the wiring it needs; the
    number is ``self.target_id``. (Not ``id``: discord.py items have a component ``id`` of their own.)
    """

    prefix: ClassVar[str] = ""

    def __init_subclass__(cls, *, prefix: str | None = None, template: str | None = None) -> None:
        if prefix is not None:
            cls.prefix = prefix
            template = rf"{re.escape(prefix)}:(?P<id>\d+)"
        super().__init_subclass__(template=template or cls.__discord_ui_compiled_template__)

    def __init__(self, target_id: int, **look: Any) -> None:
        self.target_id = target_id
        super().__init__(f"{self.prefix}:{target_id}", **look)

    @classmethod
    def from_match(cls, match: re.Match[str]) -> Self:
        return cls(int(match["id"]))


# Never slowed down: support a member may need again and again in a hard moment (these only
# ever answer the member privately, so they cannot flood a channel).
UNLIMITED_COMMANDS = frozenset({"resources", "grounding", "safetyplan"})
UNLIMITED_BUTTONS = ("crisis:", "safetyplan:")


def _cooldown(wait: float, limit: tuple[int, Any]) -> app_commands.CommandOnCooldown:
    return app_commands.CommandOnCooldown(app_commands.Cooldown(limit[0], limit[1].total_seconds()), wait)


def _is_limited(command: Any) -> bool:
    """Member commands are limited; facilitators' and admins' commands (a burst of /setup on the
    first day is normal) and the support commands are not."""
    root = getattr(command, "root_parent", None) or command
    if root.qualified_name in UNLIMITED_COMMANDS:
        return False
    if getattr(root, "default_permissions", None) is not None:
        return False
    if getattr(command, "default_permissions", None) is not None:
        return False
    return facilitator_predicate not in getattr(command, "checks", ())


class ResilienceTree(app_commands.CommandTree[Any]):
    """The command tree with the one error handler and the per-member command limit."""

    async def interaction_check(self, interaction: discord.Interaction[Any], /) -> bool:
        cooldowns = getattr(self.client, "cooldowns", None)
        command = interaction.command
        if (
            cooldowns is None
            or command is None
            or interaction.type is not discord.InteractionType.application_command
            or not _is_limited(command)
        ):
            return True
        # Per group too: each group is its own place (a member of two is not slowed in one by the other).
        wait = cooldowns.commands.hit((interaction.user.id, interaction.guild_id, command.qualified_name))
        if wait is None:
            return True
        await report_error(interaction, _cooldown(wait, cooldowns.COMMANDS))
        return False

    async def on_error(
        self, interaction: discord.Interaction[Any], error: app_commands.AppCommandError, /
    ) -> None:
        await report_error(interaction, error)
