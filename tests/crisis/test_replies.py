"""Crisis replies through simcord: the private DM, the channel pointer, the reply limit."""

from __future__ import annotations

import logging
from datetime import timedelta

from tests.conftest import expected_errors

CONCERN = "honestly I want to die"
URGENT = "I'm going to kill myself tonight"


def _dms(actor):
    return actor.user.dm_channel.history()


async def test_concern_message_gets_a_private_dm_with_the_groups_lines(group):
    member = group.member
    await member.send(group.general, CONCERN)
    dms = _dms(member)
    assert len(dms) == 1
    text = dms[0].content
    assert "not alone" in text
    assert "Samaritans" in text and "116 123" in text
    assert "SHOUT" in text and "85258" in text
    assert "not an emergency service" in text and "not watched around the clock" in text
    # The route for immediate danger too (safe messaging), after the helplines: urgent leads with it.
    assert "999" in text and text.index("Samaritans") < text.index("999")
    assert CONCERN not in text
    labels = [c.label for row in dms[0].components for c in row.children]
    assert labels == ["My safety plan", "Grounding exercise", "Turn off automatic replies"]
    # Nothing public in the channel: only the member's own message is there.
    assert [m.author.id for m in group.general.history()] == [member.id]
    assert not expected_errors(group.env)


async def test_closed_dms_get_a_short_pointer_in_the_channel_and_nothing_more(group):
    member = group.member
    dm = member.user.dm_channel
    group.env.inject_error(
        "POST", f"/channels/{dm.id}/messages", status=403, code=50007, message="Cannot send"
    )
    await member.send(group.general, CONCERN)
    assert _dms(member) == []
    pointer = group.general.last_message
    assert pointer.author.id == group.bot.user.id
    assert member.mention in pointer.content
    assert "/resources" in pointer.content
    assert pointer.reference is None  # a reply would show a preview of their message
    for private in ("Samaritans", "116 123", "85258", "999", CONCERN):
        assert private not in pointer.content
    assert [u.id for u in pointer.mentions] == [member.id]
    assert not pointer.role_mentions and not pointer.mention_everyone
    # The facilitators are still told, as the group agreed.
    assert member.mention in group.channels["alerts"].last_message.content


async def test_one_automatic_reply_per_six_hours_but_urgent_always_replies(group):
    member, clock = group.member, group.clock
    start = clock.now()
    await member.send(group.general, CONCERN)
    assert len(_dms(member)) == 1
    clock.set(start + timedelta(hours=1))
    await member.send(group.general, "what's the point of anything")
    assert len(_dms(member)) == 1
    clock.set(start + timedelta(hours=2))
    await member.send(group.general, URGENT)
    dms = _dms(member)
    assert len(dms) == 2
    assert "999" in dms[-1].content and "112" in dms[-1].content
    assert dms[-1].content.index("999") < dms[-1].content.index("Samaritans")  # danger first
    clock.set(start + timedelta(hours=7, minutes=59))
    await member.send(group.general, CONCERN)
    assert len(_dms(member)) == 2  # six hours since the urgent reply are not up yet
    clock.set(start + timedelta(hours=8, minutes=1))
    await member.send(group.general, CONCERN)
    assert len(_dms(member)) == 3


async def test_everyday_idioms_produce_nothing(group):
    member = group.member
    for text in [
        "this homework is killing me",
        "I'd kill for a coffee",
        "I'm dying to see it",
        "that joke killed me",
        "dead tired after work",
    ]:
        await member.send(group.general, text)
    assert _dms(member) == []
    assert group.channels["alerts"].history() == []
    assert all(m.author.id == member.id for m in group.general.history())


async def test_turning_off_automatic_replies_stops_dms_but_not_the_alert(group):
    member, clock = group.member, group.clock
    start = clock.now()
    await member.send(group.general, CONCERN)
    off = await member.user.click(_dms(member)[0], label="Turn off automatic replies")
    assert off.ephemeral and "won't send you automatic messages" in off.response.content
    assert "/resources" in off.response.content
    clock.set(start + timedelta(hours=7))
    await member.send(group.general, URGENT)
    assert len(_dms(member)) == 1 + 0  # only the first DM; the confirmation was ephemeral
    assert "Urgent" in group.channels["alerts"].last_message.content
    # Stored without a member row: only ids and a time.
    rows = await group.bot.db.fetch_all("SELECT * FROM crisis_optouts")
    assert [set(r) for r in rows] == [{"guild_id", "user_id", "created_at"}]
    on = await member.user.click(off.response.message, label="Turn automatic replies back on")
    assert "back on" in on.response.content
    await member.send(group.general, URGENT)
    assert "999" in _dms(member)[-1].content


async def test_member_who_chose_no_crisis_replies_gets_no_dm(group):
    member = group.member
    await group.bot.members.consent(group.guild.id, member.id, 1, group.clock.now())
    await group.bot.members.set_choice(group.guild.id, member.id, "crisis_replies", False)
    await member.send(group.general, URGENT)
    assert _dms(member) == []
    assert group.channels["alerts"].last_message is not None


async def test_a_dm_to_the_bot_gets_the_same_private_reply_and_no_alert(group):
    member = group.member
    await member.user.send_dm(CONCERN)
    replies = [m for m in _dms(member) if m.author.id == group.bot.user.id]
    assert len(replies) == 1
    assert "Samaritans" in replies[0].content  # the country of the group they share with the bot
    assert group.channels["alerts"].history() == []


async def test_no_message_text_in_alerts_database_or_logs(group, caplog):
    caplog.set_level(logging.DEBUG)
    member = group.member
    secret = "I have the pills ready, this is my goodbye"
    await member.send(group.general, secret)
    await member.send(group.channels["checkins"], CONCERN)
    alert = group.channels["alerts"].last_message
    assert "pills" not in alert.content and "goodbye" not in alert.content
    for table in ("crisis_events", "crisis_alerts", "crisis_settings", "crisis_optouts", "safety_plans"):
        for row in await group.bot.db.fetch_all(f"SELECT * FROM {table}"):
            for value in row.values():
                assert not isinstance(value, str) or ("pills" not in value and "die" not in value)
    assert "pills" not in caplog.text and "goodbye" not in caplog.text and "want to die" not in caplog.text
    assert "crisis verdict urgent" in caplog.text  # the log does say something happened
    ours = [r.getMessage() for r in caplog.records if r.name.startswith(("cogs.crisis", "bot."))]
    assert ours and not any(str(member.id) in line for line in ours)


async def test_a_message_edited_into_crisis_language_is_answered_like_a_new_one(group):
    member = group.member
    posted = await member.send(group.general, "rough day at work, long story")
    assert member.user.dm_channel is None or _dms(member) == []
    await member.edit(posted, CONCERN)
    (reply,) = _dms(member)
    assert "not alone" in reply.content
    (alert,) = group.channels["alerts"].history()
    assert member.mention in alert.content and "want to die" not in alert.content


async def test_fixing_a_typo_in_a_message_that_was_answered_sends_nothing_more(group):
    member = group.member
    # urgent: the six-hour limit would not hide a second reply
    posted = await member.send(group.general, URGENT)
    await member.edit(posted, URGENT + ".")
    assert len(_dms(member)) == 1
    assert len(group.channels["alerts"].history()) == 1


async def test_an_edit_that_makes_a_message_urgent_gets_the_urgent_reply(group):
    member = group.member
    posted = await member.send(group.general, CONCERN)
    await member.edit(posted, URGENT)
    first, second = _dms(member)
    # The urgent reply leads with the emergency number; the concern reply named it after the lines.
    assert first.content.index("Samaritans") < first.content.index("999")
    assert second.content.index("999") < second.content.index("Samaritans")
    assert "Urgent" in group.channels["alerts"].last_message.content
