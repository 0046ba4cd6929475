"""Scene: a member sets their own timezone, agreeing to the group agreement first."""

from __future__ import annotations

from bot.demo.stage import Stage


async def play(stage: Stage) -> None:
    group = stage.group
    member = group.members[1]
    stage.heading("A member sets their timezone")
    stage.narrate(
        f"{member.name} is travelling and sets their own timezone. It is the first thing they "
        "store, so the bot shows the group agreement first; nothing is saved before they agree."
    )
    shown = await stage.slash(member, group.general, "timezone", zone="America/New_York")
    assert shown.response is not None
    await stage.click(member, shown.response.message, label="I agree")
