"""Schedule rows and the send ledger."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from bot.core.schedule_rules import Rule
from bot.db import Database, Row, Transaction, from_db_time, to_db_time


@dataclass(frozen=True, slots=True)
class Schedule:
    """A stored schedule: which feature (``kind``), whose (``key``), when (``rule``)."""

    schedule_id: int
    guild_id: int
    kind: str
    key: str
    rule: Rule
    payload: dict[str, Any]
    enabled: bool
    next_due: datetime | None

    @property
    def job_id(self) -> str:
        """Stable id in the house form ``feature:action:id``."""
        return f"{self.kind}:{self.schedule_id}"


def rule_columns(rule: Rule) -> dict[str, Any]:
    return {
        "rule": rule.kind,
        "local_time": rule.local_time.strftime("%H:%M") if rule.local_time else None,
        "weekdays": ",".join(str(d) for d in sorted(rule.weekdays)),
        "every_weeks": rule.every_weeks,
        "anchor_date": rule.anchor.isoformat() if rule.anchor else None,
        "at_utc": to_db_time(rule.at) if rule.at else None,
        "timezone": rule.tz.key,
    }


def _rule_from_row(row: Row) -> Rule:
    local = time.fromisoformat(row["local_time"]) if row["local_time"] else None
    weekdays = frozenset(int(d) for d in str(row["weekdays"]).split(",") if d)
    return Rule(
        kind=row["rule"],
        tz=ZoneInfo(row["timezone"]),
        local_time=local,
        weekdays=weekdays,
        every_weeks=int(row["every_weeks"]),
        anchor=date.fromisoformat(row["anchor_date"]) if row["anchor_date"] else None,
        at=from_db_time(row["at_utc"]) if row["at_utc"] else None,
    )


def schedule_from_row(row: Row) -> Schedule:
    return Schedule(
        schedule_id=int(row["schedule_id"]),
        guild_id=int(row["guild_id"]),
        kind=str(row["kind"]),
        key=str(row["skey"]),
        rule=_rule_from_row(row),
        payload=json.loads(row["payload"]),
        enabled=bool(row["enabled"]),
        next_due=from_db_time(row["next_due"]) if row["next_due"] else None,
    )


@dataclass(frozen=True, slots=True)
class ShardFilter:
    """The shards one process owns: it schedules only guilds with ``(guild_id >> 22) % count`` in ids."""

    count: int
    ids: tuple[int, ...]

    def owns(self, guild_id: int) -> bool:
        return (guild_id >> 22) % self.count in self.ids


class ScheduleRepository:
    """SQL for schedules and the ledger."""

    def __init__(self, db: Database, *, shards: ShardFilter | None = None) -> None:
        self.db = db
        self.shards = shards

    def _owned(self) -> tuple[str, tuple[int, ...]]:
        """SQL (and its parameters) limiting a query to the guilds this process owns."""
        if self.shards is None:
            return "", ()
        marks = ", ".join("?" for _ in self.shards.ids)
        return f" AND ((guild_id >> 22) % ?) IN ({marks})", (self.shards.count, *self.shards.ids)

    async def upsert(
        self,
        *,
        guild_id: int,
        kind: str,
        key: str,
        rule: Rule,
        payload: dict[str, Any],
        next_due: datetime | None,
        now: datetime,
        enabled: bool = True,
    ) -> Schedule:
        cols = rule_columns(rule)
        async with self.db.transaction() as tx:
            await tx.execute(
                """
                INSERT INTO schedules (guild_id, kind, skey, rule, local_time, weekdays, every_weeks,
                    anchor_date, at_utc, timezone, payload, enabled, next_due, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (guild_id, kind, skey) DO UPDATE SET
                    rule = excluded.rule, local_time = excluded.local_time,
                    weekdays = excluded.weekdays, every_weeks = excluded.every_weeks,
                    anchor_date = excluded.anchor_date, at_utc = excluded.at_utc,
                    timezone = excluded.timezone, payload = excluded.payload,
                    enabled = excluded.enabled, next_due = excluded.next_due
                """,
                (
                    guild_id,
                    kind,
                    key,
                    cols["rule"],
                    cols["local_time"],
                    cols["weekdays"],
                    cols["every_weeks"],
                    cols["anchor_date"],
                    cols["at_utc"],
                    cols["timezone"],
                    json.dumps(payload, sort_keys=True),
                    int(enabled),
                    to_db_time(next_due) if next_due else None,
                    to_db_time(now),
                ),
            )
            row = await tx.fetch_one(
                "SELECT * FROM schedules WHERE guild_id = ? AND kind = ? AND skey = ?",
                (guild_id, kind, key),
            )
        assert row is not None
        return schedule_from_row(row)

    async def get(self, guild_id: int, kind: str, key: str = "") -> Schedule | None:
        row = await self.db.fetch_one(
            "SELECT * FROM schedules WHERE guild_id = ? AND kind = ? AND skey = ?", (guild_id, kind, key)
        )
        return schedule_from_row(row) if row else None

    async def get_by_id(self, schedule_id: int) -> Schedule | None:
        row = await self.db.fetch_one("SELECT * FROM schedules WHERE schedule_id = ?", (schedule_id,))
        return schedule_from_row(row) if row else None

    async def list_for_guild(self, guild_id: int, kind_prefix: str = "") -> list[Schedule]:
        rows = await self.db.fetch_all(
            "SELECT * FROM schedules WHERE guild_id = ? AND kind LIKE ? ORDER BY schedule_id",
            (guild_id, kind_prefix + "%"),
        )
        return [schedule_from_row(r) for r in rows]

    async def delete(self, guild_id: int, kind: str, key: str = "") -> bool:
        changed = await self.db.execute(
            "DELETE FROM schedules WHERE guild_id = ? AND kind = ? AND skey = ?", (guild_id, kind, key)
        )
        return changed > 0

    async def due(self, now: datetime, limit: int) -> list[Schedule]:
        owned, shard_params = self._owned()
        rows = await self.db.fetch_all(
            "SELECT * FROM schedules WHERE enabled = 1 AND next_due IS NOT NULL AND next_due <= ?"  # noqa: S608
            f"{owned} ORDER BY next_due, schedule_id LIMIT ?",
            (to_db_time(now), *shard_params, limit),
        )
        return [schedule_from_row(r) for r in rows]

    async def earliest_due(self) -> datetime | None:
        owned, shard_params = self._owned()
        row = await self.db.fetch_one(
            f"SELECT MIN(next_due) AS first FROM schedules WHERE enabled = 1 AND next_due IS NOT NULL{owned}",  # noqa: S608
            shard_params,
        )
        return from_db_time(row["first"]) if row and row["first"] else None

    async def set_next_due(self, schedule_id: int, next_due: datetime | None) -> None:
        await self.db.execute(
            "UPDATE schedules SET next_due = ? WHERE schedule_id = ?",
            (to_db_time(next_due) if next_due else None, schedule_id),
        )

    async def ledger_status(self, schedule_id: int, occurrence: datetime) -> str | None:
        row = await self.db.fetch_one(
            "SELECT status FROM send_ledger WHERE schedule_id = ? AND occurrence = ?",
            (schedule_id, to_db_time(occurrence)),
        )
        return str(row["status"]) if row else None

    async def claim(self, schedule_id: int, occurrence: datetime, now: datetime) -> bool:
        """Claim an occurrence before sending. False if it was already sent or settled.

        A row left 'claimed' by a crash mid-send may be claimed again: the send carries a
        nonce derived from (schedule, occurrence), so Discord drops a second copy.
        """
        async with self.db.transaction() as tx:
            return await self._claim(tx, schedule_id, occurrence, now)

    @staticmethod
    async def _claim(tx: Transaction, schedule_id: int, occurrence: datetime, now: datetime) -> bool:
        row = await tx.fetch_one(
            "SELECT status FROM send_ledger WHERE schedule_id = ? AND occurrence = ?",
            (schedule_id, to_db_time(occurrence)),
        )
        if row is not None and row["status"] != "claimed":
            return False
        # Nothing to claim if the schedule was deleted meanwhile (e.g. by its own handler).
        changed = await tx.execute(
            "INSERT INTO send_ledger (schedule_id, occurrence, status, updated_at) "
            "SELECT ?, ?, 'claimed', ? WHERE EXISTS (SELECT 1 FROM schedules WHERE schedule_id = ?) "
            "ON CONFLICT (schedule_id, occurrence) DO UPDATE SET updated_at = excluded.updated_at",
            (schedule_id, to_db_time(occurrence), to_db_time(now), schedule_id),
        )
        return changed > 0

    async def settle(self, schedule_id: int, occurrence: datetime, status: str, now: datetime) -> None:
        """Record the final state of an occurrence: sent, skipped or failed.

        A handler may delete its own schedule (a reminder that stops itself); the ledger rows
        went with it, and there is nothing left to record.
        """
        await self.db.execute(
            "INSERT INTO send_ledger (schedule_id, occurrence, status, updated_at) "
            "SELECT ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM schedules WHERE schedule_id = ?) "
            "ON CONFLICT (schedule_id, occurrence) DO UPDATE SET status = excluded.status, "
            "updated_at = excluded.updated_at",
            (schedule_id, to_db_time(occurrence), status, to_db_time(now), schedule_id),
        )

    async def ledger(self, schedule_id: int) -> list[tuple[datetime, str]]:
        rows = await self.db.fetch_all(
            "SELECT occurrence, status FROM send_ledger WHERE schedule_id = ? ORDER BY occurrence",
            (schedule_id,),
        )
        return [(from_db_time(r["occurrence"]), str(r["status"])) for r in rows]
