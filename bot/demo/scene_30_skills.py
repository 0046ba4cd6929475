"""Scene: the skill of the day is posted, a member practises it and saves it to their toolkit."""

from __future__ import annotations

from datetime import timedelta

from bot.demo.stage import Stage

POST_AT = "09:00"


async def play(stage: Stage) -> None:
    group = stage.group
    member = group.members[2]
    stage.heading("Skill of the day")
    stage.narrate(
        f"Sam sets the daily skill for {POST_AT}. Each day the bot posts one coping skill in the "
        "skills channel, and no skill repeats until every one has had its day."
    )
    await stage.slash(group.facilitator, group.general, "skill schedule", time=POST_AT)

    local_now = stage.now().astimezone(stage.zone)
    days = 0 if local_now.strftime("%H:%M") < POST_AT else 1
    await stage.at(POST_AT, days=days)

    card = group.channels["skills"].last_message
    assert card is not None
    agreed = await group.bot.members.get_if_agreed(group.guild.id, member.id) is not None
    stage.narrate(
        f"{member.name} tries it and presses I practised this. Logging a practice stores something "
        "about them, which needs the group agreement: "
        + (
            "they agreed at their first check-in, so it is logged straight away."
            if agreed
            else "the bot asks for it first (only the first time)."
        )
    )
    result = await stage.click(member, card, label="I practised this")
    if result.response is not None and "I agree" in str(result.response.components):
        await stage.click(member, result.response.message, label="I agree")
    await stage.click(member, card, label="Save to my toolkit")

    stage.narrate("Another member would rather try something similar; the alternative is just for them.")
    await stage.click(group.members[3], card, label="Something else")

    stage.narrate(
        "The card shows how many practised. To respect Discord's rate limits it is edited at most "
        "once a minute: further practices in that minute are gathered and shown together. "
        "Here is the card a minute later."
    )
    later = (stage.now() + timedelta(minutes=1)).astimezone(stage.zone)
    await stage.at(later.strftime("%H:%M"))
    updated = group.channels["skills"].last_message
    assert updated is not None
    stage._show_message(f"#{group.channels['skills'].name} (updated)", updated)

    stage.narrate(f"{member.name} opens their toolkit: saved skills with their own practice counts.")
    await stage.slash(member, group.general, "toolkit")
