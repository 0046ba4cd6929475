"""Floods: mashing a command, a button or /celebrate gets a kind private answer; nothing more happens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from bot.core.clock import FakeClock
from bot.core.limits import Cooldowns, Limiter
from tests.conftest import expected_errors

START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_a_limiter_allows_count_per_window_then_says_how_long_to_wait():
    clock = FakeClock(START)
    limiter = Limiter(clock, 3, timedelta(seconds=10))
    assert [limiter.hit("a") for _ in range(3)] == [None, None, None]
    assert limiter.hit("a") == 10
    assert limiter.hit("b") is None  # another key is its own
    clock.advance(timedelta(seconds=4))
    assert limiter.hit("a") == 6
    clock.advance(timedelta(seconds=6))
    assert limiter.hit("a") is None  # the oldest left the window


def test_a_limiter_forgets_the_least_recent_keys_first():
    limiter = Limiter(FakeClock(START), 1, timedelta(hours=1), max_keys=100)
    for key in range(1_000):
        limiter.hit(key)
    assert len(limiter) == 100
    assert limiter.hit(999) is not None and limiter.hit(0) is None


@given(st.lists(st.integers(min_value=0, max_value=30), max_size=60))
def test_never_more_than_count_in_any_window(gaps):
    clock = FakeClock(START)
    limiter = Limiter(clock, 4, timedelta(seconds=10))
    allowed = []
    for gap in gaps:
        clock.advance(timedelta(seconds=gap))
        if limiter.hit("k") is None:
            allowed.append(clock.now())
    for i, moment in enumerate(allowed):
        assert sum(moment <= t < moment + timedelta(seconds=10) for t in allowed[i:]) <= 4


async def test_mashing_a_command_is_slowed_kindly_and_support_commands_never_are(group):
    member = group.member
    count = Cooldowns.COMMANDS[0]
    for _ in range(count):
        answered = await member.slash(group.general, "timezone")
        assert "That's a lot at once" not in (answered.response.content or "")
    slowed = await member.slash(group.general, "timezone")
    assert slowed.ephemeral and "That's a lot at once: nothing changed" in slowed.response.content
    # Another member is not slowed by it.
    other = await group.members[1].slash(group.general, "timezone")
    assert "That's a lot at once" not in (other.response.content or "")
    # After the window it works again.
    group.clock.advance(Cooldowns.COMMANDS[1])
    again = await member.slash(group.general, "timezone")
    assert "That's a lot at once" not in (again.response.content or "")
    # Support is never slowed down.
    for _ in range(count * 3):
        lines = await member.slash(group.general, "resources")
        assert "That's a lot at once" not in (lines.response.content or "")


async def test_mashing_a_button_is_slowed_kindly(group):
    await group.admin.slash(group.general, "setup time", purpose="checkin", time="09:00")
    group.clock.set(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    await group.bot.scheduler.run_due()
    post = group.channels["checkins"].last_message
    member = group.member
    for _ in range(Cooldowns.BUTTONS[0]):
        opened = await member.click(post, label="Check in")
        assert opened.modal is not None or "That's a lot" not in (opened.response.content or "")
    slowed = await member.click(post, label="Check in")
    assert slowed.modal is None and slowed.ephemeral
    assert "That's a lot at once: nothing changed" in slowed.response.content


async def test_celebrating_the_same_person_is_limited_per_day(group):
    sender, star = group.members[0], group.members[1]
    per_pair = Cooldowns.CELEBRATE_PAIR[0]
    for n in range(per_pair):
        sent = await sender.slash(group.general, "celebrate", member=star, what=f"Well done {n}")
        assert "privately" in sent.response.content
    refused = await sender.slash(group.general, "celebrate", member=star, what="Once more")
    assert refused.ephemeral and "Save the next one for tomorrow" in refused.response.content
    assert len(expected_errors(group.env)) == 1
    dms = [m.content for m in star.user.dm_channel.history()]
    assert len([d for d in dms if "Well done" in d]) == per_pair and not any("Once more" in d for d in dms)
    # Someone else can still cheer them on, and the next day the sender can again.
    other = await group.members[2].slash(group.general, "celebrate", member=star, what="Go you")
    assert "privately" in other.response.content
    group.clock.advance(timedelta(days=1))
    tomorrow = await sender.slash(group.general, "celebrate", member=star, what="Again today")
    assert "privately" in tomorrow.response.content


async def test_setting_up_a_server_and_facilitating_are_never_slowed(group):
    """An admin's first day is a burst of /setup; facilitators post many prompts in a row."""
    for purpose in ("checkins", "skills", "wins", "pairs", "alerts", "group", "checkins"):
        done = await group.admin.slash(group.general, "setup channel", purpose=purpose, channel=group.general)
        assert "That's a lot at once" not in (done.response.content or "")
    for n in range(Cooldowns.COMMANDS[0] * 2):
        posted = await group.admin.slash(group.general, "prompt post", text=f"Question {n}?")
        assert "That's a lot at once" not in (posted.response.content or ""), n
