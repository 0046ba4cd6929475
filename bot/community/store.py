"""SQL for prompts, sessions, goals and wins. Every query is scoped by guild (and member)."""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Literal

from bot.community.logic import MilestoneKind, SessionPlan
from bot.core.crypto import Cipher, cipher_of
from bot.db import Database, Row, Transaction, from_db_time, to_db_time

log = logging.getLogger(__name__)

Share = Literal["private", "partner", "group"]
GoalStatus = Literal["open", "done", "dropped"]


@dataclass(frozen=True, slots=True)
class CommunitySettings:
    guild_id: int
    quiet_start: time | None = None
    quiet_end: time | None = None
    plan: SessionPlan | None = None
    reminder_hours: tuple[int, ...] = (24, 1)
    digest_hours: int = 3
    cover: str | None = None


@dataclass(frozen=True, slots=True)
class PromptRow:
    prompt_id: int
    guild_id: int
    text: str | None
    library_id: str | None
    channel_id: int | None
    thread: bool
    paused: bool


@dataclass(frozen=True, slots=True)
class Goal:
    goal_id: int
    guild_id: int
    user_id: int
    text: str
    due_date: date | None
    share: Share
    status: GoalStatus
    percent: int | None
    note: str | None
    done_at: datetime | None


@dataclass(frozen=True, slots=True)
class Win:
    user_id: int
    what: str
    created_at: datetime


def _settings(guild_id: int, row: Row | None) -> CommunitySettings:
    if row is None:
        return CommunitySettings(guild_id)
    plan = None
    if row["session_weekday"] is not None and row["session_time"] and row["session_anchor"]:
        plan = SessionPlan(
            weekday=int(row["session_weekday"]),
            at=time.fromisoformat(row["session_time"]),
            every_weeks=int(row["session_every_weeks"]),
            anchor=date.fromisoformat(row["session_anchor"]),
            where=row["session_where"],
        )
    hours = tuple(int(h) for h in str(row["reminder_hours"]).split(",") if h)
    return CommunitySettings(
        guild_id=guild_id,
        quiet_start=time.fromisoformat(row["quiet_start"]) if row["quiet_start"] else None,
        quiet_end=time.fromisoformat(row["quiet_end"]) if row["quiet_end"] else None,
        plan=plan,
        reminder_hours=hours,
        digest_hours=int(row["digest_hours"]),
        cover=row["session_cover"],
    )


def _prompt(row: Row) -> PromptRow:
    return PromptRow(
        prompt_id=int(row["prompt_id"]),
        guild_id=int(row["guild_id"]),
        text=row["text"],
        library_id=row["library_id"],
        channel_id=int(row["channel_id"]) if row["channel_id"] is not None else None,
        thread=bool(row["thread"]),
        paused=bool(row["paused"]),
    )


def _goal(row: Row, cipher: Cipher) -> Goal:
    return Goal(
        goal_id=int(row["goal_id"]),
        guild_id=int(row["guild_id"]),
        user_id=int(row["user_id"]),
        text=cipher.decrypt(str(row["text"])),
        due_date=date.fromisoformat(row["due_date"]) if row["due_date"] else None,
        share=row["share"],
        status=row["status"],
        percent=int(row["percent"]) if row["percent"] is not None else None,
        note=cipher.decrypt_optional(row["note"]),
        done_at=from_db_time(row["done_at"]) if row["done_at"] else None,
    )


_SETTING_COLUMNS = frozenset(
    {
        "quiet_start",
        "quiet_end",
        "session_weekday",
        "session_time",
        "session_every_weeks",
        "session_anchor",
        "session_where",
        "reminder_hours",
        "digest_hours",
        "session_cover",
    }
)


class CommunityRepository:
    """All SQL for the community features."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # -- settings ---------------------------------------------------------------------------------

    async def settings(self, guild_id: int) -> CommunitySettings:
        row = await self.db.fetch_one("SELECT * FROM community_settings WHERE guild_id = ?", (guild_id,))
        return _settings(guild_id, row)

    async def update_settings(self, guild_id: int, now: datetime, **values: object) -> None:
        """Set some columns; names come from code, never from a user."""
        unknown = set(values) - _SETTING_COLUMNS
        if unknown:
            raise ValueError(f"unknown community settings {sorted(unknown)}")
        async with self.db.transaction() as tx:
            await tx.execute(
                "INSERT INTO community_settings (guild_id, updated_at) VALUES (?, ?) "
                "ON CONFLICT (guild_id) DO NOTHING",
                (guild_id, to_db_time(now)),
            )
            for column, value in values.items():
                await tx.execute(
                    f"UPDATE community_settings SET {column} = ?, updated_at = ? WHERE guild_id = ?",  # noqa: S608
                    (value, to_db_time(now), guild_id),
                )

    # -- prompts ----------------------------------------------------------------------------------

    async def add_prompt(
        self,
        guild_id: int,
        *,
        text: str | None,
        library_id: str | None,
        channel_id: int | None,
        thread: bool,
        now: datetime,
    ) -> int:
        return await self.db.insert(
            "INSERT INTO community_prompts (guild_id, text, library_id, channel_id, thread, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (guild_id, text, library_id, channel_id, int(thread), to_db_time(now)),
        )

    async def prompt(self, guild_id: int, prompt_id: int) -> PromptRow | None:
        row = await self.db.fetch_one(
            "SELECT * FROM community_prompts WHERE guild_id = ? AND prompt_id = ?", (guild_id, prompt_id)
        )
        return _prompt(row) if row else None

    async def prompts(self, guild_id: int) -> list[PromptRow]:
        rows = await self.db.fetch_all(
            "SELECT * FROM community_prompts WHERE guild_id = ? ORDER BY prompt_id", (guild_id,)
        )
        return [_prompt(r) for r in rows]

    async def update_prompt(
        self, guild_id: int, prompt_id: int, *, text: str | None, library_id: str | None
    ) -> None:
        await self.db.execute(
            "UPDATE community_prompts SET text = ?, library_id = ? WHERE guild_id = ? AND prompt_id = ?",
            (text, library_id, guild_id, prompt_id),
        )

    async def set_prompt_paused(self, guild_id: int, prompt_id: int, paused: bool) -> None:
        await self.db.execute(
            "UPDATE community_prompts SET paused = ? WHERE guild_id = ? AND prompt_id = ?",
            (int(paused), guild_id, prompt_id),
        )

    async def delete_prompt(self, guild_id: int, prompt_id: int) -> None:
        await self.db.execute(
            "DELETE FROM community_prompts WHERE guild_id = ? AND prompt_id = ?", (guild_id, prompt_id)
        )

    # -- sessions ---------------------------------------------------------------------------------

    async def skip_session(self, guild_id: int, day: date) -> None:
        await self.db.execute(
            "INSERT INTO community_session_skips (guild_id, session_date) VALUES (?, ?) "
            "ON CONFLICT (guild_id, session_date) DO NOTHING",
            (guild_id, day.isoformat()),
        )

    async def skipped(self, guild_id: int) -> set[date]:
        rows = await self.db.fetch_all(
            "SELECT session_date FROM community_session_skips WHERE guild_id = ?", (guild_id,)
        )
        return {date.fromisoformat(r["session_date"]) for r in rows}

    async def set_rsvp(self, guild_id: int, day: date, user_id: int, going: bool, now: datetime) -> None:
        await self.db.execute(
            "INSERT INTO community_rsvps (guild_id, session_date, user_id, going, updated_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (guild_id, session_date, user_id) DO UPDATE SET "
            "going = excluded.going, updated_at = excluded.updated_at",
            (guild_id, day.isoformat(), user_id, int(going), to_db_time(now)),
        )

    async def rsvp_counts(self, guild_id: int, day: date) -> tuple[int, int]:
        """(going, can't make it) for one session."""
        rows = await self.db.fetch_all(
            "SELECT going, COUNT(*) AS n FROM community_rsvps WHERE guild_id = ? AND session_date = ? "
            "GROUP BY going",
            (guild_id, day.isoformat()),
        )
        counts = {int(r["going"]): int(r["n"]) for r in rows}
        return counts.get(1, 0), counts.get(0, 0)

    async def set_session_dm(self, guild_id: int, user_id: int, on: bool, now: datetime) -> None:
        if on:
            await self.db.execute(
                "INSERT INTO community_session_dms (guild_id, user_id, created_at) VALUES (?, ?, ?) "
                "ON CONFLICT (guild_id, user_id) DO NOTHING",
                (guild_id, user_id, to_db_time(now)),
            )
        else:
            await self.db.execute(
                "DELETE FROM community_session_dms WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
            )

    async def session_dm_members(self, guild_id: int) -> list[int]:
        rows = await self.db.fetch_all(
            "SELECT user_id FROM community_session_dms WHERE guild_id = ? ORDER BY user_id", (guild_id,)
        )
        return [int(r["user_id"]) for r in rows]

    # -- goals ------------------------------------------------------------------------------------

    async def add_goal(
        self, guild_id: int, user_id: int, text: str, due: date | None, share: Share, now: datetime
    ) -> int:
        return await self.db.insert(
            "INSERT INTO community_goals (guild_id, user_id, text, due_date, share, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                guild_id,
                user_id,
                cipher_of(self.db).encrypt(text),
                due.isoformat() if due else None,
                share,
                to_db_time(now),
                to_db_time(now),
            ),
        )

    async def goal(self, guild_id: int, user_id: int, goal_id: int) -> Goal | None:
        """One of this member's own goals; another member's goal is never returned."""
        row = await self.db.fetch_one(
            "SELECT * FROM community_goals WHERE guild_id = ? AND user_id = ? AND goal_id = ?",
            (guild_id, user_id, goal_id),
        )
        return _goal(row, cipher_of(self.db)) if row else None

    async def goals(self, guild_id: int, user_id: int, *, open_only: bool = False) -> list[Goal]:
        sql = "SELECT * FROM community_goals WHERE guild_id = ? AND user_id = ?"
        if open_only:
            sql += " AND status = 'open'"
        rows = await self.db.fetch_all(sql + " ORDER BY goal_id", (guild_id, user_id))
        return [_goal(r, cipher_of(self.db)) for r in rows]

    async def update_goal_progress(
        self, guild_id: int, user_id: int, goal_id: int, percent: int | None, note: str | None, now: datetime
    ) -> None:
        await self.db.execute(
            "UPDATE community_goals SET percent = COALESCE(?, percent), note = COALESCE(?, note), "
            "updated_at = ? WHERE guild_id = ? AND user_id = ? AND goal_id = ?",
            (percent, cipher_of(self.db).encrypt_optional(note), to_db_time(now), guild_id, user_id, goal_id),
        )

    async def set_goal_status(
        self, guild_id: int, user_id: int, goal_id: int, status: GoalStatus, now: datetime
    ) -> None:
        done_at = to_db_time(now) if status == "done" else None
        await self.db.execute(
            "UPDATE community_goals SET status = ?, done_at = ?, updated_at = ? "
            "WHERE guild_id = ? AND user_id = ? AND goal_id = ?",
            (status, done_at, to_db_time(now), guild_id, user_id, goal_id),
        )

    async def goals_done_count(
        self, guild_id: int, since: datetime, until: datetime, sharing: set[int]
    ) -> int:
        """Goals completed in a period: group-shared ones, and others only from sharing members."""
        rows = await self.db.fetch_all(
            "SELECT user_id, share FROM community_goals WHERE guild_id = ? AND status = 'done' "
            "AND done_at > ? AND done_at <= ?",
            (guild_id, to_db_time(since), to_db_time(until)),
        )
        return sum(1 for r in rows if r["share"] == "group" or int(r["user_id"]) in sharing)

    # -- wins -------------------------------------------------------------------------------------

    async def add_win(self, guild_id: int, user_id: int, what: str, now: datetime) -> None:
        await self.db.insert(
            "INSERT INTO community_wins (guild_id, user_id, what, created_at) VALUES (?, ?, ?, ?)",
            (guild_id, user_id, cipher_of(self.db).encrypt(what), to_db_time(now)),
        )

    async def wins(self, guild_id: int, since: datetime, limit: int = 50) -> list[Win]:
        rows = await self.db.fetch_all(
            "SELECT user_id, what, created_at FROM community_wins WHERE guild_id = ? AND created_at >= ? "
            "ORDER BY created_at DESC, win_id DESC LIMIT ?",
            (guild_id, to_db_time(since), limit),
        )
        cipher = cipher_of(self.db)
        return [
            Win(int(r["user_id"]), cipher.decrypt(str(r["what"])), from_db_time(r["created_at"]))
            for r in rows
        ]

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

    # -- other features' tables, read defensively -------------------------------------------------
    # Each feature may be absent (not installed) or shaped differently: these return None then,
    # and the caller leaves that part out instead of failing.

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
        rows = await self.db.fetch_all("SELECT guild_id FROM guilds ORDER BY guild_id")
        return [int(r["guild_id"]) for r in rows]

    # -- milestones -------------------------------------------------------------------------------

    async def celebrated(self, guild_id: int) -> dict[tuple[int, MilestoneKind], set[int]]:
        """(user, kind) -> thresholds already celebrated."""
        rows = await self.db.fetch_all(
            "SELECT user_id, kind, threshold FROM community_milestones WHERE guild_id = ?", (guild_id,)
        )
        found: dict[tuple[int, MilestoneKind], set[int]] = {}
        for r in rows:
            found.setdefault((int(r["user_id"]), r["kind"]), set()).add(int(r["threshold"]))
        return found

    async def record_milestones(
        self,
        tx: Transaction,
        guild_id: int,
        user_id: int,
        kind: MilestoneKind,
        thresholds: Collection[int],
        now: datetime,
    ) -> bool:
        """Mark thresholds celebrated; False if the highest was already there (a re-run)."""
        added = 0
        for threshold in sorted(thresholds):
            added = await tx.execute(
                "INSERT INTO community_milestones (guild_id, user_id, kind, threshold, celebrated_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (guild_id, user_id, kind, threshold) DO NOTHING",
                (guild_id, user_id, kind, threshold, to_db_time(now)),
            )
        return added > 0

    async def add_win_tx(
        self, tx: Transaction, guild_id: int, user_id: int, what: str, now: datetime
    ) -> None:
        await tx.insert(
            "INSERT INTO community_wins (guild_id, user_id, what, created_at) VALUES (?, ?, ?, ?)",
            (guild_id, user_id, cipher_of(self.db).encrypt(what), to_db_time(now)),
        )

    # -- goals shared with a partner --------------------------------------------------------------

    async def mark_goal_shared(
        self,
        tx: Transaction,
        guild_id: int,
        user_id: int,
        goal_id: int,
        partner_id: int,
        event: str,
        now: datetime,
    ) -> bool:
        """Record that ``partner_id`` heard about this goal event; False if they already had."""
        added = await tx.execute(
            "INSERT INTO community_goal_shares (guild_id, user_id, goal_id, partner_id, event, shared_at) "
            "VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (guild_id, user_id, goal_id, partner_id, event) DO NOTHING",
            (guild_id, user_id, goal_id, partner_id, event, to_db_time(now)),
        )
        return added > 0

    async def partner_goals(self, guild_id: int, done_since: datetime) -> list[Goal]:
        """Goals shared with the partner that are open, or were done since ``done_since``."""
        rows = await self.db.fetch_all(
            "SELECT * FROM community_goals WHERE guild_id = ? AND share = 'partner' "
            "AND (status = 'open' OR (status = 'done' AND done_at >= ?)) ORDER BY goal_id",
            (guild_id, to_db_time(done_since)),
        )
        return [_goal(r, cipher_of(self.db)) for r in rows]
