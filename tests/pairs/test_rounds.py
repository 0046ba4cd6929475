"""Facilitators run rounds: preview, reshuffle, approve; threads, the DM fallback, schedules."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from simcord.backend.errors import SetupError

from tests.conftest import expected_errors
from tests.pairs.conftest import approve_round, opt_in, thread_members


async def test_preview_reshuffle_and_approve_opens_a_private_thread_per_pair(four):
    fac, general, pairs = four.facilitator, four.general, four.channels["pairs"]
    preview = await fac.slash(general, "pair run")
    assert preview.ephemeral
    assert "Proposed pairs" in preview.response.content
    assert all(m.mention in preview.response.content for m in four.members)
    assert pairs.threads == []  # nothing posted before approval
    shuffled = await fac.click(preview.response.message, label="Reshuffle")
    assert "Proposed pairs" in shuffled.response.content
    approved = await fac.click(preview.response.message, label="Approve")
    assert "Round started: 2 pairs" in approved.response.content
    await four.bot.outbox.drain()

    threads = pairs.threads
    assert len(threads) == 2
    seen: set[int] = set()
    for thread in threads:
        members = thread_members(four, thread) - {four.bot.user.id}
        assert len(members) == 2
        seen |= members
        intro = thread.history()[0].content
        assert all(f"<@{m}>" in intro for m in members)
        assert "goal of member" in intro
        assert "A first step" in intro
        assert "Skill of the week" in intro
    assert seen == {m.id for m in four.members}
    # The thread is private: other members cannot read it.
    thread = threads[0]
    outsider = next(m for m in four.members if m.id not in thread_members(four, thread))
    with pytest.raises(SetupError):
        thread.history(viewer=outsider)

    status = await four.member.slash(general, "pair status")
    assert "Your partner this round" in status.response.content
    assert "goal of member" in status.response.content
    assert ":F>" in status.response.content
    history = await four.member.slash(general, "pair history")
    assert "<@" in history.response.content


async def test_fewer_than_two_members_tells_the_facilitator_and_posts_nothing(group):
    await opt_in(group, group.member)
    result = await group.facilitator.slash(group.general, "pair run")
    assert result.ephemeral
    assert "at least two" in result.response.content
    assert result.response.components == []
    assert group.channels["pairs"].threads == []


async def test_facilitator_commands_refuse_plain_members(four):
    member, general = four.member, four.general
    for command, options in [
        ("pair run", {}),
        ("pair report", {}),
        ("pair schedule", {"weekday": 0, "time": "18:00"}),
        ("pair constraint", {"action": "separate", "first": four.members[1], "second": four.members[2]}),
    ]:
        result = await member.slash(general, command, **options)
        assert result.ephemeral and "facilitators" in result.response.content
    assert len(expected_errors(four.env)) == 4
    assert four.channels["pairs"].threads == []
    assert await four.bot.scheduler.get(four.guild.id, "pair:round") is None


async def test_without_thread_permission_pairs_are_introduced_by_dm_and_facilitators_told_once(four):
    four.env.inject_error(
        "POST", "/channels/*/threads", status=403, code=50013, message="Missing Permissions", times=None
    )
    approved = await approve_round(four)
    assert "introduced by DM" in approved.response.content
    for member in four.members:
        dm = member.user.dm_channel.last_message
        assert dm is not None and "Your accountability pair" in dm.content
        assert "Resilience Group" in dm.content
        assert member.mention in dm.content
    alerts = four.channels["alerts"].history()
    assert len(alerts) == 1
    assert "Create Private Threads" in alerts[0].content
    # A second round does not repeat the warning.
    await approve_round(four)
    assert len(four.channels["alerts"].history()) == 1


async def test_constraints_keep_apart_and_the_report_is_aggregate(four):
    fac, general = four.facilitator, four.general
    a, b = four.members[0], four.members[1]
    kept = await fac.slash(general, "pair constraint", action="separate", first=a, second=b)
    assert "kept apart" in kept.response.content
    same = await fac.slash(general, "pair constraint", action="pin", first=a, second=a)
    assert "two different members" in same.response.content
    assert len(expected_errors(four.env)) == 1
    await approve_round(four)
    groups = await four.bot.db.fetch_all("SELECT group_id, user_id FROM pair_group_members")
    by_group: dict[int, set[int]] = {}
    for row in groups:
        by_group.setdefault(row["group_id"], set()).add(row["user_id"])
    assert {a.id, b.id} not in by_group.values()
    report = await fac.slash(general, "pair report")
    assert "2 pairs, 0 said they connected" in report.response.content
    assert "<@" not in report.response.content  # totals only, no names


async def test_scheduled_round_runs_without_preview_at_the_local_time(four):
    fac, general = four.facilitator, four.general
    scheduled = await fac.slash(general, "pair schedule", weekday=2, time="18:00", every=2)
    assert "every 2 weeks on Wednesday at 18:00 (Europe/London)" in scheduled.response.content
    four.clock.set(datetime(2026, 11, 25, 18, 1, tzinfo=UTC))
    await four.bot.scheduler.run_due()
    assert len(four.channels["pairs"].threads) == 2
    active = await four.bot.db.fetch_one(
        "SELECT started_at, ends_at FROM pair_rounds WHERE status = 'active'"
    )
    assert active["ends_at"] == "2026-12-09T18:01:00Z"
