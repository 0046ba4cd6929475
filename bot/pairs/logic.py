"""The flow of a pairs round, pure: its dates, the intro and preview texts, the audit summary."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from bot.core.content.models import Skill
from bot.core.wording import plural
from bot.pairs.pairing import PairingResult

GOAL_MAX = 150

FIRST_STEPS = (
    "Say hello and share one small thing you'd like to practise this week.",
    "Pick a day and time to check in with each other, even just by message.",
    "Share one thing that helped you lately, and one thing that's been hard.",
    "Agree on a tiny goal each, and tell each other how it went in a few days.",
    "Swap a favourite way to wind down after a long day.",
)


def round_end(start: datetime, weeks: int) -> datetime:
    """A round lasts until the next one would start."""
    return start + timedelta(weeks=weeks)


def followup_at(start: datetime, end: datetime, day: int | None = None) -> datetime:
    """When the mid-round follow-up goes out (on the minute).

    Halfway through by default; with ``day`` that many days after the start, but never later
    than halfway through the round's last day (so there is still time to act on it).
    """
    middle = start + (end - start) / 2
    if day is not None:
        middle = min(start + timedelta(days=day), end - timedelta(hours=12))
    return middle.replace(second=0, microsecond=0)


def first_step(group_id: int) -> str:
    """The suggested first step for a group (the same group always gets the same one)."""
    return FIRST_STEPS[group_id % len(FIRST_STEPS)]


def skill_of_the_week(skills: Mapping[str, Skill], round_id: int) -> Skill | None:
    """The same skill for every pair in a round, rotating through the library by round."""
    if not skills:
        return None
    ids = sorted(skills)
    return skills[ids[round_id % len(ids)]]


def mention(user_id: int) -> str:
    """Discord's mention markup for a member."""
    return f"<@{user_id}>"


def goal_line(user_id: int, goal: str | None) -> str:
    """A member and what they want accountability for."""
    if goal:
        return f"{mention(user_id)}: wants accountability for *{goal}*"
    return f"{mention(user_id)}: no goal line yet (add one with `/pair join goal:`)"


def intro_text(
    members: Sequence[int],
    goals: Mapping[int, str | None],
    *,
    ends_at: datetime,
    step: str,
    skill: Skill | None,
    group_name: str | None = None,
) -> str:
    """The welcome a new pair (or trio) sees in their thread, or in a DM when threads fail."""
    kind = "trio" if len(members) == 3 else "pair"
    where = f" in **{group_name}**" if group_name else ""
    lines = [
        f"**Your accountability {kind} for this round{where}** (until <t:{int(ends_at.timestamp())}:F>)",
        *(goal_line(m, goals.get(m)) for m in members),
        "",
        f"**A first step:** {step}",
    ]
    if skill is not None:
        lines.append(f"**Skill of the week:** {skill.title}: {skill.why}")
    lines += [
        "",
        "Go at your own pace, keep what's shared here between you, and it's always fine to say "
        "you need a break. `/pair status` shows this again.",
    ]
    return "\n".join(lines)[:2000]


def preview_text(result: PairingResult, *, ends_at: datetime, replaces_active: bool) -> str:
    """What a facilitator sees before approving a round."""
    lines = [f"**Proposed pairs** (round until <t:{int(ends_at.timestamp())}:F>)"]
    for number, group in enumerate(result.groups, 1):
        lines.append(f"{number}. " + " & ".join(mention(m) for m in group))
    if result.repeats:
        lines.append(
            f"{plural(result.repeats, 'pair')} {'has' if result.repeats == 1 else 'have'} met before; "
            "there was no fresher option."
        )
    if result.unplaced:
        lines.append("")
        lines.append("**Couldn't be placed:**")
        lines += [f"- {mention(u.member)}: {u.message}" for u in result.unplaced]
    if result.unmet_pins:
        lines.append("")
        lines.append("**Pins not honoured:**")
        lines += [f"- {' & '.join(mention(m) for m in p.members)}: {p.message}" for p in result.unmet_pins]
    if replaces_active:
        lines.append("")
        lines.append("Approving ends the current round and archives its threads.")
    return "\n".join(lines)[:2000]


def group_count(summary: str) -> str:
    """ "4 pairs" for the audit log, from a round summary (never names or goal lines)."""
    found = re.search(r"(\d+) (?:group|pair)", summary)
    return plural(int(found[1]), "pair") if found else ""
