"""The safety plan's storage: one plan per person, encrypted at rest, on a real SQLite file."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest_asyncio

from bot.core.crypto import install_ephemeral
from bot.db import SqliteDatabase
from bot.safetyplan.store import SafetyPlanRepository

NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)


@pytest_asyncio.fixture
async def plans(tmp_path: Path) -> AsyncIterator[SafetyPlanRepository]:
    db = SqliteDatabase(tmp_path / "plans.db")
    await db.connect()
    await db.migrate()
    install_ephemeral(db, str(tmp_path / "plans.db"))
    yield SafetyPlanRepository(db)
    await db.close()


async def test_safety_plan_is_per_person(plans):
    assert await plans.get(5) is None
    await plans.save(5, {"warning_signs": "Not sleeping"}, NOW)
    await plans.save(5, {"warning_signs": "Not sleeping", "reasons": "My dog ✨"}, NOW)
    assert await plans.get(5) == {"warning_signs": "Not sleeping", "reasons": "My dog ✨"}
    raw = await plans.db.fetch_one("SELECT sections FROM safety_plans WHERE user_id = 5")
    assert "sleeping" not in raw["sections"] and "dog" not in raw["sections"]  # encrypted at rest
    assert await plans.get(6) is None
    await plans.delete(5)
    assert await plans.get(5) is None
