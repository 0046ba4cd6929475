"""/prompt poll: Discord's native poll for logistics, checked against its limits, never for moods."""

from __future__ import annotations

import pytest

from bot.community.polls import MAX_HOURS, poll_plan
from bot.core.errors import UserError
from tests.conftest import allow_command, expected_errors


def _polls(channel):
    return [m for m in channel.history() if m.poll is not None]


async def test_a_facilitator_posts_a_poll_members_vote_and_the_reply_says_votes_are_visible(group):
    result = await group.facilitator.slash(
        group.general,
        "prompt poll",
        question="Which evening suits the next session?",
        answers="Monday; Tuesday ;Thursday",
        hours=48,
    )
    assert result.ephemeral and "Poll posted" in result.response.content
    assert "Everyone can see who voted" in result.response.content
    (message,) = _polls(group.general)
    poll = message.poll
    assert poll.question == "Which evening suits the next session?"
    assert [a.text for a in poll.answers] == ["Monday", "Tuesday", "Thursday"]
    assert not poll.multiple
    assert round(poll.duration.total_seconds() / 3600) == 48
    # A member votes through Discord's own poll; the bot stores nothing about it.
    group.env.backend.add_poll_vote(group.general.id, message.id, poll.answers[1].id, group.member.id)
    rows = await group.bot.db.fetch_all("SELECT action FROM privacy_audit WHERE action = 'prompts:poll'")
    assert len(rows) == 1


async def test_a_poll_about_moods_is_refused_kindly_and_nothing_is_posted(group):
    result = await group.facilitator.slash(
        group.general, "prompt poll", question="How are you feeling this week?", answers="good; ok; bad"
    )
    assert result.ephemeral and "only for logistics" in result.response.content
    assert "/checkin" in result.response.content
    assert _polls(group.general) == []
    assert len(expected_errors(group.env)) == 1


async def test_polls_are_facilitator_only(group):
    allow_command(group, "prompt", group.member)
    result = await group.member.slash(group.general, "prompt poll", question="Which day?", answers="mon; tue")
    assert result.ephemeral and "facilitators" in result.response.content
    assert len(expected_errors(group.env)) == 1
    assert _polls(group.general) == []


@pytest.mark.parametrize(
    ("question", "answers", "hours", "says"),
    [
        ("", "a; b", 24, "The question is empty"),
        ("q" * 301, "a; b", 24, "301 characters; Discord allows 300"),
        ("Which day?", "monday", 24, "at least two answers"),
        ("Which day?", ";".join(str(i) for i in range(11)), 24, "11 answers; Discord allows 10"),
        ("Which day?", "a; " + "b" * 56, 24, "56 characters; Discord allows 55"),
        ("Which day?", "Monday; monday", 24, "Two answers are the same"),
        ("Which day?", "a; b", 0, "from 1 hour to 768 hours"),
        ("Which day?", "a; b", MAX_HOURS + 1, "you gave 769"),
        ("Which topic: my mood diary or sleep?", "a; b", 24, "only for logistics"),
    ],
)
def test_what_discord_would_refuse_gets_a_kind_error_first(question, answers, hours, says):
    with pytest.raises(UserError, match=says):
        poll_plan(question, answers, hours)


def test_the_limits_themselves_are_allowed():
    plan = poll_plan("q" * 300, ";".join(f"answer {i}" for i in range(10)), MAX_HOURS, multiple=True)
    assert len(plan.answers) == 10 and plan.hours == MAX_HOURS and plan.multiple
