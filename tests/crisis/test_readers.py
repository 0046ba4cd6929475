"""Three readers, three replies: the writer at risk, someone worried about another person, and
harassment telling a member to harm themselves (issue 15, item 3)."""

from __future__ import annotations

import logging

from tests.crisis.conftest import HARASSMENT, MARKER, OTHER_CONCERN, OTHER_URGENT, SELF_CONCERN


def _dms(actor):
    channel = actor.user.dm_channel
    return [] if channel is None else [m for m in channel.history() if m.author.bot]


def _labels(message):
    return [c.label for row in message.components for c in row.children]


async def test_about_themself_gets_todays_crisis_dm_and_alert(group, fake):
    await group.member.send(group.general, SELF_CONCERN)
    (dm,) = _dms(group.member)
    assert "not alone" in dm.content and "Samaritans" in dm.content
    assert _labels(dm) == ["My safety plan", "Grounding exercise", "Turn off automatic replies"]
    alert = group.channels["alerts"].last_message
    assert "may need support" in alert.content and "someone else" not in alert.content
    assert fake.calls == [(SELF_CONCERN, "standard")]


async def test_worried_about_someone_else_gets_how_to_help_and_a_marked_alert(group, fake):
    member = group.member
    await member.send(group.general, OTHER_CONCERN)
    (dm,) = _dms(member)
    text = dm.content
    for advice in ("Listen", "Ask them directly", "Stay with them", "Don't promise to keep it secret"):
        assert advice in text
    assert "Look after yourself too" in text
    assert "Samaritans" in text and "116 123" in text and "SHOUT" in text  # the same country lines
    assert "If they, or you, are in immediate danger, call **999** or **112**" in text
    assert "not an emergency service" in text and MARKER not in text
    # No safety plan button: the plan is theirs, this message is about someone else.
    assert _labels(dm) == ["Grounding exercise", "Turn off automatic replies"]
    alert = group.channels["alerts"].last_message
    assert "**about someone else**" in alert.content and member.mention in alert.content
    assert "Concern" in alert.content and MARKER not in alert.content
    assert [m.author.id for m in group.general.history()] == [member.id]  # nothing public


async def test_an_urgent_worry_about_someone_else_still_pings_when_the_group_asked(group, fake):
    await group.facilitator.slash(group.general, "crisis settings", ping="on")
    await group.member.send(group.general, OTHER_URGENT)
    alert = group.channels["alerts"].last_message
    assert alert.content.startswith(f"<@&{group.facilitator_role.id}>")
    assert "Urgent**, **about someone else**" in alert.content


async def test_harassment_by_reply_alerts_as_moderation_and_notes_the_target_only(group, fake):
    target, writer = group.members[0], group.members[1]
    await group.facilitator.slash(group.general, "crisis settings", ping="on")
    hers = await target.send(group.general, "had a rough week tbh")
    await writer.send(group.general, HARASSMENT, reply_to=hers)
    assert _dms(writer) == []  # no crisis DM to the writer of the harassment
    (note,) = _dms(target)
    assert "not okay" in note.content and "facilitators know" in note.content
    assert "/resources" in note.content and MARKER not in note.content
    assert note.components == []
    alert = group.channels["alerts"].last_message
    assert "🛡️ **Moderation**" in alert.content
    assert f"{writer.mention} may have told {target.mention} to harm themselves" in alert.content
    assert "may need support" not in alert.content and MARKER not in alert.content
    # a moderation matter: no crisis ping, even urgent with the ping on, and nobody is pinged
    assert f"<@&{group.facilitator_role.id}>" not in alert.content
    alerts_path = f"/channels/{group.channels['alerts'].id}/messages"
    post = [r for r in group.env.http_requests if r.method == "POST" and r.path == alerts_path][-1]
    mentions = post.json["allowed_mentions"]
    assert not mentions.get("parse") and not mentions.get("users") and not mentions.get("roles")
    assert _labels(alert) == ["I'm reaching out", "Resolved", "False alarm"]
    rows = await group.bot.db.fetch_all("SELECT * FROM crisis_alerts")
    assert [(r["reader"], r["user_id"], r["target_id"], r["event_id"]) for r in rows] == [
        ("harassment", writer.id, target.id, None)
    ]
    assert await group.bot.db.fetch_all("SELECT * FROM crisis_events") == []


async def test_harassment_by_mention_notes_the_first_member_mentioned_not_a_bot(group, fake):
    target, writer = group.members[2], group.members[1]
    text = (
        f"{group.bot.user.mention} {writer.mention} {target.mention} {group.members[0].mention} {HARASSMENT}"
    )
    fake.verdicts[text] = fake.verdicts[HARASSMENT]
    await writer.send(group.general, text)
    assert len(_dms(target)) == 1
    assert _dms(group.members[0]) == [] and _dms(writer) == []
    assert target.mention in group.channels["alerts"].last_message.content


async def test_harassment_with_nobody_to_note_sends_no_note(group, fake):
    writer = group.members[1]
    await writer.send(group.general, HARASSMENT)
    for person in (*group.members, group.facilitator, group.admin):
        assert _dms(person) == []
    alert = group.channels["alerts"].last_message
    assert "another member" in alert.content and "sent no note" in alert.content


async def test_a_target_who_turned_automatic_messages_off_gets_no_note(group, fake):
    target, writer = group.members[0], group.members[1]
    await target.send(group.general, SELF_CONCERN)
    (dm,) = _dms(target)
    await target.user.click(dm, label="Turn off automatic replies")
    hers = await target.send(group.general, "anyway")
    await writer.send(group.general, HARASSMENT, reply_to=hers)
    assert len(_dms(target)) == 1
    assert "Moderation" in group.channels["alerts"].last_message.content


async def test_harassment_with_alerts_off_still_notes_the_target_without_promising_anything(group, fake):
    target, writer = group.members[0], group.members[1]
    await group.facilitator.slash(group.general, "crisis settings", alerts="off")
    hers = await target.send(group.general, "hi all")
    await writer.send(group.general, HARASSMENT, reply_to=hers)
    (note,) = _dms(target)
    assert "You can tell a facilitator" in note.content and "I've let" not in note.content
    assert group.channels["alerts"].history() == []


async def test_no_reader_leaves_the_words_in_alerts_database_or_logs(group, fake, caplog):
    caplog.set_level(logging.DEBUG)
    hers = await group.members[0].send(group.general, "hello")
    await group.members[1].send(group.general, HARASSMENT, reply_to=hers)
    await group.members[2].send(group.general, OTHER_CONCERN)
    await group.members[0].send(group.channels["checkins"], SELF_CONCERN)
    for alert in group.channels["alerts"].history():
        assert MARKER not in alert.content
    for table in ("crisis_events", "crisis_alerts", "crisis_settings", "schedules", "outbox"):
        for row in await group.bot.db.fetch_all(f"SELECT * FROM {table}"):
            assert MARKER not in repr(row)
    assert MARKER not in caplog.text
    assert "crisis verdict urgent (harassment)" in caplog.text
    assert "crisis verdict concern (other)" in caplog.text
