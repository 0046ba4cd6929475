"""Facilitator alerts go through the outbox ahead of everything else; claims and closes are audited."""

from __future__ import annotations

from datetime import timedelta

from bot.core.outbox import PRIORITY_ALERT, PRIORITY_POST

CONCERN = "everyone would be better off without me"


async def test_the_alert_is_an_outbox_row_at_alert_priority_and_jumps_the_queue(group) -> None:  # type: ignore[no-untyped-def]
    # a daily post waiting in the queue (queued for later in the same minute)
    await group.bot.outbox.enqueue(
        guild_id=group.guild.id,
        kind="test:post",
        key="1",
        channel_id=group.general.id,
        content="a daily post",
        priority=PRIORITY_POST,
        due=group.clock.now() + timedelta(seconds=30),
    )
    await group.member.send(group.general, CONCERN)
    (alert,) = group.channels["alerts"].history()
    rows = {r.kind: r for r in await group.bot.outbox.repo.all()}
    row = rows["crisis:alert"]
    assert row.priority == PRIORITY_ALERT and row.status == "sent" and row.message_id == alert.id
    assert rows["test:post"].status == "pending"
    # the private DM to the member stays direct and immediate
    assert group.member.user.dm_channel.last_message is not None


async def test_an_alert_delayed_by_an_outage_still_has_working_buttons(group) -> None:  # type: ignore[no-untyped-def]
    alerts = group.channels["alerts"]
    group.env.inject_error("POST", f"/channels/{alerts.id}/messages", status=503, times=1)
    await group.member.send(group.general, CONCERN)
    assert alerts.history() == []
    group.clock.advance(timedelta(seconds=5))
    await group.bot.outbox.drain()
    (alert,) = alerts.history()
    await group.facilitator.click(alert, label="I'm reaching out")
    assert f"{group.facilitator.mention} is reaching out" in alerts.last_message.content


async def test_audit_shows_claim_resolve_and_false_alarm_without_words(group) -> None:  # type: ignore[no-untyped-def]
    await group.member.send(group.general, CONCERN)
    await group.members[1].send(group.general, CONCERN)
    first, second = group.channels["alerts"].history()
    await group.facilitator.click(first, label="I'm reaching out")
    await group.facilitator.click(group.channels["alerts"].history()[0], label="Resolved")
    await group.facilitator.click(second, label="False alarm")
    log = await group.admin.slash(group.general, "audit", days=7)
    text = log.response.embeds[0].description
    assert "took a crisis alert (alert #1, concern)" in text
    assert "marked a crisis alert resolved (alert #1, concern)" in text
    assert "marked a crisis alert a false alarm (alert #2, concern)" in text
    assert "better off" not in text and "without me" not in text
