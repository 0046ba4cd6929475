"""SQL for daily check-ins, pauses, reminders and recaps. Every query is scoped by guild (and member)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from bot.core.crypto import Cipher, cipher_of
from bot.db import Database, Row, to_db_time
from bot.db.batching import GroupCommit


@dataclass(frozen=True, slots=True)
class Checkin:
    """One member's check-in for one of their local days."""

    guild_id: int
    user_id: int
    day: date
    mood: int
    emotions: tuple[str, ...]
    note: str | None
    shared: bool


@dataclass(frozen=True, slots=True)
class Reminder:
    """A member's daily reminder at a local wall-clock time."""

    guild_id: int
    user_id: int
    local_time: time
    last_sent_day: date | None
    snoozed_day: date | None


@dataclass(frozen=True, slots=True)
class Recap:
    """A member's weekly recap: the weekday (0 = Monday) and the last local day one went out."""

    guild_id: int
    user_id: int
    weekday: int
    last_sent_day: date | None


def _recap(row: Row) -> Recap:
    return Recap(
        guild_id=int(row["guild_id"]),
        user_id=int(row["user_id"]),
        weekday=int(row["weekday"]),
        last_sent_day=date.fromisoformat(row["last_sent_day"]) if row["last_sent_day"] else None,
    )


def _checkin(row: Row, cipher: Cipher) -> Checkin:
    emotions = str(row["emotions"])
    return Checkin(
        guild_id=int(row["guild_id"]),
        user_id=int(row["user_id"]),
        day=date.fromisoformat(row["local_date"]),
        mood=int(row["mood"]),
        emotions=tuple(e for e in emotions.split(",") if e),
        # Notes are encrypted at rest; the pulse query selects NULL instead of reading them.
        note=cipher.decrypt_optional(row["note"]),
        shared=bool(row["shared"]),
    )


def _reminder(row: Row) -> Reminder:
    return Reminder(
        guild_id=int(row["guild_id"]),
        user_id=int(row["user_id"]),
        local_time=time.fromisoformat(row["local_time"]),
        last_sent_day=date.fromisoformat(row["last_sent_day"]) if row["last_sent_day"] else None,
        snoozed_day=date.fromisoformat(row["snoozed_day"]) if row["snoozed_day"] else None,
    )


_UPSERT = (
    "INSERT INTO checkins (guild_id, user_id, local_date, mood, emotions, note, shared, "
    "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (guild_id, user_id, local_date) DO UPDATE SET mood = excluded.mood, "
    "emotions = excluded.emotions, note = excluded.note, shared = excluded.shared, "
    "updated_at = excluded.updated_at"
)


class CheckinRepository:
    """All check-in SQL. One member's queries use the primary key (guild, member, day)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        # Group commit for ``put``: check-ins submitted while a write is in flight share the next
        # transaction (one commit, one fsync) instead of queueing one commit each.
        self._writes = GroupCommit(db, _UPSERT, name="check-in")

    # -- check-ins ------------------------------------------------------------------------

    async def put(
        self,
        guild_id: int,
        user_id: int,
        day: date,
        *,
        mood: int,
        emotions: tuple[str, ...],
        note: str | None,
        shared: bool,
        now: datetime,
    ) -> None:
        """Create or replace the check-in for ``day`` (the caller knows which); returns once committed.

        After the daily post hundreds of members submit within a second: submits that arrive
        while a write is in flight share the next commit (``bot.db.batching``).
        """
        stamp = to_db_time(now)
        await self._writes.write(
            (
                guild_id,
                user_id,
                day.isoformat(),
                mood,
                ",".join(emotions),
                cipher_of(self.db).encrypt_optional(note),
                int(shared),
                stamp,
                stamp,
            )
        )

    async def streak_inputs(self, guild_id: int, user_id: int) -> tuple[list[date], list[tuple[date, date]]]:
        """Every check-in day (oldest first) and every pause of the member, in one query.

        Both halves use their table's primary key (guild, member, ...): one round trip instead
        of two on the busiest path (a burst of check-ins after the daily post).
        """
        rows = await self.db.fetch_all(
            "SELECT 0 AS part, local_date AS a, NULL AS b FROM checkins WHERE guild_id = ? AND user_id = ? "
            "UNION ALL SELECT 1 AS part, first_day AS a, last_day AS b FROM checkin_pauses "
            "WHERE guild_id = ? AND user_id = ? ORDER BY part, a",
            (guild_id, user_id, guild_id, user_id),
        )
        days = [date.fromisoformat(r["a"]) for r in rows if int(r["part"]) == 0]
        pauses = [
            (date.fromisoformat(r["a"]), date.fromisoformat(r["b"])) for r in rows if int(r["part"]) == 1
        ]
        return days, pauses

    async def set_emotions(self, guild_id: int, user_id: int, day: date, emotions: tuple[str, ...]) -> None:
        await self.db.execute(
            "UPDATE checkins SET emotions = ? WHERE guild_id = ? AND user_id = ? AND local_date = ?",
            (",".join(emotions), guild_id, user_id, day.isoformat()),
        )

    async def get(self, guild_id: int, user_id: int, day: date) -> Checkin | None:
        row = await self.db.fetch_one(
            "SELECT * FROM checkins WHERE guild_id = ? AND user_id = ? AND local_date = ?",
            (guild_id, user_id, day.isoformat()),
        )
        return _checkin(row, cipher_of(self.db)) if row else None

    async def history(self, guild_id: int, user_id: int, first: date, last: date) -> list[Checkin]:
        """The member's check-ins from ``first`` to ``last`` inclusive, oldest first."""
        rows = await self.db.fetch_all(
            "SELECT * FROM checkins WHERE guild_id = ? AND user_id = ? "
            "AND local_date >= ? AND local_date <= ? ORDER BY local_date",
            (guild_id, user_id, first.isoformat(), last.isoformat()),
        )
        return [_checkin(r, cipher_of(self.db)) for r in rows]

    async def group_range(self, guild_id: int, user_ids: list[int], first: date, last: date) -> list[Checkin]:
        """Check-ins of the given members between two days (the pulse; notes are not read)."""
        if not user_ids:
            return []
        marks = ", ".join("?" for _ in user_ids)
        rows = await self.db.fetch_all(
            "SELECT guild_id, user_id, local_date, mood, emotions, NULL AS note, shared "  # noqa: S608
            f"FROM checkins WHERE guild_id = ? AND local_date >= ? AND local_date <= ? "
            f"AND user_id IN ({marks}) ORDER BY local_date",
            (guild_id, first.isoformat(), last.isoformat(), *user_ids),
        )
        return [_checkin(r, cipher_of(self.db)) for r in rows]

    # -- pauses ---------------------------------------------------------------------------

    async def add_pause(self, guild_id: int, user_id: int, first: date, last: date, now: datetime) -> None:
        await self.db.execute(
            "INSERT INTO checkin_pauses (guild_id, user_id, first_day, last_day, created_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (guild_id, user_id, first_day) "
            "DO UPDATE SET last_day = excluded.last_day",
            (guild_id, user_id, first.isoformat(), last.isoformat(), to_db_time(now)),
        )

    async def pauses(self, guild_id: int, user_id: int) -> list[tuple[date, date]]:
        rows = await self.db.fetch_all(
            "SELECT first_day, last_day FROM checkin_pauses WHERE guild_id = ? AND user_id = ? "
            "ORDER BY first_day",
            (guild_id, user_id),
        )
        return [(date.fromisoformat(r["first_day"]), date.fromisoformat(r["last_day"])) for r in rows]

    async def end_pauses(self, guild_id: int, user_id: int, today: date) -> None:
        """End any pause that covers ``today`` or later: it stops yesterday."""
        yesterday = date.fromordinal(today.toordinal() - 1).isoformat()
        async with self.db.transaction() as tx:
            await tx.execute(
                "DELETE FROM checkin_pauses WHERE guild_id = ? AND user_id = ? AND first_day >= ?",
                (guild_id, user_id, today.isoformat()),
            )
            await tx.execute(
                "UPDATE checkin_pauses SET last_day = ? WHERE guild_id = ? AND user_id = ? AND last_day >= ?",
                (yesterday, guild_id, user_id, today.isoformat()),
            )

    # -- reminders ------------------------------------------------------------------------

    async def set_reminder(self, guild_id: int, user_id: int, at: time, now: datetime) -> None:
        await self.db.execute(
            "INSERT INTO checkin_reminders (guild_id, user_id, local_time, created_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (guild_id, user_id) DO UPDATE SET local_time = excluded.local_time",
            (guild_id, user_id, at.strftime("%H:%M"), to_db_time(now)),
        )

    async def get_reminder(self, guild_id: int, user_id: int) -> Reminder | None:
        row = await self.db.fetch_one(
            "SELECT * FROM checkin_reminders WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
        )
        return _reminder(row) if row else None

    async def reminders(self, guild_id: int) -> list[Reminder]:
        rows = await self.db.fetch_all(
            "SELECT * FROM checkin_reminders WHERE guild_id = ? ORDER BY user_id", (guild_id,)
        )
        return [_reminder(r) for r in rows]

    async def delete_reminder(self, guild_id: int, user_id: int) -> bool:
        changed = await self.db.execute(
            "DELETE FROM checkin_reminders WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
        )
        return changed > 0

    async def _claim_day(self, table: str, column: str, guild_id: int, user_id: int, day: date) -> bool:
        """Set ``column`` to ``day`` unless it is already that day or later: once per day, atomically.

        ``table`` and ``column`` come from this module, never from a user.
        """
        changed = await self.db.execute(
            f"UPDATE {table} SET {column} = ? WHERE guild_id = ? AND user_id = ? "  # noqa: S608
            f"AND ({column} IS NULL OR {column} < ?)",
            (day.isoformat(), guild_id, user_id, day.isoformat()),
        )
        return changed > 0

    async def claim_reminder_day(self, guild_id: int, user_id: int, day: date) -> bool:
        """Record that today's reminder goes out; False if one already went out that day."""
        return await self._claim_day("checkin_reminders", "last_sent_day", guild_id, user_id, day)

    async def claim_snooze_day(self, guild_id: int, user_id: int, day: date) -> bool:
        """One snooze per day: the snoozed reminder is the same day's reminder, a little later."""
        return await self._claim_day("checkin_reminders", "snoozed_day", guild_id, user_id, day)

    # -- weekly recap ---------------------------------------------------------------------

    async def set_recap(self, guild_id: int, user_id: int, weekday: int, now: datetime) -> None:
        await self.db.execute(
            "INSERT INTO checkin_recaps (guild_id, user_id, weekday, created_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (guild_id, user_id) DO UPDATE SET weekday = excluded.weekday",
            (guild_id, user_id, weekday, to_db_time(now)),
        )

    async def get_recap(self, guild_id: int, user_id: int) -> Recap | None:
        row = await self.db.fetch_one(
            "SELECT * FROM checkin_recaps WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
        )
        return _recap(row) if row else None

    async def recaps(self, guild_id: int) -> list[Recap]:
        rows = await self.db.fetch_all(
            "SELECT * FROM checkin_recaps WHERE guild_id = ? ORDER BY user_id", (guild_id,)
        )
        return [_recap(r) for r in rows]

    async def delete_recap(self, guild_id: int, user_id: int) -> bool:
        changed = await self.db.execute(
            "DELETE FROM checkin_recaps WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
        )
        return changed > 0

    async def claim_recap_day(self, guild_id: int, user_id: int, day: date) -> bool:
        """Record that the recap for the week ending ``day`` goes out; False if it already did."""
        return await self._claim_day("checkin_recaps", "last_sent_day", guild_id, user_id, day)

    async def week_moods(self, guild_id: int, user_id: int, first: date, last: date) -> list[Checkin]:
        """Day, mood and emotions from ``first`` to ``last``: the note column is never read."""
        rows = await self.db.fetch_all(
            "SELECT guild_id, user_id, local_date, mood, emotions, NULL AS note, shared FROM checkins "
            "WHERE guild_id = ? AND user_id = ? AND local_date >= ? AND local_date <= ? ORDER BY local_date",
            (guild_id, user_id, first.isoformat(), last.isoformat()),
        )
        return [_checkin(r, cipher_of(self.db)) for r in rows]
