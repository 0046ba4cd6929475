"""The daily check-in post goes through the outbox: once per day, even if its handler runs twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.support.cards import visible_text


async def test_the_daily_post_is_one_outbox_row_per_day(group) -> None:  # type: ignore[no-untyped-def]
    await group.admin.slash(group.general, "setup time", purpose="checkin", time="09:00")
    occurrence = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    group.clock.set(occurrence)
    await group.bot.scheduler.run_due()
    channel = group.channels["checkins"]
    (row,) = [r for r in await group.bot.outbox.repo.all() if r.kind == "checkin:post"]
    assert row.status == "sent" and row.message_id == channel.last_message.id
    # a handler re-run for the same occurrence (a crash after enqueueing) adds nothing
    schedule = await group.bot.scheduler.get(group.guild.id, "checkin:post")
    await group.bot.get_cog("Checkins").post_daily(schedule, occurrence)
    await group.bot.outbox.drain()
    posts = [m for m in channel.history() if "Daily check-in" in visible_text(m)]
    assert len(posts) == 1


async def test_an_outage_delays_the_post_without_losing_it(group) -> None:  # type: ignore[no-untyped-def]
    await group.admin.slash(group.general, "setup time", purpose="checkin", time="09:00")
    channel = group.channels["checkins"]
    group.env.inject_error("POST", f"/channels/{channel.id}/messages", status=503, times=2)
    group.clock.set(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    await group.bot.scheduler.run_due()
    assert channel.last_message is None
    for _ in range(3):
        group.clock.advance(timedelta(minutes=1))
        await group.bot.outbox.drain()
    assert "Daily check-in" in visible_text(channel.last_message)
