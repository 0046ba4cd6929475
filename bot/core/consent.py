"""Informed consent: nothing about a member is stored before they agree to the group agreement."""

from __future__ import annotations

import tomllib
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import discord
from pydantic import BaseModel, Field, ValidationError

from bot.core.members import Member
from bot.core.problems import ContentInvalid, Problem
from bot.core.ui import BaseView
from bot.privacy.store import PrivacyRepository

if TYPE_CHECKING:
    from bot.core.bot import ResilienceBot

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


async def agreement_for(bot: ResilienceBot, guild_id: int) -> Agreement:
    """The group's own agreement when a facilitator wrote one (``/agreement edit``), else the default.

    What the bot stores is a fact about the bot, not the group's to rewrite, so it always comes
    from the shipped file.
    """
    own = await PrivacyRepository(bot.db).agreement(guild_id)
    if own is None:
        return bot.agreement
    return bot.agreement.model_copy(update={"title": own.title or bot.agreement.title, "body": own.body})


class ConsentView(BaseView):
    """I agree / Not now. Agreeing records consent, then carries on with what they asked for."""

    def __init__(self, bot: ResilienceBot, guild_id: int, user_id: int, then: Continuation) -> None:
        super().__init__(timeout=600)
        self.bot = bot
        self.guild_id = guild_id
        self.user_id = user_id
        self.then = then

    @discord.ui.button(label="I agree", style=discord.ButtonStyle.success)
    async def agree(self, interaction: discord.Interaction[Any], _button: discord.ui.Button[Any]) -> None:
        config = await self.bot.guilds_repo.get(self.guild_id)
        member = await self.bot.members.consent(
            self.guild_id, self.user_id, config.agreement_version, self.bot.clock.now()
        )
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


async def with_consent(
    bot: ResilienceBot, interaction: discord.Interaction[Any], guild_id: int, then: Continuation
) -> None:
    """Run ``then`` for a member who agreed to the current agreement; otherwise ask first.

    A member whose agreement is older than the group's current version is asked again.
    """
    agreed = await bot.members.get_if_agreed(guild_id, interaction.user.id)
    if agreed is not None:
        await then(interaction, agreed)
        return
    member = await bot.members.get(guild_id, interaction.user.id)
    config = await bot.guilds_repo.get(guild_id)
    guild = bot.get_guild(guild_id)
    again = member is not None and member.consented_version < config.agreement_version
    intro = (
        "The group agreement has changed since you last agreed. Please have a look."
        if again
        else "Before I save anything about you, here is how this group works and what I keep."
    )
    view = ConsentView(bot, guild_id, interaction.user.id, then)
    embed = agreement_embed(await agreement_for(bot, guild_id), guild.name if guild else "your group")
    if interaction.response.is_done():
        await interaction.followup.send(intro, embed=embed, view=view, ephemeral=True)
    else:
        await interaction.response.send_message(intro, embed=embed, view=view, ephemeral=True)
