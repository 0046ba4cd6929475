"""SQL for goals, wins and milestones. Goal text, notes and wins are encrypted at rest."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from bot.community.celebrations import MilestoneKind
from bot.core.crypto import Cipher, cipher_of
from bot.db import Database, Row, Transaction, from_db_time, to_db_time

Share = Literal["private", "partner", "group"]
GoalStatus = Literal["open", "done", "dropped"]


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


class GoalStore:
    """A member's own goals, the group's wins, celebrated milestones and goals shared with partners."""

    def __init__(self, db: Database) -> None:
        self.db = db

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
