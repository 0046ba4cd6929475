"""A process restart (a brand-new bot on the same database) keeps buttons and schedules working."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.conftest import restart
from tests.support.cards import visible_text


def dynamic_patterns(bot) -> set[str]:
    # The view store maps each compiled custom_id template to its DynamicItem class.
    return {pattern.pattern for pattern in bot._connection._view_store._dynamic_items}


async def test_restart_registers_the_same_persistent_buttons(group):
    before = dynamic_patterns(group.bot)
    assert before, "features register persistent buttons at start-up"
    new = await restart(group)
    assert new is not group.pool[0]
    assert dynamic_patterns(new) == before


async def test_a_days_old_alert_button_works_after_a_restart(group):
    await group.member.send(group.general, "everyone would be better off without me")
    alert = group.channels["alerts"].last_message
    group.clock.set(datetime(2026, 11, 26, 12, 0, tzinfo=UTC))
    await restart(group)
    await group.facilitator.click(alert, label="I'm reaching out")
    assert "is reaching out" in group.channels["alerts"].last_message.content


async def test_setup_survives_a_restart(group):
    await restart(group)
    shown = await group.admin.slash(group.general, "setup show")
    assert "Europe/London" in visible_text(shown.response)
    assert f"<#{group.channels['checkins'].id}>" in visible_text(shown.response)
