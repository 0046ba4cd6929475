"""``/checkin history`` (a PNG and words) and the facilitators' ``/group pulse``."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.checkins.store import CheckinRepository
from tests.checkins.conftest import check_in
from tests.conftest import allow_command, expected_errors

PNG = b"\x89PNG\r\n\x1a\n"
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


async def test_history_answers_privately_with_a_png_chart_and_summary(group):
    await check_in(group.member, group.general, mood="2", emotions=["sad"], day="yesterday")
    await check_in(group.member, group.general, mood="4", emotions=["calm", "sad"])
    result = await group.member.slash(group.general, "checkin history", days=30)
    message = result.followups[-1] if result.followups else result.response
    assert result.ephemeral
    assert "Your last 30 days" in message.content
    assert "average mood 3.0" in message.content
    assert "Sad (2)" in message.content
    assert "Streak: **2** days" in message.content
    (attachment,) = message.attachments
    assert attachment.filename == "mood-history.png"
    assert (await attachment.read()).startswith(PNG)


async def test_history_before_any_checkin_says_how_to_start(group):
    result = await group.member.slash(group.general, "checkin history")
    assert "/checkin now" in result.response.content
    assert len(expected_errors(group.env)) == 1


async def seed(group, user_id, moods_previous, moods_recent):
    repo = CheckinRepository(group.bot.db)
    today = date(2026, 11, 23)
    for i, mood in enumerate(moods_previous):
        day = today - timedelta(days=13 - i)
        await repo.put(
            group.guild.id, user_id, day, mood=mood, emotions=("calm",), note="x", shared=False, now=NOW
        )
    for i, mood in enumerate(moods_recent):
        day = today - timedelta(days=6 - i)
        await repo.put(
            group.guild.id, user_id, day, mood=mood, emotions=("sad",), note="x", shared=False, now=NOW
        )


async def test_pulse_counts_only_sharing_members_and_names_drops_only_with_followup(group):
    a, b, c = group.members
    for actor in (a, b, c):
        await check_in(actor, group.general, mood="3")  # consent
    members = group.bot.members
    await members.set_choice(group.guild.id, a.id, "share_checkins", "aggregate")
    await members.set_choice(group.guild.id, a.id, "facilitator_followup", True)
    await members.set_choice(group.guild.id, b.id, "share_checkins", "named")
    # c stays private: never counted.
    await seed(group, a.id, [5] * 7, [2] * 7)
    await seed(group, b.id, [5] * 7, [3] * 7)
    await seed(group, c.id, [5] * 7, [1] * 7)
    group.clock.set(NOW)

    result = await group.facilitator.slash(group.general, "group pulse", days=7)
    message = result.followups[-1] if result.followups else result.response
    assert result.ephemeral
    assert "the 2 members who share" in message.content
    assert "14 check-ins" in message.content
    assert "2 members' mood dropped" in message.content
    assert (
        a.mention in message.content and b.mention not in message.content and c.mention not in message.content
    )
    assert "x" not in message.content.split("\n")  # no notes
    (attachment,) = message.attachments
    assert (await attachment.read()).startswith(PNG)


async def test_pulse_is_hidden_and_refused_for_members(group):
    assert "group pulse" not in group.member.available_commands(group.general)
    allow_command(group, "group", group.member)
    result = await group.member.slash(group.general, "group pulse")
    assert "for the group's facilitators" in result.response.content
    assert len(expected_errors(group.env)) == 1
