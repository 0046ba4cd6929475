"""Real SQLite: erasure covers every table, encryption at rest, key rotation, retention, backups."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import pytest_asyncio

from bot.core.crypto import ENCRYPTED_COLUMNS, Cipher, EncryptionKeyError, generate_key, install
from bot.db import SqliteDatabase, to_db_time
from bot.privacy import backup as backups
from bot.privacy.cli import rotate_database
from bot.privacy.erase import member_tables
from bot.privacy.store import PrivacyRepository

GUILD, OTHER_GUILD = 111, 222
USER, OTHER_USER = 5001, 5002
NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)


@pytest_asyncio.fixture
async def db(tmp_path: Path) -> AsyncIterator[SqliteDatabase]:
    database = SqliteDatabase(tmp_path / "bot.db")
    await database.connect()
    await database.migrate()
    yield database
    await database.close()


def _check_value(create_sql: str, column: str) -> str | None:
    match = re.search(rf"\b{column}\b[^,]*?CHECK \(\s*{column} IN \('([^']+)'", create_sql, re.S)
    return match.group(1) if match else None


async def seed(db: SqliteDatabase, table: str, guild_id: int, user_id: int, column: str = "user_id") -> None:
    """Insert one row into ``table`` about ``user_id``, filling required columns generically.

    Parents named by foreign keys are created first, so this works for any feature's table.
    """
    info = await db.fetch_all(f"PRAGMA table_info({table})")
    sql_row = await db.fetch_one("SELECT sql FROM sqlite_master WHERE name = ?", (table,))
    create_sql = str(sql_row["sql"]) if sql_row else ""
    values: dict[str, object] = {}
    for fk in await db.fetch_all(f"PRAGMA foreign_key_list({table})"):
        parent, child_col, parent_col = str(fk["table"]), str(fk["from"]), str(fk["to"])
        ref = 1 if guild_id == GUILD else 2  # parents per group, like real rows
        values[child_col] = ref
        exists = await db.fetch_one(f"SELECT 1 AS x FROM {parent} WHERE {parent_col} = ?", (ref,))
        if not exists:
            await seed_parent(db, parent, parent_col, guild_id, ref)
    pks = [c for c in info if c["pk"]]
    rowid_alias = len(pks) == 1 and str(pks[0]["type"]).upper() == "INTEGER"
    for col in info:
        name, kind = str(col["name"]), str(col["type"]).upper()
        if name in values:
            continue
        required = (col["notnull"] and col["dflt_value"] is None) or (col["pk"] and not rowid_alias)
        if name == "guild_id":
            values[name] = guild_id
        elif name == column:
            values[name] = user_id
        elif required:
            choice = _check_value(create_sql, name)
            if choice is not None:
                values[name] = choice
            elif "INT" in kind:
                values[name] = 1
            else:
                values[name] = (
                    "2026-11-01T00:00:00Z" if name.endswith(("_at", "_utc")) else f"seed-{guild_id}-{user_id}"
                )
    cols = ", ".join(values)
    marks = ", ".join("?" for _ in values)
    await db.execute(f"INSERT INTO {table} ({cols}) VALUES ({marks})", list(values.values()))


async def seed_parent(db: SqliteDatabase, table: str, key: str, guild_id: int, ref: int) -> None:
    info = await db.fetch_all(f"PRAGMA table_info({table})")
    sql_row = await db.fetch_one("SELECT sql FROM sqlite_master WHERE name = ?", (table,))
    create_sql = str(sql_row["sql"]) if sql_row else ""
    values: dict[str, object] = {key: ref}
    for fk in await db.fetch_all(f"PRAGMA foreign_key_list({table})"):
        grandparent, child_col, parent_col = str(fk["table"]), str(fk["from"]), str(fk["to"])
        values[child_col] = ref
        if not await db.fetch_one(f"SELECT 1 AS x FROM {grandparent} WHERE {parent_col} = ?", (ref,)):
            await seed_parent(db, grandparent, parent_col, guild_id, ref)
    for col in info:
        name, kind = str(col["name"]), str(col["type"]).upper()
        if name in values:
            continue
        if name == "guild_id":
            values[name] = guild_id
        elif col["notnull"] and col["dflt_value"] is None:
            choice = _check_value(create_sql, name)
            values[name] = choice if choice else (1 if "INT" in kind else "2026-11-01T00:00:00Z")
    cols = ", ".join(values)
    marks = ", ".join("?" for _ in values)
    await db.execute(f"INSERT INTO {table} ({cols}) VALUES ({marks})", list(values.values()))


async def test_delete_leaves_nothing_in_any_table(db: SqliteDatabase) -> None:
    repo = PrivacyRepository(db)
    schema = await repo.schema()
    targets = member_tables(schema)
    # Every table that has both a guild and a member column is found, from every feature.
    expected = {
        t for t, cols in schema.items() if "guild_id" in cols and ({"user_id", "member_id"} & set(cols))
    }
    assert {t.table for t in targets} == expected
    assert {
        "members",
        "checkins",
        "skill_practice",
        "pair_optins",
        "crisis_events",
        "community_goals",
    } <= expected
    for target in targets:
        await seed(db, target.table, GUILD, USER, target.column)
        await seed(db, target.table, OTHER_GUILD, USER, target.column)
        await seed(db, target.table, GUILD, OTHER_USER, target.column)
    await seed(db, "safety_plans", GUILD, USER)
    await db.execute(
        "INSERT INTO schedules (guild_id, kind, skey, rule, timezone, created_at) "
        "VALUES (?, ?, ?, 'daily', 'UTC', ?)",
        (GUILD, "checkin:remind", str(USER), to_db_time(NOW)),
    )
    before = await repo.rows_about(GUILD, USER, personal=False)
    assert set(before) == expected | {"schedules"}

    counts = await repo.erase_member(GUILD, USER)
    assert set(counts) == expected | {"schedules"}
    for target in targets:
        left = await db.fetch_all(
            f"SELECT * FROM {target.table} WHERE guild_id = ? AND {target.column} = ?",
            (GUILD, USER),
        )
        assert left == [], target.table
        # The same member in another group, and other members here, are untouched.
        assert await db.fetch_all(
            f"SELECT 1 FROM {target.table} WHERE guild_id = ? AND {target.column} = ?",
            (OTHER_GUILD, USER),
        ), target.table
        assert await db.fetch_all(
            f"SELECT 1 FROM {target.table} WHERE guild_id = ? AND {target.column} = ?",
            (GUILD, OTHER_USER),
        ), target.table
    assert await repo.rows_about(GUILD, USER, personal=False) == {}
    # The safety plan belongs to the person: kept unless they ask.
    assert await db.fetch_all("SELECT 1 FROM safety_plans WHERE user_id = ?", (USER,))
    assert (await repo.erase_member(GUILD, USER, personal=True)) == {"safety_plans": 1}
    assert await db.fetch_all("SELECT 1 FROM safety_plans WHERE user_id = ?", (USER,)) == []


async def test_erasure_covers_a_table_added_later(db: SqliteDatabase) -> None:
    await db.execute("CREATE TABLE future_feature (guild_id BIGINT, member_id BIGINT, text TEXT)")
    await db.execute("INSERT INTO future_feature VALUES (?, ?, 'x')", (GUILD, USER))
    counts = await PrivacyRepository(db).erase_member(GUILD, USER)
    assert counts == {"future_feature": 1}


async def test_encrypted_text_never_reaches_the_file(db: SqliteDatabase, tmp_path: Path) -> None:
    cipher = Cipher([generate_key()])
    install(db, cipher)
    note, goal, plan = "I felt lonely after the call", "walk to the lake", '{"reasons": "my sister"}'
    when = to_db_time(NOW)
    await db.execute(
        "INSERT INTO checkins (guild_id, user_id, local_date, mood, note, created_at, updated_at) "
        "VALUES (?, ?, '2026-11-23', 2, ?, ?, ?)",
        (GUILD, USER, cipher.encrypt(note), when, when),
    )
    await db.execute(
        "INSERT INTO community_goals (guild_id, user_id, text, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?)",
        (GUILD, USER, cipher.encrypt(goal), when, when),
    )
    await db.execute(
        "INSERT INTO safety_plans (user_id, sections, created_at, updated_at) VALUES (?, ?, ?, ?)",
        (USER, cipher.encrypt(plan), when, when),
    )
    await db.close()
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("bot.db"))  # noqa: ASYNC240
    for secret in (note, goal, "my sister", "lonely"):
        assert secret.encode() not in raw
    await db.connect()
    rows = await PrivacyRepository(db).rows_about(GUILD, USER)
    assert cipher.reveal(rows["checkins"][0]["note"]) == note
    assert cipher.reveal(rows["safety_plans"][0]["sections"]) == plan


async def test_rotation_re_encrypts_every_registered_column(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    old_key, new_key = generate_key(), generate_key()
    old = Cipher([old_key])
    db = SqliteDatabase(path)
    await db.connect()
    await db.migrate()
    repo = PrivacyRepository(db)
    await repo.set_key_check(old.key_check_token())
    when = to_db_time(NOW)
    await db.execute(
        "INSERT INTO checkins (guild_id, user_id, local_date, mood, note, created_at, updated_at) "
        "VALUES (?, ?, '2026-11-23', 2, ?, ?, ?)",
        (GUILD, USER, old.encrypt("note one"), when, when),
    )
    # Written before encryption was switched on: rotation encrypts it too.
    await db.execute(
        "INSERT INTO pair_optins (guild_id, user_id, goal, joined_at) VALUES (?, ?, 'plain goal', ?)",
        (GUILD, USER, when),
    )
    await db.close()

    counts = await rotate_database(path, old_key, new_key)
    assert counts["checkins.note"] == 1 and counts["pair_optins.goal"] == 1
    assert {f"{t}.{c}" for t, c in ENCRYPTED_COLUMNS} >= set(counts)

    conn = sqlite3.connect(path)
    note = conn.execute("SELECT note FROM checkins").fetchone()[0]
    goal = conn.execute("SELECT goal FROM pair_optins").fetchone()[0]
    check = conn.execute("SELECT value FROM meta WHERE key = 'privacy:key_check'").fetchone()[0]
    conn.close()
    new = Cipher([new_key])
    assert new.decrypt(note) == "note one"
    assert new.decrypt(goal) == "plain goal"
    new.verify(check)
    with pytest.raises(EncryptionKeyError, match="ENCRYPTION_KEY"):
        old.decrypt(note)
    with pytest.raises(EncryptionKeyError, match="not the key this database was encrypted with"):
        old.verify(check)
    # Rotating with the wrong "current" key is refused before anything changes.
    with pytest.raises(EncryptionKeyError):
        await rotate_database(path, generate_key(), generate_key())


async def test_retention_purge_only_touches_old_text_and_existing_tables(db: SqliteDatabase) -> None:
    old, recent = to_db_time(NOW - timedelta(days=200)), to_db_time(NOW - timedelta(days=10))
    for day, when in [("2026-05-01", old), ("2026-11-13", recent)]:
        await db.execute(
            "INSERT INTO checkins (guild_id, user_id, local_date, mood, note, created_at, updated_at) "
            "VALUES (?, ?, ?, 3, 'n', ?, ?)",
            (GUILD, USER, day, when, when),
        )
        await db.execute(
            "INSERT INTO community_wins (guild_id, user_id, what, created_at) VALUES (?, ?, 'w', ?)",
            (GUILD, USER, when),
        )
    await db.execute(
        "INSERT INTO checkins (guild_id, user_id, local_date, mood, note, created_at, updated_at) "
        "VALUES (?, ?, '2026-05-01', 3, 'n', ?, ?)",
        (OTHER_GUILD, USER, old, old),
    )
    await db.execute("DROP TABLE community_goals")  # a feature not installed: skipped, no error
    counts = await PrivacyRepository(db).purge_free_text(GUILD, NOW - timedelta(days=180))
    assert counts == {"checkins.note": 1, "community_wins.what": 1}
    notes = await db.fetch_all(
        "SELECT guild_id, local_date, note FROM checkins ORDER BY guild_id, local_date"
    )
    assert [(r["guild_id"], r["note"]) for r in notes] == [(GUILD, None), (GUILD, "n"), (OTHER_GUILD, "n")]


def make_db(path: Path, value: str) -> None:
    conn = sqlite3.connect(path)
    conn.executescript(
        "CREATE TABLE guilds (guild_id INTEGER); CREATE TABLE members (user_id INTEGER, note TEXT);"
        "CREATE TABLE schedules (id INTEGER); PRAGMA user_version = 7;"
    )
    conn.execute("INSERT INTO members VALUES (1, ?)", (value,))
    conn.commit()
    conn.close()


def read_note(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return str(conn.execute("SELECT note FROM members").fetchone()[0])
    finally:
        conn.close()


def test_backup_rotation_keeps_the_newest(tmp_path: Path) -> None:
    path, folder = tmp_path / "bot.db", tmp_path / "backups"
    make_db(path, "v1")
    made = [backups.backup_file(path, folder, 3, NOW + timedelta(days=d)) for d in range(5)]
    assert backups.list_backups(folder) == made[2:]
    assert read_note(made[-1]) == "v1"
    assert backups.to_prune(["resilience-20261101T000000Z.db", "other.db"], 1) == []


def test_restore_refuses_while_running_then_restores(tmp_path: Path) -> None:
    path, folder = tmp_path / "bot.db", tmp_path / "backups"
    make_db(path, "before")
    saved = backups.backup_file(path, folder, 5, NOW)
    conn = sqlite3.connect(path)
    conn.execute("UPDATE members SET note = 'after'")
    conn.commit()
    conn.close()

    running = backups.InstanceLock(path)
    running.acquire()
    with pytest.raises(backups.InstanceRunning, match="stop it first"):
        backups.restore_file(saved, path, folder, 5, NOW + timedelta(hours=1))
    assert read_note(path) == "after"
    running.release()

    safety = backups.restore_file(saved, path, folder, 5, NOW + timedelta(hours=1))
    assert read_note(path) == "before"
    assert safety is not None and read_note(safety) == "after"


def test_restore_rejects_a_file_that_is_not_a_bot_database(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(backups.BackupError, match="not a usable database"):
        backups.check_backup(junk)
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()
    with pytest.raises(backups.BackupError):
        backups.check_backup(empty)


async def test_a_member_named_in_someone_elses_alert_has_their_id_cleared_and_the_alert_stays(
    db: SqliteDatabase,
) -> None:
    # A moderation alert about OTHER_USER's harassment, raised to protect USER.
    await seed(db, "crisis_alerts", GUILD, OTHER_USER)
    await seed(db, "crisis_alerts", OTHER_GUILD, OTHER_USER)
    await db.execute("UPDATE crisis_alerts SET target_id = ?", (USER,))
    counts = await PrivacyRepository(db).erase_member(GUILD, USER)
    assert counts == {"crisis_alerts.target_id": 1}
    here = await db.fetch_all("SELECT user_id, target_id FROM crisis_alerts WHERE guild_id = ?", (GUILD,))
    assert [(r["user_id"], r["target_id"]) for r in here] == [(OTHER_USER, None)]
    # The same member in another group is untouched.
    there = await db.fetch_all("SELECT target_id FROM crisis_alerts WHERE guild_id = ?", (OTHER_GUILD,))
    assert [r["target_id"] for r in there] == [USER]


async def test_the_dm_channel_id_is_exported_and_erased_with_the_members_data(db: SqliteDatabase) -> None:
    from bot.core.dm_channels import DmChannelRepository

    channels = DmChannelRepository(db)
    await channels.store(USER, 777, NOW)
    await channels.store(OTHER_USER, 888, NOW)
    repo = PrivacyRepository(db)

    exported = await repo.rows_about(GUILD, USER, personal=False)
    assert [int(r["channel_id"]) for r in exported["dm_channels"]] == [777]
    assert (await repo.erase_member(GUILD, USER)) == {"dm_channels": 1}
    assert await channels.get(USER) is None
    assert await channels.get(OTHER_USER) == 888  # someone else's stays
