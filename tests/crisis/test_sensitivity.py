"""A group's sensitivity (``/crisis settings sensitivity:``), stored per group and handed to the
detector with every message (issue 15, item 5)."""

from __future__ import annotations

from tests.conftest import build_group, configure, show_facilitator_commands
from tests.crisis.conftest import CAUTIOUS_ONLY, SELF_CONCERN, restart_with


def _dms(actor):
    channel = actor.user.dm_channel
    return [] if channel is None else channel.history()


async def test_standard_by_default_and_shown_with_what_cautious_costs(group, fake):
    shown = await group.facilitator.slash(group.general, "crisis settings")
    text = shown.response.content
    assert "**Sensitivity:** standard" in text
    assert "**cautious** answers more messages" in text and "more false alarms" in text
    await group.member.send(group.general, CAUTIOUS_ONLY)
    assert fake.calls == [(CAUTIOUS_ONLY, "standard")]
    assert _dms(group.member) == []


async def test_cautious_is_passed_to_the_detector_and_kept_across_a_restart(group, fake):
    changed = await group.facilitator.slash(group.general, "crisis settings", sensitivity="cautious")
    assert "**Sensitivity:** cautious" in changed.response.content
    assert "Crisis alerts:** on" in changed.response.content  # the other settings are untouched
    await group.member.send(group.general, CAUTIOUS_ONLY)
    assert fake.calls[-1] == (CAUTIOUS_ONLY, "cautious")
    assert len(_dms(group.member)) == 1 and group.channels["alerts"].last_message is not None
    await restart_with(group, fake)
    await group.members[1].send(group.general, SELF_CONCERN)
    assert fake.calls[-1] == (SELF_CONCERN, "cautious")  # read from the database, not memory
    shown = await group.admin.slash(group.general, "crisis settings")
    assert "**Sensitivity:** cautious" in shown.response.content
    await group.facilitator.slash(group.general, "crisis settings", sensitivity="standard")
    await group.members[2].send(group.general, CAUTIOUS_ONLY)
    assert fake.calls[-1] == (CAUTIOUS_ONLY, "standard")
    assert _dms(group.members[2]) == []


async def test_each_group_has_its_own_and_a_dm_to_the_bot_is_standard(
    simcord_env, simcord_bot, clock, group, fake
):
    other = build_group(simcord_env, simcord_bot, clock, name="Second Group")
    await configure(other)
    show_facilitator_commands(other)
    await group.facilitator.slash(group.general, "crisis settings", sensitivity="cautious")
    await other.member.send(other.general, CAUTIOUS_ONLY)
    assert fake.calls[-1] == (CAUTIOUS_ONLY, "standard")
    await group.member.send(group.general, CAUTIOUS_ONLY)
    assert fake.calls[-1] == (CAUTIOUS_ONLY, "cautious")
    await group.member.user.send_dm(CAUTIOUS_ONLY)
    assert fake.calls[-1] == (CAUTIOUS_ONLY, "standard")
