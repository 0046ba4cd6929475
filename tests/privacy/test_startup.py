"""Start-up: the key is required and checked, the instance lock, scheduled backups, the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from discord.ext import commands

from bot.app import create_bot
from bot.core.clock import FakeClock
from bot.core.crypto import Cipher, EncryptionKeyError, cipher_for_settings, cipher_of, generate_key
from bot.core.settings import Settings, SettingsError, load_settings
from bot.db import to_db_time
from bot.privacy import backup as backups
from tests.conftest import START, Group, agree

ROOT = Path(__file__).resolve().parents[2]


def test_missing_key_with_a_token_is_a_clear_error() -> None:
    with pytest.raises(EncryptionKeyError, match=r"^ENCRYPTION_KEY: needed to connect"):
        cipher_for_settings(None, demo_mode=False, database_path="x.db")
    # The demo and tests get a throwaway key, the same one for the same file in one process.
    one = cipher_for_settings(None, demo_mode=True, database_path="demo.db")
    two = cipher_for_settings(None, demo_mode=True, database_path="demo.db")
    assert two.decrypt(one.encrypt("hello")) == "hello"


def test_malformed_key_names_the_variable_without_echoing_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENCRYPTION_KEY", "not-a-real-key-value")
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert str(caught.value).startswith("ENCRYPTION_KEY:")
    assert "not-a-real-key-value" not in str(caught.value)


async def test_wrong_key_refuses_to_start(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    first = create_bot(Settings(database_path=path, encryption_key=generate_key()), clock=FakeClock(START))
    try:
        await first.db.connect()
        await first.db.migrate()
        await first.load_extension("cogs.privacy")
    finally:
        await first.release()
    second = create_bot(Settings(database_path=path, encryption_key=generate_key()), clock=FakeClock(START))
    try:
        await second.db.connect()
        with pytest.raises(commands.ExtensionFailed) as caught:
            await second.load_extension("cogs.privacy")
        assert isinstance(caught.value.original, EncryptionKeyError)
        assert "ENCRYPTION_KEY: this is not the key" in str(caught.value.original)
    finally:
        await second.release()


async def test_features_reach_the_cipher_and_export_shows_their_words(group: Group) -> None:
    member = group.member
    await agree(member, await member.slash(group.general, "privacy"))
    cipher = cipher_of(group.bot.db)
    when = to_db_time(group.clock.now())
    await group.bot.db.execute(
        "INSERT INTO checkins (guild_id, user_id, local_date, mood, note, created_at, updated_at) "
        "VALUES (?, ?, '2026-11-23', 4, ?, ?, ?)",
        (group.guild.id, member.id, cipher.encrypt("slept well at last"), when, when),
    )
    result = await member.slash(group.general, "mydata export")
    files = {a.filename: (await a.read()).decode() for a in result.response.attachments}
    assert "slept well at last" in files["my-data.json"]
    assert "slept well at last" in files["my-data.txt"]


@pytest.mark.sqlite_only(reason="file backups and the instance lock are SQLite's; PostgreSQL uses pg_dump")
async def test_restore_refuses_while_the_bot_runs_and_daily_backup_rotates(group: Group) -> None:
    settings = group.bot.settings
    assert backups.lock_path(settings.database_path).exists()
    group.clock.set(datetime(2026, 11, 24, 3, 1, tzinfo=UTC))
    await group.bot.scheduler.run_due()
    [made] = backups.list_backups(settings.backup_dir)
    with pytest.raises(backups.InstanceRunning):
        backups.restore_file(made, settings.database_path, settings.backup_dir, 7, group.clock.now())
    # The backup holds the group's configuration.
    import sqlite3

    conn = sqlite3.connect(made)
    try:
        assert conn.execute("SELECT count(*) FROM guilds").fetchone()[0] == 1
    finally:
        conn.close()


def run_cli(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v for k, v in os.environ.items() if k not in {"DISCORD_TOKEN", "ENCRYPTION_KEY", "DATABASE_PATH"}
    }
    clean.update(env)
    clean["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_cli_keys_backup_and_restore(tmp_path: Path) -> None:
    generated = run_cli(["keys", "generate"], tmp_path, {})
    assert generated.returncode == 0, generated.stderr
    key = generated.stdout.strip()
    Cipher.from_value(key)
    env = {
        "DATABASE_PATH": str(tmp_path / "bot.db"),
        "BACKUP_DIR": str(tmp_path / "b"),
        "ENCRYPTION_KEY": key,
    }
    assert run_cli(["migrate"], tmp_path, env).returncode == 0
    made = run_cli(["backup"], tmp_path, env)
    assert made.returncode == 0, made.stderr
    [backup] = backups.list_backups(tmp_path / "b")
    rotated = run_cli(["keys", "rotate"], tmp_path, env)
    assert rotated.returncode == 0, rotated.stderr
    new_key = rotated.stdout.strip().splitlines()[-1]
    Cipher.from_value(new_key)
    with backups.holding(tmp_path / "bot.db"):
        refused = run_cli(["restore", str(backup)], tmp_path, env)
    assert refused.returncode == 1
    assert "stop it first" in refused.stderr
    restored = run_cli(["restore", str(backup)], tmp_path, env)
    assert restored.returncode == 0, restored.stderr
    assert "restored" in restored.stdout
