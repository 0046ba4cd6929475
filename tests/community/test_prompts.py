from __future__ import annotations

from datetime import timedelta

from tests.community.conftest import at, london, prompt_posts
from tests.conftest import allow_command, expected_errors


async def test_post_now_with_library_prompt_and_thread(group):
    library = group.bot.content.prompts["who-lifts-you"]
    result = await group.facilitator.slash(group.general, "prompt post", library="who-lifts-you", thread=True)
    assert result.ephemeral and "Posted" in result.response.content
    posts = prompt_posts(group.general)
    assert len(posts) == 1 and posts[0].embeds[0].description == library.text
    assert len(group.general.threads) == 1


async def test_post_free_text_to_another_channel(group):
    await group.facilitator.slash(
        group.general, "prompt post", text="What small thing went well?", channel=group.channels["skills"]
    )
    assert prompt_posts(group.general) == []
    assert prompt_posts(group.channels["skills"])[0].embeds[0].description == "What small thing went well?"


async def test_library_autocomplete_by_text_and_tag(group):
    by_id = await group.facilitator.autocomplete(group.general, "prompt post", "library", "who-lifts")
    assert by_id[0]["value"] == "who-lifts-you"
    by_tag = await group.facilitator.autocomplete(group.general, "prompt post", "library", "low mood")
    tagged = {p.id for p in group.bot.content.prompts.values() if "low_mood" in p.tags}
    assert by_tag and {c["value"] for c in by_tag} <= tagged


async def test_prompt_is_facilitator_only(group):
    assert "prompt" not in group.member.available_commands(group.general)
    allow_command(group, "prompt", group.member)
    result = await group.member.slash(group.general, "prompt post", text="hello")
    assert result.ephemeral and "facilitators" in result.response.content
    assert len(expected_errors(group.env)) == 1
    assert prompt_posts(group.general) == []


async def test_bad_input_is_refused_with_examples(group):
    fac, general = group.facilitator, group.general
    past = await fac.slash(
        general, "prompt schedule", repeat="once", time="09:00", date="2026-11-01", text="x"
    )
    assert "already passed" in past.response.content and "`2026-11-24`" in past.response.content
    feb = await fac.slash(
        general, "prompt schedule", repeat="once", time="09:00", date="2027-02-31", text="x"
    )
    assert "isn't a date on the calendar" in feb.response.content
    day = await fac.slash(
        general, "prompt schedule", repeat="weekly", time="09:00", days="mon, funday", text="x"
    )
    assert "isn't a day of the week" in day.response.content and "`monday`" in day.response.content
    long = await fac.slash(general, "prompt post", text="a" * 2001)
    assert "2,001 characters; the limit is 2,000" in long.response.content
    assert len(expected_errors(group.env)) == 4
    assert prompt_posts(general) == []


async def test_daily_prompt_across_spring_dst_fires_at_local_time_once_a_day(group):
    await at(group, london(2027, 3, 25, 12, 0))
    result = await group.facilitator.slash(
        group.general, "prompt schedule", repeat="daily", time="09:00", text="Q"
    )
    assert "daily at 09:00 (Europe/London)" in result.response.content
    for day in range(26, 31):
        await at(group, london(2027, 3, day, 8, 59))
        before = len(prompt_posts(group.general))
        await at(group, london(2027, 3, day, 9, 0))
        await at(group, london(2027, 3, day, 9, 30))  # a second wake-up sends nothing more
        assert len(prompt_posts(group.general)) == before + 1, day
    # 09:00 BST on the 29th is 08:00 UTC: it fired an hour "earlier" in UTC, at the same local time.
    assert len(prompt_posts(group.general)) == 5


async def test_weekly_prompt_across_autumn_dst(group):
    await at(group, london(2026, 10, 19, 12, 0))  # a Monday
    await group.facilitator.slash(
        group.general, "prompt schedule", repeat="weekly", days="sun, wed", time="18:30", text="Q"
    )
    fired = []
    for day in range(19, 32):
        before = len(prompt_posts(group.general))
        await at(group, london(2026, 10, day, 18, 30))
        await at(group, london(2026, 10, day, 23, 0))
        fired += [day] * (len(prompt_posts(group.general)) - before)
    assert fired == [21, 25, 28]  # Wed, Sun (the clocks-back day), Wed


async def test_quiet_hours_defer_until_they_end_exactly_once(group):
    fac, general = group.facilitator, group.general
    quiet = await fac.slash(general, "prompt quiet", start="22:00", end="07:00")
    assert "22:00 to 07:00" in quiet.response.content
    await fac.slash(general, "prompt schedule", repeat="daily", time="23:15", text="Late thought")
    await at(group, london(2026, 11, 23, 23, 15))
    assert prompt_posts(general) == []
    await at(group, london(2026, 11, 24, 6, 59))
    assert prompt_posts(general) == []
    await at(group, london(2026, 11, 24, 7, 0))
    await at(group, london(2026, 11, 24, 7, 5))
    assert len(prompt_posts(general)) == 1
    await fac.slash(general, "prompt quiet", off=True)
    await at(group, london(2026, 11, 24, 23, 15))
    assert len(prompt_posts(general)) == 2


async def test_one_off_list_edit_pause_cancel(group):
    fac, general = group.facilitator, group.general
    await fac.slash(general, "prompt schedule", repeat="once", date="2026-11-25", time="19:00", text="One")
    await fac.slash(
        general, "prompt schedule", repeat="weekly", days="fri", time="10:00", library="felt-heard"
    )
    listed = (await fac.slash(general, "prompt list")).response.content
    first_at = int(london(2026, 11, 25, 19, 0).timestamp())
    assert f"<t:{first_at}:F>" in listed and "#1" in listed and "#2" in listed
    choices = await fac.autocomplete(general, "prompt cancel", "prompt", "One")
    assert [c["value"] for c in choices] == [1]

    await fac.slash(general, "prompt edit", prompt=1, text="One, edited")
    await fac.slash(general, "prompt edit", prompt=2, time="11:30")
    await fac.slash(general, "prompt pause", prompt=2)
    assert "paused" in (await fac.slash(general, "prompt list")).response.content
    await at(group, london(2026, 11, 25, 19, 0))
    assert [m.embeds[0].description for m in prompt_posts(general)] == ["One, edited"]
    await at(group, london(2026, 11, 27, 11, 30))
    assert len(prompt_posts(general)) == 1  # paused

    resumed = await fac.slash(general, "prompt pause", prompt=2, resume=True)
    assert "back on" in resumed.response.content
    await at(group, london(2026, 12, 4, 11, 30))
    assert len(prompt_posts(general)) == 2
    await fac.slash(general, "prompt cancel", prompt=2)
    await at(group, london(2026, 12, 11, 11, 30))
    assert len(prompt_posts(general)) == 2
    missing = await fac.slash(general, "prompt cancel", prompt=2)
    assert "no prompt #2" in missing.response.content
    assert len(expected_errors(group.env)) == 1


async def test_recurring_prompt_follows_a_group_timezone_change(group):
    await group.facilitator.slash(group.general, "prompt schedule", repeat="daily", time="09:00", text="Q")
    await group.admin.slash(group.general, "setup timezone", zone="America/New_York")
    # 09:00 London has passed unnoticed; 09:00 New York (14:00 UTC) fires.
    await at(group, london(2026, 11, 24, 9, 0))
    assert prompt_posts(group.general) == []
    await at(group, london(2026, 11, 24, 9, 0) + timedelta(hours=5))
    assert len(prompt_posts(group.general)) == 1
