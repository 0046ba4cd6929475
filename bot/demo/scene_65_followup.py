"""Scene: about a day after the hard moment, the member's private check-in, and their answer."""

from __future__ import annotations

from bot.demo.stage import Stage


async def play(stage: Stage) -> None:
    member = stage.group.members[2]
    stage.heading("Checking in after a hard moment")
    stage.narrate(
        f"About a day after the bot answered {member.name}, it checks in once, privately (here at "
        "15:30 above: it came due on Sunday evening while the demo's clock skipped ahead). Nobody "
        f"else sees it, and it would not come if {member.name} had turned these messages off."
    )
    checkin = next(
        m
        for m in member.user.dm_channel.history()
        if any(
            getattr(b, "label", None) == "I'm OK"
            for row in m.components
            for b in getattr(row, "children", ())
        )
    )
    stage.narrate(f"{member.name} lets the bot know they are OK; the facilitators are told nothing more.")
    await stage.click(member, checkin, label="I'm OK")
