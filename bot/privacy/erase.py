"""Which tables hold rows about a member, found from the live schema so new features are covered."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# Columns that name the member a row is about. Order matters: the first match is used.
MEMBER_COLUMNS: tuple[str, ...] = ("user_id", "member_id")

# Rows that mention a member but belong to someone else's safety decision: another member's
# confidential "never pair me with" list and a facilitator's "keep apart" constraint. Deleting
# them on request would let the very pairing they prevent happen, so they stay.
KEPT_FOR_OTHERS: tuple[tuple[str, str], ...] = (
    ("pair_avoid", "avoided_id"),
    ("pair_constraints", "member_a"),
    ("pair_constraints", "member_b"),
)

# Columns naming a second member in a row about someone else: the member a harassment alert
# was raised to protect. When that member asks to be erased, their id goes and the alert (about
# the writer) stays, so the facilitators' record of the moderation matter is kept.
MENTION_COLUMNS: tuple[tuple[str, str], ...] = (("crisis_alerts", "target_id"),)

# Tables keyed by the person only (not a group): touched only when the member asks.
PERSONAL_TABLES: tuple[str, ...] = ("safety_plans",)

# Identifiers kept per person only to reach them (their DM channel id): exported with any
# group's data and deleted with it, since the bot can look them up again from Discord.
PERSON_CACHES: tuple[str, ...] = ("dm_channels",)

# Readable names for the counts a member is shown; unknown tables fall back to their own name.
AREAS: Mapping[str, str] = {
    "members": "membership and privacy choices",
    "checkins": "check-ins",
    "checkin_pauses": "check-in pauses",
    "checkin_reminders": "check-in reminders",
    "checkin_recaps": "weekly check-in recap",
    "skill_practice": "skills practised",
    "skill_toolkit": "saved skills",
    "pair_optins": "pairs sign-up",
    "pair_avoid": "pairing preferences",
    "pair_group_members": "pair groups",
    "pair_answers": "pair follow-up answers",
    "pair_sat_out": "pair rounds sat out",
    "pair_waiting": "pair waiting list",
    "crisis_events": "support replies",
    "crisis_alerts": "facilitator alerts",
    "crisis_optouts": "support-reply opt-out",
    "crisis_alerts.target_id": "named in a moderation alert (your name removed)",
    "safety_plans": "safety plan",
    "dm_channels": "your DM channel id (where reminders go)",
    "community_rsvps": "session replies",
    "community_session_dms": "session reminders",
    "community_goals": "goals",
    "community_wins": "shared wins (stored copy)",
    "community_milestones": "milestones celebrated",
    "community_goal_shares": "goals shared with partners",
    "schedules": "personal reminders",
}


@dataclass(frozen=True, slots=True)
class MemberTable:
    """A table with rows about one member in one group."""

    table: str
    column: str


def member_tables(schema: Mapping[str, Sequence[str]]) -> list[MemberTable]:
    """Every table that has ``guild_id`` and a member column, in name order.

    ``schema`` maps table name to its column names (from ``PRAGMA table_info``).
    """
    found = []
    for table in sorted(schema):
        columns = set(schema[table])
        if "guild_id" not in columns:
            continue
        for column in MEMBER_COLUMNS:
            if column in columns:
                found.append(MemberTable(table, column))
                break
    return found


def personal_tables(schema: Mapping[str, Sequence[str]]) -> list[MemberTable]:
    """Tables keyed by user id alone (a safety plan belongs to the person, not the group)."""
    return [MemberTable(t, "user_id") for t in PERSONAL_TABLES if t in schema and "user_id" in schema[t]]


def person_caches(schema: Mapping[str, Sequence[str]]) -> list[MemberTable]:
    """The :data:`PERSON_CACHES` this database has, keyed by user id alone."""
    return [MemberTable(t, "user_id") for t in PERSON_CACHES if t in schema and "user_id" in schema[t]]


def area(table: str) -> str:
    return AREAS.get(table, table.replace("_", " "))


def summarise(counts: Mapping[str, int]) -> list[str]:
    """``["check-ins: 3", ...]`` for tables that had rows, merging tables with the same area."""
    merged: dict[str, int] = {}
    for table, count in counts.items():
        if count:
            name = area(table)
            merged[name] = merged.get(name, 0) + count
    return [f"{name}: {count}" for name, count in sorted(merged.items())]


def mention_columns(schema: Mapping[str, Sequence[str]]) -> list[MemberTable]:
    """The :data:`MENTION_COLUMNS` this database has (``guild_id`` and the column both present)."""
    return [
        MemberTable(t, c) for t, c in MENTION_COLUMNS if t in schema and {"guild_id", c} <= set(schema[t])
    ]
