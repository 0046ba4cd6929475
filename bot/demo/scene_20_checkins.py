"""Scene: the daily check-in post, a member checking in and sharing, a weekly recap, a reminder, a chart."""

from __future__ import annotations

from bot.checkins.logic import WEEKDAYS, local_day
from bot.demo.stage import Stage


async def play(stage: Stage) -> None:
    group = stage.group
    sharer, forgetful = group.members[2], group.members[3]
    stage.heading("Daily check-ins")
    stage.narrate("The admin chooses when the daily check-in is posted, in the group's timezone.")
    await stage.slash(group.admin, group.general, "setup time", purpose="checkin", time="09:00")

    stage.narrate(f"{forgetful.name} asks for a reminder in the evening, on days they haven't checked in.")
    asked = await stage.slash(forgetful, group.general, "checkin remind", time="8:30pm")
    if asked.response is not None and asked.modal is None and "I agree" in str(asked.response.components):
        await stage.click(forgetful, asked.response.message, label="I agree")

    await stage.at("09:00", days=1)
    post = group.channels["checkins"].last_message
    assert post is not None
    stage.narrate(f"{sharer.name} presses Check in on the post. First time, so the agreement comes first.")
    shown = await stage.click(sharer, post, label="Check in")
    if shown.modal is None and shown.response is not None:
        shown = await stage.click(sharer, shown.response.message, label="I agree")
    await stage.submit_modal(
        sharer,
        shown,
        {
            "checkin:mood": "4",
            "checkin:emotions": ["hopeful", "tired"],
            "checkin:note": "Slept badly but the walk helped.",
            "checkin:share": True,
        },
    )
    stage.narrate("The card in #check-ins shows mood and feelings; the private note is never posted.")

    today = local_day(group.clock.now(), await group.bot.group_timezone(group.guild.id))
    weekday = WEEKDAYS[today.weekday()]
    stage.narrate(f"{sharer.name} asks for a weekly recap by DM, on {weekday.capitalize()} evenings.")
    await stage.slash(sharer, group.general, "checkin recap", day=weekday)
    await stage.at("18:00")
    stage.narrate("The recap: the week's moods, feelings named, skills practised and the streak. No notes.")

    await stage.at("20:30")
    stage.narrate(f"{forgetful.name} hasn't checked in today, so the reminder arrives by DM.")

    stage.narrate(
        f"{sharer.name} looks back over the week, privately. With one check-in so far there is no "
        "line to draw, so the summary says it in words; from the second one it comes with a chart."
    )
    await stage.slash(sharer, group.general, "checkin history", days=7)
