"""Facilitators' polls for logistics (a session time, a topic vote), checked against Discord's limits.

Discord's native poll shows who voted for what, so a poll is never the place for moods or
anything personal: :func:`poll_plan` refuses a question about feelings and points to the
private check-in instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.core.errors import UserError

# Discord's limits for a poll (its API docs, "Poll Create Request Object"): the question up to 300 characters,
# 1 to 10 answers of up to 55 characters, open for 1 hour to 32 days.
QUESTION_LIMIT = 300
ANSWER_LIMIT = 55
MAX_ANSWERS = 10
MAX_HOURS = 32 * 24

# Words that make a poll personal: votes are visible to everyone in the channel.
_PERSONAL = re.compile(
    r"\b(mood|moods|feel|feeling|feelings|felt|emotion|emotions|how are (?:you|we|u)|anxious|anxiety|"
    r"depressed|depression|sad|lonely|suicidal|self[- ]?harm|crisis|struggling|coping|cope)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class PollPlan:
    question: str
    answers: tuple[str, ...]
    hours: int
    multiple: bool


def poll_plan(question: str, answers: str, hours: int, *, multiple: bool = False) -> PollPlan:
    """The poll to post, or a kind :class:`UserError` saying what to change."""
    asked = question.strip()
    if not asked:
        raise UserError("The question is empty. Try something like `Which evening suits the next session?`")
    if len(asked) > QUESTION_LIMIT:
        raise UserError(
            f"The question is {len(asked):,} characters; Discord allows {QUESTION_LIMIT}. Please shorten it."
        )
    if _PERSONAL.search(asked):
        raise UserError(
            "A poll shows everyone who voted for what, so it's only for logistics (a time, a topic). "
            "For how people are doing, the private `/checkin` keeps each answer to the member."
        )
    choices = tuple(a.strip() for a in re.split(r"[;|\n]", answers) if a.strip())
    if len(choices) < 2:
        raise UserError(
            "A poll needs at least two answers, separated by `;`, like `Monday; Tuesday; Thursday`."
        )
    if len(choices) > MAX_ANSWERS:
        raise UserError(f"That's {len(choices)} answers; Discord allows {MAX_ANSWERS}. Please drop a few.")
    long = next((a for a in choices if len(a) > ANSWER_LIMIT), None)
    if long is not None:
        raise UserError(
            f"One answer is {len(long)} characters; Discord allows {ANSWER_LIMIT} per answer. "
            f"Please shorten `{long[:20]}…`."
        )
    if len({a.casefold() for a in choices}) < len(choices):
        raise UserError("Two answers are the same. Each answer needs to be different.")
    if not 1 <= hours <= MAX_HOURS:
        raise UserError(f"A poll can stay open from 1 hour to {MAX_HOURS} hours (32 days); you gave {hours}.")
    return PollPlan(asked, choices, hours, multiple)
