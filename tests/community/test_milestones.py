"""Automatic milestone cards: skills practised, goals done, pair rounds stayed with."""

from __future__ import annotations

from datetime import date, timedelta

from tests.community.conftest import at, london
from tests.community.test_celebrations import opt_in_public
from tests.support.cards import is_card, visible_text


async def practise(group, actor, count: int, start: int = 0) -> None:  # type: ignore[no-untyped-def]
    for i in range(start, start + count):
        day = (date(2026, 10, 1) + timedelta(days=i)).isoformat()
        await group.bot.db.execute(
            "INSERT INTO skill_practice (guild_id, user_id, skill_id, local_date, practised_at) "
            "VALUES (?, ?, 'active-listening', ?, '2026-11-20T10:00:00Z')",
            (group.guild.id, actor.id, day),
        )


async def finish_goal(group, actor) -> None:  # type: ignore[no-untyped-def]
    await group.bot.db.execute(
        "INSERT INTO community_goals (guild_id, user_id, text, status, done_at, created_at, updated_at) "
        "VALUES (?, ?, 'x', 'done', '2026-11-20T10:00:00Z', '2026-11-20T10:00:00Z', '2026-11-20T10:00:00Z')",
        (group.guild.id, actor.id),
    )


async def pair_round(group, members, *, status: str = "ended", left=()) -> None:  # type: ignore[no-untyped-def]
    db, gid = group.bot.db, group.guild.id
    round_id = await db.insert(
        "INSERT INTO pair_rounds (guild_id, started_at, ends_at, status) VALUES (?, ?, ?, ?)",
        (gid, "2026-11-01T09:00:00Z", "2026-11-08T09:00:00Z", status),
    )
    group_id = await db.insert(
        "INSERT INTO pair_groups (round_id, guild_id, created_at) VALUES (?, ?, '2026-11-01T09:00:00Z')",
        (round_id, gid),
    )
    for actor in members:
        await db.execute(
            "INSERT INTO pair_group_members (group_id, guild_id, user_id, left_at) VALUES (?, ?, ?, ?)",
            (group_id, gid, actor.id, "2026-11-03T09:00:00Z" if actor in left else None),
        )


def cards(group) -> list:  # type: ignore[no-untyped-def]
    return [m for m in group.channels["wins"].history() if "Milestone!" in visible_text(m)]


async def test_cards_for_opted_in_members_once_each(group):
    star, shy, quiet = group.members
    await opt_in_public(group, star)
    await group.bot.members.consent(group.guild.id, shy.id, 1, group.clock.now())  # private celebrations
    await opt_in_public(group, quiet)
    await practise(group, star, 12)  # 5 and 10 reached: one card, for 10
    await practise(group, shy, 30)  # opted out: nothing public, ever
    await practise(group, quiet, 4)  # not yet 5
    await finish_goal(group, star)
    for _ in range(3):
        await pair_round(group, [star, quiet])
    await pair_round(group, [star, quiet], status="active")  # not completed yet
    await pair_round(group, [star, quiet], left=[quiet])  # quiet left that round early

    await at(group, london(2026, 11, 23, 18, 59))
    assert cards(group) == []
    await at(group, london(2026, 11, 23, 19, 0))
    found = sorted(visible_text(m) for m in cards(group))
    assert len(found) == 4, found
    star_cards = [c for c in found if star.mention in c]
    assert len(star_cards) == 3
    assert any("**10 skills**" in c for c in star_cards)
    assert not any("**5 skills**" in c for c in found)
    assert any("**their first goal**" in c for c in star_cards)
    assert not any("**4 accountability pair rounds**" in c for c in found)  # the active round
    [quiet_card] = [c for c in found if quiet.mention in c]
    assert "**3 accountability pair rounds**" in quiet_card
    assert not any(shy.mention in c for c in found)
    for card in cards(group):
        assert len(card.mentions) == 1 and card.mentions[0].id in (star.id, quiet.id)
        assert {str(r.emoji) for r in card.reactions} == {"🎉", "👏", "💛"}

    # The next evening: nothing new, no repeat. Then more practice crosses 25.
    await at(group, london(2026, 11, 24, 19, 0))
    assert len(cards(group)) == 4
    await practise(group, star, 13, start=12)
    await at(group, london(2026, 11, 25, 19, 0))
    assert "**25 skills**" in visible_text(cards(group)[-1]) and len(cards(group)) == 5

    wins = (await shy.slash(group.general, "wins")).response.content
    assert "Practised 25 skills" in wins and "Reached their first goal" in wins
    assert "Stayed with 3 accountability pair rounds" in wins
    assert f"<@{shy.id}>" not in wins


async def test_pair_rounds_count_only_where_the_member_stayed(group):
    star, other, _ = group.members
    await opt_in_public(group, star)
    for _ in range(2):
        await pair_round(group, [star, other])
    await pair_round(group, [star, other], left=[star])
    await at(group, london(2026, 11, 23, 19, 0))
    assert cards(group) == []
    await pair_round(group, [star, other])
    await at(group, london(2026, 11, 24, 19, 0))
    [card] = cards(group)
    assert star.mention in visible_text(card) and "**3 accountability pair rounds**" in visible_text(card)
    assert is_card(card) and [m.id for m in card.mentions] == [star.id]


async def test_opting_out_stops_cards_and_missing_features_are_skipped(group):
    star = group.member
    await opt_in_public(group, star)
    await group.bot.db.execute("DROP TABLE skill_practice")
    await group.bot.db.execute("DROP TABLE pair_group_members")
    await finish_goal(group, star)
    await at(group, london(2026, 11, 23, 19, 0))
    [card] = cards(group)
    assert "first goal" in visible_text(card)
    await group.bot.members.set_choice(group.guild.id, star.id, "public_celebrations", 0)
    for _ in range(4):
        await finish_goal(group, star)
    await at(group, london(2026, 11, 24, 19, 0))
    assert len(cards(group)) == 1


async def test_schedule_follows_the_group_timezone(group):
    schedule = await group.bot.scheduler.get(group.guild.id, "celebrations:milestones")
    assert schedule is not None and schedule.rule.tz.key == "Europe/London"
    await group.admin.slash(group.general, "setup timezone", zone="America/New_York")
    schedule = await group.bot.scheduler.get(group.guild.id, "celebrations:milestones")
    assert schedule is not None and schedule.rule.tz.key == "America/New_York"
