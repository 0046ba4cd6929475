"""Pair buttons posted by an earlier release keep working: their custom ids never change."""

from __future__ import annotations

from datetime import UTC, datetime

import discord

from cogs.pairs.views import AnswerButton, RePairButton
from tests.conftest import restart
from tests.pairs.conftest import approve_round

HALFWAY = datetime(2026, 11, 26, 19, 0, tzinfo=UTC)  # the round started Monday 07:00 and lasts a week


def test_the_pair_buttons_keep_their_custom_ids():
    assert AnswerButton(7, "connected").custom_id == "pair:answer:7:connected"
    assert AnswerButton(7, "not_yet").custom_id == "pair:answer:7:not_yet"
    assert AnswerButton(7, "new_partner").custom_id == "pair:answer:7:new_partner"
    assert RePairButton(9).custom_id == "pair:repair:9"


async def test_buttons_posted_before_the_upgrade_still_work(four):
    await approve_round(four)
    repo = four.bot.get_cog("Pairs").repo
    active = await repo.active_round(four.guild.id)
    pair = (await repo.groups(active.round_id))[0]
    thread = next(t for t in four.channels["pairs"].threads if t.id == pair.thread_id)
    four.clock.set(HALFWAY)
    await four.bot.scheduler.run_due()
    answers = [f"pair:answer:{pair.group_id}:{a}" for a in ("connected", "not_yet", "new_partner")]
    assert [c.custom_id for row in thread.last_message.components for c in row.children] == answers

    # The buttons as an older release sent them: plain buttons with those ids, none of today's classes.
    repair = f"pair:repair:{active.round_id}"
    old = discord.ui.View(timeout=None)
    for custom_id in (answers[0], answers[1], repair):
        old.add_item(discord.ui.Button(label="old", custom_id=custom_id))
    await four.bot.get_channel(pair.thread_id).send("How's it going?", view=old)
    # A new process: nothing but the registered persistent buttons knows these ids.
    await restart(four)
    message = thread.last_message
    a, b = (m for m in four.members if m.id in pair.members)

    connected = await a.click(message, custom_id=answers[0])
    assert "thank you for letting me know" in connected.response.content
    not_yet = await b.click(message, custom_id=answers[1])
    assert "There's still time" in not_yet.response.content
    report = await four.facilitator.slash(four.general, "pair report")
    assert "1 said they connected" in report.response.content
    offered = await a.click(message, custom_id=repair)
    assert "You already have a partner this round" in offered.response.content
