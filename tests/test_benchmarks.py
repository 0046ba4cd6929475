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
