"""The audit log: what facilitators and admins did, never what anyone wrote."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.core.bot import ResilienceBot

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


async def record_audit(
    bot: ResilienceBot, guild_id: int, actor_id: int, action: str, detail: str = ""
) -> None:
    """Record a facilitator or admin action. ``detail`` is short and never holds member text.

    Any feature may call this, e.g. ``await record_audit(bot, guild.id, user.id,
    "pairs:round_run", "4 pairs")``. ``actor_id`` 0 means the bot itself.
    """
    from bot.privacy.store import PrivacyRepository

    await PrivacyRepository(bot.db).add_audit(
        guild_id, actor_id, action, detail[:DETAIL_MAX], bot.clock.now()
    )
