"""Members: join (behind consent), leave, pause, status, history, the confidential avoid list."""

from __future__ import annotations

from tests.conftest import agree, expected_errors


async def test_nothing_is_stored_before_consent_and_join_after_agreeing(group):
    member, general = group.member, group.general
    shown = await member.slash(general, "pair join", goal="a walk every day")
    assert shown.ephemeral and "I agree" in str(shown.response.components)
    assert await group.bot.db.fetch_all("SELECT * FROM pair_optins") == []
    assert await group.bot.members.get(group.guild.id, member.id) is None
    done = await agree(member, shown)
    assert "You're in" in done.response.content
    assert "a walk every day" in done.response.content
    status = await member.slash(general, "pair status")
    assert "next round" in status.response.content
    assert "a walk every day" in status.response.content


async def test_not_now_stores_nothing(group):
    shown = await group.member.slash(group.general, "pair avoid", member=group.members[1])
    await group.member.click(shown.response.message, label="Not now")
    assert await group.bot.db.fetch_all("SELECT * FROM pair_avoid") == []


async def test_avoid_is_confidential_and_can_be_removed(group):
    me, other, general = group.members[0], group.members[1], group.general
    await agree(me, await me.slash(general, "pair join"))
    added = await me.slash(general, "pair avoid", member=other)
    assert added.ephemeral and "never told" in added.response.content
    # The avoided member hears nothing.
    assert other.user.dm_channel.history() == []
    listed = await me.slash(general, "pair avoid")
    assert other.mention in listed.response.content
    removed = await me.select(listed.response.message, [str(other.id)], custom_id="pair:avoid:remove")
    assert "empty" in removed.response.content
    assert await group.bot.db.fetch_all("SELECT * FROM pair_avoid") == []


async def test_avoid_refuses_yourself_and_a_bot(group):
    me, general = group.member, group.general
    myself = await me.slash(general, "pair avoid", member=me)
    assert "yourself" in myself.response.content
    bot_user = group.guild.add_member(group.env.create_user("helper-bot", bot=True))
    a_bot = await me.slash(general, "pair avoid", member=bot_user)
    assert "Bots" in a_bot.response.content
    assert len(expected_errors(group.env)) == 2
    assert await group.bot.db.fetch_all("SELECT * FROM pair_avoid") == []


async def test_pause_leave_and_refusals(group):
    me, general = group.member, group.general
    not_in = await me.slash(general, "pair pause", until="2026-12-24")
    assert "not in accountability pairs" in not_in.response.content
    await agree(me, await me.slash(general, "pair join"))
    past = await me.slash(general, "pair pause", until="2026-01-01")
    assert "already passed" in past.response.content
    assert len(expected_errors(group.env)) == 2
    paused = await me.slash(general, "pair pause", until="2026-12-24")
    assert "Paused" in paused.response.content
    status = await me.slash(general, "pair status")
    assert "Paused until" in status.response.content
    left = await me.slash(general, "pair leave")
    assert "won't be paired again" in left.response.content
    again = await me.slash(general, "pair leave")
    assert "nothing to stop" in again.response.content
    history = await me.slash(general, "pair history")
    assert "haven't had a partner" in history.response.content
