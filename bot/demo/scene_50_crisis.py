"""Scene: a member's message gets a private reply with helplines, and the facilitators an alert."""

from __future__ import annotations

from bot.demo.stage import Stage


async def play(stage: Stage) -> None:
    group = stage.group
    fac, member = group.facilitator, group.members[2]
    alerts = group.channels["alerts"]

    stage.heading("A hard moment, answered privately")
    stage.narrate(
        f"{member.name} writes something in the group channel that worries the bot. Nobody else "
        "sees a reply: the bot sends a short private message with the UK helplines, and posts an "
        "alert in the facilitators' channel that names the member and links to the message "
        "without copying a word of it."
    )
    await stage.say(member, group.general, "I feel like everyone would be better off without me")

    stage.narrate(f"{fac.name} claims the alert, so two facilitators don't both reach out.")
    alert = alerts.last_message
    assert alert is not None
    await stage.click(fac, alert, label="I'm reaching out")

    stage.narrate(
        f"Any member can look up support privately at any time, in the server or in a DM. "
        f"{group.members[3].name} checks what is available, for themselves and for a friend in Ireland."
    )
    await stage.slash(group.members[3], group.general, "resources")
    await stage.slash(group.members[3], group.general, "resources", country="IE")

    stage.narrate(f"Later, after a conversation, {fac.name} marks the alert resolved.")
    await stage.click(fac, alerts.last_message, label="Resolved")
    await stage.slash(fac, group.general, "crisis stats")
