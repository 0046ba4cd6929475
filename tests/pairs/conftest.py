"""A group with four members, all opted in to pairs."""

from __future__ import annotations

import pytest_asyncio

from tests.conftest import Group, agree, build_group, configure, show_facilitator_commands


async def opt_in(group: Group, *actors, goal: str | None = None) -> None:
    for actor in actors:
        options = {"goal": goal or f"goal of {actor.name}"}
        await agree(actor, await actor.slash(group.general, "pair join", **options))


@pytest_asyncio.fixture
async def four(simcord_env, simcord_bot, clock) -> Group:
    built = build_group(simcord_env, simcord_bot, clock, members=4)
    await configure(built)
    show_facilitator_commands(built)
    await opt_in(built, *built.members)
    return built


async def approve_round(group: Group):
    preview = await group.facilitator.slash(group.general, "pair run")
    approved = await group.facilitator.click(preview.response.message, label="Approve")
    await sent(group)
    return approved


async def sent(group: Group) -> None:
    """Let the outbox send what a click queued (with the real clock its worker does this at once)."""
    await group.bot.outbox.drain()


def thread_members(group: Group, thread) -> set[int]:
    return set(group.env.backend.get_thread(thread.id).thread_members)
