"""SQL for the community settings, prompts and sessions. Every query is scoped by guild."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from bot.community.sessions import SessionPlan
from bot.db import Database, Row, to_db_time


@dataclass(frozen=True, slots=True)
class CommunitySettings:
    guild_id: int
    quiet_start: time | None = None
    quiet_end: time | None = None
    plan: SessionPlan | None = None
    reminder_hours: tuple[int, ...] = (24, 1)
    digest_hours: int = 3
    cover: str | None = None


@dataclass(frozen=True, slots=True)
class PromptRow:
    prompt_id: int
    guild_id: int
    text: str | None
    library_id: str | None
    channel_id: int | None
    thread: bool
    paused: bool


def _settings(guild_id: int, row: Row | None) -> CommunitySettings:
    if row is None:
        return CommunitySettings(guild_id)
    plan = None
    if row["session_weekday"] is not None and row["session_time"] and row["session_anchor"]:
        plan = SessionPlan(
            weekday=int(row["session_weekday"]),
            at=time.fromisoformat(row["session_time"]),
            every_weeks=int(row["session_every_weeks"]),
            anchor=date.fromisoformat(row["session_anchor"]),
            where=row["session_where"],
        )
    hours = tuple(int(h) for h in str(row["reminder_hours"]).split(",") if h)
    return CommunitySettings(
        guild_id=guild_id,
        quiet_start=time.fromisoformat(row["quiet_start"]) if row["quiet_start"] else None,
        quiet_end=time.fromisoformat(row["quiet_end"]) if row["quiet_end"] else None,
        plan=plan,
        reminder_hours=hours,
        digest_hours=int(row["digest_hours"]),
        cover=row["session_cover"],
    )


def _prompt(row: Row) -> PromptRow:
    return PromptRow(
        prompt_id=int(row["prompt_id"]),
        guild_id=int(row["guild_id"]),
        text=row["text"],
        library_id=row["library_id"],
        channel_id=int(row["channel_id"]) if row["channel_id"] is not None else None,
        thread=bool(row["thread"]),
        paused=bool(row["paused"]),
    )


_SETTING_COLUMNS = frozenset(
    {
        "quiet_start",
        "quiet_end",
        "session_weekday",
        "session_time",
        "session_every_weeks",
        "session_anchor",
        "session_where",
        "reminder_hours",
        "digest_hours",
        "session_cover",
    }
)


class SessionStore:
    """Settings (quiet hours, the session plan), scheduled prompts, skips, RSVPs and session DMs."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # -- settings ---------------------------------------------------------------------------------

    async def settings(self, guild_id: int) -> CommunitySettings:
        row = await self.db.fetch_one("SELECT * FROM community_settings WHERE guild_id = ?", (guild_id,))
        return _settings(guild_id, row)

    async def update_settings(self, guild_id: int, now: datetime, **values: object) -> None:
        """Set some columns; names come from code, never from a user."""
        unknown = set(values) - _SETTING_COLUMNS
        if unknown:
            raise ValueError(f"unknown community settings {sorted(unknown)}")
        async with self.db.transaction() as tx:
            await tx.execute(
                "INSERT INTO community_settings (guild_id, updated_at) VALUES (?, ?) "
                "ON CONFLICT (guild_id) DO NOTHING",
                (guild_id, to_db_time(now)),
            )
            for column, value in values.items():
                await tx.execute(
                    f"UPDATE community_settings SET {column} = ?, updated_at = ? WHERE guild_id = ?",  # noqa: S608
                    (value, to_db_time(now), guild_id),
                )

    # -- prompts ----------------------------------------------------------------------------------

    async def add_prompt(
        self,
        guild_id: int,
        *,
        text: str | None,
        library_id: str | None,
        channel_id: int | None,
        thread: bool,
        now: datetime,
    ) -> int:
        return await self.db.insert(
            "INSERT INTO community_prompts (guild_id, text, library_id, channel_id, thread, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (guild_id, text, library_id, channel_id, int(thread), to_db_time(now)),
        )

    async def prompt(self, guild_id: int, prompt_id: int) -> PromptRow | None:
        row = await self.db.fetch_one(
            "SELECT * FROM community_prompts WHERE guild_id = ? AND prompt_id = ?", (guild_id, prompt_id)
        )
        return _prompt(row) if row else None

    async def prompts(self, guild_id: int) -> list[PromptRow]:
        rows = await self.db.fetch_all(
            "SELECT * FROM community_prompts WHERE guild_id = ? ORDER BY prompt_id", (guild_id,)
        )
        return [_prompt(r) for r in rows]

    async def update_prompt(
        self, guild_id: int, prompt_id: int, *, text: str | None, library_id: str | None
    ) -> None:
        await self.db.execute(
            "UPDATE community_prompts SET text = ?, library_id = ? WHERE guild_id = ? AND prompt_id = ?",
            (text, library_id, guild_id, prompt_id),
        )

    async def set_prompt_paused(self, guild_id: int, prompt_id: int, paused: bool) -> None:
        await self.db.execute(
            "UPDATE community_prompts SET paused = ? WHERE guild_id = ? AND prompt_id = ?",
            (int(paused), guild_id, prompt_id),
        )

    async def delete_prompt(self, guild_id: int, prompt_id: int) -> None:
        await self.db.execute(
            "DELETE FROM community_prompts WHERE guild_id = ? AND prompt_id = ?", (guild_id, prompt_id)
        )

    # -- sessions ---------------------------------------------------------------------------------

    async def skip_session(self, guild_id: int, day: date) -> None:
        await self.db.execute(
            "INSERT INTO community_session_skips (guild_id, session_date) VALUES (?, ?) "
            "ON CONFLICT (guild_id, session_date) DO NOTHING",
            (guild_id, day.isoformat()),
        )

    async def skipped(self, guild_id: int) -> set[date]:
        rows = await self.db.fetch_all(
            "SELECT session_date FROM community_session_skips WHERE guild_id = ?", (guild_id,)
        )
        return {date.fromisoformat(r["session_date"]) for r in rows}

    async def set_rsvp(self, guild_id: int, day: date, user_id: int, going: bool, now: datetime) -> None:
        await self.db.execute(
            "INSERT INTO community_rsvps (guild_id, session_date, user_id, going, updated_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (guild_id, session_date, user_id) DO UPDATE SET "
            "going = excluded.going, updated_at = excluded.updated_at",
            (guild_id, day.isoformat(), user_id, int(going), to_db_time(now)),
        )

    async def rsvp_answers(self, guild_id: int, day: date) -> dict[int, bool]:
        """Member id -> going (True) or can't make it (False), from the reminder's buttons."""
        rows = await self.db.fetch_all(
            "SELECT user_id, going FROM community_rsvps WHERE guild_id = ? AND session_date = ?",
            (guild_id, day.isoformat()),
        )
        return {int(r["user_id"]): bool(r["going"]) for r in rows}

    async def set_session_dm(self, guild_id: int, user_id: int, on: bool, now: datetime) -> None:
        if on:
            await self.db.execute(
                "INSERT INTO community_session_dms (guild_id, user_id, created_at) VALUES (?, ?, ?) "
                "ON CONFLICT (guild_id, user_id) DO NOTHING",
                (guild_id, user_id, to_db_time(now)),
            )
        else:
            await self.db.execute(
                "DELETE FROM community_session_dms WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
            )

    async def session_dm_members(self, guild_id: int) -> list[int]:
        rows = await self.db.fetch_all(
            "SELECT user_id FROM community_session_dms WHERE guild_id = ? ORDER BY user_id", (guild_id,)
        )
        return [int(r["user_id"]) for r in rows]
