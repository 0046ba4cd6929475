"""The outbox against the loopback Discord: once, in order, paced, and nothing silently lost."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.app import create_bot
from bot.core.outbox import PRIORITY_CRISIS, PRIORITY_POST, OutboxConfig
from bot.core.settings import Settings
from tests.outbox.conftest import Loop
from tests.support.loopback import MESSAGE_CREATE_ROUTE, running


async def _consent(loop: Loop, user_id: int) -> None:
    await loop.bot.members.consent(loop.guild.id, user_id, 1, loop.clock.now())


async def test_a_queued_dm_is_delivered_with_a_nonce(loop: Loop) -> None:
    person = loop.guild.regular_members[0]
    await loop.bot.outbox.enqueue(
        guild_id=loop.guild.id, kind="test:dm", key="1", user_id=person.id, content="Time to check in."
    )
    report = await loop.bot.outbox.drain()

    (message,) = loop.fake.messages_in(loop.fake.dm_channels[person.id].id)
    assert message["content"] == "Time to check in."
    assert message["nonce"]
    (row,) = await loop.bot.outbox.repo.all()
    assert report.sent == [row.outbox_id]
    assert row.status == "sent" and row.message_id == int(message["id"])


async def test_enqueueing_the_same_send_twice_keeps_one_row(loop: Loop) -> None:
    channel = loop.guild.channel("general")
    for _ in range(2):
        await loop.bot.outbox.enqueue(
            guild_id=loop.guild.id,
            kind="test:post",
            key="7@2026",
            channel_id=channel.id,
            content="Good morning.",
        )
    await loop.bot.outbox.drain()

    assert [m["content"] for m in loop.fake.messages_in(channel.id)] == ["Good morning."]


async def test_a_crash_after_discord_accepted_does_not_post_twice(loop: Loop, clock) -> None:
    channel = loop.guild.channel("general")
    await loop.bot.outbox.enqueue(
        guild_id=loop.guild.id, kind="test:post", key="1", channel_id=channel.id, content="Once only."
    )
    await loop.bot.outbox.drain()
    # What the database holds if the process died between Discord's 200 and marking the row.
    await loop.bot.db.execute("UPDATE outbox SET status = 'sending', message_id = NULL, settled_at = NULL")
    await loop.bot.close()

    again = create_bot(Settings(database_path=loop.database), clock=clock, guild_ready_timeout=0.05)
    async with running(again):
        await loop.started(again)  # resume + catch-up drain
        (row,) = await again.outbox.repo.all()

    assert row.status == "sent"
    assert [m["content"] for m in loop.fake.messages_in(channel.id)] == ["Once only."]
    assert loop.fake.stats.nonce_duplicates == 1
    assert row.message_id == int(loop.fake.messages_in(channel.id)[0]["id"])


async def test_restart_resumes_rows_that_were_never_sent(loop: Loop, clock) -> None:
    people = loop.guild.regular_members
    for person in people:
        await loop.bot.outbox.enqueue(
            guild_id=loop.guild.id, kind="test:dm", key="r", user_id=person.id, content="Reminder."
        )
    await loop.bot.close()  # nothing drained: the process stopped with the queue full

    again = create_bot(Settings(database_path=loop.database), clock=clock, guild_ready_timeout=0.05)
    async with running(again):
        await loop.started(again)
        statuses = [row.status for row in await again.outbox.repo.all()]

    assert statuses == ["sent"] * len(people)
    for person in people:
        assert [m["content"] for m in loop.fake.messages_in(loop.fake.dm_channels[person.id].id)] == [
            "Reminder."
        ]


async def test_crisis_sends_go_before_everything_else(loop: Loop) -> None:
    loop.bot.outbox.config = OutboxConfig(concurrency=1)
    channel = loop.guild.channel("general")
    alerts = loop.guild.channel("alerts")
    for n in range(4):
        await loop.bot.outbox.enqueue(
            guild_id=loop.guild.id,
            kind="test:post",
            key=str(n),
            channel_id=channel.id,
            content=f"post {n}",
            priority=PRIORITY_POST,
        )
    loop.clock.advance(timedelta(minutes=1))  # the alert is newer, and still goes first
    await loop.bot.outbox.enqueue(
        guild_id=loop.guild.id,
        kind="crisis:alert",
        key="a",
        channel_id=alerts.id,
        content="A member may need support.",
        priority=PRIORITY_CRISIS,
    )
    await loop.bot.outbox.drain()

    assert [m["content"] for m in loop.fake.messages] == [
        "A member may need support.",
        "post 0",
        "post 1",
        "post 2",
        "post 3",
    ]


async def test_closed_dms_mark_the_member_and_skip_their_other_dms(loop: Loop) -> None:
    person, other = loop.guild.regular_members[:2]
    for each in (person, other):
        await _consent(loop, each.id)
    loop.fake.closed_dms.add(person.id)
    loop.bot.outbox.config = OutboxConfig(concurrency=1)
    for key in ("a", "b", "c"):
        await loop.bot.outbox.enqueue(
            guild_id=loop.guild.id, kind="test:dm", key=key, user_id=person.id, content=key
        )
    await loop.bot.outbox.enqueue(
        guild_id=loop.guild.id, kind="test:dm", key="a", user_id=other.id, content="hi"
    )
    report = await loop.bot.outbox.drain()

    member = await loop.bot.members.get(loop.guild.id, person.id)
    assert member is not None and member.dm_closed
    assert len(report.skipped) == 3 and len(report.sent) == 1
    assert loop.fake.stats.invalid_requests == 1  # one 50007, then no more tries
    assert loop.fake.stats.messages_created == 1

    # The next fan-out skips them without asking Discord at all.
    await loop.bot.outbox.enqueue(
        guild_id=loop.guild.id, kind="test:dm", key="d", user_id=person.id, content="d"
    )
    await loop.bot.outbox.drain()
    assert loop.fake.stats.invalid_requests == 1

    # They open their DMs and turn a reminder back on (which clears the mark): DMs flow again,
    # without restarting the bot.
    loop.fake.closed_dms.discard(person.id)
    await loop.bot.members.clear_dm_closed(loop.guild.id, person.id)
    await loop.bot.outbox.enqueue(
        guild_id=loop.guild.id, kind="test:dm", key="e", user_id=person.id, content="welcome back"
    )
    again = await loop.bot.outbox.drain()
    assert len(again.sent) == 1
    assert loop.fake.stats.messages_created == 2


async def test_a_server_error_backs_off_then_succeeds(loop: Loop) -> None:
    channel = loop.guild.channel("general")
    loop.fake.fail_next(2, status=503, route=MESSAGE_CREATE_ROUTE)
    await loop.bot.outbox.enqueue(
        guild_id=loop.guild.id, kind="test:post", key="1", channel_id=channel.id, content="After the outage."
    )
    first = await loop.bot.outbox.drain()
    assert first.retrying and not loop.fake.messages_in(channel.id)
    (row,) = await loop.bot.outbox.repo.all()
    assert row.status == "pending" and row.attempts == 1 and row.next_attempt_at > loop.clock.now()

    for _ in range(2):
        loop.advance(300)
        await loop.bot.outbox.drain()

    (row,) = await loop.bot.outbox.repo.all()
    assert row.status == "sent" and row.attempts == 2
    assert [m["content"] for m in loop.fake.messages_in(channel.id)] == ["After the outage."]


@pytest.mark.allow_error_logs
async def test_a_long_outage_ends_in_failed_and_is_counted(loop: Loop) -> None:
    channel = loop.guild.channel("general")
    loop.fake.fail_next(10_000, status=503, route=MESSAGE_CREATE_ROUTE)
    await loop.bot.outbox.enqueue(
        guild_id=loop.guild.id, kind="test:post", key="1", channel_id=channel.id, content="Never arrives."
    )
    await loop.bot.outbox.drain()
    limit = loop.bot.outbox.config.retry_for
    tries = 1
    while (await loop.bot.outbox.repo.all())[0].status == "pending":
        loop.advance(60)
        await loop.bot.outbox.drain()
        tries += 1
        assert tries < 200, "the retries never stopped"

    (row,) = await loop.bot.outbox.repo.all()
    assert row.status == "failed" and row.last_error is not None and "server error 503" in row.last_error
    assert row.first_failure_at is not None and loop.clock.now() - row.first_failure_at <= limit
    health = await loop.bot.outbox.health()
    assert health.failed_last_day == 1 and health.pending == 0
    assert loop.fake.stats.messages_created == 0


async def test_429s_discord_py_cannot_absorb_keep_the_row_and_slow_the_pacer(loop: Loop) -> None:
    channel = loop.guild.channel("general")
    # Six in a row: discord.py retries five times and then gives up with HTTPException(429).
    loop.fake.rate_limit_next(6, retry_after=0.01, route=MESSAGE_CREATE_ROUTE)
    await loop.bot.outbox.enqueue(
        guild_id=loop.guild.id, kind="test:post", key="1", channel_id=channel.id, content="Still here."
    )
    first = await loop.bot.outbox.drain()
    pacer = loop.bot.outbox.pacer
    assert first.retrying
    assert pacer.rate_limits_seen >= 5  # heard from discord.py's own retries
    assert pacer.rate < pacer.ceiling

    loop.advance(5)
    await loop.bot.outbox.drain()
    (row,) = await loop.bot.outbox.repo.all()
    assert row.status == "sent" and row.attempts == 0  # a 429 is not an outage
    assert [m["content"] for m in loop.fake.messages_in(channel.id)] == ["Still here."]


async def test_a_non_persistent_view_is_refused(loop: Loop) -> None:
    import discord

    view = discord.ui.View(timeout=180)
    view.add_item(discord.ui.Button(label="x", custom_id="x:y"))
    with pytest.raises(ValueError, match="persistent"):
        await loop.bot.outbox.enqueue(
            guild_id=loop.guild.id, kind="test:post", key="1", channel_id=1, content="x", view=view
        )


@pytest.mark.allow_error_logs  # the refused row, and the broken callback, are logged as errors
async def test_a_row_given_up_on_calls_its_failure_callback_and_a_broken_one_stops_nothing(
    loop: Loop,
) -> None:
    channel = loop.guild.channel("general")
    seen: list[tuple[str, str]] = []

    async def noted(row, reason):  # type: ignore[no-untyped-def]
        seen.append((row.dedupe_key, reason))
        raise RuntimeError("a fallback with a bug")

    loop.bot.outbox.on_failed("test:post", noted)
    loop.fake.fail_next(1, status=403, route=MESSAGE_CREATE_ROUTE)
    for key in ("1", "2"):
        await loop.bot.outbox.enqueue(
            guild_id=loop.guild.id, kind="test:post", key=key, channel_id=channel.id, content=f"post {key}"
        )
    report = await loop.bot.outbox.drain()
    assert len(report.failed) == 1 and len(report.sent) == 1
    assert [key.split(":")[2] for key, _ in seen] == ["1"] and "forbidden" in seen[0][1]
    assert [m["content"] for m in loop.fake.messages_in(channel.id)] == ["post 2"]


async def test_after_long_downtime_stale_posts_are_skipped_but_alerts_still_go(loop: Loop) -> None:
    from bot.core.outbox import PRIORITY_ALERT

    channel = loop.guild.channel("general")
    for kind, priority in (("test:post", PRIORITY_POST), ("test:alert", PRIORITY_ALERT)):
        await loop.bot.outbox.enqueue(
            guild_id=loop.guild.id, kind=kind, key="1", channel_id=channel.id, content=kind, priority=priority
        )
    loop.advance(60 * 60 * 2 + 60)  # the bot was down just past the two-hour catch-up grace
    report = await loop.bot.outbox.drain()
    assert len(report.sent) == 1 and len(report.skipped) == 1
    rows = {r.kind: r for r in await loop.bot.outbox.repo.all()}
    assert rows["test:post"].status == "skipped" and "too late" in (rows["test:post"].last_error or "")
    assert [m["content"] for m in loop.fake.messages_in(channel.id)] == ["test:alert"]


async def test_a_post_inside_the_grace_still_goes_out_late(loop: Loop) -> None:
    channel = loop.guild.channel("general")
    await loop.bot.outbox.enqueue(
        guild_id=loop.guild.id, kind="test:post", key="1", channel_id=channel.id, content="late but fine"
    )
    loop.advance(60 * 60 * 2 - 60)
    assert len((await loop.bot.outbox.drain()).sent) == 1
