"""SQL for the Discord scheduled events that stand for upcoming sessions. Scoped by guild."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from bot.db import Database, Row, from_db_time, to_db_time

EventStatus = Literal["scheduled", "cancelled"]


@dataclass(frozen=True, slots=True)
class SessionEvent:
    """One session's event: the session's local date, its start and Discord's event id."""

    guild_id: int
    day: date
    starts_at: datetime
    event_id: int
    status: EventStatus


def _event(row: Row) -> SessionEvent:
    return SessionEvent(
        guild_id=int(row["guild_id"]),
        day=date.fromisoformat(row["session_date"]),
        starts_at=from_db_time(row["starts_at"]),
        event_id=int(row["event_id"]),
        status="cancelled" if row["status"] == "cancelled" else "scheduled",
    )


class SessionEventStore:
    """Which event stands for which session (created once per guild and date)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def session_event(self, guild_id: int, day: date) -> SessionEvent | None:
        row = await self.db.fetch_one(
            "SELECT * FROM community_session_events WHERE guild_id = ? AND session_date = ?",
            (guild_id, day.isoformat()),
        )
        return _event(row) if row else None

    async def session_event_by_id(self, guild_id: int, event_id: int) -> SessionEvent | None:
        row = await self.db.fetch_one(
            "SELECT * FROM community_session_events WHERE guild_id = ? AND event_id = ?",
            (guild_id, event_id),
        )
        return _event(row) if row else None

    async def upcoming_session_events(self, guild_id: int, now: datetime) -> list[SessionEvent]:
        """The events still standing for a session that hasn't started yet, soonest first."""
        rows = await self.db.fetch_all(
            "SELECT * FROM community_session_events WHERE guild_id = ? AND starts_at > ? "
            "AND status = 'scheduled' ORDER BY starts_at",
            (guild_id, to_db_time(now)),
        )
        return [_event(r) for r in rows]

    async def put_session_event(
        self,
        guild_id: int,
        day: date,
        starts_at: datetime,
        event_id: int,
        status: EventStatus,
        now: datetime,
        *,
        moved_from: date | None = None,
    ) -> None:
        """Record (or replace) the event for the session on ``day``; ``moved_from``: the date it
        stood for until now (a reschedule moves the event rather than making another)."""
        async with self.db.transaction() as tx:
            if moved_from is not None and moved_from != day:
                await tx.execute(
                    "DELETE FROM community_session_events WHERE guild_id = ? AND session_date = ?",
                    (guild_id, moved_from.isoformat()),
                )
            await tx.execute(
                "INSERT INTO community_session_events "
                "(guild_id, session_date, starts_at, event_id, status, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (guild_id, session_date) DO UPDATE SET "
                "starts_at = excluded.starts_at, event_id = excluded.event_id, "
                "status = excluded.status, updated_at = excluded.updated_at",
                (guild_id, day.isoformat(), to_db_time(starts_at), event_id, status, to_db_time(now)),
            )

    async def session_guilds(self) -> list[int]:
        """Groups with a session plan (whose events are kept in step at start-up)."""
        rows = await self.db.fetch_all(
            "SELECT guild_id FROM community_settings WHERE session_weekday IS NOT NULL ORDER BY guild_id"
        )
        return [int(r["guild_id"]) for r in rows]
