"""Scene: members opt in to accountability pairs, a facilitator previews and approves a round,
and halfway through a pair answers the follow-up."""

from __future__ import annotations

from datetime import timedelta

from bot.demo.stage import Stage
from bot.pairs.logic import followup_at

GOALS = (
    "a ten-minute walk most days",
    "going to bed before midnight",
    "one breathing practice a day",
    "texting a friend once a week",
)


async def play(stage: Stage) -> None:
    group = stage.group
    people = group.members[:4]
    stage.heading("Accountability pairs")
    stage.narrate(
        "Four members opt in to pairs, each with a goal line their partner will see. "
        "Anyone who hasn't agreed to the group agreement yet is asked first."
    )
    for person, goal in zip(people, GOALS, strict=True):
        shown = await stage.slash(person, group.general, "pair join", goal=goal)
        if shown.response is not None and "I agree" in str(shown.response.components):
            await stage.click(person, shown.response.message, label="I agree")

    stage.narrate(
        "Sam runs a round. The preview is private to Sam; Reshuffle offers another, equally fair "
        "set of pairs, and nothing is posted until Sam approves."
    )
    preview = await stage.slash(group.facilitator, group.general, "pair run")
    assert preview.response is not None
    await stage.click(group.facilitator, preview.response.message, label="Reshuffle")
    await stage.click(group.facilitator, preview.response.message, label="Approve")
    # The intros go through the outbox; with the demo's clock nothing drains it by itself.
    await group.bot.outbox.drain()
    stage.show_new()

    halfway = followup_at(stage.now(), stage.now() + timedelta(weeks=1))
    local = halfway.astimezone(stage.zone)
    days = (local.date() - stage.now().astimezone(stage.zone).date()).days
    stage.narrate("Halfway through the round, each pair's thread gets a short follow-up.")
    await stage.at(local.strftime("%H:%M"), days=days)

    thread = group.channels["pairs"].threads[0]
    question = thread.last_message
    assert question is not None
    member_ids = set(group.env.backend.get_thread(thread.id).thread_members)
    answerer = next(p for p in people if p.id in member_ids)
    stage.narrate(f"{answerer.name} lets the bot know they connected; facilitators only ever see totals.")
    await stage.click(answerer, question, label="We connected")
    await stage.slash(group.facilitator, group.general, "pair report")
