"""Members looked up when a feature needs one, not held in memory for the bot's whole life.

The bot runs with no member cache (``bot.core.bot.lean_member_cache``): a bot in 1,000 groups
would otherwise hold every member of every group. Who is in a group comes from the ``members``
table; the few places that need a Discord member (a name for a pair's thread, the roles of a
facilitator pressing a button in a DM, the facilitators an alert goes to by DM) ask Discord here.

- One or a few members by id: a gateway member query (``Guild.query_members`` with ``user_ids``,
  up to 100 a request). It is not a REST request, so it takes nothing from the send budget the
  outbox paces, and ``cache=False`` keeps the answer out of the cache.
- Everyone with a role: Discord has no such query, so the member list is paged through REST
  (1,000 a page). Only the rare alert-by-DM path does this.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable

import discord

log = logging.getLogger(__name__)

QUERY_BATCH = 100  # the most user ids one gateway member query may name
QUERY_TIMEOUT = 10.0
# Inside an interaction, which must be answered within 3 s: a lookup gives up sooner.
INTERACTION_TIMEOUT = 2.0


async def find_members(
    guild: discord.Guild, user_ids: Iterable[int], *, within: float = QUERY_TIMEOUT
) -> dict[int, discord.Member]:
    """The members of ``guild`` among ``user_ids`` (cached ones first); those who left are absent."""
    found: dict[int, discord.Member] = {}
    wanted: list[int] = []
    for user_id in dict.fromkeys(user_ids):
        cached = guild.get_member(user_id)
        if cached is not None:
            found[user_id] = cached
        else:
            wanted.append(user_id)
    for start in range(0, len(wanted), QUERY_BATCH):
        batch = wanted[start : start + QUERY_BATCH]
        try:
            answered = await asyncio.wait_for(
                guild.query_members(user_ids=batch, limit=len(batch), cache=False), within
            )
        except (TimeoutError, discord.ClientException) as error:
            log.warning("member lookup in guild %s failed (%s)", guild.id, type(error).__name__)
            continue
        found.update((member.id, member) for member in answered)
    return found


async def find_member(
    guild: discord.Guild, user_id: int, *, within: float = QUERY_TIMEOUT
) -> discord.Member | None:
    """One member of ``guild`` by id, or None when they are not in it (or Discord did not answer)."""
    return (await find_members(guild, [user_id], within=within)).get(user_id)


async def display_names(
    guild: discord.Guild | None, user_ids: Iterable[int], *, gone: str, within: float = QUERY_TIMEOUT
) -> dict[int, str]:
    """Each id's name in the server as members see it; ``gone`` for someone no longer there."""
    ids = list(dict.fromkeys(user_ids))
    members = await find_members(guild, ids, within=within) if guild is not None else {}
    return {user_id: members[user_id].display_name if user_id in members else gone for user_id in ids}


async def members_where(guild: discord.Guild, keep: Callable[[discord.Member], bool]) -> list[discord.Member]:
    """Every member of ``guild`` that ``keep`` accepts, paged through REST (nothing is cached)."""
    if guild.chunked:
        return [member for member in guild.members if keep(member)]
    kept: list[discord.Member] = []
    try:
        async for member in guild.fetch_members(limit=None):
            if keep(member):
                kept.append(member)
    except discord.HTTPException as error:
        log.warning("listing the members of guild %s failed (%s)", guild.id, error.status)
    return kept
