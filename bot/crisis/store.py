"""SQL for crisis replies: events, facilitator alerts, group settings, opt-outs.

Nothing of a member's message is ever passed in here: only ids, a verdict level and times.
(Safety plans are the person's own, with their SQL in ``bot.safetyplan.store``.)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from bot.db import Database, Row, from_db_time, to_db_time

AlertLevel = Literal["concern", "urgent"]
Outcome = Literal["dm", "pointer", "limited", "opted_out", "failed"]
AlertState = Literal["open", "claimed", "resolved", "false_alarm"]

# guild_id used for things that happened in a DM with the bot, outside any group.
DM_GUILD = 0


@dataclass(frozen=True, slots=True)
class CrisisSettings:
    """A group's alert settings. Alerts are on by default; members are told in the agreement."""

    guild_id: int
    alerts: bool = True
    ping_urgent: bool = False


@dataclass(frozen=True, slots=True)
class Alert:
    """One facilitator alert and where it stands."""

    alert_id: int
    guild_id: int
    user_id: int
    level: AlertLevel
    source_channel_id: int
    source_message_id: int
    alert_channel_id: int | None
    alert_message_id: int | None
    state: AlertState
    claimed_by: int | None
    closed_by: int | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class AlertStats:
    """Counts a group's facilitators can see, so they can judge how the detector is doing."""

    open: int
    claimed: int
    resolved: int
    false_alarm: int

    @property
    def total(self) -> int:
        return self.open + self.claimed + self.resolved + self.false_alarm


def _alert(row: Row) -> Alert:
    return Alert(
        alert_id=int(row["alert_id"]),
        guild_id=int(row["guild_id"]),
        user_id=int(row["user_id"]),
        level=row["level"],
        source_channel_id=int(row["source_channel_id"]),
        source_message_id=int(row["source_message_id"]),
        alert_channel_id=int(row["alert_channel_id"]) if row["alert_channel_id"] is not None else None,
        alert_message_id=int(row["alert_message_id"]) if row["alert_message_id"] is not None else None,
        state=row["state"],
        claimed_by=int(row["claimed_by"]) if row["claimed_by"] is not None else None,
        closed_by=int(row["closed_by"]) if row["closed_by"] is not None else None,
        created_at=from_db_time(row["created_at"]),
        updated_at=from_db_time(row["updated_at"]),
    )


class CrisisRepository:
    """All crisis SQL. Every statement is parameterised."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # -- events -------------------------------------------------------------------------------

    async def record_event(
        self, guild_id: int, user_id: int, level: AlertLevel, outcome: Outcome, now: datetime
    ) -> int:
        """Remember that a message from ``user_id`` got ``level`` and what the member received."""
        return await self.db.insert(
            "INSERT INTO crisis_events (guild_id, user_id, level, outcome, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (guild_id, user_id, level, outcome, to_db_time(now)),
        )

    async def last_reply_at(self, user_id: int) -> datetime | None:
        """When this person last got an automatic reply (DM or pointer), in any group or DM."""
        row = await self.db.fetch_one(
            "SELECT MAX(created_at) AS at FROM crisis_events "
            "WHERE user_id = ? AND outcome IN ('dm', 'pointer')",
            (user_id,),
        )
        return from_db_time(row["at"]) if row and row["at"] else None

    # -- alerts -------------------------------------------------------------------------------

    async def create_alert(
        self,
        guild_id: int,
        user_id: int,
        event_id: int,
        level: AlertLevel,
        source_channel_id: int,
        source_message_id: int,
        now: datetime,
    ) -> int:
        """A new open alert about ``user_id``'s message (by id only); its id."""
        return await self.db.insert(
            "INSERT INTO crisis_alerts (guild_id, user_id, event_id, level, source_channel_id, "
            "source_message_id, state, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'open', ?, ?)",
            (
                guild_id,
                user_id,
                event_id,
                level,
                source_channel_id,
                source_message_id,
                to_db_time(now),
                to_db_time(now),
            ),
        )

    async def set_alert_message(self, alert_id: int, channel_id: int, message_id: int) -> None:
        """Where the alert was posted, so its buttons can edit it."""
        await self.db.execute(
            "UPDATE crisis_alerts SET alert_channel_id = ?, alert_message_id = ? WHERE alert_id = ?",
            (channel_id, message_id, alert_id),
        )

    async def get_alert(self, alert_id: int) -> Alert | None:
        """The alert with this id, or None."""
        row = await self.db.fetch_one("SELECT * FROM crisis_alerts WHERE alert_id = ?", (alert_id,))
        return _alert(row) if row else None

    async def recent_unresolved_alert(self, guild_id: int, user_id: int, since: datetime) -> Alert | None:
        """The newest open or claimed alert for this member raised at or after ``since``."""
        row = await self.db.fetch_one(
            "SELECT * FROM crisis_alerts WHERE guild_id = ? AND user_id = ? AND created_at >= ? "
            "AND state IN ('open', 'claimed') ORDER BY created_at DESC, alert_id DESC LIMIT 1",
            (guild_id, user_id, to_db_time(since)),
        )
        return _alert(row) if row else None

    async def claim(self, alert_id: int, facilitator_id: int, now: datetime) -> bool:
        """Claim an open alert; False if someone else got there first or it is closed."""
        changed = await self.db.execute(
            "UPDATE crisis_alerts SET state = 'claimed', claimed_by = ?, updated_at = ? "
            "WHERE alert_id = ? AND state = 'open'",
            (facilitator_id, to_db_time(now), alert_id),
        )
        return changed == 1

    async def close(
        self, alert_id: int, state: Literal["resolved", "false_alarm"], facilitator_id: int, now: datetime
    ) -> bool:
        """Resolve or mark a false alarm; False if the alert was already closed."""
        changed = await self.db.execute(
            "UPDATE crisis_alerts SET state = ?, closed_by = ?, updated_at = ? "
            "WHERE alert_id = ? AND state IN ('open', 'claimed')",
            (state, facilitator_id, to_db_time(now), alert_id),
        )
        return changed == 1

    async def stats(self, guild_id: int) -> AlertStats:
        """How many of the group's alerts are in each state."""
        rows = await self.db.fetch_all(
            "SELECT state, COUNT(*) AS n FROM crisis_alerts WHERE guild_id = ? GROUP BY state", (guild_id,)
        )
        counts = {str(r["state"]): int(r["n"]) for r in rows}
        return AlertStats(
            open=counts.get("open", 0),
            claimed=counts.get("claimed", 0),
            resolved=counts.get("resolved", 0),
            false_alarm=counts.get("false_alarm", 0),
        )

    # -- settings -----------------------------------------------------------------------------

    async def settings(self, guild_id: int) -> CrisisSettings:
        """The group's alert settings (the defaults until a facilitator changes them)."""
        row = await self.db.fetch_one("SELECT * FROM crisis_settings WHERE guild_id = ?", (guild_id,))
        if row is None:
            return CrisisSettings(guild_id)
        return CrisisSettings(guild_id, alerts=bool(row["alerts"]), ping_urgent=bool(row["ping_urgent"]))

    async def save_settings(self, settings: CrisisSettings, now: datetime) -> None:
        """Store the group's alert settings."""
        await self.db.execute(
            "INSERT INTO crisis_settings (guild_id, alerts, ping_urgent, updated_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (guild_id) DO UPDATE SET alerts = excluded.alerts, "
            "ping_urgent = excluded.ping_urgent, updated_at = excluded.updated_at",
            (settings.guild_id, int(settings.alerts), int(settings.ping_urgent), to_db_time(now)),
        )

    # -- opt-outs -----------------------------------------------------------------------------

    async def opt_out(self, guild_id: int, user_id: int, now: datetime) -> None:
        """No more automatic replies for this person (asked in ``guild_id``, 0 for a DM)."""
        await self.db.execute(
            "INSERT INTO crisis_optouts (guild_id, user_id, created_at) VALUES (?, ?, ?) "
            "ON CONFLICT (guild_id, user_id) DO NOTHING",
            (guild_id, user_id, to_db_time(now)),
        )

    async def opt_in(self, user_id: int) -> None:
        """Automatic replies back on, everywhere this person had turned them off."""
        await self.db.execute("DELETE FROM crisis_optouts WHERE user_id = ?", (user_id,))

    async def is_opted_out(self, user_id: int) -> bool:
        """Whether this person asked for no automatic replies (in any group or in a DM)."""
        row = await self.db.fetch_one(
            "SELECT 1 AS x FROM crisis_optouts WHERE user_id = ? LIMIT 1", (user_id,)
        )
        return row is not None
