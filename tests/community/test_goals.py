from __future__ import annotations

from tests.conftest import agree, expected_errors


async def set_goal(actor, group, text, **options):  # type: ignore[no-untyped-def]
    result = await actor.slash(group.general, "goal set", text=text, **options)
    if "Before I save anything" in (result.response.content or ""):
        result = await agree(actor, result)
    return result


async def test_goal_needs_consent_and_is_private_by_default(group):
    me = group.member
    asked = await me.slash(group.general, "goal set", text="Walk 20 minutes a day")
    assert "Before I save anything" in asked.response.content
    assert await group.bot.db.fetch_all("SELECT * FROM community_goals") == []
    done = await agree(me, asked)
    assert "only you can see it" in done.response.content
    listed = await me.slash(group.general, "goal list")
    assert listed.ephemeral and "Walk 20 minutes a day" in listed.response.content


async def test_update_done_and_drop_own_goals(group):
    me = group.member
    await set_goal(me, group, "Read a chapter", by="2026-12-20")
    await set_goal(me, group, "Call my sister")
    choices = await me.autocomplete(group.general, "goal update", "goal", "read")
    assert [c["name"] for c in choices] == ["Read a chapter"]
    read = choices[0]["value"]
    await me.slash(group.general, "goal update", goal=read, progress="40%")
    await me.slash(group.general, "goal update", goal=read, progress="halfway through the book")
    listed = (await me.slash(group.general, "goal list")).response.content
    assert "40%" in listed and "halfway through the book" in listed and "by Sunday 20 December 2026" in listed
    done = await me.slash(group.general, "goal done", goal=read)
    assert "Well done" in done.response.content
    assert group.channels["wins"].history() == []  # private goals stay private
    call = (await me.autocomplete(group.general, "goal drop", "goal", ""))[0]["value"]
    await me.slash(group.general, "goal drop", goal=call)
    assert await me.autocomplete(group.general, "goal done", "goal", "") == []


async def test_another_member_cannot_see_or_touch_my_goal(group):
    me, other = group.members[0], group.members[1]
    await set_goal(me, group, "My private goal")
    goal_id = (await me.autocomplete(group.general, "goal done", "goal", ""))[0]["value"]
    await set_goal(other, group, "Theirs")
    assert [c["name"] for c in await other.autocomplete(group.general, "goal done", "goal", "")] == ["Theirs"]
    assert "My private goal" not in (await other.slash(group.general, "goal list")).response.content
    tried = await other.slash(group.general, "goal done", goal=goal_id)
    assert "couldn't find that among your open goals" in tried.response.content
    tried = await other.slash(group.general, "goal update", goal=goal_id, progress="100%")
    assert "couldn't find" in tried.response.content
    assert len(expected_errors(group.env)) == 2
    rows = await group.bot.db.fetch_all(
        "SELECT status, percent FROM community_goals WHERE goal_id = ?", (goal_id,)
    )
    assert rows == [{"status": "open", "percent": None}]


async def test_group_goal_done_posts_a_win_card(group):
    me = group.member
    await set_goal(me, group, "Run 5k", share="group")
    goal_id = (await me.autocomplete(group.general, "goal done", "goal", ""))[0]["value"]
    done = await me.slash(group.general, "goal done", goal=goal_id)
    assert group.channels["wins"].mention in done.response.content
    card = group.channels["wins"].last_message
    assert me.mention in card.content and "Run 5k" in card.content
    wins = await group.members[1].slash(group.general, "wins")
    assert "Run 5k" in wins.response.content


async def test_goal_bad_input(group):
    me = group.member
    long = await me.slash(group.general, "goal set", text="x" * 201)
    assert "201 characters; the limit is 200" in long.response.content
    past = await me.slash(group.general, "goal set", text="ok", by="2026-01-01")
    assert "already passed" in past.response.content
    feb = await me.slash(group.general, "goal set", text="ok", by="2027-02-31")
    assert "isn't a date on the calendar" in feb.response.content
    assert len(expected_errors(group.env)) == 3
    assert await group.bot.members.get(group.guild.id, me.id) is None


async def test_goal_text_notes_and_wins_are_encrypted_at_rest(group):
    me = group.member
    await set_goal(me, group, "Swim twice a week", share="group")
    goal = (await me.autocomplete(group.general, "goal update", "goal", "swim"))[0]["value"]
    await me.slash(group.general, "goal update", goal=goal, progress="went on Tuesday")
    await me.slash(group.general, "goal done", goal=goal)
    rows = await group.bot.db.fetch_all("SELECT text, note FROM community_goals")
    wins = await group.bot.db.fetch_all("SELECT what FROM community_wins")
    stored = " ".join(str(v) for row in rows + wins for v in row.values())
    assert wins, "finishing a group goal records a win"
    assert "Swim" not in stored and "Tuesday" not in stored
    listed = await me.slash(group.general, "goal list")
    assert "Swim twice a week" in listed.response.content
