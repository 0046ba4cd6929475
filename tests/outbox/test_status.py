"""``/status``: the owner sees the queue; nobody else does."""

from __future__ import annotations

from bot.demo.stage import Group


async def test_the_owner_sees_queue_depth_and_failures(group: Group) -> None:
    bot, channel = group.bot, group.channels["wins"]
    bot.owner_ids = {group.admin.id}
    now = group.clock.now()
    async with bot.db.transaction() as tx:
        for key in ("a", "b"):
            await bot.outbox.repo.add(
                tx,
                guild_id=group.guild.id,
                kind="test:post",
                dedupe_key=key,
                nonce=key,
                priority=50,
                channel_id=channel.id,
                user_id=None,
                payload={"content": "x"},
                ref="",
                due_at=now,
                now=now,
            )
    (first, _) = await bot.outbox.repo.all()
    await bot.outbox.repo.take_due(now, 1)  # the worker takes the first, and it fails
    await bot.outbox.repo.mark_settled(first.outbox_id, "failed", "server error 503", now)

    result = await group.admin.slash(group.general, "status")

    text = result.response.content
    assert result.response.ephemeral
    assert "Waiting to send: 1" in text
    assert f"<t:{int(now.timestamp())}:F>" in text
    assert "Failed in the last day: 1" in text


async def test_anyone_else_is_refused(group: Group) -> None:
    group.bot.owner_ids = {group.admin.id}
    result = await group.member.slash(group.general, "status")

    assert result.response.ephemeral
    assert "Only the person who runs this bot" in result.response.content
    assert "Send queue" not in result.response.content


def test_a_sharded_process_says_whose_queue_it_shows() -> None:
    from bot.core.outbox_store import OutboxHealth
    from cogs.status import render_status

    health = OutboxHealth(pending=0, oldest_due=None, failed_last_day=0, sent_last_day=3, skipped_last_day=0)
    assert "**Send queue** (this process, shards 2, 3)" in render_status(health, 48, 48, (2, 3))
    assert render_status(health, 48, 48).startswith("**Send queue**\n")
