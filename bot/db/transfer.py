"""``resilience-bot migrate-db``: copy every table from one database to another, then verify."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.db.base import Database
from bot.db.sqlite import SqliteDatabase

PAGE = 2000


class TransferError(Exception):
    """The copy cannot start or did not verify; the message says what to do."""


@dataclass(frozen=True, slots=True)
class TableReport:
    table: str
    rows: int
    checksum: str


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


async def foreign_keys(db: Database, table: str) -> set[str]:
    """The tables ``table`` references."""
    if isinstance(db, SqliteDatabase):
        rows = await db.fetch_all(f"PRAGMA foreign_key_list({_quote(table)})")
        return {str(r["table"]) for r in rows}
    rows = await db.fetch_all(
        "SELECT ccu.table_name AS ref FROM information_schema.table_constraints tc "
        "JOIN information_schema.constraint_column_usage ccu "
        "ON ccu.constraint_name = tc.constraint_name AND ccu.constraint_schema = tc.constraint_schema "
        "WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_schema = current_schema() "
        "AND tc.table_name = ?",
        (table,),
    )
    return {str(r["ref"]) for r in rows}


async def dependency_order(db: Database) -> list[str]:
    """Every table, each after the tables it references."""
    tables = await db.table_names()
    refs = {t: (await foreign_keys(db, t)) - {t} for t in tables}
    ordered: list[str] = []
    placed: set[str] = set()
    while len(ordered) < len(tables):
        ready = sorted(t for t in tables if t not in placed and refs[t] <= placed)
        if not ready:
            raise TransferError(f"circular foreign keys among {sorted(set(tables) - placed)}")
        ordered.extend(ready)
        placed.update(ready)
    return ordered


def _canonical(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def row_digest(row: dict[str, Any], columns: list[str]) -> int:
    text = json.dumps([_canonical(row[c]) for c in columns], default=str, ensure_ascii=False)
    return int.from_bytes(hashlib.sha256(text.encode()).digest(), "big")


async def _pages(db: Database, table: str, columns: list[str]) -> Any:
    cols = ", ".join(_quote(c) for c in columns)
    order = ", ".join(str(i + 1) for i in range(len(columns)))
    offset = 0
    while True:
        rows = await db.fetch_all(
            f"SELECT {cols} FROM {_quote(table)} ORDER BY {order} LIMIT ? OFFSET ?",  # noqa: S608
            (PAGE, offset),
        )
        if not rows:
            return
        yield rows
        offset += len(rows)


async def table_checksum(db: Database, table: str, columns: list[str]) -> tuple[int, str]:
    """Row count and an order-independent checksum (sum of row hashes) of one table."""
    count, total = 0, 0
    async for rows in _pages(db, table, columns):
        for row in rows:
            total = (total + row_digest(row, columns)) % (1 << 256)
        count += len(rows)
    return count, f"{total:064x}"[:16]


async def _reset_identities(target: Database, table: str) -> None:
    """After copying explicit ids, let PostgreSQL's identity columns continue after the highest."""
    if isinstance(target, SqliteDatabase):
        return
    rows = await target.fetch_all(
        "SELECT column_name AS name FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND table_name = ? AND is_identity = 'YES'",
        (table,),
    )
    for row in rows:
        column = str(row["name"])
        await target.fetch_one(
            f"SELECT setval(pg_get_serial_sequence(?, ?), COALESCE(MAX({_quote(column)}), 0) + 1, false) "  # noqa: S608
            f"FROM {_quote(table)}",
            (table, column),
        )


async def copy_database(
    source: Database, target: Database, *, progress: Callable[[str], None] = lambda _: None
) -> list[TableReport]:
    """Copy every table of ``source`` into the empty ``target`` (both migrated), then verify."""
    await source.migrate()
    await target.migrate()
    tables = await dependency_order(source)
    target_tables = set(await target.table_names())
    missing = [t for t in tables if t not in target_tables]
    if missing:
        raise TransferError(f"the target has no table {missing[0]}; are both on the same version of the bot?")
    for table in target_tables:
        row = await target.fetch_one(f"SELECT COUNT(*) AS n FROM {_quote(table)}")  # noqa: S608
        if row and int(row["n"]):
            raise TransferError(
                f"refusing to copy into a database that already has data ({table}: {int(row['n'])} rows); "
                "use a new, empty database or schema"
            )
    reports: list[TableReport] = []
    for table in tables:
        columns = await source.column_names(table)
        theirs = await target.column_names(table)
        if sorted(columns) != sorted(theirs):
            raise TransferError(f"{table} has different columns in the source and the target")
        names = ", ".join(_quote(c) for c in columns)
        marks = ", ".join("?" for _ in columns)
        insert = f"INSERT INTO {_quote(table)} ({names}) VALUES ({marks})"  # noqa: S608
        async for rows in _pages(source, table, columns):
            await target.executemany(insert, [[r[c] for c in columns] for r in rows])
        await _reset_identities(target, table)
        count, checksum = await table_checksum(source, table, columns)
        copied, theirs_sum = await table_checksum(target, table, columns)
        if (count, checksum) != (copied, theirs_sum):
            raise TransferError(
                f"{table} did not verify: {count} rows (checksum {checksum}) in the source, "
                f"{copied} rows (checksum {theirs_sum}) in the target"
            )
        progress(f"{table}: {count} rows, checksum {checksum} matches")
        reports.append(TableReport(table, count, checksum))
    return reports
