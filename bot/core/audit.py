"""The audit log: what facilitators and admins did, never what anyone wrote."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.core.clock import Clock
from bot.db import Database, from_db_time, to_db_time

# Known actions and how /audit shows them; features may record their own ("pairs:round_run").
LABELS: dict[str, str] = {
    "agreement:edited": "edited the group agreement",
    "agreement:reset": "went back to the default agreement",
    "retention:changed": "changed how long data is kept",
    "mydata:deleted": "deleted their own data",
    "mydata:exported": "exported their own data",
    "privacy:purged": "daily clean-up removed data",
    "setup:changed": "changed the group setup",
    "prompts:scheduled": "scheduled a prompt",
    "prompts:edited": "edited a scheduled prompt",
    "prompts:cancelled": "cancelled a scheduled prompt",
    "pairs:round_run": "ran a pair round",
    "pairs:schedule_set": "set the pair round schedule",
    "crisis:claimed": "took a crisis alert",
    "crisis:resolved": "marked a crisis alert resolved",
    "crisis:false_alarm": "marked a crisis alert a false alarm",
}
DETAIL_MAX = 300


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One recorded action."""

    audit_id: int
    guild_id: int
    actor_id: int
    action: str
    detail: str
    created_at: datetime

    def line(self) -> str:
        what = LABELS.get(self.action, self.action)
        actor = "the bot" if self.actor_id == 0 else f"<@{self.actor_id}>"
        detail = f" ({self.detail})" if self.detail else ""
        return f"<t:{int(self.created_at.timestamp())}:f> {actor} {what}{detail}"


class AuditLog:
    """Records and lists the audit log (``privacy_audit``); any feature may record an action."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    async def record(self, guild_id: int, actor_id: int, action: str, detail: str = "") -> None:
        """Record a facilitator or admin action. ``detail`` is short and never holds member text.

        E.g. ``await bot.audit.record(guild.id, user.id, "pairs:round_run", "4 pairs")``.
        ``actor_id`` 0 means the bot itself.
        """
        await self.db.execute(
            "INSERT INTO privacy_audit (guild_id, actor_id, action, detail, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (guild_id, actor_id, action, detail[:DETAIL_MAX], to_db_time(self.clock.now())),
        )

    async def since(self, guild_id: int, since: datetime, limit: int = 200) -> list[AuditEntry]:
        """The group's entries from ``since`` on, newest first."""
        rows = await self.db.fetch_all(
            "SELECT * FROM privacy_audit WHERE guild_id = ? AND created_at >= ? "
            "ORDER BY created_at DESC, audit_id DESC LIMIT ?",
            (guild_id, to_db_time(since), limit),
        )
        return [
            AuditEntry(
                audit_id=int(r["audit_id"]),
                guild_id=int(r["guild_id"]),
                actor_id=int(r["actor_id"]),
                action=str(r["action"]),
                detail=str(r["detail"]),
                created_at=from_db_time(str(r["created_at"])),
            )
            for r in rows
        ]
