"""SQL for the durable outbox (see bot/outbox.py for how rows move)."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.core.schedule_store import ShardFilter
from bot.db import Database, Row, Transaction, from_db_time, to_db_time


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """One message waiting to be (or already) sent."""

    outbox_id: int
    guild_id: int
    kind: str
    dedupe_key: str
    nonce: str
    priority: int
    channel_id: int | None
    user_id: int | None
    payload: dict[str, Any]
    ref: str
    status: str
    due_at: datetime
    next_attempt_at: datetime
    attempts: int
    first_failure_at: datetime | None
    last_error: str | None
    message_id: int | None


def _row(row: Row) -> OutboxRow:
    return OutboxRow(
        outbox_id=int(row["outbox_id"]),
        guild_id=int(row["guild_id"]),
        kind=str(row["kind"]),
        dedupe_key=str(row["dedupe_key"]),
        nonce=str(row["nonce"]),
        priority=int(row["priority"]),
        channel_id=int(row["channel_id"]) if row["channel_id"] is not None else None,
        user_id=int(row["user_id"]) if row["user_id"] is not None else None,
        payload=json.loads(row["payload"]),
        ref=str(row["ref"]),
        status=str(row["status"]),
        due_at=from_db_time(row["due_at"]),
        next_attempt_at=from_db_time(row["next_attempt_at"]),
        attempts=int(row["attempts"]),
        first_failure_at=from_db_time(row["first_failure_at"]) if row["first_failure_at"] else None,
        last_error=row["last_error"],
        message_id=int(row["message_id"]) if row["message_id"] is not None else None,
    )


@dataclass(frozen=True, slots=True)
class OutboxHealth:
    """What ``/status`` shows the owner."""

    pending: int
    oldest_due: datetime | None
    failed_last_day: int
    sent_last_day: int
    skipped_last_day: int


class OutboxRepository:
    """All outbox SQL. Writes that decide a send take the caller's transaction.

    With ``shards`` (a sharded deployment) the worker's queries see only rows of the guilds this
    process owns: ``(guild_id >> 22) % count IN (ids)``, Discord's own shard formula. Rows not
    tied to a guild are stored with ``guild_id = 0``, which the formula puts on shard 0: the
    process that owns shard 0 sends them. Without ``shards`` every row is this process's.
    """

    def __init__(self, db: Database, *, shards: ShardFilter | None = None) -> None:
        self.db = db
        self.shards = shards

    @property
    def _postgres(self) -> bool:
        # Only a bot on PostgreSQL has imported bot.db.postgres (and asyncpg, about 4 MB resident);
        # importing it here to ask would load it into every SQLite bot.
        postgres = sys.modules.get("bot.db.postgres")
        return postgres is not None and isinstance(self.db, postgres.PostgresDatabase)

    def _owned(self) -> tuple[str, tuple[int, ...]]:
        """SQL (and its parameters) limiting a query to the guilds this process owns."""
        if self.shards is None:
            return "", ()
        marks = ", ".join("?" for _ in self.shards.ids)
        return f" AND ((guild_id >> 22) % ?) IN ({marks})", (self.shards.count, *self.shards.ids)

    async def add(
        self,
        tx: Transaction,
        *,
        guild_id: int,
        kind: str,
        dedupe_key: str,
        nonce: str,
        priority: int,
        channel_id: int | None,
        user_id: int | None,
        payload: dict[str, Any],
        ref: str,
        due_at: datetime,
        now: datetime,
    ) -> bool:
        """Insert one row; False if a row with this ``dedupe_key`` exists (a re-run handler)."""
        changed = await tx.execute(
            "INSERT INTO outbox (guild_id, kind, dedupe_key, nonce, priority, channel_id, user_id, "
            "payload, ref, status, due_at, next_attempt_at, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?) "
            "ON CONFLICT (dedupe_key) DO NOTHING",
            (
                guild_id,
                kind,
                dedupe_key,
                nonce,
                priority,
                channel_id,
                user_id,
                json.dumps(payload, sort_keys=True),
                ref,
                to_db_time(due_at),
                to_db_time(due_at),
                to_db_time(now),
            ),
        )
        return changed > 0

    async def take_due(self, now: datetime, limit: int) -> list[OutboxRow]:
        """Claim up to ``limit`` due rows of our guilds, most urgent first, marking them 'sending'.

        PostgreSQL (several processes, one database): one statement claims with
        ``FOR UPDATE SKIP LOCKED``, so two workers never take the same row and neither waits on
        the other's. SQLite has one writer; its transaction (BEGIN IMMEDIATE) is the claim.
        """
        owned, shard_params = self._owned()
        if self._postgres:
            rows = await self.db.fetch_all(
                "UPDATE outbox SET status = 'sending' WHERE outbox_id IN ("  # noqa: S608
                "SELECT outbox_id FROM outbox WHERE status = 'pending' AND next_attempt_at <= ?"
                f"{owned} ORDER BY priority, next_attempt_at, outbox_id LIMIT ? "
                "FOR UPDATE SKIP LOCKED) RETURNING *",
                (to_db_time(now), *shard_params, limit),
            )
            claimed = [_row(r) for r in rows]
            # RETURNING has no order: put the most urgent first again.
            claimed.sort(key=lambda r: (r.priority, r.next_attempt_at, r.outbox_id))
            return claimed
        async with self.db.transaction() as tx:
            rows = await tx.fetch_all(
                "SELECT * FROM outbox WHERE status = 'pending' AND next_attempt_at <= ?"  # noqa: S608
                f"{owned} ORDER BY priority, next_attempt_at, outbox_id LIMIT ?",
                (to_db_time(now), *shard_params, limit),
            )
            if rows:
                marks = ",".join("?" for _ in rows)
                await tx.execute(
                    f"UPDATE outbox SET status = 'sending' WHERE outbox_id IN ({marks})",  # noqa: S608
                    [r["outbox_id"] for r in rows],
                )
        return [_row(r) for r in rows]

    async def resume(self) -> int:
        """At start-up: rows a crash left mid-send go back to pending (their nonce guards a repeat).

        Only our guilds' rows: another process's 'sending' rows are in flight, not abandoned.
        """
        owned, shard_params = self._owned()
        return await self.db.execute(
            f"UPDATE outbox SET status = 'pending' WHERE status = 'sending'{owned}",  # noqa: S608
            shard_params,
        )

    async def mark_sent(self, outbox_id: int, message_id: int | None, now: datetime) -> None:
        await self.db.execute(
            "UPDATE outbox SET status = 'sent', message_id = ?, settled_at = ?, last_error = NULL "
            "WHERE outbox_id = ?",
            (message_id, to_db_time(now), outbox_id),
        )

    async def mark_settled(self, outbox_id: int, status: str, reason: str, now: datetime) -> None:
        """Final states other than sent: 'skipped' (e.g. DMs closed) or 'failed'."""
        await self.db.execute(
            "UPDATE outbox SET status = ?, last_error = ?, settled_at = ? WHERE outbox_id = ?",
            (status, reason[:200], to_db_time(now), outbox_id),
        )

    async def retry_later(
        self, outbox_id: int, *, at: datetime, error: str, first_failure_at: datetime, count: bool = True
    ) -> None:
        await self.db.execute(
            "UPDATE outbox SET status = 'pending', next_attempt_at = ?, attempts = attempts + ?, "
            "last_error = ?, first_failure_at = COALESCE(first_failure_at, ?) WHERE outbox_id = ?",
            (to_db_time(at), 1 if count else 0, error[:200], to_db_time(first_failure_at), outbox_id),
        )

    async def get(self, outbox_id: int) -> OutboxRow | None:
        row = await self.db.fetch_one("SELECT * FROM outbox WHERE outbox_id = ?", (outbox_id,))
        return _row(row) if row else None

    async def by_dedupe_key(self, dedupe_key: str) -> OutboxRow | None:
        row = await self.db.fetch_one("SELECT * FROM outbox WHERE dedupe_key = ?", (dedupe_key,))
        return _row(row) if row else None

    async def all(self, status: str | None = None) -> list[OutboxRow]:
        if status is None:
            rows = await self.db.fetch_all("SELECT * FROM outbox ORDER BY outbox_id")
        else:
            rows = await self.db.fetch_all(
                "SELECT * FROM outbox WHERE status = ? ORDER BY outbox_id", (status,)
            )
        return [_row(r) for r in rows]

    async def earliest_pending(self) -> datetime | None:
        owned, shard_params = self._owned()
        row = await self.db.fetch_one(
            "SELECT MIN(next_attempt_at) AS first FROM outbox "  # noqa: S608
            f"WHERE status IN ('pending', 'sending'){owned}",
            shard_params,
        )
        return from_db_time(row["first"]) if row and row["first"] else None

    async def count_unsettled(self) -> int:
        row = await self.db.fetch_one(
            "SELECT COUNT(*) AS n FROM outbox WHERE status IN ('pending', 'sending')"
        )
        return int(row["n"]) if row else 0

    async def health(self, now: datetime, since: datetime) -> OutboxHealth:
        """This process's rows only: in a sharded deployment each process reports its own shards."""
        owned, shard_params = self._owned()
        pending = await self.db.fetch_one(
            "SELECT COUNT(*) AS n, MIN(due_at) AS oldest FROM outbox "  # noqa: S608 (no user input)
            f"WHERE status IN ('pending', 'sending'){owned}",
            shard_params,
        )
        settled = await self.db.fetch_all(
            f"SELECT status, COUNT(*) AS n FROM outbox WHERE settled_at >= ?{owned} GROUP BY status",  # noqa: S608
            (to_db_time(since), *shard_params),
        )
        counts = {str(r["status"]): int(r["n"]) for r in settled}
        assert pending is not None
        return OutboxHealth(
            pending=int(pending["n"]),
            oldest_due=from_db_time(pending["oldest"]) if pending["oldest"] else None,
            failed_last_day=counts.get("failed", 0),
            sent_last_day=counts.get("sent", 0),
            skipped_last_day=counts.get("skipped", 0),
        )

    async def prune(self, before: datetime) -> int:
        """Forget settled rows older than ``before`` (the queue, not an archive)."""
        return await self.db.execute(
            "DELETE FROM outbox WHERE status IN ('sent', 'skipped', 'failed') AND settled_at < ?",
            (to_db_time(before),),
        )
