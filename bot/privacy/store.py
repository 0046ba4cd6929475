"""SQL for privacy: schema discovery, export, erasure, retention, keys.

Discovery reads the backend's catalogue (``Database.table_names``/``column_names``). Table and
column names in the dynamic statements come only from that catalogue, never from a person.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.core.crypto import ENCRYPTED_COLUMNS
from bot.db import Database, Row, Transaction, to_db_time
from bot.privacy.erase import member_tables, mention_columns, person_caches, personal_tables
from bot.privacy.retention import FREE_TEXT, Retention

KEY_CHECK = "privacy:key_check"
_UPSERT_META = (
    "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value"
)


def _quote(name: str) -> str:
    """Quote an identifier taken from the catalogue."""
    return '"' + name.replace('"', '""') + '"'


class PrivacyRepository:
    """Every query is scoped by guild and member, except the per-person safety plan."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # -- schema -------------------------------------------------------------------------------

    async def schema(self) -> dict[str, list[str]]:
        """Table name -> column names, for every table in the live database."""
        result: dict[str, list[str]] = {}
        for name in await self.db.table_names():
            result[name] = await self.db.column_names(name)
        return result

    # -- export and erasure -------------------------------------------------------------------

    async def rows_about(self, guild_id: int, user_id: int, *, personal: bool = True) -> dict[str, list[Row]]:
        """Every row about the member in this group (and their own safety plan if ``personal``)."""
        schema = await self.schema()
        found: dict[str, list[Row]] = {}
        for t in member_tables(schema):
            rows = await self.db.fetch_all(
                f"SELECT * FROM {_quote(t.table)} WHERE guild_id = ? AND {_quote(t.column)} = ?",  # noqa: S608
                (guild_id, user_id),
            )
            if rows:
                found[t.table] = rows
        if "schedules" in schema:
            rows = await self.db.fetch_all(
                "SELECT kind, skey, rule, local_time, timezone, next_due FROM schedules "
                "WHERE guild_id = ? AND skey = ?",
                (guild_id, str(user_id)),
            )
            if rows:
                found["schedules"] = rows
        # Their DM channel id always; their own safety plan when ``personal``.
        for t in [*person_caches(schema), *(personal_tables(schema) if personal else [])]:
            rows = await self.db.fetch_all(
                f"SELECT * FROM {_quote(t.table)} WHERE {_quote(t.column)} = ?",  # noqa: S608
                (user_id,),
            )
            if rows:
                found[t.table] = rows
        return found

    async def erase_member(self, guild_id: int, user_id: int, *, personal: bool = False) -> dict[str, int]:
        """Delete every row about the member in this group, in one transaction; counts per table.

        Per-member schedules (key = the member's id, e.g. their reminder) go too, and where the
        member is named in a row about someone else (:data:`MENTION_COLUMNS`) their id is
        cleared. The safety
        plan (kept per person, across groups) only with ``personal``.
        """
        schema = await self.schema()
        counts: dict[str, int] = {}
        async with self.db.transaction() as tx:
            for t in member_tables(schema):
                counts[t.table] = await tx.execute(
                    f"DELETE FROM {_quote(t.table)} WHERE guild_id = ? AND {_quote(t.column)} = ?",  # noqa: S608
                    (guild_id, user_id),
                )
            for t in mention_columns(schema):
                counts[f"{t.table}.{t.column}"] = await tx.execute(
                    f"UPDATE {_quote(t.table)} SET {_quote(t.column)} = NULL "  # noqa: S608
                    f"WHERE guild_id = ? AND {_quote(t.column)} = ?",
                    (guild_id, user_id),
                )
            if "schedules" in schema:
                counts["schedules"] = await tx.execute(
                    "DELETE FROM schedules WHERE guild_id = ? AND skey = ?", (guild_id, str(user_id))
                )
            # Their DM channel id always (looked up again if needed); the safety plan on request.
            for t in [*person_caches(schema), *(personal_tables(schema) if personal else [])]:
                counts[t.table] = await tx.execute(
                    f"DELETE FROM {_quote(t.table)} WHERE {_quote(t.column)} = ?",  # noqa: S608
                    (user_id,),
                )
        return {table: n for table, n in counts.items() if n > 0}

    async def left_before(self, guild_id: int, cutoff: datetime) -> list[int]:
        rows = await self.db.fetch_all(
            "SELECT user_id FROM members WHERE guild_id = ? AND left_at IS NOT NULL AND left_at <= ? "
            "ORDER BY user_id",
            (guild_id, to_db_time(cutoff)),
        )
        return [int(r["user_id"]) for r in rows]

    async def purge_free_text(self, guild_id: int, cutoff: datetime) -> dict[str, int]:
        """Clear or delete free text older than ``cutoff``; tables or columns that don't exist are skipped."""
        schema = await self.schema()
        counts: dict[str, int] = {}
        async with self.db.transaction() as tx:
            for rule in FREE_TEXT:
                columns = schema.get(rule.table, [])
                if not {rule.column, rule.when, "guild_id"} <= set(columns):
                    continue
                table, column, when = _quote(rule.table), _quote(rule.column), _quote(rule.when)
                extra = f" AND ({rule.only})" if rule.only else ""
                if rule.action == "clear":
                    sql = (
                        f"UPDATE {table} SET {column} = NULL WHERE guild_id = ? AND {when} < ? "  # noqa: S608
                        f"AND {column} IS NOT NULL{extra}"
                    )
                else:
                    sql = f"DELETE FROM {table} WHERE guild_id = ? AND {when} < ?{extra}"  # noqa: S608
                changed = await tx.execute(sql, (guild_id, to_db_time(cutoff)))
                if changed:
                    key = f"{rule.table}.{rule.column}"
                    counts[key] = counts.get(key, 0) + changed
        return counts

    async def guild_ids(self) -> list[int]:
        rows = await self.db.fetch_all("SELECT guild_id FROM guilds ORDER BY guild_id")
        return [int(r["guild_id"]) for r in rows]

    # -- per-group settings -------------------------------------------------------------------

    async def _ensure(self, tx: Transaction, guild_id: int, now: datetime) -> None:
        await tx.execute(
            "INSERT INTO privacy_settings (guild_id, updated_at) VALUES (?, ?) "
            "ON CONFLICT (guild_id) DO NOTHING",
            (guild_id, to_db_time(now)),
        )

    async def retention(self, guild_id: int) -> Retention:
        row = await self.db.fetch_one(
            "SELECT leave_days, notes_days FROM privacy_settings WHERE guild_id = ?", (guild_id,)
        )
        if row is None:
            return Retention()
        return Retention(leave_days=int(row["leave_days"]), notes_days=int(row["notes_days"]))

    async def set_retention(self, guild_id: int, retention: Retention, actor_id: int, now: datetime) -> None:
        async with self.db.transaction() as tx:
            await self._ensure(tx, guild_id, now)
            await tx.execute(
                "UPDATE privacy_settings SET leave_days = ?, notes_days = ?, updated_by = ?, updated_at = ? "
                "WHERE guild_id = ?",
                (retention.leave_days, retention.notes_days, actor_id, to_db_time(now), guild_id),
            )

    # -- keys ---------------------------------------------------------------------------------

    async def key_check(self) -> str | None:
        row = await self.db.fetch_one("SELECT value FROM meta WHERE key = ?", (KEY_CHECK,))
        return str(row["value"]) if row else None

    async def set_key_check(self, token: str) -> None:
        await self.db.execute(
            _UPSERT_META,
            (KEY_CHECK, token),
        )

    async def reencrypt(self, transform: Callable[[str], str], key_check: str) -> dict[str, int]:
        """Rewrite every registered encrypted column with ``transform``, and the key check, atomically."""
        schema = await self.schema()
        counts: dict[str, int] = {}
        async with self.db.transaction() as tx:
            for table, column in ENCRYPTED_COLUMNS:
                if column not in schema.get(table, []):
                    continue
                # Keyed by the old value itself (portable: no rowid on PostgreSQL). Equal old
                # values decrypt to the same text, so rewriting them together is correct.
                rows = await tx.fetch_all(
                    f"SELECT DISTINCT {_quote(column)} AS value FROM {_quote(table)} "  # noqa: S608
                    f"WHERE {_quote(column)} IS NOT NULL"
                )
                changed = 0
                for row in rows:
                    old = str(row["value"])
                    changed += await tx.execute(
                        f"UPDATE {_quote(table)} SET {_quote(column)} = ? WHERE {_quote(column)} = ?",  # noqa: S608
                        (transform(old), old),
                    )
                counts[f"{table}.{column}"] = changed
            await tx.execute(
                _UPSERT_META,
                (KEY_CHECK, key_check),
            )
        return counts
