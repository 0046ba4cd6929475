"""Every chart the bot sends carries alt text (the attachment's description) saying what it shows."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

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
    [digest] = [m for m in group.channels["alerts"].history() if "Before the session" in m.content]
    (chart,) = digest.attachments
    assert chart.filename == "group-pulse.png"
    assert chart.description is not None
    assert chart.description.startswith("Group pulse")
    assert "check-ins per day" in chart.description and "average mood" in chart.description
