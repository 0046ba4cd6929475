"""Goals shared with the accountability partner: a kind DM to the current partner, or a promise."""

from __future__ import annotations

from tests.community.conftest import at, london
from tests.community.test_goals import set_goal
from tests.community.test_milestones import pair_round


async def consent(group, *actors) -> None:  # type: ignore[no-untyped-def]
    for actor in actors:
        await group.bot.members.consent(group.guild.id, actor.id, 1, group.clock.now())


def dm_texts(actor) -> list[str]:  # type: ignore[no-untyped-def]
    channel = actor.user.dm_channel
    return [m.content for m in channel.history()] if channel is not None else []


async def deliver(group) -> None:  # type: ignore[no-untyped-def]
    await group.bot.scheduler.run_due()  # drains the outbox inline, as the worker would


async def test_partner_gets_a_kind_dm_when_a_goal_is_set_and_done(group):
    me, partner, other = group.members
    await consent(group, me, partner, other)
    await pair_round(group, [me, other])  # an old round: not a current partner
    await pair_round(group, [me, partner], status="active")
    result = await set_goal(me, group, "Walk every morning", share="partner")
    assert "I let your partner know" in result.response.content
    await deliver(group)
    [dm] = dm_texts(partner)
    assert f"{me.name} shared a goal with you: **Walk every morning**" in dm
    assert dm_texts(other) == []
    assert group.channels["wins"].history() == []

    goal_id = (await me.autocomplete(group.general, "goal done", "goal", ""))[0]["value"]
    done = await me.slash(group.general, "goal done", goal=goal_id)
    assert "I let your partner know" in done.response.content
    await deliver(group)
    assert f"{me.name} finished a goal they shared with you: **Walk every morning**" in dm_texts(partner)[-1]
    assert len(dm_texts(partner)) == 2 and dm_texts(other) == []

    # The daily catch-up doesn't repeat what the partner already has.
    await at(group, london(2026, 11, 23, 18, 0))
    assert len(dm_texts(partner)) == 2


async def test_no_partner_nothing_sent_and_shared_once_a_partner_arrives(group):
    me, partner, _ = group.members
    await consent(group, me, partner)
    await pair_round(group, [me, partner], left=[partner], status="active")  # partner left the pair
    result = await set_goal(me, group, "Call my sister weekly", share="partner")
    assert "don't have an accountability partner right now, so nothing was sent" in result.response.content
    assert "when you have one" in result.response.content
    await deliver(group)
    assert dm_texts(partner) == []
    private = await set_goal(me, group, "My private one")
    assert "partner" not in private.response.content.split("(")[1]

    # A new round pairs them: the evening catch-up shares the goal, once, and not the private one.
    await group.bot.db.execute(
        "UPDATE pair_rounds SET status = 'ended' WHERE guild_id = ?", (group.guild.id,)
    )
    await pair_round(group, [me, partner], status="active")
    await at(group, london(2026, 11, 23, 18, 0))
    [dm] = dm_texts(partner)
    assert "shared a goal with you: **Call my sister weekly**" in dm and "private" not in dm
    await at(group, london(2026, 11, 24, 18, 0))
    assert len(dm_texts(partner)) == 1


async def test_without_the_pairs_feature_the_goal_stays_private(group):
    me = group.member
    await group.bot.db.execute("DROP TABLE pair_group_members")
    result = await set_goal(me, group, "Sleep by 11", share="partner")
    assert "Accountability pairs aren't set up" in result.response.content
