"""The ``resilience-bot`` command as an operator runs it."""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

from bot.core.crypto import check_keys, generate_key

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


# -- start-up: everything local first, then Discord; every failure one line, exit 2 ---------------


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on: Discord, unreachable."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# discord.py pointed at a closed port, then the real command line.
UNREACHABLE = (
    "import sys, discord.http, discord.gateway, yarl; "
    "discord.http.Route.BASE = 'http://127.0.0.1:{port}/api/v10'; "
    "discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL('ws://127.0.0.1:{port}/'); "
    "from bot.cli import main; raise SystemExit(main(sys.argv[1:]))"
)


def run_unreachable(args: list[str], tmp_path: Path, env: dict[str, str]):
    clean = {k: v for k, v in os.environ.items() if k not in {"DISCORD_TOKEN", "LOG_LEVEL", "DATABASE_PATH"}}
    clean.update({"DISCORD_TOKEN": "a-token-that-is-never-checked", "ENCRYPTION_KEY": generate_key()})
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", UNREACHABLE.format(port=closed_port()), *args],
        cwd=tmp_path,
        env=clean,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


def errors_of(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("error:")]


def test_unreachable_discord_is_one_line_and_exit_2(tmp_path):
    result = run_unreachable(["run"], tmp_path, {"DATABASE_PATH": str(tmp_path / "bot.db")})
    assert result.returncode == 2, result.stderr
    [line] = errors_of(result.stderr)
    assert line.startswith("error: could not reach Discord: ")
    assert "Traceback" not in result.stderr
    # The local checks ran first and passed: the database is there, migrated.
    assert (tmp_path / "bot.db").exists()


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ("DATABASE_PATH", "error: cannot create the folder for DATABASE_PATH="),
        ("CONTENT_PATH", "error: CONTENT_PATH: the content folder "),
    ],
)
def test_a_local_problem_is_reported_before_any_connection_attempt(tmp_path, setting, expected):
    (tmp_path / "a-file").write_text("not a folder\n")
    env = {"DATABASE_PATH": str(tmp_path / "bot.db")}
    env[setting] = (
        str(tmp_path / "a-file" / "inside") if setting == "DATABASE_PATH" else str(tmp_path / "gone")
    )
    result = run_unreachable(["run"], tmp_path, env)
    assert result.returncode == 2, result.stderr
    [line] = errors_of(result.stderr)
    assert line.startswith(expected)
    assert "could not reach Discord" not in result.stderr
    assert "logging in" not in result.stderr  # discord.py never started to connect
    assert "Traceback" not in result.stderr


def test_a_wrong_key_is_found_in_the_database_before_connecting(tmp_path):
    import asyncio

    from bot.core.crypto import Cipher
    from bot.db import SqliteDatabase
    from bot.privacy.store import PrivacyRepository

    async def written_with_another_key() -> None:
        db = SqliteDatabase(tmp_path / "bot.db")
        await db.connect()
        try:
            await db.migrate()
            await PrivacyRepository(db).set_key_check(Cipher([generate_key()]).key_check_token())
        finally:
            await db.close()

    asyncio.run(written_with_another_key())
    result = run_unreachable(["run"], tmp_path, {"DATABASE_PATH": str(tmp_path / "bot.db")})
    assert result.returncode == 2, result.stderr
    [line] = errors_of(result.stderr)
    assert line.startswith("error: ENCRYPTION_KEY: this is not the key this database was encrypted with")
    assert "logging in" not in result.stderr


async def test_a_refused_token_says_where_to_reset_it(tmp_path, capsys, monkeypatch):
    from bot.cli import _connect
    from bot.core.settings import Settings
    from tests.support.loopback import LoopbackDiscord

    monkeypatch.chdir(tmp_path)
    settings = Settings(
        discord_token="a-wrong-token", encryption_key=generate_key(), database_path=tmp_path / "bot.db"
    )
    async with LoopbackDiscord(token="the-right-token"):
        code = await _connect(settings, sync_only=False)
    assert code == 2
    [line] = errors_of(capsys.readouterr().err)
    assert line.startswith("error: Discord refused the token: reset it on the Bot page")
    assert "a-wrong-token" not in line


async def test_a_second_instance_on_the_same_database_is_refused_before_connecting(tmp_path, monkeypatch):
    from bot.cli import LocalProblem, check_local
    from bot.core.settings import Settings
    from bot.privacy.backup import InstanceLock

    monkeypatch.chdir(tmp_path)
    settings = Settings(discord_token="x", encryption_key=generate_key(), database_path=tmp_path / "bot.db")
    running = InstanceLock(settings.database_path)
    running.acquire()
    try:
        with pytest.raises(LocalProblem) as caught:
            await check_local(settings)
    finally:
        running.release()
    assert caught.value.lines == [
        f"DATABASE_PATH: another instance of the bot is running on {settings.database_path} "
        "(it holds bot.db.lock); stop it first"
    ]
    await check_local(settings)  # and with it stopped, all is well


# -- the demo and the preview on broken content ----------------------------------------------------


def broken_content(tmp_path: Path) -> tuple[Path, str]:
    """A copy of the shipped content with one skill missing its `minutes`."""
    folder = tmp_path / "content"
    shutil.copytree(ROOT / "content", folder)
    skills = folder / "skills" / "bonding.toml"
    text = skills.read_text(encoding="utf-8")
    first_id = re.search(r'^id = "([a-z0-9-]+)"', text, flags=re.MULTILINE)
    assert first_id is not None
    skills.write_text(re.sub(r"^minutes = \d+\n", "", text, count=1, flags=re.MULTILINE), encoding="utf-8")
    return folder / "skills" / "bonding.toml", first_id.group(1)


@pytest.mark.parametrize("command", [["run"], ["demo"], ["preview"]])
def test_the_demo_on_broken_content_exits_2_naming_the_file_and_field(tmp_path, command):
    path, skill = broken_content(tmp_path)
    result = run(command, tmp_path, env={"CONTENT_PATH": str(tmp_path / "content")})
    assert result.returncode == 2, result.stdout + result.stderr
    assert errors_of(result.stderr) == [f"error: {path.as_posix()}: skills.{skill}.minutes: is required"]
    assert "Traceback" not in result.stderr


def test_the_demo_needs_nothing_from_an_operators_env(tmp_path, monkeypatch):
    from bot.demo import demo_settings

    # A real operator's .env: a token, a key, PostgreSQL, shards. The demo uses none of them.
    monkeypatch.setenv("DISCORD_TOKEN", "real-token")
    monkeypatch.setenv("ENCRYPTION_KEY", generate_key())
    monkeypatch.setenv("DATABASE_URL", "postgresql://resilience@127.0.0.1/resilience")
    monkeypatch.setenv("SHARD_COUNT", "4")
    monkeypatch.setenv("BACKUP_DIR", "/var/backups/resilience")
    settings = demo_settings(tmp_path, tmp_path / "content")
    assert settings.demo_mode and settings.encryption_key is None
    assert settings.database.backend == "sqlite" and settings.database_path == tmp_path / "demo.db"
    assert settings.shard_count is None
    assert settings.backup_dir == tmp_path / "backups"
    assert settings.content_path == tmp_path / "content"


# -- keys, content check, warnings, help -----------------------------------------------------------


def test_keys_generate_works_while_the_key_in_dotenv_is_malformed(tmp_path):
    (tmp_path / ".env").write_text("ENCRYPTION_KEY=not-a-key\nLOG_LEVEL=LOUD\n")
    result = run(["keys", "generate"], tmp_path)
    assert result.returncode == 0, result.stderr
    check_keys(result.stdout.strip())  # a real key, alone on stdout


def test_keys_rotate_with_a_malformed_key_asks_for_the_current_one(tmp_path):
    (tmp_path / ".env").write_text("ENCRYPTION_KEY=not-a-key\n")
    result = run(["keys", "rotate"], tmp_path)
    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert line.startswith("error: ENCRYPTION_KEY: key 1 is not a Fernet key")
    assert "`keys rotate` needs the key the database is encrypted with" in line
    assert "keys generate" not in line  # a new key would not read what is stored


def test_a_misspelt_variable_in_dotenv_is_a_warning_in_every_command(tmp_path):
    (tmp_path / ".env").write_text("DEFUALT_TIMEZONE=Europe/Paris\n")
    warning = (
        "warning: .env: DEFUALT_TIMEZONE is not a setting, so it is ignored; did you mean DEFAULT_TIMEZONE?"
    )
    migrated = run(["migrate"], tmp_path)
    assert migrated.returncode == 0, migrated.stderr
    assert migrated.stderr.splitlines()[0] == warning
    checked = run(["content", "check"], tmp_path)
    assert checked.returncode == 0
    assert warning in checked.stderr.splitlines()


def test_content_check_on_a_missing_folder_says_so_in_words(tmp_path):
    result = run(["content", "check"], tmp_path, env={"CONTENT_PATH": str(tmp_path / "nowhere")})
    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert line.startswith(f"error: CONTENT_PATH: the content folder {tmp_path / 'nowhere'} does not exist")
    assert ": -:" not in result.stdout + result.stderr


def test_content_check_reports_a_syntax_error_alone(tmp_path):
    folder = tmp_path / "content"
    shutil.copytree(ROOT / "content", folder)
    skills = folder / "skills" / "bonding.toml"
    skills.write_text(skills.read_text().replace("minutes = ", "minutes = = ", 1))
    result = run(["content", "check"], tmp_path, env={"CONTENT_PATH": str(folder)})
    assert result.returncode == 1
    [line] = result.stdout.splitlines()
    assert line.startswith("skills/bonding.toml: (syntax): invalid TOML")
    assert result.stderr.strip() == f"1 problem in {folder}"


def subcommands(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                yield (*path, name), child
                yield from subcommands(child, (*path, name))


def test_every_subcommand_help_describes_it():
    from bot.cli import _parser

    found = dict(subcommands(_parser()))
    assert {"run", "demo", "preview", "migrate", "sync", "content", "keys"} <= {p[0] for p in found}
    for path, child in found.items():
        assert child.description, f"`resilience-bot {' '.join(path)} --help` has no description"
        assert " ".join(child.description.split()) in " ".join(child.format_help().split()), path


def test_subcommand_help_shows_the_description(tmp_path):
    result = run(["preview", "--help"], tmp_path)
    assert result.returncode == 0
    assert "Serve the demo's simulated group as a page in your browser" in result.stdout


def test_version(tmp_path):
    result = run(["--version"], tmp_path)
    assert result.returncode == 0
    assert result.stdout.strip() == f"resilience-bot {version('resilience-bot')}"


def test_the_readme_lists_every_subcommand():
    from bot.cli import _parser

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first_cells = re.findall(r"^\| (`[^|]*) \|", readme, flags=re.MULTILINE)
    listed = {name for cell in first_cells for name in re.findall(r"`([a-z-]+)", cell)}
    missing = sorted({path[0] for path in dict(subcommands(_parser()))} - listed)
    assert not missing, f"README.md's command table has no row for: {', '.join(missing)}"
