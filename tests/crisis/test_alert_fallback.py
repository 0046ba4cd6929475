"""When the alerts channel cannot have an alert, every facilitator gets it privately instead."""

from __future__ import annotations

import pytest

from tests.conftest import build_group, show_facilitator_commands

CONCERN = "everyone would be better off without me"


def _dms(actor):
    channel = actor.user.dm_channel
    return [] if channel is None else channel.history()


@pytest.fixture
async def no_alerts_channel(simcord_env, simcord_bot, clock):
    """A group set up with every channel except the alerts channel."""
    group = build_group(simcord_env, simcord_bot, clock)
    admin, general = group.admin, group.general
    for purpose, channel in group.channels.items():
        if purpose != "alerts":
            await admin.slash(general, "setup channel", purpose=purpose, channel=channel)
    await admin.slash(general, "setup facilitator-role", role=group.facilitator_role)
    await admin.slash(general, "setup country", code="GB")
    show_facilitator_commands(group)
    return group


async def test_with_no_alerts_channel_each_facilitator_gets_the_alert_by_dm(no_alerts_channel) -> None:  # type: ignore[no-untyped-def]
    group = no_alerts_channel
    await group.member.send(group.general, CONCERN)
    for facilitator in (group.facilitator, group.admin):  # the role, and Manage Server
        (dm,) = _dms(facilitator)
        assert "no alerts channel set up" in dm.content
        assert group.member.mention in dm.content and "better off" not in dm.content
    assert group.channels["alerts"].history() == []
    # the member themselves gets only their own private reply, and no other member hears of it
    assert all("may need support" not in m.content for m in _dms(group.member))
    assert _dms(group.members[1]) == []


async def test_the_alert_buttons_work_from_a_dm_and_the_second_facilitator_is_told(no_alerts_channel) -> None:  # type: ignore[no-untyped-def]
    group = no_alerts_channel
    await group.member.send(group.general, CONCERN)
    (mine,) = _dms(group.facilitator)
    claimed = await group.facilitator.user.click(mine, label="I'm reaching out")
    assert f"{group.facilitator.mention} is reaching out" in claimed.response.message.content
    (theirs,) = _dms(group.admin)
    second = await group.admin.user.click(theirs, label="I'm reaching out")
    assert f"{group.facilitator.mention} is already reaching out" in second.response.content
    await group.admin.user.click(theirs, label="Resolved")
    assert f"Resolved by {group.admin.mention}" in group.admin.user.dm_channel.last_message.content


async def test_a_facilitator_who_is_the_subject_is_not_sent_their_own_alert(no_alerts_channel) -> None:  # type: ignore[no-untyped-def]
    group = no_alerts_channel
    await group.facilitator.send(group.general, CONCERN)
    assert all("may need support" not in m.content for m in _dms(group.facilitator))
    (dm,) = _dms(group.admin)
    assert group.facilitator.mention in dm.content


@pytest.mark.allow_error_logs  # the refused alert is logged as a failed send
async def test_an_alerts_channel_that_refuses_the_alert_sends_it_to_facilitators(group) -> None:  # type: ignore[no-untyped-def]
    alerts = group.channels["alerts"]
    group.env.inject_error("POST", f"/channels/{alerts.id}/messages", status=403, code=50013, times=None)
    await group.member.send(group.general, CONCERN)
    assert alerts.history() == []
    (dm,) = _dms(group.facilitator)
    assert "couldn't post this alert in your group's alerts channel" in dm.content
    assert group.member.mention in dm.content and "better off" not in dm.content
    rows = {r.kind: r.status for r in await group.bot.outbox.repo.all()}
    assert rows["crisis:alert"] == "failed" and rows["crisis:alert-dm"] == "sent"


@pytest.mark.allow_error_logs
async def test_a_closed_alert_is_not_sent_again_when_its_post_fails_late(group) -> None:  # type: ignore[no-untyped-def]
    from cogs.crisis.commands import Crisis

    await group.member.send(group.general, CONCERN)
    (alert,) = group.channels["alerts"].history()
    await group.facilitator.click(alert, label="Resolved")
    cog = group.bot.get_cog("Crisis")
    assert isinstance(cog, Crisis)
    (row,) = [r for r in await group.bot.outbox.repo.all() if r.kind == "crisis:alert"]
    await cog._alert_failed(row, "late failure")
    await group.bot.outbox.drain()
    assert _dms(group.facilitator) == []
