"""Every chart the bot sends carries alt text (the attachment's description) saying what it shows."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from tests.checkins.conftest import check_in
from tests.support.cards import gallery_items, is_card, visible_text

LONDON = ZoneInfo("Europe/London")


async def share_checkins(group, moods: dict[int, list[int]]) -> None:  # type: ignore[no-untyped-def]
    """Members (by index) who agreed and share check-ins, with a mood a day from 18 November."""
    repo, gid, now = group.bot.members, group.guild.id, group.clock.now()
    for index, series in moods.items():
        actor = group.members[index]
        await repo.consent(gid, actor.id, 1, now)
        await repo.set_choice(gid, actor.id, "share_checkins", "aggregate")
        for offset, mood in enumerate(series):
            await group.bot.db.execute(
                "INSERT INTO checkins (guild_id, user_id, local_date, mood, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, '2026-11-18T09:00:00Z', '2026-11-18T09:00:00Z')",
                (gid, actor.id, (date(2026, 11, 18) + timedelta(days=offset)).isoformat(), mood),
            )


async def test_the_session_digest_chart_has_alt_text(group):  # type: ignore[no-untyped-def]
    await share_checkins(group, {0: [2, 3, 4], 1: [4, 4, 5]})
    await group.facilitator.slash(group.general, "session set", weekday="tuesday", time="18:30")
    group.clock.set(datetime(2026, 11, 24, 15, 30, tzinfo=LONDON))
    await group.bot.scheduler.run_due()
    await group.env.settle()
    [digest] = [m for m in group.channels["alerts"].history() if "Before the session" in visible_text(m)]
    (chart,) = digest.attachments
    assert chart.filename == "group-pulse.png"
    assert chart.description is not None
    assert chart.description.startswith("Group pulse")
    assert "check-ins per day" in chart.description and "average mood" in chart.description
    # A Components V2 card: the chart is shown in its MediaGallery, with the same words as alt text.
    assert is_card(digest)
    (item,) = gallery_items(digest)
    assert item["description"] == chart.description
    assert item["media"]["url"] == chart.url


async def test_mood_history_chart_has_alt_text(group):  # type: ignore[no-untyped-def]
    await check_in(group.member, group.general, mood="2", emotions=["sad"], day="yesterday")
    await check_in(group.member, group.general, mood="4", emotions=["calm"])
    result = await group.member.slash(group.general, "checkin history", days=7)
    message = result.followups[-1] if result.followups else result.response
    (chart,) = message.attachments
    assert chart.filename == "mood-history.png"
    assert chart.description is not None
    assert chart.description.startswith("Your mood, last 7 days. Line chart")
    assert "2 check-ins over 7 days" in chart.description
    assert "lowest 2 (low), highest 4 (good)" in chart.description


async def test_a_single_check_in_is_said_in_words_not_drawn(group):  # type: ignore[no-untyped-def]
    await check_in(group.member, group.general, mood="4", emotions=["calm"])
    result = await group.member.slash(group.general, "checkin history", days=7)
    message = result.followups[-1] if result.followups else result.response
    assert result.ephemeral
    assert message.attachments == []
    assert "One check-in so far" in visible_text(message)
    assert "chart starts once there are two" in visible_text(message)


async def test_group_pulse_chart_has_alt_text(group):  # type: ignore[no-untyped-def]
    for actor in group.members[:2]:
        await check_in(actor, group.general, mood="3")
        await group.bot.members.set_choice(group.guild.id, actor.id, "share_checkins", "aggregate")
    result = await group.facilitator.slash(group.general, "group pulse", days=7)
    message = result.followups[-1] if result.followups else result.response
    (chart,) = message.attachments
    assert chart.filename == "group-pulse.png"
    assert chart.description is not None
    assert chart.description.startswith("Group pulse, last 7 days.")
    assert "2 in all" in chart.description
