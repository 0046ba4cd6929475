"""Session reminders posted by an earlier release keep working: the RSVP custom ids never change."""

from __future__ import annotations

from datetime import date

import discord

from bot.core.cards import Buttons
from cogs.community.views import RsvpButton, reminder_card
from tests.community.conftest import at, london, restart
from tests.community.test_sessions import reminders, set_tuesday_session
from tests.conftest import agree
from tests.support.cards import button_ids, is_card

GOING = "session:rsvp:2026-11-24:yes"
CANT = "session:rsvp:2026-11-24:no"


def test_the_rsvp_buttons_keep_their_custom_ids_and_looks():
    (row,) = [b for b in reminder_card("Soon", date(2026, 11, 24)).blocks if isinstance(b, Buttons)]
    going, cant = (item.item for item in row.items if isinstance(item, RsvpButton))
    assert (going.custom_id, going.label, going.style) == (GOING, "Going", discord.ButtonStyle.success)
    assert (cant.custom_id, cant.label, cant.style) == (CANT, "Can't make it", discord.ButtonStyle.secondary)


async def test_a_reminder_posted_before_the_upgrade_still_takes_answers(group):
    await set_tuesday_session(group)
    await at(group, london(2026, 11, 23, 18, 30))
    (card,) = reminders(group.general)
    assert button_ids(card) == [GOING, CANT] and is_card(card)

    # The reminder as an older release sent it: plain buttons carrying those ids, none of today's classes.
    old = discord.ui.View(timeout=None)
    for custom_id in (GOING, CANT):
        old.add_item(discord.ui.Button(label="old", custom_id=custom_id))
    await group.bot.get_channel(group.general.id).send("Yesterday's reminder", view=old)
    # A new process: nothing but the registered persistent buttons knows these ids.
    await restart(group)
    message = group.general.last_message

    going = await agree(group.members[0], await group.members[0].click(message, custom_id=GOING))
    assert "See you there" in going.response.content
    cant = await agree(group.members[1], await group.members[1].click(message, custom_id=CANT))
    assert "miss you" in cant.response.content
    counts = await group.facilitator.slash(group.general, "session rsvps", date="2026-11-24")
    assert "1 going, 1 can't make it" in counts.response.content
