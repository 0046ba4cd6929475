"""The private check-in about a day after a crisis reply: once per reply, through the outbox and a
one-off schedule, across restarts; none once crisis messages are off (issue 15, item 4)."""

from __future__ import annotations

from datetime import timedelta

from tests.crisis.conftest import (
    MARKER,
    OTHER_CONCERN,
    SELF_CONCERN,
    SELF_URGENT,
    FakeDetector,
    install,
    restart_with,
)

DAY = timedelta(hours=24)
CHECKING_IN = "checking in after yesterday. How are you today?"


def _followups(actor):
    channel = actor.user.dm_channel
    return [] if channel is None else [m for m in channel.history() if CHECKING_IN in m.content]


def _labels(message):
    return [c.label for row in message.components for c in row.children]


async def _due(group, after: timedelta = DAY + timedelta(minutes=1)):  # type: ignore[no-untyped-def]
    group.clock.advance(after)
    await group.bot.scheduler.run_due()


async def test_one_check_in_a_day_later_across_restarts_and_never_twice(group, fake):
    member = group.member
    await member.send(group.general, SELF_CONCERN)
    await _due(group, DAY - timedelta(minutes=5))
    assert _followups(member) == []  # not before the day is up
    await restart_with(group, fake)
    await _due(group, timedelta(minutes=6))
    (check_in,) = _followups(member)
    assert "Hi, it's me again" in check_in.content
    assert "If you are in immediate danger, call **999** or **112**." in check_in.content
    assert "not an emergency service" in check_in.content and MARKER not in check_in.content
    assert _labels(check_in) == ["I'm OK", "I'd like to talk to a facilitator", "Show me the lines again"]
    custom_ids = [c.custom_id for row in check_in.components for c in row.children]
    (event,) = await group.bot.db.fetch_all("SELECT event_id, followup_state FROM crisis_events")
    assert event["followup_state"] == "sent"
    assert custom_ids == [f"crisis:followup:{a}:{event['event_id']}" for a in ("ok", "talk", "lines")]
    # Through the outbox, keyed by the reply: one row.
    rows = [r for r in await group.bot.outbox.repo.all() if r.kind == "crisis:followup"]
    assert [(r.status, r.user_id) for r in rows] == [("sent", member.id)]
    await restart_with(group, fake)
    await _due(group, DAY * 3)
    assert len(_followups(member)) == 1


async def test_an_urgent_reply_gets_a_check_in_too_and_a_restart_before_it_is_due_loses_nothing(group, fake):
    await group.member.send(group.general, SELF_URGENT)
    await restart_with(group, fake)  # the schedule is a row: nothing lives only in memory
    group.clock.advance(DAY + timedelta(minutes=1))
    await restart_with(group, fake)  # catch-up at start-up sends what came due while down
    await group.bot.scheduler.run_due()
    assert len(_followups(group.member)) == 1


async def test_no_check_in_once_they_turn_crisis_messages_off_even_after_the_reply(group, fake):
    member = group.member
    await member.send(group.general, SELF_CONCERN)
    (dm,) = member.user.dm_channel.history()
    await member.user.click(dm, label="Turn off automatic replies")
    await _due(group)
    assert _followups(member) == []
    (event,) = await group.bot.db.fetch_all("SELECT followup_state FROM crisis_events")
    assert event["followup_state"] == "skipped"


async def test_no_check_in_when_they_chose_no_crisis_replies_in_privacy(group, fake):
    member = group.member
    await member.send(group.general, SELF_CONCERN)
    await group.bot.members.consent(group.guild.id, member.id, 1, group.clock.now())
    await group.bot.members.set_choice(group.guild.id, member.id, "crisis_replies", False)
    await _due(group)
    assert _followups(member) == []


async def test_only_a_reply_to_the_person_themself_is_followed_up(group, fake):
    await group.members[0].send(group.general, OTHER_CONCERN)  # worried about someone else
    dm = group.members[1].user.dm_channel
    group.env.inject_error("POST", f"/channels/{dm.id}/messages", status=403, code=50007, message="no")
    await group.members[1].send(group.general, SELF_CONCERN)  # DMs closed: only the pointer
    await _due(group)
    assert _followups(group.members[0]) == [] and _followups(group.members[1]) == []
    assert await group.bot.db.fetch_all("SELECT * FROM schedules WHERE kind = 'crisis:followup'") == []


async def test_a_second_reply_within_the_day_moves_the_one_check_in_to_a_day_after_it(group, fake):
    member = group.member
    await member.send(group.general, SELF_CONCERN)
    group.clock.advance(timedelta(hours=2))
    await member.send(group.general, SELF_URGENT)  # urgent always replies
    await _due(group, DAY - timedelta(hours=1))
    assert _followups(member) == []
    await _due(group, timedelta(hours=1, minutes=1))
    assert len(_followups(member)) == 1
    states = [
        r["followup_state"]
        for r in await group.bot.db.fetch_all("SELECT followup_state FROM crisis_events ORDER BY event_id")
    ]
    assert states == ["superseded", "sent"]
    await _due(group, DAY)
    assert len(_followups(member)) == 1


async def test_a_check_in_that_came_due_while_the_bot_was_down_is_still_sent(group, fake):
    member = group.member
    await member.send(group.general, SELF_CONCERN)
    # Back a day and a half after it came due: far past the usual two-hour catch-up grace.
    await _due(group, DAY + timedelta(hours=36))
    assert len(_followups(member)) == 1


async def test_im_ok_is_recorded_and_the_message_says_thank_you(group, fake):
    member = group.member
    await member.send(group.general, SELF_CONCERN)
    await _due(group)
    (check_in,) = _followups(member)
    ok = await member.user.click(check_in, label="I'm OK")
    assert "**Your answer:** Thank you for letting me know" in ok.response.message.content
    assert _labels(ok.response.message) == ["I'd like to talk to a facilitator", "Show me the lines again"]
    (event,) = await group.bot.db.fetch_all("SELECT followup_state, answered_at FROM crisis_events")
    assert event["followup_state"] == "ok" and event["answered_at"]
    assert [m.author.id for m in group.channels["alerts"].history()] == [group.bot.user.id]  # the alert only


async def test_asking_to_talk_tells_the_facilitators_privately_once_with_no_words(group, fake):
    member = group.member
    await member.send(group.general, SELF_CONCERN)
    await _due(group)
    (check_in,) = _followups(member)
    talk = await member.user.click(check_in, label="I'd like to talk to a facilitator")
    assert "I've let your group's facilitators know" in talk.response.message.content
    assert _labels(talk.response.message) == ["Show me the lines again"]
    request = group.channels["alerts"].last_message
    assert "💬 **Asked to talk**" in request.content and member.mention in request.content
    assert MARKER not in request.content and "Samaritans" not in request.content
    assert request.components == []
    assert [r["followup_state"] for r in await group.bot.db.fetch_all("SELECT * FROM crisis_events")] == [
        "talk"
    ]
    # A second press (a double click, a second device) tells them they were heard, and nobody again.
    cog = group.bot.get_cog("Crisis")
    event_id = int(check_in.components[0].children[0].custom_id.rsplit(":", 1)[1])
    before = len(group.channels["alerts"].history())
    assert not await cog.repo.answer_followup(event_id, "talk", group.clock.now())
    await cog.request_talk(group.guild.id, member.id, event_id)  # even if it were asked again
    assert len(group.channels["alerts"].history()) == before
    # nobody else in the group hears of it
    assert group.members[1].user.dm_channel is None or group.members[1].user.dm_channel.history() == []


async def test_asking_to_talk_without_an_alerts_channel_goes_to_each_facilitator(
    simcord_env, simcord_bot, clock
):
    from tests.conftest import build_group, show_facilitator_commands

    group = build_group(simcord_env, simcord_bot, clock)
    await group.admin.slash(group.general, "setup facilitator-role", role=group.facilitator_role)
    await group.admin.slash(group.general, "setup country", code="GB")
    show_facilitator_commands(group)
    install(group.bot, FakeDetector())
    await group.member.send(group.general, SELF_CONCERN)
    await _due(group)
    (check_in,) = _followups(group.member)
    await group.member.user.click(check_in, label="I'd like to talk to a facilitator")
    for facilitator in (group.facilitator, group.admin):
        asked = [m for m in facilitator.user.dm_channel.history() if "Asked to talk" in m.content]
        assert len(asked) == 1 and "no alerts channel set up" in asked[0].content


async def test_show_me_the_lines_again_answers_privately(group, fake):
    member = group.member
    await member.send(group.general, SELF_CONCERN)
    await _due(group)
    (check_in,) = _followups(member)
    lines = await member.user.click(check_in, label="Show me the lines again")
    assert lines.ephemeral and "Samaritans" in lines.response.content and "999" in lines.response.content
    assert len(member.user.dm_channel.history()) == 2  # the reply and the check-in, nothing new


async def test_a_reply_in_a_dm_to_the_bot_gets_a_check_in_without_the_talk_button(group, fake):
    member = group.member
    await member.user.send_dm(SELF_CONCERN)
    await _due(group)
    (check_in,) = _followups(member)
    assert _labels(check_in) == ["I'm OK", "Show me the lines again"]
    assert "Talking to someone you trust can help" in check_in.content
