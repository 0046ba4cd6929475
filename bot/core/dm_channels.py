"""Each person's DM channel id, kept so a DM costs one request (the send), not two.

Discord gives a person one DM channel with the bot and its id does not change, so after the
first ``POST /users/@me/channels`` the outbox sends straight to it. Only when Discord answers
that the channel is gone (10003 Unknown Channel) is it opened again and the new id stored.
"""

from __future__ import annotations

from datetime import datetime

from bot.db import Database, to_db_time


class DmChannelRepository:
    """SQL for ``dm_channels``: one row per person (user id -> channel id)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def get(self, user_id: int) -> int | None:
        row = await self.db.fetch_one("SELECT channel_id FROM dm_channels WHERE user_id = ?", (user_id,))
        return int(row["channel_id"]) if row else None

    async def store(self, user_id: int, channel_id: int, now: datetime) -> None:
        await self.db.execute(
            "INSERT INTO dm_channels (user_id, channel_id, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT (user_id) DO UPDATE SET channel_id = excluded.channel_id, "
            "updated_at = excluded.updated_at",
            (user_id, channel_id, to_db_time(now)),
        )

    async def forget(self, user_id: int) -> None:
        await self.db.execute("DELETE FROM dm_channels WHERE user_id = ?", (user_id,))
