"""Scene: a member looks at their privacy choices and takes a copy of their data."""

from __future__ import annotations

from bot.demo.stage import Stage


async def play(stage: Stage) -> None:
    group = stage.group
    member = group.members[2]
    stage.heading("A member checks their privacy")
    stage.narrate(
        f"{member.name} wants to know who can see what. /privacy shows their choices: check-ins "
        "are private unless they choose otherwise."
    )
    shown = await stage.slash(member, group.general, "privacy")
    assert shown.response is not None
    if shown.response.embeds and shown.response.embeds[0].title != "Your privacy choices":
        shown = await stage.click(member, shown.response.message, label="I agree")
        assert shown.response is not None
    panel = shown.response
    assert panel is not None
    stage.narrate(f"{member.name} is happy to celebrate wins in public, so they switch that on.")
    await stage.click(member, panel.message, label="Turn public celebrations on")
    stage.narrate(
        "They ask for a copy of everything the bot stores about them: a JSON file for other "
        "tools and a text file to read, shown only to them."
    )
    await stage.slash(member, group.general, "mydata export")
