from __future__ import annotations

from tests.community.conftest import at, london, restart
from tests.conftest import agree, expected_errors
from tests.support.cards import is_card, visible_text


def reminders(channel) -> list:  # type: ignore[no-untyped-def]
    return [m for m in channel.history() if "Group session" in visible_text(m)]


async def set_tuesday_session(group) -> None:  # type: ignore[no-untyped-def]
    result = await group.facilitator.slash(
        group.general, "session set", weekday="tuesday", time="18:30", where="Room 4"
    )
    assert "every week on Tuesday at 18:30 (Europe/London)" in result.response.content
    first = int(london(2026, 11, 24, 18, 30).timestamp())
    assert f"<t:{first}:F>" in result.response.content


async def test_session_next_for_everyone(group):
    empty = await group.member.slash(group.general, "session next")
    assert "No regular session" in empty.response.content
    await set_tuesday_session(group)
    shown = await group.member.slash(group.general, "session next")
    first = int(london(2026, 11, 24, 18, 30).timestamp())
    assert shown.ephemeral
    assert f"<t:{first}:F>" in shown.response.content and f"<t:{first}:R>" in shown.response.content
    assert "Room 4" in shown.response.content


async def test_reminders_24h_and_1h_with_rsvp_counts_and_missed_note(group):
    fac, general = group.facilitator, group.general
    await set_tuesday_session(group)
    await fac.slash(general, "session cover", text="Noticing the inner critic, and one small kind act.")
    await at(group, london(2026, 11, 23, 18, 29))
    assert reminders(general) == []
    await at(group, london(2026, 11, 23, 18, 30))
    await at(group, london(2026, 11, 23, 19, 0))
    assert len(reminders(general)) == 1
    card = reminders(general)[0]
    assert "tomorrow" in visible_text(card) and "Room 4" in visible_text(card)
    assert is_card(card)

    going = await group.members[0].click(card, label="Going")
    assert "Before I save anything" in going.response.content  # consent first
    assert "See you there" in (await agree(group.members[0], going)).response.content
    cant = await group.members[1].click(card, label="Can't make it")
    note = await agree(group.members[1], cant)
    assert "miss you" in note.response.content and "inner critic" in note.response.content
    # Changing one's mind replaces the answer rather than adding one.
    await group.members[0].click(card, label="Going")

    counts = await fac.slash(general, "session rsvps")
    assert counts.ephemeral and "1 going, 1 can't make it" in counts.response.content

    await at(group, london(2026, 11, 24, 17, 30))
    assert len(reminders(general)) == 2
    assert "in about an hour" in visible_text(reminders(general)[-1])


async def test_rsvp_button_survives_restart(group):
    await set_tuesday_session(group)
    await at(group, london(2026, 11, 23, 18, 30))
    await restart(group)
    card = reminders(group.general)[0]
    going = await group.members[2].click(card, label="Going")
    await agree(group.members[2], going)
    counts = await group.facilitator.slash(group.general, "session rsvps", date="2026-11-24")
    assert "1 going, 0 can't make it" in counts.response.content


async def test_skip_holiday_and_custom_reminder_hours(group):
    fac, general = group.facilitator, group.general
    await set_tuesday_session(group)
    await fac.slash(general, "session skip", date="2026-12-01")
    done = await fac.slash(general, "session reminders", hours="48, 2")
    assert "48 h, 2 h" in done.response.content
    await at(group, london(2026, 11, 22 + 1, 18, 30))  # the old 24 h reminder is gone
    assert reminders(general) == []
    await at(group, london(2026, 11, 24, 16, 30))
    assert len(reminders(general)) == 1
    await at(group, london(2026, 11, 29, 18, 30))  # 48 h before the skipped session
    await at(group, london(2026, 12, 1, 16, 30))
    assert len(reminders(general)) == 1
    nxt = await group.member.slash(general, "session next")
    assert f"<t:{int(london(2026, 12, 8, 18, 30).timestamp())}:F>" in nxt.response.content


async def test_every_two_weeks(group):
    await group.facilitator.slash(group.general, "session set", weekday="wed", time="19:00", every_weeks=2)
    await group.facilitator.slash(group.general, "session reminders", hours="1")
    days = []
    for month, first, last in [(11, 24, 30), (12, 1, 11)]:
        for day in range(first, last + 1):
            before = len(reminders(group.general))
            await at(group, london(2026, month, day, 18, 0))
            days += [day] * (len(reminders(group.general)) - before)
    assert days == [25, 9]


async def test_dm_reminder_opt_in_and_out(group):
    member = group.member
    await set_tuesday_session(group)
    result = await member.slash(group.general, "session dm", choice="on")
    await agree(member, result)
    await at(group, london(2026, 11, 23, 18, 30))
    dms = member.user.dm_channel.history()
    assert len(dms) == 1 and "Group session tomorrow" in visible_text(dms[0])
    assert is_card(dms[0]) and "`/session dm off` stops these." in visible_text(dms[0])
    await member.slash(group.general, "session dm", choice="off")
    await at(group, london(2026, 11, 24, 17, 30))
    assert len(member.user.dm_channel.history()) == 1
    assert group.members[1].user.dm_channel.history() == []


async def test_session_bad_input_and_facilitator_only(group):
    fac, general = group.facilitator, group.general
    bad_day = await fac.slash(general, "session set", weekday="Funday", time="18:30")
    assert "isn't a day of the week" in bad_day.response.content
    bad_time = await fac.slash(general, "session set", weekday="monday", time="25:00")
    assert "`09:00` or `8:30pm`" in bad_time.response.content
    await set_tuesday_session(group)
    feb = await fac.slash(general, "session skip", date="2027-02-31")
    assert "isn't a date on the calendar" in feb.response.content
    wrong = await fac.slash(general, "session skip", date="2026-12-02")
    assert "no session on Wednesday 2 December" in wrong.response.content
    assert "`2026-11-24`" in wrong.response.content
    member = await group.member.slash(general, "session set", weekday="monday", time="18:00")
    assert "for the group's facilitators" in member.response.content
    rsvps = await group.member.slash(general, "session rsvps")
    assert "for the group's facilitators" in rsvps.response.content
    assert len(expected_errors(group.env)) == 6
