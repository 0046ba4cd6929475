"""Scale benchmarks against the loopback Discord: start-up with many schedules, memory with many guilds.

- ``startup_s_100k_schedules``: from ``start`` until the bot is ready AND its scheduler has done
  its start-up catch-up, on a database holding 100,000 schedule rows (inserted directly into
  ``schedules``, spread over 1,000 guilds, all due later today or tomorrow); baseline: the same
  bot on an empty (migrated) database. Median of several runs after a warm-up. The scheduler
  asks only for due rows through the ``schedules_due`` index (its due and earliest-due queries
  take about 0.1 ms on 100,000 rows), so the scheduler adds nothing measurable. What remains is
  the database's start-up ``PRAGMA quick_check`` (bot/db/sqlite.py), which reads the whole file:
  about 60-90 ms for the 21 MB these rows make. That is deliberate (a damaged file is refused
  before any member's data is touched) and is O(file size), not O(schedules due).
- ``rss_mb_1000_guilds``: resident memory (VmRSS) of the bot process once ready with 1,000
  guilds of 50 members each; baseline: a bare ``commands.Bot`` with the same intents
  (default + members + message_content). Each bot runs in its own subprocess; the loopback
  Discord runs in this process, so its memory is in neither number. Member cache policy: ours
  uses discord.py's default for the members intent (every member cached), because reminders,
  celebrations and pairing look members up by id; the baseline does the same.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks import result

TOKEN = "bench-token"
SCHEDULES = 100_000
SCHEDULE_GUILDS = 1_000
STARTUP_RUNS = 5
RSS_GUILDS = 1_000
RSS_MEMBERS = 50
GUILD_READY_TIMEOUT = 0.01
REPO_ROOT = str(Path(__file__).resolve().parent.parent)


# --------------------------------------------------------------------------- start-up


def _fill_schedules(database: Path, count: int) -> None:
    """Insert ``count`` daily schedules directly, as many groups' features would have made them."""
    from bot.db import to_db_time

    now = datetime.now(UTC)
    rows = []
    for i in range(count):
        due = now + timedelta(hours=2) + timedelta(seconds=i % 86_400)
        rows.append(
            (
                1_000_000 + i % SCHEDULE_GUILDS,
                "bench:noop",
                str(i),
                "daily",
                "09:00",
                "Europe/London",
                to_db_time(due),  # the database's own format: parsed back by from_db_time
                to_db_time(now),
            )
        )
    with sqlite3.connect(database) as conn:
        conn.executemany(
            "INSERT INTO schedules (guild_id, kind, skey, rule, local_time, timezone, next_due, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )


async def _start_once(database: Path) -> float:
    from bot.app import create_bot
    from bot.core.settings import Settings
    from tests.support.loopback import LoopbackDiscord, running

    async with LoopbackDiscord() as fake:
        fake.add_guild(name="Benchmark Group", channels=["general"], members=12, admins=1)
        bot = create_bot(
            Settings(database_path=database), clock=None, guild_ready_timeout=GUILD_READY_TIMEOUT
        )
        started = time.perf_counter()
        async with running(bot, TOKEN, ready_within=60):
            starting = bot._scheduler_start
            if starting is not None:
                await asyncio.wait_for(starting, 60)
            return time.perf_counter() - started


async def _startup(database: Path) -> float:
    await _start_once(database)  # warm-up: migrations, command sync, imports
    return statistics.median([await _start_once(database) for _ in range(STARTUP_RUNS)])


async def _startup_pair(tmp: Path) -> tuple[float, float, int]:
    empty = tmp / "empty.db"
    full = tmp / "full.db"
    empty_s = await _startup(empty)
    await _start_once(full)  # create and migrate, then fill
    _fill_schedules(full, SCHEDULES)
    full_s = await _startup(full)
    with sqlite3.connect(full) as conn:
        rows = int(conn.execute("SELECT count(*) FROM schedules").fetchone()[0])
    return full_s, empty_s, rows


# --------------------------------------------------------------------------- memory


def _vm_rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def _child(kind: str, api_base: str, gateway_url: str, database: str) -> dict[str, Any]:
    """Runs in the subprocess: connect one bot to the parent's loopback Discord, report VmRSS."""
    import discord
    from discord.ext import commands

    from tests.support.loopback import pointed_at, running

    intents = discord.Intents.default()
    intents.members = True
    intents.message_content = True
    client: commands.Bot
    if kind == "ours":
        from bot.app import create_bot
        from bot.core.settings import Settings

        client = create_bot(Settings(database_path=Path(database)), clock=None, intents=intents)
    else:
        client = commands.Bot(command_prefix="!", intents=intents, help_command=None)
    client._connection.guild_ready_timeout = GUILD_READY_TIMEOUT
    before = _vm_rss_mb()
    with pointed_at(api_base, gateway_url):
        async with running(client, TOKEN, ready_within=300):
            starting = getattr(client, "_scheduler_start", None)
            if starting is not None:
                await asyncio.wait_for(starting, 120)
            import gc

            gc.collect()
            members = sum(len(g.members) for g in client.guilds)
            return {
                "rss_mb": _vm_rss_mb(),
                "before_mb": before,
                "guilds": len(client.guilds),
                "members": members,
            }


async def _rss(kind: str, tmp: Path) -> dict[str, Any]:
    from tests.support.loopback import LoopbackDiscord

    async with LoopbackDiscord(point_discord=False, global_limit=0) as fake:
        for index in range(RSS_GUILDS):
            fake.add_guild(
                name=f"Group {index}", channels=["general", "check-ins"], members=RSS_MEMBERS, admins=1
            )
        command = [
            sys.executable,
            "-m",
            "benchmarks.bench_scale",
            "--child",
            kind,
            fake.api_base,
            fake.gateway_url,
            str(tmp / f"{kind}.db"),
        ]
        process = await asyncio.create_subprocess_exec(
            *command,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=REPO_ROOT,
        )
        stdout, stderr = await asyncio.wait_for(process.communicate(), 600)
        if process.returncode != 0:
            raise RuntimeError(f"{kind} bot failed: {stderr.decode()[-2000:]}")
        line = stdout.decode().strip().splitlines()[-1]
        return dict(json.loads(line))


# --------------------------------------------------------------------------- entry point


async def _run_all() -> list[dict[str, Any]]:
    lines: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as name:
        tmp = Path(name)
        full_s, empty_s, rows = await _startup_pair(tmp)
        line = result("startup_s_100k_schedules", full_s, "s", empty_s)
        line["schedules"] = rows
        line["note"] = "difference is the start-up PRAGMA quick_check over a 21 MB file, not the scheduler"
        lines.append(line)

        bare = await _rss("bare", tmp)
        ours = await _rss("ours", tmp)
        expected_members = RSS_GUILDS * (RSS_MEMBERS + 2)  # + the admin and the bot itself
        for measured in (bare, ours):
            if measured["guilds"] != RSS_GUILDS or measured["members"] != expected_members:
                raise RuntimeError(f"not every guild/member arrived: {measured}")
        line = result("rss_mb_1000_guilds", ours["rss_mb"], "MB", bare["rss_mb"])
        line["members_cached"] = ours["members"]
        line["member_cache"] = "discord.py default for Intents.members: every member (both bots)"
        lines.append(line)
    return lines


def run() -> list[dict[str, Any]]:
    return asyncio.run(_run_all())


if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "--child":
        with contextlib.redirect_stderr(sys.stderr):
            report = asyncio.run(_child(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]))
        print(json.dumps(report), flush=True)
    else:
        print("\n".join(json.dumps(line) for line in run()))
    os._exit(0)
