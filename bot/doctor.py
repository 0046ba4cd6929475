"""``resilience-bot doctor``: check this machine and every server before members arrive.

Logs in over HTTP only (no gateway: nothing is sent, no event is handled), reads the
application's intents, each server's channels, roles and the bot's own member, and prints the
checklist from ``bot.core.checkup``. The database is read, never created or migrated.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from pathlib import Path
from typing import TextIO

import aiohttp
import discord

from bot.core.checkup import Check, group_checks, intent_checks, render
from bot.core.guilds import GuildConfig, GuildRepository
from bot.core.settings import Settings

EXIT_PROBLEMS = 1


async def local_checks(settings: Settings) -> tuple[list[Check], dict[int, GuildConfig] | None]:
    """The database answers at the current schema and ENCRYPTION_KEY is the one it was written with.

    Returns the checks and, when the database could be read, every stored group configuration.
    """
    from bot.app import open_database
    from bot.core.crypto import EncryptionKeyError, cipher_for_settings
    from bot.db import DatabaseStartupError, SqliteDatabase
    from bot.db.sqlite import load_migrations
    from bot.privacy.store import PrivacyRepository

    migrate = "run `resilience-bot migrate` (the bot also does it when it starts)"
    if settings.database.backend == "sqlite" and not Path(settings.database_path).exists():  # noqa: ASYNC240
        return [Check(False, f"there is no database at {settings.database_path} yet", migrate)], {}
    where = settings.database_path if settings.database.backend == "sqlite" else settings.database.redacted()
    db = open_database(settings)
    checks: list[Check] = []
    try:
        await db.connect()
        version = await (db.schema_version() if isinstance(db, SqliteDatabase) else _pg_version(db))
        latest = max(number for number, _, _ in load_migrations())
        if version < latest:
            checks.append(Check(False, f"database {where} is at schema {version} of {latest}", migrate))
            return checks, None
        checks.append(Check(True, f"database {where} answers, schema version {version}"))
        key = settings.encryption_key.get_secret_value() if settings.encryption_key else None
        try:
            cipher = cipher_for_settings(key, demo_mode=False, database_path=str(settings.database_path))
            stored = await PrivacyRepository(db).key_check()
            if stored is not None:
                cipher.verify(stored)
            checks.append(Check(True, "ENCRYPTION_KEY is set and matches the database"))
        except EncryptionKeyError as error:  # the message says what to do
            checks.append(Check(False, str(error)))
        repo = GuildRepository(db)
        rows = await db.fetch_all("SELECT guild_id FROM guilds")
        return checks, {int(r["guild_id"]): await repo.get(int(r["guild_id"])) for r in rows}
    except DatabaseStartupError as error:
        return [Check(False, str(error), "see the line above; `resilience-bot migrate` shows the same")], None
    finally:
        await db.close()


async def _pg_version(db: object) -> int:
    from bot.db.postgres import PostgresDatabase

    assert isinstance(db, PostgresDatabase)
    return await db.schema_version()


async def expected_commands(settings: Settings) -> set[str] | None:
    """The top-level slash commands this version registers (None when the content is invalid).

    Worked out by loading every feature into an unstarted bot on a throwaway database, so the
    real one is not touched.
    """
    from bot.command_docs import scratch_bot
    from bot.validation import startup_lines

    if startup_lines(settings.content_path):
        return None
    async with scratch_bot(Path(settings.content_path)) as bot:
        return {command.name for command in bot.tree.get_commands()}


async def discord_sections(
    settings: Settings, configs: dict[int, GuildConfig] | None, content: list[Check]
) -> list[tuple[str, list[Check]]]:
    """Log in over HTTP and check the application and each server the bot is in.

    Logging in comes first, so a refused token is the one thing said. ``content`` gets the check
    that this version's commands could be worked out from the content.
    """
    assert settings.discord_token is not None
    # The intents matter only on the gateway, which the doctor never opens; guilds keeps discord.py quiet.
    client = discord.Client(intents=discord.Intents(guilds=True))
    try:
        await client.login(settings.discord_token.get_secret_value())
        application = await client.application_info()
        expected = await expected_commands(settings)
        if expected is None:
            where = settings.content_path
            content.append(Check(False, f"content in {where} has problems", "resilience-bot content check"))
        else:
            content.append(Check(True, f"content in {settings.content_path} is valid"))
        sections = [
            (
                f"Application {application.name}",
                intent_checks(application.flags, message_content=settings.message_content_intent),
            )
        ]
        assert client.user is not None
        dev_guild = settings.dev_guild_id
        global_names = (
            set() if dev_guild else {c["name"] for c in await client.http.get_global_commands(application.id)}
        )
        partials = [guild async for guild in client.fetch_guilds(limit=None)]
        if not partials:
            fix = "invite it with the URL in the README (Put it on your server, step 3)"
            sections.append(("Servers", [Check(False, "the bot is in no server yet", fix)]))
        for partial in partials:
            guild = await client.fetch_guild(partial.id)
            channels = {channel.id: channel for channel in await guild.fetch_channels()}
            me = await guild.fetch_member(client.user.id)
            names = global_names
            if dev_guild == guild.id:
                names = {c["name"] for c in await client.http.get_guild_commands(application.id, guild.id)}
            config = (configs or {}).get(guild.id, GuildConfig(guild_id=guild.id))
            checks = group_checks(guild, me, channels, config, registered=names, expected=expected)
            sections.append((f"Server {guild.name} ({guild.id})", checks))
        return sections
    finally:
        await client.close()


def doctor(settings: Settings) -> int:
    """The subcommand: the checklist, or one line on stderr when Discord cannot be reached as the bot."""
    from bot.cli import EXIT_SETTINGS, LOGIN_REFUSED, _unreachable

    logging.getLogger("discord").setLevel(logging.WARNING)  # the checklist is the output
    try:
        return asyncio.run(run_doctor(settings))
    except discord.LoginFailure:
        print(f"error: {LOGIN_REFUSED}", file=sys.stderr)
    except (aiohttp.ClientError, TimeoutError, discord.DiscordServerError) as error:
        print(f"error: {_unreachable(error)}", file=sys.stderr)
    return EXIT_SETTINGS


async def run_doctor(settings: Settings, out: TextIO = sys.stdout) -> int:
    """Print the checklist; 0 only when every check passes. Raises what logging in raises."""
    local, configs = await local_checks(settings)
    sections = [("This machine", local), *await discord_sections(settings, configs, local)]
    for line in render(sections):
        print(line, file=out)
    failed = any(not check.ok for _, checks in sections for check in checks)
    return EXIT_PROBLEMS if failed else 0
