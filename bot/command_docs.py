"""The README's command reference, generated from the command tree itself.

Every slash command this version registers, with who may use it and where, so the README cannot
drift from the code (a test compares the committed table with what this module makes). After
adding or changing a command::

    python -m bot.command_docs          # rewrites README.md's command table
    python -m bot.command_docs --check  # exit 1 if it is out of date
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import tempfile
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from discord import app_commands

from bot.core.bot import ResilienceBot
from bot.core.checks import facilitator_predicate
from bot.core.clock import SystemClock
from bot.core.settings import Settings, load_settings

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
TABLE_START = "<!-- command-table:start -->"
TABLE_END = "<!-- command-table:end -->"

WHO_ORDER = {"member": 0, "facilitator": 1, "admin": 2, "bot owner": 3}


@asynccontextmanager
async def scratch_bot(content_path: Path) -> AsyncIterator[ResilienceBot]:
    """Every feature loaded into an unstarted bot on a throwaway database (the real one untouched).

    Entered, never started: features that wait for the gateway wait until it closes.
    """
    from bot.app import create_bot
    from bot.core.consent import load_agreement
    from bot.validation import load_all

    # Its start-up lines (a migration, features loading) are about the scratch bot: not worth showing.
    logging.disable(logging.INFO)
    try:
        with tempfile.TemporaryDirectory(prefix="resilience-commands-") as tmp:
            scratch = load_settings(
                database_url=f"sqlite:///{Path(tmp) / 'commands.db'}", content_path=content_path
            )
            bot = create_bot(scratch, clock=SystemClock())
            async with bot:
                await bot.db.connect()
                await bot.db.migrate()
                bot.content = load_all(content_path)
                bot.agreement = load_agreement(content_path)
                for extension in bot._extensions:
                    await bot.load_extension(extension)
                yield bot
    finally:
        logging.disable(logging.NOTSET)


@dataclass(frozen=True, slots=True)
class CommandDoc:
    """One slash command (a subcommand counts as its own) as the reference shows it."""

    name: str  # "/checkin now"
    who: str  # member, facilitator or admin
    where: str  # "server" or "server, DMs"
    what: str


def _leaves(commands: Iterable[Any]) -> Iterable[app_commands.Command[Any, ..., Any]]:
    for command in commands:
        if isinstance(command, app_commands.Group):
            yield from _leaves(command.commands)
        elif isinstance(command, app_commands.Command):
            yield command


def _who(command: app_commands.Command[Any, ..., Any]) -> str:
    if "who" in command.extras:  # a check made in the command's body, which the tree cannot see
        return str(command.extras["who"])
    if facilitator_predicate in command.checks:
        return "facilitator"
    root = command.root_parent or command
    if root.default_permissions is not None or command.default_permissions is not None:
        return "admin"
    return "member"


def _where(command: app_commands.Command[Any, ..., Any]) -> str:
    root = command.root_parent or command
    contexts = command.allowed_contexts or root.allowed_contexts
    if contexts is not None and contexts.dm_channel:
        return "server, DMs"
    return "server"


def command_docs(tree: app_commands.CommandTree[Any]) -> list[CommandDoc]:
    """Every command, members' first, then facilitators', then admins', each by name."""
    docs = [
        CommandDoc(f"/{command.qualified_name}", _who(command), _where(command), command.description)
        for command in _leaves(tree.get_commands())
    ]
    return sorted(docs, key=lambda d: (WHO_ORDER[d.who], d.name))


def table(docs: Sequence[CommandDoc]) -> str:
    lines = ["| Command | Who | Where | What it does |", "|---|---|---|---|"]
    lines += [f"| `{d.name}` | {d.who} | {d.where} | {d.what} |" for d in docs]
    return "\n".join(lines)


def readme_with_table(readme: str, docs: Sequence[CommandDoc]) -> str:
    """``readme`` with the text between the markers replaced by the current table."""
    if TABLE_START not in readme or TABLE_END not in readme:
        raise ValueError(f"README.md has no {TABLE_START} … {TABLE_END} markers")
    head, rest = readme.split(TABLE_START, 1)
    _, tail = rest.split(TABLE_END, 1)
    return f"{head}{TABLE_START}\n{table(docs)}\n{TABLE_END}{tail}"


async def current_docs(settings: Settings | None = None) -> list[CommandDoc]:
    content = Path(settings.content_path) if settings else ROOT / "content"
    async with scratch_bot(content) as bot:
        return command_docs(bot.tree)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot.command_docs", description="Write README.md's command reference."
    )
    parser.add_argument("--check", action="store_true", help="exit 1 if it is out of date")
    args = parser.parse_args(argv)
    readme = README.read_text(encoding="utf-8")
    fresh = readme_with_table(readme, asyncio.run(current_docs()))
    if args.check:
        if fresh != readme:
            print("README.md's command table is out of date: run python -m bot.command_docs", file=sys.stderr)
            return 1
        return 0
    if fresh != readme:
        README.write_text(fresh, encoding="utf-8")
        print("wrote README.md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
