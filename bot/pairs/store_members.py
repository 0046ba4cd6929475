"""SQL for who takes part in pairs: opt-ins and goal lines, the confidential avoid lists, and
facilitators' keep-apart and pin-together constraints. Avoid lists never leave here except as
matcher constraints or the member's own list."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from bot.core.crypto import Cipher, cipher_of
from bot.db import Database, Row, from_db_time, to_db_time
from bot.pairs.pairing_types import Constraints

ConstraintKind = Literal["separate", "pin"]


@dataclass(frozen=True, slots=True)
class OptIn:
    guild_id: int
    user_id: int
    goal: str | None
    paused_until: datetime | None


def _optin(row: Row, cipher: Cipher) -> OptIn:
    paused = row["paused_until"]
    return OptIn(
        guild_id=int(row["guild_id"]),
        user_id=int(row["user_id"]),
        goal=cipher.decrypt_optional(row["goal"]),
        paused_until=from_db_time(paused) if paused else None,
    )


def _ordered(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


class PairMemberStore:
    """Opt-ins, avoid lists and facilitator constraints. Every query is scoped by guild."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # -- opt-ins ------------------------------------------------------------------------------

    async def join(self, guild_id: int, user_id: int, goal: str | None, now: datetime) -> None:
        await self.db.execute(
            "INSERT INTO pair_optins (guild_id, user_id, goal, paused_until, joined_at) "
            "VALUES (?, ?, ?, NULL, ?) ON CONFLICT (guild_id, user_id) DO UPDATE SET "
            "goal = COALESCE(excluded.goal, pair_optins.goal), paused_until = NULL",
            (guild_id, user_id, cipher_of(self.db).encrypt_optional(goal), to_db_time(now)),
        )

    async def leave(self, guild_id: int, user_id: int) -> bool:
        return (
            await self.db.execute(
                "DELETE FROM pair_optins WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
            )
            > 0
        )

    async def pause(self, guild_id: int, user_id: int, until: datetime) -> bool:
        return (
            await self.db.execute(
                "UPDATE pair_optins SET paused_until = ? WHERE guild_id = ? AND user_id = ?",
                (to_db_time(until), guild_id, user_id),
            )
            > 0
        )

    async def get_optin(self, guild_id: int, user_id: int) -> OptIn | None:
        row = await self.db.fetch_one(
            "SELECT * FROM pair_optins WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
        )
        return _optin(row, cipher_of(self.db)) if row else None

    async def goals(self, guild_id: int, user_ids: Sequence[int]) -> dict[int, str | None]:
        if not user_ids:
            return {}
        marks = ", ".join("?" for _ in user_ids)
        rows = await self.db.fetch_all(
            f"SELECT user_id, goal FROM pair_optins WHERE guild_id = ? AND user_id IN ({marks})",  # noqa: S608
            (guild_id, *user_ids),
        )
        cipher = cipher_of(self.db)
        return {int(r["user_id"]): cipher.decrypt_optional(r["goal"]) for r in rows}

    async def available(self, guild_id: int, now: datetime) -> list[int]:
        """Opted-in members not paused at ``now`` (and not marked as having left the group)."""
        rows = await self.db.fetch_all(
            "SELECT o.user_id FROM pair_optins o JOIN members m "
            "ON m.guild_id = o.guild_id AND m.user_id = o.user_id AND m.left_at IS NULL "
            "WHERE o.guild_id = ? AND (o.paused_until IS NULL OR o.paused_until <= ?) ORDER BY o.user_id",
            (guild_id, to_db_time(now)),
        )
        return [int(r["user_id"]) for r in rows]

    # -- avoid list (confidential) ------------------------------------------------------------

    async def add_avoid(self, guild_id: int, user_id: int, avoided_id: int, now: datetime) -> None:
        await self.db.execute(
            "INSERT INTO pair_avoid (guild_id, user_id, avoided_id, created_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (guild_id, user_id, avoided_id) DO NOTHING",
            (guild_id, user_id, avoided_id, to_db_time(now)),
        )

    async def remove_avoid(self, guild_id: int, user_id: int, avoided_id: int) -> bool:
        return (
            await self.db.execute(
                "DELETE FROM pair_avoid WHERE guild_id = ? AND user_id = ? AND avoided_id = ?",
                (guild_id, user_id, avoided_id),
            )
            > 0
        )

    async def avoid_list(self, guild_id: int, user_id: int) -> list[int]:
        rows = await self.db.fetch_all(
            "SELECT avoided_id FROM pair_avoid WHERE guild_id = ? AND user_id = ? "
            "ORDER BY created_at, avoided_id",
            (guild_id, user_id),
        )
        return [int(r["avoided_id"]) for r in rows]

    # -- facilitator constraints --------------------------------------------------------------

    async def set_constraint(
        self, guild_id: int, kind: ConstraintKind, a: int, b: int, now: datetime
    ) -> None:
        """Keep apart or pin together; the opposite constraint on the same two is dropped."""
        low, high = _ordered(a, b)
        other = "pin" if kind == "separate" else "separate"
        async with self.db.transaction() as tx:
            await tx.execute(
                "DELETE FROM pair_constraints "
                "WHERE guild_id = ? AND kind = ? AND member_a = ? AND member_b = ?",
                (guild_id, other, low, high),
            )
            await tx.execute(
                "INSERT INTO pair_constraints (guild_id, kind, member_a, member_b, created_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (guild_id, kind, member_a, member_b) DO NOTHING",
                (guild_id, kind, low, high, to_db_time(now)),
            )

    async def clear_constraints(self, guild_id: int, a: int, b: int) -> int:
        low, high = _ordered(a, b)
        return await self.db.execute(
            "DELETE FROM pair_constraints WHERE guild_id = ? AND member_a = ? AND member_b = ?",
            (guild_id, low, high),
        )

    async def constraints(self, guild_id: int) -> Constraints:
        """Everything the matcher must respect: avoid lists, keep-apart and pins."""
        avoid = await self.db.fetch_all(
            "SELECT user_id, avoided_id FROM pair_avoid WHERE guild_id = ?", (guild_id,)
        )
        rows = await self.db.fetch_all(
            "SELECT kind, member_a, member_b FROM pair_constraints WHERE guild_id = ?", (guild_id,)
        )
        return Constraints(
            avoid=[(int(r["user_id"]), int(r["avoided_id"])) for r in avoid],
            separate=[(int(r["member_a"]), int(r["member_b"])) for r in rows if r["kind"] == "separate"],
            pin=[(int(r["member_a"]), int(r["member_b"])) for r in rows if r["kind"] == "pin"],
        )

    # -- a member's data ----------------------------------------------------------------------

    async def forget_member(self, guild_id: int, user_id: int) -> None:
        """Opt-in and avoid list go when a member leaves the group; past rounds stay as history."""
        async with self.db.transaction() as tx:
            await tx.execute(
                "DELETE FROM pair_optins WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
            )
            await tx.execute("DELETE FROM pair_avoid WHERE guild_id = ? AND user_id = ?", (guild_id, user_id))
            await tx.execute(
                "DELETE FROM pair_waiting WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
            )
