"""``checkin_burst_ack_p99_ms_pg``: the check-in burst with the bot on PostgreSQL, beside SQLite.

The workload is ``checkin_burst_ack_p99_ms``'s (benchmarks/bench_checkins.py, reused as is): 300
members press **Check in** on the daily post, then all 300 submit the form, against the loopback
Discord; p99 acknowledgement latency per burst. Here our bot runs it on SQLite and on PostgreSQL
(a fresh schema at ``RESILIENCE_TEST_PG_URL``, default ``postgresql://postgres@127.0.0.1:5432/test``)
in the order bare, SQLite, PostgreSQL, PostgreSQL, SQLite, bare, so the machine's drift during
the run falls evenly on both backends. The line's ``value`` is the PostgreSQL median p99, its
``sqlite_value`` the SQLite one from this same run, its baseline the bare discord.py bot's.
Where PostgreSQL does not answer the line says ``skipped`` and why; a failure once it answered
is a crash. Tiny and ``start``: as ``bench_checkins``.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

from benchmarks import clock_at, pg_url, result, settings
from benchmarks.bench_checkins import (
    ACK_LIMIT_MS,
    GUILD_READY_TIMEOUT,
    TINY,
    TOKEN,
    BotFactory,
    Sizes,
    _burst_ack,
    _ours_saved,
    bare_bot,
    our_bot_factory,
)
from bot.core.clock import Clock

METRIC = "checkin_burst_ack_p99_ms_pg"


def pg_bot_factory(url: str, clock: Clock | None = None) -> BotFactory:
    """Our bot on the PostgreSQL database ``url`` (as ``our_bot_factory`` does for SQLite)."""
    from bot.app import create_bot
    from bot.core.crypto import generate_key

    key = generate_key()

    def build() -> Any:
        bot = create_bot(settings(database_url=url, discord_token=TOKEN, encryption_key=key), clock=clock)
        bot._connection.guild_ready_timeout = GUILD_READY_TIMEOUT
        return bot

    return build


async def _side_by_side(sizes: Sizes, clock: Clock) -> dict[str, Any]:
    from bot.db.url import redact
    from tests.support.pg import fresh_schema, unavailable_reason

    url = pg_url()
    reason = await asyncio.to_thread(unavailable_reason, url)
    if reason is not None:
        return {"metric": METRIC, "skipped": f"PostgreSQL does not answer at {redact(url)}: {reason}"}
    p99: dict[str, list[float]] = {"bare": [], "sqlite": [], "pg": []}
    worst = {"sqlite": 0.0, "pg": 0.0}
    with tempfile.TemporaryDirectory(prefix="bench-checkins-pg-") as tmp:
        for run, side in enumerate(("bare", "sqlite", "pg", "pg", "sqlite", "bare")):
            if side == "bare":
                p99s, _ = await _burst_ack(bare_bot, lambda c: c == "ok", ours=False, sizes=sizes)
            elif side == "sqlite":
                build = our_bot_factory(Path(tmp) / f"burst{run}.db", clock)
                p99s, run_worst = await _burst_ack(build, _ours_saved, ours=True, sizes=sizes)
                worst[side] = max(worst[side], run_worst)
            else:
                with fresh_schema(url) as schema:
                    build = pg_bot_factory(schema, clock)
                    p99s, run_worst = await _burst_ack(build, _ours_saved, ours=True, sizes=sizes)
                worst[side] = max(worst[side], run_worst)
            p99[side] += p99s
    line = result(METRIC, statistics.median(p99["pg"]), "ms", statistics.median(p99["bare"]))
    line["sqlite_value"] = round(statistics.median(p99["sqlite"]), 3)
    line["members"] = sizes.burst
    line["max_ms"] = round(worst["pg"], 3)
    line["over_3s"] = worst["pg"] > ACK_LIMIT_MS
    return line


def run(*, tiny: bool = False, start: datetime | None = None) -> list[dict[str, Any]]:
    return [asyncio.run(_side_by_side(TINY if tiny else Sizes(), clock_at(start)))]


if __name__ == "__main__":
    import json

    for line in run():
        print(json.dumps(line))
