"""The check-in a day after a crisis reply, and what the member's answers say. Pure text, no I/O.

About 24 hours after an urgent or concern reply to the person themself, one private message asks
how they are, with three buttons: *I'm OK*, *I'd like to talk to a facilitator* (the facilitators
are told that this member asked, nothing more) and *Show me the lines again*.
"""

from __future__ import annotations

from datetime import timedelta

from bot.crisis.reply import NOT_MONITORED, emergency_line
from bot.crisis.resources import CountryResources

FOLLOWUP_DELAY = timedelta(hours=24)
# A check-in that came due while the bot was down is still sent this late (the usual catch-up
# grace is a few hours, for posts that only make sense on time); later than this, it is skipped.
FOLLOWUP_GRACE = timedelta(days=3)


def followup_message(res: CountryResources, *, can_talk: bool) -> str:
    """The check-in itself. ``can_talk`` when the reply came from a group (a facilitator to ask)."""
    ask = (
        "If you'd like to talk to one of your group's facilitators, press the button and I'll let "
        "them know privately that you asked (only that you asked, nothing else)."
        if can_talk
        else "Talking to someone you trust can help, whatever the answer is."
    )
    return "\n".join(
        [
            "Hi, it's me again, checking in after yesterday. How are you today?",
            "",
            f"Whatever the answer is, that's okay. {ask}",
            "",
            emergency_line(res),
            "",
            f"-# {NOT_MONITORED} `/resources` shows the lines whenever you need them.",
        ]
    )


def followup_ok() -> str:
    """After *I'm OK*."""
    return (
        "Thank you for letting me know. I'm glad. If that changes, `/resources` shows support lines "
        "any time, and your facilitators are there too."
    )


def followup_talk(res: CountryResources, *, already: bool) -> str:
    """After *I'd like to talk to a facilitator*."""
    told = (
        "Your facilitators already know you'd like to talk."
        if already
        else "Thank you for telling me. I've let your group's facilitators know you'd like to talk."
    )
    return "\n".join(
        [
            f"{told} One of them will reach out to you privately when they can. They aren't around "
            "all the time, so if things feel hard right now, the lines are there straight away: "
            "press *Show me the lines again*.",
            "",
            emergency_line(res),
        ]
    )


def talk_request(*, member_id: int, at_unix: int) -> str:
    """For the facilitators: this member asked to talk. Who and when, never anything they wrote."""
    return "\n".join(
        [
            f"💬 **Asked to talk**: <@{member_id}> would like to talk with a facilitator.",
            f"They pressed the button on the bot's private check-in a day after a support message "
            f"(<t:{at_unix}:F>). Please reach out to them privately.",
        ]
    )


def talk_dm_note(*, channel_missing: bool) -> str:
    """Above a request to talk sent to each facilitator by DM."""
    why = (
        "Your group has no alerts channel set up"
        if channel_missing
        else "I couldn't post this in your group's alerts channel"
    )
    return (
        f"{why}, so I'm sending it to each facilitator directly: please agree among yourselves who "
        "reaches out. A server admin can fix this with `/setup channel` (purpose: alerts)."
    )
