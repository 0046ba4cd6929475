"""The facilitators' alert: what it shows, claiming, resolving, false alarms, settings."""

from __future__ import annotations

from tests.conftest import expected_errors

CONCERN = "everyone would be better off without me"
URGENT = "I have the pills ready"


def _alerts(group):
    return group.channels["alerts"].history()


async def test_alert_shows_who_where_when_and_level_but_never_the_words(group):
    member = group.member
    posted = await member.send(group.channels["checkins"], CONCERN)
    (alert,) = _alerts(group)
    text = alert.content
    assert "Concern" in text
    assert member.mention in text
    assert group.channels["checkins"].mention in text
    assert posted.jump_url.split("/channels/")[1] in text
    assert f"<t:{int(group.clock.now().timestamp())}:F>" in text
    assert "better off" not in text and "without me" not in text
    alert_post = [r for r in group.env.http_requests if r.method == "POST" and "/messages" in r.path][-1]
    mentions = alert_post.json["allowed_mentions"]  # nobody is pinged by a concern alert
    assert not mentions.get("parse") and not mentions.get("users") and not mentions.get("roles")
    labels = [c.label for row in alert.components for c in row.children]
    assert labels == ["I'm reaching out", "Resolved", "False alarm"]


async def test_claim_then_a_second_claim_is_told_kindly_then_resolve(group):
    await group.member.send(group.general, CONCERN)
    (alert,) = _alerts(group)
    claimed = await group.facilitator.click(alert, label="I'm reaching out")
    assert not claimed.ephemeral
    alert = group.channels["alerts"].last_message
    assert f"{group.facilitator.mention} is reaching out" in alert.content
    second = await group.admin.click(alert, label="I'm reaching out")
    assert second.ephemeral
    assert f"{group.facilitator.mention} is already reaching out" in second.response.content
    again = await group.facilitator.click(alert, label="I'm reaching out")
    assert "already said" in again.response.content
    await group.facilitator.click(alert, label="Resolved")
    alert = group.channels["alerts"].last_message
    assert f"Resolved by {group.facilitator.mention}" in alert.content
    assert alert.components == []
    stats = await group.admin.slash(group.general, "crisis stats")
    assert "resolved: 1" in stats.response.content and "false alarms: 0" in stats.response.content


async def test_false_alarm_feeds_the_groups_count(group):
    await group.member.send(group.general, CONCERN)
    await group.members[1].send(group.general, CONCERN)
    first, second = _alerts(group)
    marked = await group.facilitator.click(first, label="False alarm")
    assert "1 false alarm out of 2 alerts" in marked.followups[0].content
    assert marked.followups[0].ephemeral
    await group.facilitator.click(second, label="Resolved")
    stats = await group.facilitator.slash(group.general, "crisis stats")
    assert stats.ephemeral
    assert "Crisis alerts in this group:** 2" in stats.response.content
    assert "false alarms: 1" in stats.response.content


async def test_members_cannot_act_on_alerts_or_see_stats(group):
    await group.member.send(group.general, CONCERN)
    (alert,) = _alerts(group)
    refused = await group.members[1].click(alert, label="I'm reaching out")
    assert refused.ephemeral and "facilitators" in refused.response.content
    assert "Open" in group.channels["alerts"].last_message.content
    assert "crisis stats" not in group.members[1].available_commands(group.general)


async def test_alert_buttons_and_dm_buttons_work_after_a_restart(group):
    member = group.member
    await member.send(group.general, URGENT)
    await group.env.restart_bot()
    (alert,) = _alerts(group)
    await group.facilitator.click(alert, label="I'm reaching out")
    assert "is reaching out" in group.channels["alerts"].last_message.content
    dm = member.user.dm_channel.history()[0]
    grounding = await member.user.click(dm, label="Grounding exercise")
    assert grounding.ephemeral and "5-4-3-2-1" in grounding.response.content
    plan = await member.user.click(dm, label="My safety plan")
    assert plan.ephemeral and plan.response.embeds[0].title == "My safety plan"
    assert not group.env.errors


async def test_settings_turn_alerts_off_and_ping_the_role_on_urgent(group):
    fac = group.facilitator
    shown = await fac.slash(group.general, "crisis settings")
    assert "Crisis alerts:** on" in shown.response.content
    assert "urgent alerts:** off" in shown.response.content

    await fac.slash(group.general, "crisis settings", ping="on")
    await group.member.send(group.general, URGENT)
    urgent = group.channels["alerts"].last_message
    assert "Urgent" in urgent.content
    assert f"<@&{group.facilitator_role.id}>" in urgent.content
    sent = [r for r in group.env.http_requests if r.method == "POST" and "/messages" in r.path]
    mentions = sent[-1].json["allowed_mentions"]
    assert mentions["roles"] == [str(group.facilitator_role.id)] or mentions["roles"] == [
        group.facilitator_role.id
    ]
    assert "everyone" not in mentions.get("parse", [])

    await group.members[1].send(group.general, CONCERN)
    concern = group.channels["alerts"].last_message
    assert f"<@&{group.facilitator_role.id}>" not in concern.content  # only urgent alerts ping

    await fac.slash(group.general, "crisis settings", alerts="off")
    before = len(_alerts(group))
    await group.members[2].send(group.general, URGENT)
    assert len(_alerts(group)) == before
    assert "999" in group.members[2].user.dm_channel.history()[-1].content  # the member still hears


async def test_crisis_settings_refused_for_members_if_shown(simcord_env, simcord_bot, clock):
    from tests.conftest import allow_command, build_group, configure

    group = build_group(simcord_env, simcord_bot, clock)
    await configure(group)
    allow_command(group, "crisis", group.member)
    refused = await group.member.slash(group.general, "crisis settings", alerts="off")
    assert refused.ephemeral and "facilitators" in refused.response.content
    assert len(expected_errors(group.env)) == 1
    shown = await group.admin.slash(group.general, "crisis settings")
    assert "Crisis alerts:** on" in shown.response.content


async def test_repeat_concern_does_not_flood_the_alerts_channel(group):
    await group.member.send(group.general, CONCERN)
    await group.member.send(group.general, "what's the point of anything")
    assert len(_alerts(group)) == 1
    await group.member.send(group.general, URGENT)
    assert len(_alerts(group)) == 2  # urgent always alerts


async def test_without_an_alerts_channel_the_alert_never_goes_to_the_group_channel(
    simcord_env, simcord_bot, clock
):
    from tests.conftest import build_group

    group = build_group(simcord_env, simcord_bot, clock)
    await group.admin.slash(group.general, "setup channel", purpose="group", channel=group.general)
    await group.member.send(group.general, URGENT)
    assert all(m.author.id == group.member.id for m in group.general.history())
    assert len(group.member.user.dm_channel.history()) == 1
    # it goes privately to whoever can manage the server (no facilitator role is set yet)
    (alert,) = group.admin.user.dm_channel.history()
    assert "no alerts channel set up" in alert.content and "Urgent" in alert.content
