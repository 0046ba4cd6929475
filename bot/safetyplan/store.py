"""SQL for safety plans: one row per person (not per group), the sections encrypted at rest.

All safety-plan SQL lives here, so encryption at rest wraps it in one place.
"""

from __future__ import annotations

import json
from datetime import datetime

from bot.core.crypto import cipher_of
from bot.db import Database, to_db_time


class SafetyPlanRepository:
    """A person's own plan, keyed by their user id. Every statement is parameterised."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def get(self, user_id: int) -> dict[str, str] | None:
        """The plan's sections by key, or None if this person has none."""
        row = await self.db.fetch_one("SELECT sections FROM safety_plans WHERE user_id = ?", (user_id,))
        if row is None:
            return None
        data = json.loads(cipher_of(self.db).decrypt(row["sections"]))
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}

    async def save(self, user_id: int, sections: dict[str, str], now: datetime) -> None:
        """Write the whole plan (every section), creating it if needed."""
        await self.db.execute(
            "INSERT INTO safety_plans (user_id, sections, created_at, updated_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (user_id) DO UPDATE SET sections = excluded.sections, "
            "updated_at = excluded.updated_at",
            (
                user_id,
                cipher_of(self.db).encrypt(json.dumps(sections, ensure_ascii=False, sort_keys=True)),
                to_db_time(now),
                to_db_time(now),
            ),
        )

    async def delete(self, user_id: int) -> None:
        """Delete this person's plan (nothing happens if there is none)."""
        await self.db.execute("DELETE FROM safety_plans WHERE user_id = ?", (user_id,))
