"""Members of a group: consent, timezone, country and privacy choices. Nothing before consent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from bot.db import Database, Row, to_db_time

ShareLevel = Literal["private", "aggregate", "named"]


@dataclass(frozen=True, slots=True)
class Member:
    """A member who has agreed to the group agreement, and their choices."""

    guild_id: int
    user_id: int
    consented_version: int
    timezone: str | None
    country: str | None
    share_checkins: ShareLevel
    public_celebrations: bool
    facilitator_followup: bool
    crisis_replies: bool
    dm_closed: bool
    dm_closed_told: bool
    left: bool


def _member(row: Row) -> Member:
    return Member(
        guild_id=int(row["guild_id"]),
        user_id=int(row["user_id"]),
        consented_version=int(row["consented_version"]),
        timezone=row["timezone"],
        country=row["country"],
        share_checkins=row["share_checkins"],
        public_celebrations=bool(row["public_celebrations"]),
        facilitator_followup=bool(row["facilitator_followup"]),
        crisis_replies=bool(row["crisis_replies"]),
        dm_closed=row["dm_closed_at"] is not None,
        dm_closed_told=bool(row["dm_closed_told"]),
        left=row["left_at"] is not None,
    )


PRIVACY_COLUMNS = frozenset(
    {"share_checkins", "public_celebrations", "facilitator_followup", "crisis_replies"}
)


class MemberRepository:
    """SQL for members. Every query is scoped by guild and member."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def get(self, guild_id: int, user_id: int) -> Member | None:
        row = await self.db.fetch_one(
            "SELECT * FROM members WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
        )
        return _member(row) if row else None

    async def get_if_agreed(self, guild_id: int, user_id: int) -> Member | None:
        """The member if they agreed to the group's current agreement and are still in the group.

        One read for both (it starts every button press); ``None`` means: ask them first.
        """
        row = await self.db.fetch_one(
            "SELECT m.*, (SELECT g.agreement_version FROM guilds g WHERE g.guild_id = m.guild_id) "
            "AS current_version FROM members m WHERE m.guild_id = ? AND m.user_id = ?",
            (guild_id, user_id),
        )
        if row is None or row["left_at"] is not None:
            return None
        current = 1 if row["current_version"] is None else int(row["current_version"])
        return _member(row) if int(row["consented_version"]) >= current else None

    async def consent(self, guild_id: int, user_id: int, version: int, now: datetime) -> Member:
        """Record agreement to ``version`` of the group agreement (creating the member)."""
        await self.db.execute(
            "INSERT INTO members (guild_id, user_id, consented_version, consented_at, created_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (guild_id, user_id) DO UPDATE SET "
            "consented_version = excluded.consented_version, consented_at = excluded.consented_at, "
            "left_at = NULL",
            (guild_id, user_id, version, to_db_time(now), to_db_time(now)),
        )
        member = await self.get(guild_id, user_id)
        assert member is not None
        return member

    async def set_timezone(self, guild_id: int, user_id: int, zone: str | None) -> None:
        await self.db.execute(
            "UPDATE members SET timezone = ? WHERE guild_id = ? AND user_id = ?", (zone, guild_id, user_id)
        )

    async def set_country(self, guild_id: int, user_id: int, code: str | None) -> None:
        """The member's own country for helplines (ISO alpha-2); ``None`` goes back to the group's."""
        await self.db.execute(
            "UPDATE members SET country = ? WHERE guild_id = ? AND user_id = ?", (code, guild_id, user_id)
        )

    async def own_country(self, user_id: int) -> str | None:
        """The country a person chose in any group they are still in (the first by group id)."""
        row = await self.db.fetch_one(
            "SELECT country FROM members WHERE user_id = ? AND left_at IS NULL AND country IS NOT NULL "
            "ORDER BY guild_id LIMIT 1",
            (user_id,),
        )
        return str(row["country"]) if row else None

    async def set_choice(self, guild_id: int, user_id: int, column: str, value: object) -> None:
        """Change one privacy choice; ``column`` comes from code, never from a user."""
        if column not in PRIVACY_COLUMNS:
            raise ValueError(f"unknown privacy choice {column!r}")
        await self.db.execute(
            f"UPDATE members SET {column} = ? WHERE guild_id = ? AND user_id = ?",  # noqa: S608
            (value, guild_id, user_id),
        )

    async def mark_dm_closed(self, guild_id: int, user_id: int, now: datetime) -> None:
        await self.db.execute(
            "UPDATE members SET dm_closed_at = ?, dm_closed_told = 0 "
            "WHERE guild_id = ? AND user_id = ? AND dm_closed_at IS NULL",
            (to_db_time(now), guild_id, user_id),
        )

    async def clear_dm_closed(self, guild_id: int, user_id: int) -> None:
        await self.db.execute(
            "UPDATE members SET dm_closed_at = NULL, dm_closed_told = 0 WHERE guild_id = ? AND user_id = ?",
            (guild_id, user_id),
        )

    async def mark_dm_closed_told(self, guild_id: int, user_id: int) -> None:
        await self.db.execute(
            "UPDATE members SET dm_closed_told = 1 WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
        )

    async def mark_left(self, guild_id: int, user_id: int, now: datetime) -> None:
        await self.db.execute(
            "UPDATE members SET left_at = ? WHERE guild_id = ? AND user_id = ?",
            (to_db_time(now), guild_id, user_id),
        )

    async def guilds_of(self, user_id: int) -> list[int]:
        rows = await self.db.fetch_all(
            "SELECT guild_id FROM members WHERE user_id = ? AND left_at IS NULL ORDER BY guild_id", (user_id,)
        )
        return [int(r["guild_id"]) for r in rows]

    async def list_active(self, guild_id: int) -> list[Member]:
        rows = await self.db.fetch_all(
            "SELECT * FROM members WHERE guild_id = ? AND left_at IS NULL ORDER BY user_id", (guild_id,)
        )
        return [_member(r) for r in rows]
