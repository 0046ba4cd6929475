"""A flood of crisis language (a raid, or a hard day for everyone) cannot bury the alerts channel:
past the hourly cap a group's alerts fold into one summary. Each member still gets their reply."""

from __future__ import annotations

from bot.core.limits import Cooldowns
from cogs.crisis.alerts import SUMMARY_DELAY
from tests.conftest import build_group, configure

URGENT = "i have the pills ready"
CONCERN = "everyone would be better off without me"
CAP = Cooldowns.ALERTS[0]


def _alerts(group):
    return group.channels["alerts"].history()


async def _flood(group, count: int) -> None:
    for n in range(count):
        await group.member.send(group.general, f"{URGENT} {'.' * n}")


async def test_past_the_hourly_cap_alerts_fold_into_one_summary_and_replies_still_go(group):
    await _flood(group, CAP + 3)
    assert len(_alerts(group)) == CAP  # the rest wait for the summary
    # The member's own replies are never capped: an urgent message always gets one.
    replies = [m for m in group.member.user.dm_channel.history() if "999" in m.content]
    assert len(replies) == CAP + 3

    group.clock.advance(SUMMARY_DELAY)
    await group.bot.scheduler.run_due()
    summary = group.channels["alerts"].last_message
    assert len(_alerts(group)) == CAP + 1
    assert "3 more alerts this hour" in summary.content
    assert summary.content.count(group.member.mention) == 3
    assert "pills" not in summary.content  # never their words
    buttons = [c for row in summary.components for c in row.children]
    assert [b.label for b in buttons] == [f"#{n}" for n in range(CAP + 1, CAP + 4)]

    # A facilitator opens one privately and claims it from there.
    opened = await group.facilitator.click(summary, label=f"#{CAP + 2}")
    assert opened.ephemeral and "Urgent" in opened.response.content
    claimed = await group.facilitator.click(opened.response.message, label="I'm reaching out")
    assert f"{group.facilitator.mention} is reaching out" in claimed.response.content
    stats = await group.admin.slash(group.general, "crisis stats")
    assert f"**Crisis alerts in this group:** {CAP + 3}" in stats.response.content
    assert "someone reaching out: 1" in stats.response.content
    # A member cannot open one.
    refused = await group.members[1].click(summary, label=f"#{CAP + 1}")
    assert refused.ephemeral and "for the group's facilitators" in refused.response.content

    # Once the hour has passed, alerts post one by one again.
    group.clock.advance(Cooldowns.ALERTS[1])
    await group.members[2].send(group.general, CONCERN)
    assert "may need support" in group.channels["alerts"].last_message.content


async def test_the_summary_is_sent_once_across_a_restart_and_holds_alerts_folded_later(group):
    await _flood(group, CAP + 1)
    await group.env.restart_bot()
    await group.members[1].send(group.general, URGENT)  # folded after the restart too
    group.clock.advance(SUMMARY_DELAY)
    await group.bot.scheduler.run_due()
    await group.env.restart_bot()
    await group.bot.scheduler.run_due()
    summaries = [m for m in _alerts(group) if "this hour" in m.content]
    assert len(summaries) == 1
    assert "2 more alerts this hour" in summaries[0].content
    assert group.members[1].mention in summaries[0].content


async def test_one_groups_flood_does_not_fold_another_groups_alerts(simcord_env, simcord_bot, clock, group):
    other = build_group(simcord_env, simcord_bot, clock, name="Other Group")
    await configure(other)
    await _flood(group, CAP + 1)
    await other.member.send(other.general, URGENT)
    assert "Urgent" in other.channels["alerts"].last_message.content


async def test_a_summary_goes_to_each_facilitator_by_dm_without_an_alerts_channel(
    simcord_env, simcord_bot, clock
):
    group = build_group(simcord_env, simcord_bot, clock)
    await group.admin.slash(group.general, "setup channel", purpose="group", channel=group.general)
    await _flood(group, CAP + 2)
    group.clock.advance(SUMMARY_DELAY)
    await group.bot.scheduler.run_due()
    # No facilitator role is set yet: whoever can manage the server gets it privately.
    dms = [m.content for m in group.admin.user.dm_channel.history()]
    summaries = [d for d in dms if "2 more alerts this hour" in d]
    assert len(summaries) == 1 and "no alerts channel" in summaries[0]
    assert len([d for d in dms if "Urgent" in d]) == CAP
    assert all(m.author.id == group.member.id for m in group.general.history())
