"""``resilience-bot``: run, demo, preview, migrate, sync, content check, crisis-check."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence

import discord
from discord.ext import commands

from bot.core.problems import ContentInvalid
from bot.core.settings import Settings, SettingsError, load_settings

log = logging.getLogger("bot")

EXIT_SETTINGS = 2
EXIT_STARTUP = 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="resilience-bot", description="A Discord bot for therapy and resilience groups."
    )
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="connect to Discord (or play the offline demo when DISCORD_TOKEN is unset)")
    sub.add_parser("demo", help="play the offline demo: a simulated group on a simulated day")
    preview = sub.add_parser(
        "preview", help="serve the demo's simulated group as a page in your browser, until Ctrl-C"
    )
    preview.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
    sub.add_parser("migrate", help="create or upgrade the database, then exit")
    sub.add_parser("sync", help="register the slash commands with Discord, then exit")
    copy = sub.add_parser(
        "migrate-db",
        help="copy every table from one database to an empty one, then verify counts and checksums",
    )
    copy.add_argument("--from", dest="source", required=True, help="e.g. sqlite:///data/resilience.db")
    copy.add_argument(
        "--to", dest="target", required=True, help="e.g. postgresql://resilience@127.0.0.1/resilience"
    )
    content = sub.add_parser("content", help="content tools")
    content_sub = content.add_subparsers(dest="content_command", required=True)
    content_sub.add_parser("check", help="validate every content file; one line per problem")
    sub.add_parser("crisis-check", help="read lines on stdin, print one JSON verdict per line")
    from bot.privacy.cli import add_commands

    add_commands(sub)
    return parser


def _setup_logging(level: int) -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)-7s %(name)s: %(message)s")
    # discord.py's DEBUG logs include gateway payloads (message text): never that verbose.
    logging.getLogger("discord").setLevel(max(level, logging.INFO))


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    command = args.command or "run"
    if command == "crisis-check":
        from bot.crisis.cli import crisis_check

        return crisis_check(sys.stdin, sys.stdout)
    try:
        settings = load_settings()
    except SettingsError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_SETTINGS
    _setup_logging(settings.log_level_number)
    if command == "content":
        return _content_check(settings)
    if command in {"keys", "backup", "restore"}:
        from bot.privacy.cli import run as privacy_command

        return privacy_command(args, settings)
    if command == "demo" or (command == "run" and settings.demo_mode):
        if command == "run":
            print("No DISCORD_TOKEN set: playing the offline demo instead.\n", flush=True)
        _quiet_simulation_logs(settings)
        from bot.demo import run_demo

        return asyncio.run(run_demo())
    if command == "preview":
        return _preview(settings, args.port)
    if command == "migrate":
        return asyncio.run(_migrate(settings))
    if command == "migrate-db":
        return asyncio.run(_migrate_db(args.source, args.target))
    if settings.discord_token is None:
        print("error: DISCORD_TOKEN: needed to connect to Discord (see .env.example)", file=sys.stderr)
        return EXIT_SETTINGS
    return asyncio.run(_connect(settings, sync_only=command == "sync"))


def _quiet_simulation_logs(settings: Settings) -> None:
    # The transcript (or the page) is the output; routine start-up logs would only clutter it.
    if settings.log_level_number > logging.DEBUG:
        logging.getLogger().setLevel(logging.WARNING)
        # discord.py's notes about voice support and the simulated gateway are noise here.
        logging.getLogger("discord").setLevel(logging.ERROR)


def _preview(settings: Settings, port: int) -> int:
    # First: importing simcord makes a probe client, whose start-up notes are noise here too.
    _quiet_simulation_logs(settings)
    import simcord

    from bot.demo.preview import run_preview

    try:
        return asyncio.run(run_preview(port))
    except KeyboardInterrupt:
        # asyncio.run has cancelled the preview, which closed the page and released the bot.
        print("\nPreview stopped.", flush=True)
        return 0
    except simcord.SetupError as error:
        # A taken --port, or simcord's preview extra missing from the environment.
        print(f"error: preview: {error}", file=sys.stderr)
        return EXIT_STARTUP


def _content_check(settings: Settings) -> int:
    from bot.validation import check_all

    problems = check_all(settings.content_path)
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s) in {settings.content_path}", file=sys.stderr)
        return 1
    print(f"content OK ({settings.content_path})")
    return 0


async def _migrate(settings: Settings) -> int:
    from bot.app import open_database
    from bot.db import DatabaseStartupError

    db = open_database(settings)
    try:
        await db.connect()
        version = await db.migrate()
    except DatabaseStartupError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_STARTUP
    finally:
        await db.close()
    where = settings.database_path if settings.database.backend == "sqlite" else settings.database.redacted()
    print(f"database {where} is at schema version {version}")
    return 0


async def _migrate_db(source_url: str, target_url: str) -> int:
    """``migrate-db --from URL --to URL``: copy, then verify row counts and checksums per table."""
    from bot.app import open_database
    from bot.db import DatabaseStartupError
    from bot.db.transfer import TransferError, copy_database
    from bot.db.url import DatabaseUrlError

    try:
        source = open_database(load_settings(database_url=source_url))
        target = open_database(load_settings(database_url=target_url))
    except (SettingsError, DatabaseUrlError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_SETTINGS
    try:
        await source.connect()
        await target.connect()
        reports = await copy_database(source, target, progress=print)
    except (DatabaseStartupError, TransferError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_STARTUP
    finally:
        await source.close()
        await target.close()
    total = sum(r.rows for r in reports)
    print(f"copied {total} rows in {len(reports)} tables; every count and checksum matches")
    return 0


async def _connect(settings: Settings, *, sync_only: bool) -> int:
    from bot.app import create_bot
    from bot.db import DatabaseStartupError

    assert settings.discord_token is not None
    from bot.core.crypto import EncryptionKeyError, cipher_for_settings
    from bot.privacy.backup import InstanceRunning

    # Say so before connecting: without a key, members' notes could not be stored safely.
    key = settings.encryption_key.get_secret_value() if settings.encryption_key else None
    try:
        cipher_for_settings(key, demo_mode=False, database_path=str(settings.database_path))
    except EncryptionKeyError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_SETTINGS
    bot = create_bot(settings)
    if sync_only:

        async def sync_and_close() -> None:
            await bot.sync_commands(force=True)
            await bot.close()

        bot.add_listener(sync_and_close, "on_ready")
    try:
        async with bot:
            await bot.start(settings.discord_token.get_secret_value())
    except discord.LoginFailure:
        print(
            "error: DISCORD_TOKEN: Discord rejected this token; copy it again from the portal",
            file=sys.stderr,
        )
        return EXIT_SETTINGS
    except discord.PrivilegedIntentsRequired:
        print(
            "error: switch on the Server Members and Message Content intents for this bot in the "
            "Discord Developer Portal (Bot page), then start again",
            file=sys.stderr,
        )
        return EXIT_STARTUP
    except DatabaseStartupError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_STARTUP
    except ContentInvalid as error:
        for problem in error.problems:
            print(f"error: {problem}", file=sys.stderr)
        return EXIT_STARTUP
    except commands.ExtensionFailed as error:
        # A wrong key (checked against the database) or a second instance, found at start-up.
        if isinstance(error.original, EncryptionKeyError | InstanceRunning | DatabaseStartupError):
            print(f"error: {error.original}", file=sys.stderr)
            return EXIT_STARTUP
        raise
    return 0
