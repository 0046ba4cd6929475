"""Other features' tables, read defensively for the digest, milestones and partner goals.

Each feature may be absent (not installed) or shaped differently: these return None then, and
the caller leaves that part out instead of failing.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from datetime import date, datetime

from bot.community.celebrations import MilestoneKind
from bot.db import Database, Row, to_db_time

log = logging.getLogger(__name__)


class NeighbourReads:
    """Reads of the check-ins, skills and pairs tables; community tables where a count joins them."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # -- check-ins (another feature's table) ------------------------------------------------------

    async def checkin_moods(
        self, guild_id: int, first_day: date, last_day: date, user_ids: set[int]
    ) -> list[tuple[int, str, int]] | None:
        """(user, local_date, mood) from the check-ins feature's table, for the given members.

        Returns None when the ``checkins`` table does not exist (that feature not installed) or
        has a shape this query does not expect; the digest then says check-ins are unavailable.
        """
        if "checkins" not in await self.db.table_names():
            return None
        if not user_ids:
            return []
        try:
            rows = await self.db.fetch_all(
                "SELECT user_id, local_date, mood FROM checkins WHERE guild_id = ? "
                "AND local_date >= ? AND local_date <= ? ORDER BY local_date",
                (guild_id, first_day.isoformat(), last_day.isoformat()),
            )
        except Exception:  # a different schema: degrade to "not available", never crash the digest
            log.warning("checkins table has an unexpected shape; digest leaves check-ins out")
            return None
        return [
            (int(r["user_id"]), str(r["local_date"]), int(r["mood"]))
            for r in rows
            if int(r["user_id"]) in user_ids
        ]

    async def _has(self, table: str, *columns: str) -> bool:
        if table not in await self.db.table_names():
            return False
        return set(columns) <= set(await self.db.column_names(table))

    async def _read(self, what: str, sql: str, params: tuple[object, ...]) -> list[Row] | None:
        try:
            return await self.db.fetch_all(sql, params)
        except Exception:  # a different schema: degrade, never crash a digest or a daily job
            log.warning("%s: unexpected table shape; leaving it out", what)
            return None

    async def skills_practised(
        self, guild_id: int, since: datetime, until: datetime, user_ids: Collection[int]
    ) -> list[tuple[int, str]] | None:
        """(user, skill id) per practice logged in ``(since, until]``, only for ``user_ids``."""
        if not await self._has("skill_practice", "guild_id", "user_id", "skill_id", "practised_at"):
            return None
        rows = await self._read(
            "skill_practice",
            "SELECT user_id, skill_id FROM skill_practice WHERE guild_id = ? "
            "AND practised_at > ? AND practised_at <= ?",
            (guild_id, to_db_time(since), to_db_time(until)),
        )
        if rows is None:
            return None
        return [(int(r["user_id"]), str(r["skill_id"])) for r in rows if int(r["user_id"]) in user_ids]

    async def pair_answers_since(
        self, guild_id: int, since: datetime, until: datetime, user_ids: Collection[int]
    ) -> list[tuple[int, str]] | None:
        """(user, answer) for pair follow-ups answered in ``(since, until]``, only for ``user_ids``."""
        if not await self._has("pair_answers", "guild_id", "user_id", "answer", "answered_at"):
            return None
        rows = await self._read(
            "pair_answers",
            "SELECT user_id, answer FROM pair_answers WHERE guild_id = ? "
            "AND answered_at > ? AND answered_at <= ?",
            (guild_id, to_db_time(since), to_db_time(until)),
        )
        if rows is None:
            return None
        return [(int(r["user_id"]), str(r["answer"])) for r in rows if int(r["user_id"]) in user_ids]

    async def current_partners(self, guild_id: int, user_id: int) -> list[int] | None:
        """The member's partners in the group's current (latest active) pair round.

        [] when they have none right now; None when the pairs feature's tables are missing.
        """
        if not (
            await self._has("pair_rounds", "round_id", "guild_id", "status")
            and await self._has("pair_groups", "group_id", "round_id")
            and await self._has("pair_group_members", "group_id", "user_id", "left_at")
        ):
            return None
        rows = await self._read(
            "pair partners",
            "SELECT DISTINCT o.user_id FROM pair_groups g "
            "JOIN pair_group_members me ON me.group_id = g.group_id "
            "JOIN pair_group_members o ON o.group_id = g.group_id AND o.user_id <> me.user_id "
            "WHERE g.round_id = (SELECT MAX(round_id) FROM pair_rounds "
            "WHERE guild_id = ? AND status = 'active') "
            "AND me.user_id = ? AND me.left_at IS NULL AND o.left_at IS NULL ORDER BY o.user_id",
            (guild_id, user_id),
        )
        return None if rows is None else [int(r["user_id"]) for r in rows]

    async def milestone_counts(self, guild_id: int) -> dict[MilestoneKind, dict[int, int]]:
        """Per kind, each member's running count; a kind whose feature is missing is left out.

        skills: practices logged (one per skill per day); goals: goals marked done; pairs: ended
        pair rounds the member stayed in to the end.
        """
        found: dict[MilestoneKind, dict[int, int]] = {}
        if await self._has("skill_practice", "guild_id", "user_id"):
            rows = await self._read(
                "skill_practice",
                "SELECT user_id, COUNT(*) AS n FROM skill_practice WHERE guild_id = ? GROUP BY user_id",
                (guild_id,),
            )
            if rows is not None:
                found["skills"] = {int(r["user_id"]): int(r["n"]) for r in rows}
        rows = await self._read(
            "community_goals",
            "SELECT user_id, COUNT(*) AS n FROM community_goals WHERE guild_id = ? AND status = 'done' "
            "GROUP BY user_id",
            (guild_id,),
        )
        if rows is not None:
            found["goals"] = {int(r["user_id"]): int(r["n"]) for r in rows}
        if (
            await self._has("pair_rounds", "round_id", "status")
            and await self._has("pair_groups", "group_id", "round_id")
            and await self._has("pair_group_members", "group_id", "guild_id", "user_id", "left_at")
        ):
            rows = await self._read(
                "pair rounds",
                "SELECT m.user_id, COUNT(DISTINCT g.round_id) AS n FROM pair_group_members m "
                "JOIN pair_groups g ON g.group_id = m.group_id "
                "JOIN pair_rounds r ON r.round_id = g.round_id "
                "WHERE m.guild_id = ? AND r.status = 'ended' AND m.left_at IS NULL GROUP BY m.user_id",
                (guild_id,),
            )
            if rows is not None:
                found["pairs"] = {int(r["user_id"]): int(r["n"]) for r in rows}
        return found

    async def configured_guilds(self) -> list[int]:
        """Every group set up here (the core's table), for re-deriving daily schedules at load."""
        rows = await self.db.fetch_all("SELECT guild_id FROM guilds ORDER BY guild_id")
        return [int(r["guild_id"]) for r in rows]
