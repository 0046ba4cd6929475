"""The pre-session digest's skills and pairs lines: aggregates from sharing members only."""

from __future__ import annotations

from tests.community.conftest import at, london
from tests.community.test_digest import arrange_members, digests
from tests.support.cards import visible_text

IN_PERIOD = "2026-11-20T10:00:00Z"  # between the previous session (17th) and the next (24th)
BEFORE = "2026-11-16T10:00:00Z"  # before the previous session: not counted


async def practise(group, actor, skill_id: str, day: str, when: str = IN_PERIOD) -> None:  # type: ignore[no-untyped-def]
    await group.bot.db.execute(
        "INSERT INTO skill_practice (guild_id, user_id, skill_id, local_date, practised_at) "
        "VALUES (?, ?, ?, ?, ?)",
        (group.guild.id, actor.id, skill_id, day, when),
    )


async def answer(group, actor, answer: str, when: str = IN_PERIOD) -> None:  # type: ignore[no-untyped-def]
    db, gid = group.bot.db, group.guild.id
    round_id = await db.insert(
        "INSERT INTO pair_rounds (guild_id, started_at, ends_at, status) VALUES (?, ?, ?, 'ended')",
        (gid, "2026-11-10T09:00:00Z", "2026-11-22T09:00:00Z"),
    )
    group_id = await db.insert(
        "INSERT INTO pair_groups (round_id, guild_id, created_at) VALUES (?, ?, ?)",
        (round_id, gid, "2026-11-10T09:00:00Z"),
    )
    await db.execute(
        "INSERT INTO pair_answers (group_id, guild_id, user_id, answer, answered_at) VALUES (?, ?, ?, ?, ?)",
        (group_id, gid, actor.id, answer, when),
    )


async def digest_after_session_set(group) -> str:  # type: ignore[no-untyped-def]
    await group.facilitator.slash(group.general, "session set", weekday="tuesday", time="18:30")
    await at(group, london(2026, 11, 24, 15, 30))
    [digest] = digests(group)
    return str(visible_text(digest))


async def test_digest_shows_top_skills_and_pair_rate_from_sharing_members_only(group):
    await arrange_members(group)  # member1 aggregate, member2 private, member3 named
    m1, m2, m3 = group.members
    await practise(group, m1, "active-listening", "2026-11-19")
    await practise(group, m1, "active-listening", "2026-11-20")
    await practise(group, m1, "thank-you-message", "2026-11-20")
    await practise(group, m3, "active-listening", "2026-11-21")
    await practise(group, m3, "group-written-skill", "2026-11-21")
    await practise(group, m3, "thank-you-message", "2026-11-10", when=BEFORE)  # before the period
    for day in ("2026-11-18", "2026-11-19", "2026-11-20", "2026-11-21"):
        await practise(group, m2, "repair-after-conflict", day)  # private: never counted
    await answer(group, m1, "connected")
    await answer(group, m3, "not_yet")
    await answer(group, m3, "connected")
    await answer(group, m1, "not_yet", when=BEFORE)  # before the period
    await answer(group, m2, "connected")  # private: never counted
    await answer(group, m2, "connected")

    text = await digest_after_session_set(group)
    assert "- Skills: 5 practised by 2 sharing members." in text
    assert (
        "- Practised most: Listen to understand (3), Group written skill (1), Send a thank-you message (1)"
        in text
    )
    assert "Make a repair" not in text  # only member2, who keeps check-ins private, practised it
    assert "- Pair connection rate: 67% (2 of 3 follow-up answers said they connected)." in text


async def test_one_sharing_member_is_not_shown_and_missing_features_are_left_out(group):
    await arrange_members(group)
    m1, m2, _m3 = group.members
    await practise(group, m1, "active-listening", "2026-11-19")
    await practise(group, m2, "active-listening", "2026-11-19")  # private
    await answer(group, m1, "connected")
    text = await digest_after_session_set(group)
    assert "Skills: too few sharing members practised" in text and "Listen to understand" not in text
    assert "Pairs: too few follow-up answers" in text and "%" not in text

    await group.bot.db.execute("DROP TABLE skill_practice")
    await group.bot.db.execute("DROP TABLE pair_answers")
    await at(group, london(2026, 12, 1, 15, 30))
    latest = str(visible_text(digests(group)[-1]))
    assert "Skills" not in latest and "Pair" not in latest
    assert "Goals completed: 0" in latest
