"""Informed consent: nothing about a member is stored before they agree to the group agreement."""

from __future__ import annotations

import tomllib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import discord
from pydantic import BaseModel, Field, ValidationError

from bot.core.clock import Clock
from bot.core.guilds import GuildRepository
from bot.core.members import Member, MemberRepository
from bot.core.problems import ContentInvalid, Problem
from bot.core.ui import BaseView
from bot.db import Database, to_db_time

Continuation = Callable[[discord.Interaction[Any], Member], Awaitable[None]]


class Agreement(BaseModel):
    """The default group agreement and the plain-language summary of what is stored."""

    title: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=3000)
    stores: str = Field(min_length=1, max_length=1000)


def load_agreement(content_root: Path) -> Agreement:
    path = content_root / "agreement.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return Agreement.model_validate(data)
    except FileNotFoundError:
        raise ContentInvalid([Problem("agreement.toml", "(file)", "is missing")]) from None
    except tomllib.TOMLDecodeError as error:
        raise ContentInvalid([Problem("agreement.toml", "(syntax)", str(error))]) from None
    except ValidationError as error:
        raise ContentInvalid(
            [Problem("agreement.toml", ".".join(map(str, e["loc"])), e["msg"]) for e in error.errors()]
        ) from None


def agreement_embed(agreement: Agreement, guild_name: str) -> discord.Embed:
    embed = discord.Embed(title=f"{agreement.title}: {guild_name}"[:256], description=agreement.body.strip())
    embed.add_field(name="What the bot stores about you", value=agreement.stores.strip()[:1024], inline=False)
    embed.set_footer(text="Nothing about you is saved until you choose I agree.")
    return embed


@dataclass(frozen=True, slots=True)
class GroupAgreement:
    """A group's own agreement text (None: the shipped default)."""

    title: str
    body: str


class Consent:
    """The consent gate every feature passes through before it stores anything about a member.

    Built once by the bot from the narrow things it needs; features call :meth:`require`.
    """

    def __init__(
        self,
        *,
        db: Database,
        members: MemberRepository,
        guilds: GuildRepository,
        clock: Clock,
        default: Callable[[], Agreement],
        guild_name: Callable[[int], str | None],
    ) -> None:
        self.db = db
        self.members = members
        self.guilds = guilds
        self.clock = clock
        self._default = default
        self._guild_name = guild_name

    async def own_agreement(self, guild_id: int) -> GroupAgreement | None:
        """The text a facilitator wrote with ``/agreement edit``, or None."""
        row = await self.db.fetch_one(
            "SELECT agreement_title, agreement_body FROM privacy_settings WHERE guild_id = ?", (guild_id,)
        )
        if row is None or not row["agreement_body"]:
            return None
        return GroupAgreement(title=str(row["agreement_title"] or ""), body=str(row["agreement_body"]))

    async def set_own_agreement(
        self, guild_id: int, agreement: GroupAgreement | None, actor_id: int, now: datetime
    ) -> None:
        """Store the group's own text (None goes back to the default)."""
        title = agreement.title if agreement else None
        body = agreement.body if agreement else None
        async with self.db.transaction() as tx:
            await tx.execute(
                "INSERT INTO privacy_settings (guild_id, updated_at) VALUES (?, ?) "
                "ON CONFLICT (guild_id) DO NOTHING",
                (guild_id, to_db_time(now)),
            )
            await tx.execute(
                "UPDATE privacy_settings SET agreement_title = ?, agreement_body = ?, updated_by = ?, "
                "updated_at = ? WHERE guild_id = ?",
                (title, body, actor_id, to_db_time(now), guild_id),
            )

    async def agreement_for(self, guild_id: int) -> Agreement:
        """The group's own agreement when a facilitator wrote one (``/agreement edit``), else the default.

        What the bot stores is a fact about the bot, not the group's to rewrite, so it always comes
        from the shipped file.
        """
        default = self._default()
        own = await self.own_agreement(guild_id)
        if own is None:
            return default
        return default.model_copy(update={"title": own.title or default.title, "body": own.body})

    async def agree(self, guild_id: int, user_id: int) -> Member:
        config = await self.guilds.get(guild_id)
        return await self.members.consent(guild_id, user_id, config.agreement_version, self.clock.now())

    async def require(self, interaction: discord.Interaction[Any], guild_id: int, then: Continuation) -> None:
        """Run ``then`` for a member who agreed to the current agreement; otherwise ask first.

        A member whose agreement is older than the group's current version is asked again.
        """
        agreed = await self.members.get_if_agreed(guild_id, interaction.user.id)
        if agreed is not None:
            await then(interaction, agreed)
            return
        member = await self.members.get(guild_id, interaction.user.id)
        config = await self.guilds.get(guild_id)
        again = member is not None and member.consented_version < config.agreement_version
        intro = (
            "The group agreement has changed since you last agreed. Please have a look."
            if again
            else "Before I save anything about you, here is how this group works and what I keep."
        )
        view = ConsentView(self, guild_id, interaction.user.id, then)
        name = self._guild_name(guild_id) or "your group"
        embed = agreement_embed(await self.agreement_for(guild_id), name)
        if interaction.response.is_done():
            await interaction.followup.send(intro, embed=embed, view=view, ephemeral=True)
        else:
            await interaction.response.send_message(intro, embed=embed, view=view, ephemeral=True)


class ConsentView(BaseView):
    """I agree / Not now. Agreeing records consent, then carries on with what they asked for."""

    def __init__(self, consent: Consent, guild_id: int, user_id: int, then: Continuation) -> None:
        super().__init__(timeout=600)
        self.consent = consent
        self.guild_id = guild_id
        self.user_id = user_id
        self.then = then

    @discord.ui.button(label="I agree", style=discord.ButtonStyle.success)
    async def agree(self, interaction: discord.Interaction[Any], _button: discord.ui.Button[Any]) -> None:
        member = await self.consent.agree(self.guild_id, self.user_id)
        self.stop()
        await self.then(interaction, member)
        if not interaction.response.is_done():
            await interaction.response.edit_message(
                content="Thank you for agreeing. You're all set.", embed=None, view=None
            )

    @discord.ui.button(label="Not now", style=discord.ButtonStyle.secondary)
    async def later(self, interaction: discord.Interaction[Any], _button: discord.ui.Button[Any]) -> None:
        self.stop()
        await interaction.response.edit_message(
            content="No problem. Nothing about you was saved. You can come back to this any time.",
            embed=None,
            view=None,
        )


async def answer_privately(
    original: discord.Interaction[Any],
    inter: discord.Interaction[Any],
    content: str | None = None,
    *,
    embed: discord.Embed | None = None,
    view: discord.ui.View | None = None,
) -> None:
    """Answer privately from a ``with_consent`` continuation.

    ``inter`` is either the member's own interaction (``original``) or their "I agree" click
    on the private consent message, which is then replaced by the answer. Never an edit of
    ``original``: when that is a button on a public post, the post must stay as it is.
    """
    extra: dict[str, Any] = {}
    if content is not None:
        extra["content"] = content
    if embed is not None:
        extra["embed"] = embed
    if view is not None:
        extra["view"] = view
    if inter.response.is_done():
        await inter.followup.send(ephemeral=True, **extra)
    elif inter is not original and inter.type is discord.InteractionType.component:
        await inter.response.edit_message(content=content, embed=embed, view=view)
    else:
        await inter.response.send_message(ephemeral=True, **extra)
