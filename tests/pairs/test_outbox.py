"""Pair rounds send through the outbox; the follow-up day is configurable; rounds are audited."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.conftest import expected_errors
from tests.pairs.conftest import approve_round

QUESTION = "how's it going?"


def questions(four) -> list[str]:  # type: ignore[no-untyped-def]
    return [
        m.content
        for thread in four.channels["pairs"].threads
        for m in thread.history()
        if QUESTION in (m.content or "")
    ]


async def at(four, when: datetime) -> None:  # type: ignore[no-untyped-def]
    four.clock.set(when)
    await four.bot.scheduler.run_due()


async def test_intros_follow_ups_and_goodbyes_are_outbox_rows(four) -> None:  # type: ignore[no-untyped-def]
    await approve_round(four)
    await at(four, datetime(2026, 11, 26, 19, 0, tzinfo=UTC))
    await at(four, datetime(2026, 11, 30, 7, 0, tzinfo=UTC))
    rows = await four.bot.outbox.repo.all()
    kinds = sorted(r.kind for r in rows)
    assert kinds == ["pair:followup"] * 2 + ["pair:goodbye"] * 2 + ["pair:intro"] * 2
    assert all(r.status == "sent" for r in rows)
    threads = {t.id for t in four.channels["pairs"].threads}
    assert {r.channel_id for r in rows} == threads
    # the goodbye is posted before the thread is archived
    for thread in four.channels["pairs"].threads:
        assert "round has ended" in thread.last_message.content
        assert four.env.backend.get_thread(thread.id).thread_metadata.archived


async def test_scheduled_rounds_ask_on_the_chosen_day(four) -> None:  # type: ignore[no-untyped-def]
    fac, general = four.facilitator, four.general
    scheduled = await fac.slash(general, "pair schedule", weekday=0, time="08:00", followup_day=2)
    assert "how it's going on day 2" in scheduled.response.content
    await at(four, datetime(2026, 11, 23, 8, 0, tzinfo=UTC))
    assert len(four.channels["pairs"].threads) == 2
    await at(four, datetime(2026, 11, 25, 7, 59, tzinfo=UTC))
    assert questions(four) == []
    await at(four, datetime(2026, 11, 25, 8, 0, tzinfo=UTC))
    assert len(questions(four)) == 2
    # halfway (the default) would have been Thursday evening: nothing more then
    await at(four, datetime(2026, 11, 26, 20, 0, tzinfo=UTC))
    assert len(questions(four)) == 2


async def test_pair_run_takes_a_follow_up_day(four) -> None:  # type: ignore[no-untyped-def]
    preview = await four.facilitator.slash(four.general, "pair run", followup_day=1)
    await four.facilitator.click(preview.response.message, label="Approve")
    await four.bot.outbox.drain()
    await at(four, datetime(2026, 11, 24, 6, 59, tzinfo=UTC))
    assert questions(four) == []
    await at(four, datetime(2026, 11, 24, 7, 0, tzinfo=UTC))
    assert len(questions(four)) == 2


async def test_a_follow_up_day_past_the_round_is_refused(four) -> None:  # type: ignore[no-untyped-def]
    refused = await four.facilitator.slash(
        four.general, "pair schedule", weekday=0, time="08:00", followup_day=7
    )
    assert "before day 7" in refused.response.content
    assert len(expected_errors(four.env)) == 1
    assert await four.bot.scheduler.get(four.guild.id, "pair:round") is None


async def test_audit_shows_round_runs_and_schedules(four) -> None:  # type: ignore[no-untyped-def]
    await approve_round(four)
    await four.facilitator.slash(four.general, "pair schedule", weekday=2, time="18:00", every=2)
    await at(four, datetime(2026, 11, 25, 18, 0, tzinfo=UTC))
    log = await four.admin.slash(four.general, "audit", days=7)
    text = log.response.embeds[0].description
    assert f"<@{four.facilitator.id}> ran a pair round (2 pairs)" in text
    assert "set the pair round schedule (every 2 weeks on Wednesday at 18:00" in text
    assert "the bot ran a pair round (2 pairs)" in text
    assert "goal of member" not in text
