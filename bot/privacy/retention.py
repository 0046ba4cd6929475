"""How long things are kept: the grace after a member leaves, and free text's lifetime."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

DEFAULT_LEAVE_DAYS = 30
DEFAULT_NOTES_DAYS = 180
MAX_DAYS = 3650
PURGE_KIND = "privacy:purge"
BACKUP_KIND = "privacy:backup"


@dataclass(frozen=True, slots=True)
class Retention:
    """A group's retention settings."""

    leave_days: int = DEFAULT_LEAVE_DAYS
    notes_days: int = DEFAULT_NOTES_DAYS

    def leave_cutoff(self, now: datetime) -> datetime:
        """Members who left at or before this are purged."""
        return now - timedelta(days=self.leave_days)

    def notes_cutoff(self, now: datetime) -> datetime:
        """Free text written before this is purged."""
        return now - timedelta(days=self.notes_days)


@dataclass(frozen=True, slots=True)
class FreeText:
    """Free text a feature stores: ``clear`` empties the column, ``delete`` removes the row.

    ``when`` is the row's timestamp column (ISO-8601 UTC text) that decides its age; ``only``
    is an extra SQL condition on the row's own fixed columns (written here, never from input).
    """

    table: str
    column: str
    when: str
    action: Literal["clear", "delete"]
    only: str = ""


# Purged by the daily job; entries whose table or column does not exist are skipped.
FREE_TEXT: tuple[FreeText, ...] = (
    FreeText("checkins", "note", "created_at", "clear"),
    FreeText("community_goals", "note", "updated_at", "clear"),
    FreeText("community_goals", "text", "updated_at", "delete", only="status <> 'open'"),
    FreeText("community_wins", "what", "created_at", "delete"),
)


def validate_days(name: str, value: int, *, minimum: int) -> int:
    if not minimum <= value <= MAX_DAYS:
        raise ValueError(f"{name} must be between {minimum} and {MAX_DAYS} days")
    return value
