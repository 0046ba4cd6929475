"""SQL for crisis replies: events and their follow-ups, facilitator alerts, group settings,
opt-outs.

Nothing of a member's message is ever passed in here: only ids, a verdict level and times.
(Safety plans are the person's own, with their SQL in ``bot.safetyplan.store``.)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from bot.db import Database, Row, from_db_time, to_db_time

AlertLevel = Literal["concern", "urgent"]
Outcome = Literal["dm", "pointer", "limited", "opted_out", "failed"]
AlertState = Literal["open", "claimed", "resolved", "false_alarm"]
# Who an event was about (harassment gets an alert, never a reply to its writer, so no event).
About = Literal["self", "other"]
# Who an alert is about: the writer at risk, someone they worry about, or harassment.
Reader = Literal["self", "other", "harassment"]
Sensitivity = Literal["standard", "cautious"]
FollowupState = Literal["pending", "sent", "skipped", "superseded", "ok", "talk"]
# An alert shows how many alerts about the same member the group had in this window.
RECENT_WINDOW = timedelta(days=30)

# guild_id used for things that happened in a DM with the bot, outside any group.
DM_GUILD = 0


@dataclass(frozen=True, slots=True)
class CrisisSettings:
    """A group's alert settings. Alerts are on by default; members are told in the agreement."""

    guild_id: int
    alerts: bool = True
    ping_urgent: bool = False
    sensitivity: Sensitivity = "standard"


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
    reader: Reader = "self"
    # The member a harassing message was aimed at, when one could be found.
    target_id: int | None = None
    # Alerts about this member in this group in the 30 days up to and including this one.
    recent_alerts: int = 1
    # When a facilitator first took it (claimed, or closed it without claiming first).
    claimed_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Event:
    """One crisis verdict answered (or not) for one person, and its follow-up's state."""

    event_id: int
    guild_id: int
    user_id: int
    level: AlertLevel
    outcome: Outcome
    about: About
    followup_state: FollowupState | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ReportRow:
    """What ``/crisis report`` needs of one alert: no ids of people, no text."""

    reader: Reader
    state: AlertState
    created_at: datetime
    claimed_at: datetime | None


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
        reader=row["reader"],
        target_id=int(row["target_id"]) if row["target_id"] is not None else None,
        recent_alerts=int(row["recent_alerts"]),
        claimed_at=from_db_time(row["claimed_at"]) if row["claimed_at"] else None,
    )


def _event(row: Row) -> Event:
    return Event(
        event_id=int(row["event_id"]),
        guild_id=int(row["guild_id"]),
        user_id=int(row["user_id"]),
        level=row["level"],
        outcome=row["outcome"],
        about=row["about"],
        followup_state=row["followup_state"],
        created_at=from_db_time(row["created_at"]),
    )


class CrisisRepository:
    """All crisis SQL. Every statement is parameterised."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # -- events -------------------------------------------------------------------------------

    async def record_event(
        self,
        guild_id: int,
        user_id: int,
        level: AlertLevel,
        outcome: Outcome,
        now: datetime,
        *,
        about: About = "self",
    ) -> int:
        """Remember that a message from ``user_id`` got ``level`` and what the member received."""
        return await self.db.insert(
            "INSERT INTO crisis_events (guild_id, user_id, level, outcome, about, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (guild_id, user_id, level, outcome, about, to_db_time(now)),
        )

    async def get_event(self, event_id: int) -> Event | None:
        """The event with this id, or None (erased, or never there)."""
        row = await self.db.fetch_one("SELECT * FROM crisis_events WHERE event_id = ?", (event_id,))
        return _event(row) if row else None

    # -- follow-ups ---------------------------------------------------------------------------

    async def start_followup(self, event_id: int, user_id: int, due: datetime) -> None:
        """This event's follow-up is pending, due at ``due``; one still pending for the same
        person is superseded (one check-in a day after their latest reply, not one per reply)."""
        async with self.db.transaction() as tx:
            await tx.execute(
                "UPDATE crisis_events SET followup_state = 'superseded' "
                "WHERE user_id = ? AND followup_state = 'pending' AND event_id <> ?",
                (user_id, event_id),
            )
            await tx.execute(
                "UPDATE crisis_events SET followup_state = 'pending', followup_at = ? WHERE event_id = ?",
                (to_db_time(due), event_id),
            )

    async def settle_followup(self, event_id: int, state: Literal["sent", "skipped"], now: datetime) -> bool:
        """A pending follow-up was sent or skipped; False if it was no longer pending."""
        changed = await self.db.execute(
            "UPDATE crisis_events SET followup_state = ?, followup_at = ? "
            "WHERE event_id = ? AND followup_state = 'pending'",
            (state, to_db_time(now), event_id),
        )
        return changed == 1

    async def answer_followup(self, event_id: int, answer: Literal["ok", "talk"], now: datetime) -> bool:
        """The member answered a sent follow-up. Asking to talk counts once (later answers may
        still move from ok to talk, never back): True if this answer changed the state."""
        # "I'm OK" answers a sent check-in; asking to talk may also follow an "I'm OK".
        changed = await self.db.execute(
            "UPDATE crisis_events SET followup_state = ?, answered_at = ? "
            "WHERE event_id = ? AND followup_state IN ('sent', ?)",
            (answer, to_db_time(now), event_id, "sent" if answer == "ok" else "ok"),
        )
        return changed == 1

    async def followup_counts(self, guild_id: int, since: datetime) -> dict[str, int]:
        """How the group's follow-ups since ``since`` stand, by state."""
        rows = await self.db.fetch_all(
            "SELECT followup_state AS state, COUNT(*) AS n FROM crisis_events "
            "WHERE guild_id = ? AND created_at >= ? AND followup_state IS NOT NULL GROUP BY followup_state",
            (guild_id, to_db_time(since)),
        )
        return {str(r["state"]): int(r["n"]) for r in rows}

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
        event_id: int | None,
        level: AlertLevel,
        source_channel_id: int,
        source_message_id: int,
        now: datetime,
        *,
        reader: Reader = "self",
        target_id: int | None = None,
    ) -> int:
        """A new open alert about ``user_id``'s message (by id only); its id.

        It keeps how many alerts about this member the group had in the last 30 days, this one
        included, counted in the same transaction.
        """
        async with self.db.transaction() as tx:
            row = await tx.fetch_one(
                "SELECT COUNT(*) AS n FROM crisis_alerts WHERE guild_id = ? AND user_id = ? "
                "AND created_at >= ?",
                (guild_id, user_id, to_db_time(now - RECENT_WINDOW)),
            )
            recent = (int(row["n"]) if row else 0) + 1
            return await tx.insert(
                "INSERT INTO crisis_alerts (guild_id, user_id, event_id, level, source_channel_id, "
                "source_message_id, state, created_at, updated_at, reader, target_id, recent_alerts) "
                "VALUES (?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, ?, ?)",
                (
                    guild_id,
                    user_id,
                    event_id,
                    level,
                    source_channel_id,
                    source_message_id,
                    to_db_time(now),
                    to_db_time(now),
                    reader,
                    target_id,
                    recent,
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

    async def recent_unresolved_alert(
        self, guild_id: int, user_id: int, since: datetime, *, reader: Reader = "self"
    ) -> Alert | None:
        """The newest open or claimed ``reader`` alert for this member raised at or after ``since``."""
        row = await self.db.fetch_one(
            "SELECT * FROM crisis_alerts WHERE guild_id = ? AND user_id = ? AND created_at >= ? "
            "AND reader = ? AND state IN ('open', 'claimed') "
            "ORDER BY created_at DESC, alert_id DESC LIMIT 1",
            (guild_id, user_id, to_db_time(since), reader),
        )
        return _alert(row) if row else None

    async def claim(self, alert_id: int, facilitator_id: int, now: datetime) -> bool:
        """Claim an open alert; False if someone else got there first or it is closed."""
        changed = await self.db.execute(
            "UPDATE crisis_alerts SET state = 'claimed', claimed_by = ?, updated_at = ?, claimed_at = ? "
            "WHERE alert_id = ? AND state = 'open'",
            (facilitator_id, to_db_time(now), to_db_time(now), alert_id),
        )
        return changed == 1

    async def close(
        self, alert_id: int, state: Literal["resolved", "false_alarm"], facilitator_id: int, now: datetime
    ) -> bool:
        """Resolve or mark a false alarm; False if the alert was already closed.

        Closing an alert nobody claimed is its first response too, so it sets ``claimed_at``.
        """
        changed = await self.db.execute(
            "UPDATE crisis_alerts SET state = ?, closed_by = ?, updated_at = ?, "
            "claimed_at = COALESCE(claimed_at, ?) WHERE alert_id = ? AND state IN ('open', 'claimed')",
            (state, facilitator_id, to_db_time(now), to_db_time(now), alert_id),
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

    async def report_rows(self, guild_id: int, since: datetime) -> list[ReportRow]:
        """The group's alerts raised since ``since``, for ``/crisis report``."""
        rows = await self.db.fetch_all(
            "SELECT reader, state, created_at, claimed_at FROM crisis_alerts "
            "WHERE guild_id = ? AND created_at >= ? ORDER BY created_at",
            (guild_id, to_db_time(since)),
        )
        return [
            ReportRow(
                reader=r["reader"],
                state=r["state"],
                created_at=from_db_time(r["created_at"]),
                claimed_at=from_db_time(r["claimed_at"]) if r["claimed_at"] else None,
            )
            for r in rows
        ]

    # -- settings -----------------------------------------------------------------------------

    async def settings(self, guild_id: int) -> CrisisSettings:
        """The group's alert settings (the defaults until a facilitator changes them)."""
        row = await self.db.fetch_one("SELECT * FROM crisis_settings WHERE guild_id = ?", (guild_id,))
        if row is None:
            return CrisisSettings(guild_id)
        return CrisisSettings(
            guild_id,
            alerts=bool(row["alerts"]),
            ping_urgent=bool(row["ping_urgent"]),
            sensitivity=row["sensitivity"],
        )

    async def save_settings(self, settings: CrisisSettings, now: datetime) -> None:
        """Store the group's alert settings."""
        await self.db.execute(
            "INSERT INTO crisis_settings (guild_id, alerts, ping_urgent, sensitivity, updated_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (guild_id) DO UPDATE SET alerts = excluded.alerts, "
            "ping_urgent = excluded.ping_urgent, sensitivity = excluded.sensitivity, "
            "updated_at = excluded.updated_at",
            (
                settings.guild_id,
                int(settings.alerts),
                int(settings.ping_urgent),
                settings.sensitivity,
                to_db_time(now),
            ),
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
