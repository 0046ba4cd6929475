"""``resilience-bot``: run, demo, preview, migrate, sync, doctor, content check, crisis-check."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence
from importlib.util import find_spec
from pathlib import Path

import aiohttp
import discord
from discord.ext import commands

from bot.core.logs import setup_logging
from bot.core.problems import ContentInvalid, Problem
from bot.core.settings import Settings, SettingsError, dotenv_warnings, load_settings

log = logging.getLogger("bot")

EXIT_SETTINGS = 2  # something to fix on this side: one line on stderr says what
EXIT_STARTUP = 1


# What each subcommand's --help says above its options (the list in `--help` shows the first line).
DESCRIPTIONS = {
    "run": "Connect to Discord with DISCORD_TOKEN (from the environment or .env). Everything on this "
    "machine is checked first (settings, ENCRYPTION_KEY, the database and its migrations, the "
    "content), then the bot logs in. Without a token it plays the offline demo instead.",
    "demo": "Play the offline demo: the real bot in a simulated server, a scripted day of a group, "
    "printed as a transcript. Nothing connects to Discord; a temporary database is used.",
    "preview": "Serve the demo's simulated group as a page in your browser on 127.0.0.1, until "
    "Ctrl-C. Nothing connects to Discord.",
    "migrate": "Create the database at DATABASE_PATH (or DATABASE_URL), or upgrade it to the "
    "current schema, then exit. `run` does this by itself.",
    "sync": "Register the slash commands with Discord now (in DEV_GUILD_ID only, when set), then exit.",
    "migrate-db": "Copy every table from one database to an empty one (e.g. SQLite to PostgreSQL), "
    "then verify row counts and checksums per table.",
    "content": "Tools for the content folder (CONTENT_PATH): skills, prompts, emotions, crisis data "
    "and the group agreement.",
    "content check": "Validate every content file; print one line per problem, naming the file and "
    "the field. The bot refuses to start on invalid content, with the same lines.",
    "doctor": "Check this machine (database, key, content), then log in over HTTP only (no gateway) and "
    "check each server: intents, channels and the bot's permissions there, a private facilitators' "
    "channel, the facilitator role, commands, timezone, country. Exit 0 only if all pass.",
    "crisis-check": "Read lines on stdin and print one JSON verdict per line, "
    '{"verdict": "none|concern|urgent", "signals": [...]}, for testing the crisis phrases.',
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="resilience-bot", description="A Discord bot for therapy and resilience groups."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="command")
    sub.add_parser("run", help="connect to Discord (or play the offline demo when DISCORD_TOKEN is unset)")
    sub.add_parser("demo", help="play the offline demo: a simulated group on a simulated day")
    preview = sub.add_parser(
        "preview", help="serve the demo's simulated group as a page in your browser, until Ctrl-C"
    )
    preview.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
    sub.add_parser("migrate", help="create or upgrade the database, then exit")
    sub.add_parser("sync", help="register the slash commands with Discord, then exit")
    sub.add_parser("doctor", help="check this machine and every server the bot is in; a checklist with fixes")
    copy = sub.add_parser(
        "migrate-db",
        help="copy every table from one database to an empty one, then verify counts and checksums",
    )
    copy.add_argument("--from", dest="source", required=True, help="e.g. sqlite:///data/resilience.db")
    copy.add_argument(
        "--to", dest="target", required=True, help="e.g. postgresql://resilience@127.0.0.1/resilience"
    )
    content = sub.add_parser("content", help="content tools")
    content_sub = content.add_subparsers(dest="content_command", required=True, metavar="command")
    content_sub.add_parser("check", help="validate every content file; one line per problem")
    sub.add_parser("crisis-check", help="read lines on stdin, print one JSON verdict per line")
    from bot.privacy.cli import add_commands

    add_commands(sub)
    _describe(parser)
    return parser


def _describe(parser: argparse.ArgumentParser, path: str = "") -> None:
    """Give every subcommand's own --help a description: ours, or else its one-line help."""
    for action in parser._actions:
        if not isinstance(action, argparse._SubParsersAction):
            continue
        helps = {choice.dest: choice.help for choice in action._choices_actions}
        for name, child in action.choices.items():
            if child.description is None:
                text = DESCRIPTIONS.get(f"{path}{name}") or helps.get(name) or ""
                child.description = text[:1].upper() + text[1:] if text else None
            _describe(child, f"{path}{name} ")


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("resilience-bot")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "(not installed)"


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    command = args.command or "run"
    if command == "crisis-check":
        from bot.crisis.cli import crisis_check

        return crisis_check(sys.stdin, sys.stdout)
    if command == "keys" and args.keys_command == "generate":
        # Needs no settings: the fix for a malformed ENCRYPTION_KEY is to run this.
        from bot.core.crypto import generate_key

        print(generate_key())
        return 0
    for warning in dotenv_warnings():
        print(f"warning: {warning}", file=sys.stderr)
    try:
        settings = load_settings()
    except SettingsError as error:
        print(f"error: {_for_command(command, error)}", file=sys.stderr)
        return EXIT_SETTINGS
    setup_logging(settings.log_level_number, settings.log_format)
    if command == "content":
        return _content_check(settings)
    if command in {"keys", "backup", "restore"}:
        from bot.privacy.cli import run as privacy_command

        return privacy_command(args, settings)
    if command == "demo" or (command == "run" and settings.demo_mode):
        return _demo(settings, announce=command == "run")
    if command == "preview":
        return _preview(settings, args.port)
    if command == "migrate":
        return asyncio.run(_migrate(settings))
    if command == "migrate-db":
        return asyncio.run(_migrate_db(args.source, args.target))
    if settings.discord_token is None:
        why = "doctor logs in to Discord as the bot to check your servers" if command == "doctor" else ""
        print(
            f"error: DISCORD_TOKEN: {why or 'needed to connect to Discord'} (see .env.example)",
            file=sys.stderr,
        )
        return EXIT_SETTINGS
    if command == "doctor":
        from bot.doctor import doctor

        return doctor(settings)
    return asyncio.run(_connect(settings, sync_only=command == "sync"))


def _for_command(command: str, error: SettingsError) -> str:
    message = str(error)
    if command == "keys" and message.startswith("ENCRYPTION_KEY:"):
        # Rotation reads the database with the current key: a new one would lose what is stored.
        from bot.core.crypto import KEY_HINT

        reason = message.removesuffix(f"; {KEY_HINT}")
        return f"{reason}; `keys rotate` needs the key the database is encrypted with: put it back first"
    return message


def _quiet_simulation_logs(settings: Settings) -> None:
    # The transcript (or the page) is the output; routine start-up logs would only clutter it.
    if settings.log_level_number > logging.DEBUG:
        logging.getLogger().setLevel(logging.WARNING)
        # discord.py's notes about voice support and the simulated gateway are noise here.
        logging.getLogger("discord").setLevel(logging.ERROR)


def _demo(settings: Settings, *, announce: bool) -> int:
    lines = _content_lines(settings.content_path)
    if lines:
        return _refuse(lines)
    if announce:
        print("No DISCORD_TOKEN set: playing the offline demo instead.\n", flush=True)
    # First: importing simcord makes a probe client, whose start-up notes are noise here.
    _quiet_simulation_logs(settings)
    if find_spec("simcord") is None:
        return _refuse([NO_SIMULATOR])
    from bot.demo import run_demo

    try:
        return asyncio.run(run_demo(content_path=settings.content_path))
    except ContentInvalid as error:  # changed while the demo was starting
        return _refuse([_problem_line(settings.content_path, p) for p in error.problems])


def _preview(settings: Settings, port: int) -> int:
    lines = _content_lines(settings.content_path)
    if lines:
        return _refuse(lines)
    # First: importing simcord makes a probe client, whose start-up notes are noise here too.
    _quiet_simulation_logs(settings)
    if find_spec("simcord") is None:
        return _refuse([NO_SIMULATOR])
    import simcord

    from bot.demo.preview import run_preview

    try:
        return asyncio.run(run_preview(port, content_path=settings.content_path))
    except KeyboardInterrupt:
        # asyncio.run has cancelled the preview, which closed the page and released the bot.
        print("\nPreview stopped.", flush=True)
        return 0
    except ContentInvalid as error:
        return _refuse([_problem_line(settings.content_path, p) for p in error.problems])
    except simcord.SetupError as error:
        # A taken --port, or simcord's preview extra missing from the environment.
        print(f"error: preview: {error}", file=sys.stderr)
        return EXIT_STARTUP


# A server installs only the runtime dependencies; the demo's simulated Discord is the `demo` extra.
NO_SIMULATOR = (
    "the offline demo needs simcord, which a server install leaves out: install "
    "'resilience-bot[demo]' (from a clone, `make run` does), or set DISCORD_TOKEN to connect"
)


def _content_check(settings: Settings) -> int:
    from bot.validation import check_all, folder_missing, format_problem

    root = settings.content_path
    missing = folder_missing(root)
    if missing:
        return _refuse([missing])
    problems = check_all(root)
    for problem in problems:
        print(format_problem(problem))
    if problems:
        count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
        print(f"{count} in {root}", file=sys.stderr)
        return 1
    print(f"content OK ({root})")
    return 0


# -- start-up checks ----------------------------------------------------------------------------


class LocalProblem(Exception):
    """Something on this machine stops start-up; each line is printed after ``error: ``."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


def _refuse(lines: list[str]) -> int:
    for line in lines:
        print(f"error: {line}", file=sys.stderr)
    return EXIT_SETTINGS


def _problem_line(root: Path, problem: Problem) -> str:
    from bot.validation import format_problem

    return format_problem(problem, root)


def _content_lines(root: Path) -> list[str]:
    from bot.validation import startup_lines

    return startup_lines(root)


async def check_local(settings: Settings) -> None:
    """Everything on this machine that connecting needs, in order; raises ``LocalProblem``.

    Settings are already read. Then the key's form, the instance lock, the database (opened,
    migrated, and the key checked against what it holds), and the content. Nothing here talks
    to Discord, so a problem on this side is never hidden behind a network one.
    """
    from bot.app import open_database
    from bot.core.crypto import EncryptionKeyError, cipher_for_settings
    from bot.db import DatabaseStartupError, SqliteDatabase
    from bot.privacy.store import PrivacyRepository

    key = settings.encryption_key.get_secret_value() if settings.encryption_key else None
    try:
        cipher = cipher_for_settings(key, demo_mode=False, database_path=str(settings.database_path))
    except EncryptionKeyError as error:
        raise LocalProblem([str(error)]) from None
    db = open_database(settings)
    try:
        await db.connect()
        if isinstance(db, SqliteDatabase):
            _not_running(settings.database_path)
        await db.migrate()
        check = await PrivacyRepository(db).key_check()
        if check is not None:
            cipher.verify(check)
    except (DatabaseStartupError, EncryptionKeyError) as error:
        raise LocalProblem([str(error)]) from None
    finally:
        await db.close()
    lines = _content_lines(settings.content_path)
    if lines:
        raise LocalProblem(lines)


def _not_running(database_path: Path) -> None:
    """The instance lock is free (taken and let go at once: the bot takes it again as it starts)."""
    from bot.privacy.backup import InstanceLock, InstanceRunning

    lock = InstanceLock(database_path)
    try:
        lock.acquire()
    except InstanceRunning:
        raise LocalProblem(
            [
                f"DATABASE_PATH: another instance of the bot is running on {database_path} "
                f"(it holds {lock.path.name}); stop it first"
            ]
        ) from None
    except OSError as error:
        raise LocalProblem([f"DATABASE_PATH: cannot use {lock.path}: {error.strerror}"]) from None
    lock.release()


def _unreachable(error: BaseException) -> str:
    reason = " ".join(str(error).split()) or "timed out"
    return (
        f"could not reach Discord: {reason}. Check this machine's internet connection "
        "(and any proxy or firewall), then start again"
    )


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


LOGIN_REFUSED = (
    "Discord refused the token: reset it on the Bot page of your application "
    "(https://discord.com/developers/applications), put the new one in DISCORD_TOKEN, then start again"
)


async def _connect(settings: Settings, *, sync_only: bool) -> int:
    """Check everything local, then log in; every failure is a line on stderr, never a traceback."""
    from bot.app import create_bot
    from bot.core.crypto import EncryptionKeyError
    from bot.db import DatabaseStartupError
    from bot.privacy.backup import InstanceRunning

    assert settings.discord_token is not None
    try:
        await check_local(settings)
    except LocalProblem as problem:
        return _refuse(problem.lines)
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
        return _refuse([LOGIN_REFUSED])
    except discord.PrivilegedIntentsRequired:
        print(
            "error: switch on the Server Members and Message Content intents for this bot in the "
            "Discord Developer Portal (Bot page), then start again (or set MESSAGE_CONTENT_INTENT=false "
            "to run without Message Content: see the README)",
            file=sys.stderr,
        )
        return EXIT_STARTUP
    except (aiohttp.ClientError, TimeoutError, discord.GatewayNotFound, discord.DiscordServerError) as error:
        return _refuse([_unreachable(error)])
    # Checked above; these are for a change in the moments between the check and the start.
    except DatabaseStartupError as error:
        return _refuse([str(error)])
    except ContentInvalid as error:
        return _refuse([_problem_line(settings.content_path, p) for p in error.problems])
    except commands.ExtensionFailed as error:
        # A wrong key (checked against the database) or a second instance, found at start-up.
        if isinstance(error.original, EncryptionKeyError | InstanceRunning | DatabaseStartupError):
            return _refuse([str(error.original)])
        raise
    return 0
