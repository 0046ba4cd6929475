"""The ``resilience-bot`` command as an operator runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run(args: list[str], tmp_path: Path, env: dict[str, str] | None = None, stdin: str | None = None):
    clean = {k: v for k, v in os.environ.items() if k not in {"DISCORD_TOKEN", "LOG_LEVEL", "DATABASE_PATH"}}
    clean.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=tmp_path,
        env=clean,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


def test_run_without_token_plays_the_demo_and_exits_zero(tmp_path):
    result = run(["run"], tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "playing the offline demo" in out
    assert "Resilience Bot — offline demo" in out
    assert "/setup" in out or "Group setup" in out
    assert "only Ben sees" in out
    assert "End of the demo" in out
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("variable", "value"),
    [("LOG_LEVEL", "LOUD"), ("DEFAULT_TIMEZONE", "Nowhere/Land"), ("OWNER_IDS", "me")],
)
def test_bad_env_exits_2_with_one_line_naming_the_variable(tmp_path, variable, value):
    result = run(["run"], tmp_path, env={variable: value})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"error: {variable}:")


def test_bad_dotenv_is_reported_the_same_way(tmp_path):
    (tmp_path / ".env").write_text("DEV_GUILD_ID=not-a-number\n")
    result = run(["migrate"], tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("error: DEV_GUILD_ID:")


def test_migrate_creates_the_database(tmp_path):
    result = run(["migrate"], tmp_path, env={"DATABASE_PATH": str(tmp_path / "x" / "bot.db")})
    assert result.returncode == 0, result.stderr
    assert "schema version" in result.stdout
    assert (tmp_path / "x" / "bot.db").exists()


def test_migrate_on_a_corrupt_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"garbage" * 1000)
    result = run(["migrate"], tmp_path, env={"DATABASE_PATH": str(bad)})
    assert result.returncode == 1
    assert "DATABASE_PATH" in result.stderr and "Traceback" not in result.stderr


def test_content_check_passes_on_shipped_content(tmp_path):
    result = run(["content", "check"], tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "content OK" in result.stdout


def test_content_check_names_file_and_field(tmp_path):
    broken = tmp_path / "content"
    subprocess.run(["cp", "-r", str(ROOT / "content"), str(broken)], check=True)
    agreement = broken / "agreement.toml"
    agreement.write_text(agreement.read_text().replace('title = "Our group agreement"', 'title = ""'))
    result = run(["content", "check"], tmp_path, env={"CONTENT_PATH": str(broken)})
    assert result.returncode == 1
    assert "agreement.toml: title:" in result.stdout


def test_a_token_without_an_encryption_key_is_refused_before_connecting(tmp_path):
    result = run(["run"], tmp_path, env={"DISCORD_TOKEN": "not-a-real-token"})
    assert result.returncode == 2
    assert result.stderr.startswith("error: ENCRYPTION_KEY:")
    assert "not-a-real-token" not in result.stderr + result.stdout


def test_sync_needs_a_token(tmp_path):
    result = run(["sync"], tmp_path)
    assert result.returncode == 2
    assert "DISCORD_TOKEN" in result.stderr


def test_crisis_check_prints_one_json_object_per_line(tmp_path):
    result = run(["crisis-check"], tmp_path, stdin="I'd kill for a coffee\nI want to die\n")
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["verdict"] for r in rows] == ["none", "concern"]
