"""Scheduled and deferred prompts go out through the outbox; their threads open once posted; audited."""

from __future__ import annotations

from tests.community.conftest import at, london, prompt_posts
from tests.conftest import Group


async def test_a_scheduled_prompt_with_a_thread_is_an_outbox_row(group: Group) -> None:
    fac, general = group.facilitator, group.general
    await fac.slash(
        general, "prompt schedule", repeat="daily", time="19:00", text="What helped today?", thread=True
    )
    await at(group, london(2026, 11, 23, 19, 0))
    (post,) = prompt_posts(general)
    (row,) = await group.bot.outbox.repo.all()
    assert row.kind == "prompt:post" and row.status == "sent" and row.message_id == post.id
    assert [t.name for t in general.threads] == ["What helped today?"]
    # the same occurrence again (a handler re-run) adds nothing
    await at(group, london(2026, 11, 23, 19, 0))
    assert len(prompt_posts(general)) == 1


async def test_a_deferred_prompt_goes_through_the_outbox_once(group: Group) -> None:
    fac, general = group.facilitator, group.general
    await fac.slash(general, "prompt quiet", start="22:00", end="07:00")
    await fac.slash(
        general, "prompt schedule", repeat="daily", time="23:15", text="Late thought", thread=True
    )
    await at(group, london(2026, 11, 23, 23, 15))
    assert await group.bot.outbox.repo.all() == []
    await at(group, london(2026, 11, 24, 7, 0))
    await at(group, london(2026, 11, 24, 7, 5))
    (row,) = await group.bot.outbox.repo.all()
    assert row.kind == "prompt:deferred" and row.status == "sent"
    assert len(prompt_posts(general)) == 1 and len(general.threads) == 1


async def test_audit_shows_prompts_scheduled_edited_and_cancelled_without_their_text(group: Group) -> None:
    fac, general = group.facilitator, group.general
    await fac.slash(general, "prompt schedule", repeat="daily", time="19:00", text="A private-ish question")
    await fac.slash(general, "prompt edit", prompt=1, text="Another question", time="20:00")
    await fac.slash(general, "prompt cancel", prompt=1)
    log = await group.admin.slash(general, "audit", days=7)
    text = log.response.embeds[0].description
    assert "scheduled a prompt (#1, " in text
    assert "edited a scheduled prompt (#1, text and time)" in text
    assert "cancelled a scheduled prompt (#1)" in text
    assert "question" not in text
