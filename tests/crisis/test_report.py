"""Alerts count a member's recent alerts, claims are timed, and ``/crisis report`` shows the
group's last 90 days (issue 15, item 4): counts and times only, never a name's words."""

from __future__ import annotations

from datetime import timedelta

from bot.crisis.report import build_report, describe_wait, report_text
from bot.crisis.store import ReportRow
from tests.conftest import START
from tests.crisis.conftest import HARASSMENT, MARKER, OTHER_CONCERN, SELF_CONCERN, SELF_URGENT


def _alert(group):
    return group.channels["alerts"].last_message


async def test_an_alert_counts_the_members_alerts_in_this_group_in_the_last_30_days(group, fake):
    member = group.member
    await member.send(group.general, SELF_URGENT)
    assert "**Last 30 days:** the first alert about this member in this group." in _alert(group).content
    group.clock.advance(timedelta(days=10))
    await member.send(group.general, SELF_URGENT)
    await member.send(group.general, OTHER_CONCERN)  # a different reader counts too
    assert "3 alerts about this member in this group, this one included" in _alert(group).content
    assert MARKER not in _alert(group).content
    # another member's count is their own
    await group.members[1].send(group.general, SELF_URGENT)
    assert "the first alert about this member" in _alert(group).content
    # 31 days after the first: that one no longer counts
    group.clock.advance(timedelta(days=21))
    await member.send(group.general, SELF_URGENT)
    assert "3 alerts about this member in this group, this one included" in _alert(group).content
    # the count stays what it was when raised, through the buttons' edits
    claimed = await group.facilitator.click(_alert(group), label="I'm reaching out")
    assert "3 alerts about this member" in claimed.response.message.content


async def test_time_to_claim_is_recorded_and_a_close_without_a_claim_counts_as_the_first_response(
    group, fake
):
    await group.member.send(group.general, SELF_URGENT)
    await group.members[1].send(group.general, SELF_URGENT)
    first, second = group.channels["alerts"].history()
    group.clock.advance(timedelta(minutes=12))
    await group.facilitator.click(first, label="I'm reaching out")
    group.clock.advance(timedelta(minutes=30))
    await group.facilitator.click(group.channels["alerts"].history()[0], label="Resolved")
    await group.facilitator.click(second, label="False alarm")
    rows = await group.bot.db.fetch_all("SELECT created_at, claimed_at FROM crisis_alerts ORDER BY alert_id")
    assert [r["created_at"] for r in rows] == ["2026-11-23T07:00:00Z"] * 2
    assert [r["claimed_at"] for r in rows] == ["2026-11-23T07:12:00Z", "2026-11-23T07:42:00Z"]


async def test_crisis_report_shows_median_time_to_claim_false_alarms_and_readers(group, fake):
    fac = group.facilitator
    # An alert from 100 days ago is outside the report.
    await group.members[2].send(group.general, SELF_URGENT)
    await fac.click(_alert(group), label="False alarm")
    group.clock.advance(timedelta(days=100))
    hers = await group.members[0].send(group.general, "hello")
    await group.members[1].send(group.general, HARASSMENT, reply_to=hers)
    await group.members[0].send(group.general, SELF_CONCERN)
    await group.members[2].send(group.general, OTHER_CONCERN)
    await group.members[1].send(group.general, SELF_URGENT)
    harassment, concern, other, _urgent = group.channels["alerts"].history()[1:]
    group.clock.advance(timedelta(minutes=10))
    await fac.click(harassment, label="I'm reaching out")
    group.clock.advance(timedelta(minutes=20))
    await fac.click(concern, label="False alarm")  # 30 minutes
    group.clock.advance(timedelta(minutes=20))
    await fac.click(other, label="Resolved")  # 50 minutes
    shown = await fac.slash(group.general, "crisis report")
    assert shown.ephemeral
    text = shown.response.content
    assert "**Crisis alerts in the last 90 days:** 4" in text
    assert "about themselves: 2 · about someone else: 1 · harassment: 1" in text
    assert "median time to claim: 30 minutes (3 of 4 taken; 1 still open)" in text
    assert "false-alarm rate: 50% (1 of 2 closed alerts)" in text
    assert 'follow-up check-ins: 0 sent, 0 answered "I\'m OK", 0 asked to talk, 2 waiting' in text
    assert MARKER not in text and group.member.mention not in text
    # /crisis stats keeps counting every alert, all time
    stats = await fac.slash(group.general, "crisis stats")
    assert "Crisis alerts in this group:** 5" in stats.response.content
    assert "false alarms: 2" in stats.response.content


async def test_a_quiet_group_gets_a_plain_report_and_members_cannot_see_it(group):
    shown = await group.facilitator.slash(group.general, "crisis report")
    assert "**Crisis alerts in the last 90 days:** none." in shown.response.content
    assert "crisis report" not in group.members[1].available_commands(group.general)


def test_the_report_from_rows():
    def row(reader, state, claim_minutes):  # type: ignore[no-untyped-def]
        claimed = START + timedelta(minutes=claim_minutes) if claim_minutes is not None else None
        return ReportRow(reader, state, START, claimed)

    rows = [row("self", "resolved", 4), row("self", "claimed", 10), row("other", "false_alarm", 90)]
    report = build_report(rows, {"sent": 1, "ok": 2, "talk": 1, "skipped": 3})
    assert report.median_to_claim == timedelta(minutes=10)
    assert report.false_alarm_rate == 0.5
    assert report.by_reader == {"self": 2, "other": 1, "harassment": 0}
    text = report_text(report)
    assert 'follow-up check-ins: 4 sent, 2 answered "I\'m OK", 1 asked to talk, 0 waiting' in text
    even = build_report([row("self", "claimed", 10), row("self", "claimed", 20)], {})
    assert even.median_to_claim == timedelta(minutes=15) and even.false_alarm_rate is None
    assert "no alert closed yet" in report_text(even)
    assert "none claimed yet" in report_text(build_report([row("self", "open", None)], {}))


def test_waits_in_words():
    assert describe_wait(timedelta(seconds=40)) == "under a minute"
    assert describe_wait(timedelta(minutes=1)) == "1 minute"
    assert describe_wait(timedelta(minutes=59)) == "59 minutes"
    assert describe_wait(timedelta(hours=3, minutes=5)) == "3 h 5 min"
    assert describe_wait(timedelta(hours=2)) == "2 h"
    assert describe_wait(timedelta(days=2, hours=4)) == "2 days 4 h"
    assert describe_wait(timedelta(days=1)) == "1 day"
