"""Scene: a scheduled facilitator prompt, a session reminder with RSVPs and the facilitator
digest, a celebration in public and one in private, and a group goal done."""

from __future__ import annotations

from datetime import timedelta

import simcord

from bot.core.schedule_rules import WEEKDAY_NAMES
from bot.demo.stage import Stage


async def _agree_if_asked(
    stage: Stage, actor: simcord.MemberActor, result: simcord.InteractionResult
) -> None:
    if result.response is not None and "I agree" in str(result.response.components):
        await stage.click(actor, result.response.message, label="I agree")


async def play(stage: Stage) -> None:
    group = stage.group
    fac, general = group.facilitator, group.general
    asha, ben, chloe, dev = group.members[:4]
    today = stage.now().astimezone(stage.zone).date()
    tomorrow = today + timedelta(days=1)
    session_day = WEEKDAY_NAMES[(today + timedelta(days=2)).weekday()]

    stage.heading("Prompts, sessions and celebrations")
    stage.narrate(
        "Sam keeps the group's evenings quiet, then schedules a weekly prompt from the library "
        "for tomorrow morning, and sets the group's regular session."
    )
    await stage.slash(fac, general, "prompt quiet", start="22:00", end="07:00")
    await stage.slash(
        fac,
        general,
        "prompt schedule",
        repeat="weekly",
        days=WEEKDAY_NAMES[tomorrow.weekday()],
        time="09:00",
        library="who-lifts-you",
        thread=True,
    )
    await stage.slash(
        fac, general, "session set", weekday=session_day, time="18:30", where="Room 4 or the usual video link"
    )
    await stage.slash(
        fac, general, "session cover", text="Noticing the inner critic, and one small kind act for ourselves."
    )
    await stage.slash(fac, general, "prompt list")

    stage.narrate("The next morning the prompt goes out, with a thread for replies.")
    await stage.at("09:00", days=1)

    stage.narrate("A day before the session, the reminder arrives with Going / Can't make it.")
    await stage.at("18:30")
    reminder = general.last_message
    assert reminder is not None
    for person in (asha, ben, chloe):
        await _agree_if_asked(stage, person, await stage.click(person, reminder, label="Going"))
    stage.narrate("Dev can't come; he gets a kind note with what the group will cover.")
    await _agree_if_asked(stage, dev, await stage.click(dev, reminder, label="Can't make it"))
    stage.narrate("Sam sees counts only, never who said what.")
    await stage.slash(fac, general, "session rsvps")

    stage.narrate(
        "Three hours before the session, facilitators get a digest: counts only, and only from "
        "members who chose to share."
    )
    await stage.at("15:30", days=1)

    stage.heading("Celebrations")
    stage.narrate(
        "Asha has chosen to have her wins celebrated in public (a privacy choice; set directly "
        "here). Ben celebrates her; Chloe keeps celebrations private, so hers comes by DM."
    )
    await group.bot.members.set_choice(group.guild.id, asha.id, "public_celebrations", 1)
    await stage.slash(
        ben, general, "celebrate", member=asha, what="Asha led the breathing exercise so calmly this week!"
    )
    await stage.slash(
        asha, general, "celebrate", member=chloe, what="Thank you for sharing your story, Chloe."
    )
    stage.narrate("Ben sets a goal, shares it with the group, and later marks it done.")
    await _agree_if_asked(
        stage,
        ben,
        await stage.slash(
            ben, general, "goal set", text="Cook a proper dinner twice this week", share="group"
        ),
    )
    goals = await group.bot.db.fetch_all(
        "SELECT goal_id FROM community_goals WHERE guild_id = ? AND user_id = ?", (group.guild.id, ben.id)
    )
    await stage.slash(ben, general, "goal done", goal=int(goals[-1]["goal_id"]))
    await stage.slash(dev, general, "wins")
