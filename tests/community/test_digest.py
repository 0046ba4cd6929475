from __future__ import annotations

from datetime import date, timedelta

from tests.community.conftest import at, london
from tests.support.cards import visible_text


async def arrange_members(group) -> None:  # type: ignore[no-untyped-def]
    """member1 shares check-ins as aggregate, member2 keeps them private, member3 shares named."""
    repo, gid, now = group.bot.members, group.guild.id, group.clock.now()
    for actor, level in zip(group.members, ["aggregate", "private", "named"], strict=True):
        await repo.consent(gid, actor.id, 1, now)
        await repo.set_choice(gid, actor.id, "share_checkins", level)


async def add_checkins(group, actor, moods: list[int]) -> None:  # type: ignore[no-untyped-def]
    for i, mood in enumerate(moods):
        day = (date(2026, 11, 18) + timedelta(days=i)).isoformat()
        await group.bot.db.execute(
            "INSERT INTO checkins (guild_id, user_id, local_date, mood, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, '2026-11-18T09:00:00Z', '2026-11-18T09:00:00Z')",
            (group.guild.id, actor.id, day, mood),
        )


def digests(group) -> list:  # type: ignore[no-untyped-def]
    return [m for m in group.channels["alerts"].history() if "Before the session" in visible_text(m)]


async def test_digest_counts_only_members_who_share(group):
    await arrange_members(group)
    m1, m2, m3 = group.members
    await add_checkins(group, m1, [2, 2, 3, 4])
    await add_checkins(group, m2, [1, 1, 1, 1, 1])
    await add_checkins(group, m3, [3, 4])
    await group.facilitator.slash(group.general, "session set", weekday="tuesday", time="18:30")
    done = await group.facilitator.slash(group.general, "session digest", hours=3)
    assert "3 h before" in done.response.content
    # Goals: a private goal of a sharing member counts, one of a private member does not.
    for actor in (m1, m2):
        goal = await group.bot.db.insert(
            "INSERT INTO community_goals (guild_id, user_id, text, created_at, updated_at) "
            "VALUES (?, ?, 'g', '2026-11-20T09:00:00Z', '2026-11-20T09:00:00Z')",
            (group.guild.id, actor.id),
        )
        await group.bot.db.execute(
            "UPDATE community_goals SET status = 'done', done_at = '2026-11-23T12:00:00Z' WHERE goal_id = ?",
            (goal,),
        )
    await at(group, london(2026, 11, 23, 18, 30))  # the reminder, so members can RSVP
    card = group.general.last_message
    await group.bot.db.execute(
        "INSERT INTO community_rsvps VALUES (?, '2026-11-24', ?, 1, '2026-11-23T19:00:00Z')",
        (group.guild.id, m2.id),
    )
    await at(group, london(2026, 11, 24, 15, 29))
    assert digests(group) == []
    await at(group, london(2026, 11, 24, 15, 30))
    [digest] = digests(group)
    text = visible_text(digest)
    assert "2 of 2 sharing members checked in (6 check-ins)" in text
    assert "Average mood: 2.8 → 3.5 (rising)" in text  # member2 (private) is never counted
    assert "Goals completed: 1" in text
    assert "RSVPs: 1 going, 0 can't make it" in text
    assert digest.attachments and digest.attachments[0].filename == "group-pulse.png"
    assert card is not None
    # Both went out through the durable outbox (paced, sent once), the chart included.
    rows = await group.bot.db.fetch_all("SELECT kind, status FROM outbox WHERE kind LIKE 'session:%'")
    assert {"kind": "session:digest", "status": "sent"} in rows
    assert {"kind": "session:reminder", "status": "sent"} in rows


async def test_digest_without_sharing_members_or_checkins_table(group):
    await group.facilitator.slash(group.general, "session set", weekday="tuesday", time="18:30")
    await at(group, london(2026, 11, 24, 15, 30))
    assert "nobody has chosen to share check-ins" in visible_text(digests(group)[0])
    await group.bot.db.execute("DROP TABLE checkins")
    await at(group, london(2026, 12, 1, 15, 30))
    latest = digests(group)[-1]
    assert "Check-ins: not available" in visible_text(latest) and not latest.attachments


async def test_one_sharing_member_gets_no_mood_average(group):
    await arrange_members(group)
    await add_checkins(group, group.members[0], [2, 4])
    await group.facilitator.slash(group.general, "session set", weekday="tuesday", time="18:30")
    await at(group, london(2026, 11, 24, 15, 30))
    text = visible_text(digests(group)[0])
    assert "1 of 2 sharing members checked in (2 check-ins)" in text
    assert "Average mood" not in text
