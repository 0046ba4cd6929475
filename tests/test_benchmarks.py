"""The benchmarks' own machinery works (no timings asserted: ``make bench`` measures)."""

from __future__ import annotations

import importlib

from benchmarks.__main__ import discover
from benchmarks.bench_checkins import _build, _query_ms


def test_every_benchmark_module_imports_and_has_run() -> None:
    names = discover()
    assert names
    for name in names:
        assert callable(importlib.import_module(name).run), name


async def test_the_streak_query_benchmark_reads_through_the_real_repository(tmp_path) -> None:
    db = await _build(tmp_path / "tiny.db", 3)
    try:
        assert await _query_ms(db, 3) > 0
        assert (await db.fetch_one("SELECT COUNT(*) AS n FROM checkins"))["n"] == 3 * 200
    finally:
        await db.close()


def test_scale_schedules_are_written_in_the_databases_own_time_format(tmp_path) -> None:
    """A timestamp with microseconds (most moments) once broke start-up parsing in bench_scale."""
    import asyncio
    import sqlite3

    from benchmarks.bench_scale import _fill_schedules
    from bot.db import SqliteDatabase, from_db_time

    async def migrate() -> None:
        db = SqliteDatabase(tmp_path / "scale.db")
        await db.connect()
        await db.migrate()
        await db.close()

    asyncio.run(migrate())
    _fill_schedules(tmp_path / "scale.db", 3)
    with sqlite3.connect(tmp_path / "scale.db") as conn:
        rows = conn.execute("SELECT next_due, created_at FROM schedules").fetchall()
    assert len(rows) == 3
    for due, created in rows:
        assert from_db_time(due) > from_db_time(created)


async def test_the_transport_benchmark_builds_its_bot_with_no_env(tmp_path, monkeypatch) -> None:
    """It makes its own key: a bot with a token refuses to start without one."""
    from benchmarks.bench_transport import our_bot_factory
    from tests.support.loopback import LoopbackDiscord, running

    monkeypatch.delenv("ENCRYPTION_KEY", raising=False)
    async with LoopbackDiscord() as fake:
        fake.add_guild(name="Benchmark Group", channels=["general"], members=2, admins=1)
        bot = our_bot_factory(tmp_path / "transport.db")()
        async with running(bot, "bench-token", ready_within=30):
            assert bot.is_ready()


def test_the_crisis_benchmark_scores_the_test_split_beside_the_rules() -> None:
    from benchmarks import bench_crisis

    lines = bench_crisis.run(seconds=0.02, limit=40)
    metrics = {line["metric"]: line for line in lines}
    for name in (*bench_crisis.RATES, "crisis_messages_per_s", "crisis_model_rss_mb"):
        assert name in metrics, name
    assert all("baseline" in line for line in lines)
    assert metrics["crisis_recall"]["texts"] == 40
