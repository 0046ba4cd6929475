"""Mid-round: the follow-up buttons, re-pairing, members leaving, and the round's end."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from simcord.backend.errors import SetupError

from tests.conftest import restart
from tests.pairs.conftest import approve_round, sent, thread_members

HALFWAY = datetime(2026, 11, 26, 19, 0, tzinfo=UTC)  # round started Monday 07:00, lasts a week
END = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)


def groups_of(four):
    """Each pair thread with the two members in it, in thread order."""
    out = []
    for thread in four.channels["pairs"].threads:
        ids = thread_members(four, thread)
        out.append((thread, [m for m in four.members if m.id in ids]))
    return out


async def follow_up(four):
    four.clock.set(HALFWAY)
    await four.bot.scheduler.run_due()


async def test_follow_up_buttons_record_answers_and_survive_a_restart(four):
    await approve_round(four)
    await follow_up(four)
    (thread, (a, b)), _ = groups_of(four)
    question = thread.last_message
    assert "Halfway" in question.content
    labels = [c.label for row in question.components for c in row.children]
    assert labels == ["We connected", "Not yet", "I need a new partner"]

    await restart(four)
    connected = await a.click(question, label="We connected")
    assert connected.ephemeral and "thank you" in connected.response.content
    not_yet = await b.click(question, label="Not yet")
    assert "still time" in not_yet.response.content
    report = await four.facilitator.slash(four.general, "pair report")
    assert "2 pairs, 1 said they connected" in report.response.content


async def test_someone_outside_the_pair_cannot_reach_its_buttons(four):
    await approve_round(four)
    await follow_up(four)
    (thread, _pair), (_other, (outsider, _)) = groups_of(four)
    # The thread is private, so its buttons are out of reach for anyone else.
    with pytest.raises(SetupError):
        await outsider.click(thread.last_message, label="We connected")


async def test_need_a_new_partner_re_pairs_and_the_partner_is_offered_one(four):
    await approve_round(four)
    await follow_up(four)
    (thread1, (a, b)), (thread2, (c, _d)) = groups_of(four)
    question2 = thread2.last_message

    # a asks for a new partner: nobody is waiting, so a joins c & d as a third.
    moved = await a.click(thread1.last_message, label="I need a new partner")
    assert "trio" in moved.response.content
    await sent(four)
    assert a.id in thread_members(four, thread2)
    assert "joining you as a third" in thread2.last_message.content

    # b, left alone, gets a kind note and an offer, and waits when no one is free.
    note = b.user.dm_channel.last_message
    assert "nothing you did" in note.content
    waiting = await b.user.click(note, label="Find me a new partner")
    assert "first in line" in waiting.response.content

    # c then asks for a new partner too: b is waiting, so they become a new pair with a thread.
    repaired = await c.click(question2, label="I need a new partner")
    assert b.mention in repaired.response.content
    await sent(four)
    threads = four.channels["pairs"].threads
    assert len(threads) == 3
    assert thread_members(four, threads[-1]) - {four.bot.user.id} == {b.id, c.id}
    status = await b.slash(four.general, "pair status")
    assert c.mention in status.response.content


async def test_leave_mid_round_and_leaving_the_server_tell_the_partner_kindly(four):
    await approve_round(four)
    (_t1, (a, b)), (_t2, (c, d)) = groups_of(four)
    left = await a.slash(four.general, "pair leave")
    assert "won't be paired again" in left.response.content
    await sent(four)
    assert "nothing you did" in b.user.dm_channel.last_message.content
    assert "Find me a new partner" in str(b.user.dm_channel.last_message.components)

    four.guild.remove_member(c)
    await four.env.settle()
    await sent(four)
    assert "nothing you did" in d.user.dm_channel.last_message.content
    assert await four.bot.db.fetch_all("SELECT * FROM pair_optins WHERE user_id = ?", (c.id,)) == []
    # Nobody is told who left or why.
    assert c.mention not in d.user.dm_channel.last_message.content


async def test_threads_are_archived_when_the_round_ends(four):
    await approve_round(four)
    four.clock.set(END)
    await four.bot.scheduler.run_due()
    for thread in four.channels["pairs"].threads:
        assert "round has ended" in thread.last_message.content
        assert four.env.backend.get_thread(thread.id).thread_metadata.archived
    assert await four.bot.db.fetch_one("SELECT * FROM pair_rounds WHERE status = 'active'") is None
