"""Helpers for check-in behaviour tests."""

from __future__ import annotations

from typing import Any

import simcord

from tests.conftest import agree


async def open_form(
    actor: simcord.MemberActor, channel: simcord.ChannelHandle, **options: Any
) -> simcord.InteractionResult:
    """``/checkin now``, agreeing to the group agreement first if asked."""
    shown = await actor.slash(channel, "checkin now", **options)
    if shown.modal is None:
        shown = await agree(actor, shown)
    assert shown.modal is not None, "expected the check-in form"
    return shown


async def check_in(
    actor: simcord.MemberActor,
    channel: simcord.ChannelHandle,
    *,
    mood: str = "4",
    emotions: list[str] | None = None,
    note: str = "",
    share: bool = False,
    family: str | None = None,
    **options: Any,
) -> simcord.InteractionResult:
    shown = await open_form(actor, channel, **options)
    values: dict[str, Any] = {"checkin:mood": mood, "checkin:share": share}
    if emotions:
        values["checkin:emotions"] = emotions
    if note:
        values["checkin:note"] = note
    if family:
        values["checkin:family"] = [family]
    return await actor.submit_modal(shown, values)
