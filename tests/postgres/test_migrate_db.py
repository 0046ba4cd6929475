"""``resilience-bot migrate-db``: every table copied and verified; never into a non-empty target."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from bot.db import SqliteDatabase
from bot.db.postgres import PostgresDatabase


async def _fill(path: Path) -> None:
    db = SqliteDatabase(path)
    await db.connect()
    await db.migrate()
    now = "2026-11-23T07:00:00Z"
    await db.execute(
        "INSERT INTO guilds (guild_id, timezone, created_at, updated_at) VALUES (?, ?, ?, ?)",
        (1_100_000_000_000_000_001, "Europe/London", now, now),
    )
    await db.execute(
        "INSERT INTO guild_channels (guild_id, purpose, channel_id) VALUES (?, 'checkins', ?)",
        (1_100_000_000_000_000_001, 9_000_000_000_000_000_001),
    )
    for i in range(5):
        sid = await db.insert(
            "INSERT INTO schedules (guild_id, kind, skey, rule, timezone, payload, created_at) "
            "VALUES (?, 'checkins:post', ?, 'daily', 'Europe/London', ?, ?)",
            (1_100_000_000_000_000_001, f"k{i}", '{"note": "it\'s ünïcode ✓"}', now),
        )
        await db.execute(
            "INSERT INTO send_ledger (schedule_id, occurrence, status, updated_at) VALUES (?, ?, 'sent', ?)",
            (sid, now, now),
        )
    await db.execute(
        "INSERT INTO checkins (guild_id, user_id, local_date, mood, note, created_at, updated_at) "
        "VALUES (?, ?, '2026-11-23', 4, NULL, ?, ?)",
        (1_100_000_000_000_000_001, 42, now, now),
    )
    await db.close()


def test_copies_every_table_then_refuses_to_copy_again(
    tmp_path: Path, pg_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import asyncio

    monkeypatch.chdir(tmp_path)
    source = tmp_path / "old.db"
    asyncio.run(_fill(source))

    assert main(["migrate-db", "--from", f"sqlite:///{source}", "--to", pg_url]) == 0
    out = capsys.readouterr().out
    assert "schedules: 5 rows, checksum" in out and "send_ledger: 5 rows" in out
    assert "guild_channels: 1 rows" in out and "checkins: 1 rows" in out
    assert "every count and checksum matches" in out
    # Parents come before the tables that reference them.
    assert out.index("guilds:") < out.index("guild_channels:")
    assert out.index("schedules:") < out.index("send_ledger:")

    async def check_target() -> None:
        db = PostgresDatabase(pg_url)
        await db.connect()
        try:
            row = await db.fetch_one("SELECT payload FROM schedules WHERE skey = 'k3'")
            assert row == {"payload": '{"note": "it\'s ünïcode ✓"}'}
            # New rows continue after the copied ids.
            new_id = await db.insert(
                "INSERT INTO schedules (guild_id, kind, rule, timezone, created_at) "
                "VALUES (1, 'x', 'once', 'UTC', 'now')"
            )
            assert new_id == 6
        finally:
            await db.close()

    asyncio.run(check_target())

    assert main(["migrate-db", "--from", f"sqlite:///{source}", "--to", pg_url]) == 1
    err = capsys.readouterr().err
    assert "refusing to copy into a database that already has data" in err


def test_unreachable_target_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], pg_url: str
) -> None:
    source = tmp_path / "old.db"
    code = main(
        ["migrate-db", "--from", f"sqlite:///{source}", "--to", "postgresql://u:pw9876@127.0.0.1:1/x"]
    )
    assert code == 1
    err = capsys.readouterr().err
    assert err.startswith("error: cannot use DATABASE_URL=postgresql://u:***@127.0.0.1:1/x")
    assert "pw9876" not in err and "Traceback" not in err
