from __future__ import annotations

from datetime import timedelta

from tests.conftest import expected_errors
from tests.support.cards import is_card, visible_text


async def opt_in_public(group, actor) -> None:  # type: ignore[no-untyped-def]
    await group.bot.members.consent(group.guild.id, actor.id, 1, group.clock.now())
    await group.bot.members.set_choice(group.guild.id, actor.id, "public_celebrations", 1)


async def test_public_celebration_card_mentions_only_that_member(group):
    sender, star = group.members[0], group.members[1]
    await opt_in_public(group, star)
    result = await sender.slash(group.general, "celebrate", member=star, what="First week of morning walks!")
    assert result.ephemeral and "Posted in" in result.response.content
    card = group.channels["wins"].last_message
    assert star.mention in visible_text(card) and "First week of morning walks!" in visible_text(card)
    assert sender.mention not in visible_text(card)
    assert [m.id for m in card.mentions] == [star.id]
    assert is_card(card)
    assert {str(r.emoji) for r in card.reactions} == {"🎉", "👏", "💛"}
    wins = await group.members[2].slash(group.general, "wins", period="month")
    assert "First week of morning walks!" in wins.response.content and star.mention in wins.response.content


async def test_private_celebration_goes_by_dm_and_sender_is_told(group):
    sender, shy = group.members[0], group.members[1]  # no member row: celebrations are private
    result = await sender.slash(group.general, "celebrate", member=shy, what="You spoke up today")
    assert "prefers to be celebrated privately" in result.response.content
    assert group.channels["wins"].history() == []
    dm = shy.user.dm_channel.last_message
    assert "You spoke up today" in visible_text(dm) and "celebrating you" in visible_text(dm)
    assert "No shared wins" in (await sender.slash(group.general, "wins")).response.content


async def test_wins_newest_first_and_by_period(group):
    star = group.members[1]
    await opt_in_public(group, star)
    await group.members[0].slash(group.general, "celebrate", member=star, what="older win")
    group.clock.advance(timedelta(days=10))
    await group.members[0].slash(group.general, "celebrate", member=star, what="newer win")
    month = (await group.member.slash(group.general, "wins", period="month")).response.content
    assert month.index("newer win") < month.index("older win")
    week = (await group.member.slash(group.general, "wins")).response.content
    assert "newer win" in week and "older win" not in week


async def test_refuses_bots_self_and_long_text(group):
    me = group.member
    bot_member = group.guild.add_member(group.env.create_user("other-bot", bot=True))
    yourself = await me.slash(group.general, "celebrate", member=me, what="me")
    assert "/goal done" in yourself.response.content
    bot_try = await me.slash(group.general, "celebrate", member=bot_member, what="thanks bot")
    assert "bots don't need cheering" in bot_try.response.content
    long = await me.slash(group.general, "celebrate", member=group.members[1], what="y" * 501)
    assert "501 characters; the limit is 500" in long.response.content
    assert len(expected_errors(group.env)) == 3
    assert group.channels["wins"].history() == []
