"""What the bot says around crisis: the private reply, /resources, the channel pointer, the
facilitator alert and the grounding steps. Pure text, no I/O. (The safety plan's sections are
in ``bot.safetyplan.logic``.)

Written from shared/reference/safety.md: warm, short, no judgement, no quoting, never a method or
means; always says it is automated, not watched around the clock and not an emergency service.
"""

from __future__ import annotations

from typing import Literal

from bot.crisis.resources import CountryResources, Reach, Service

ReplyLevel = Literal["concern", "urgent"]

NOT_MONITORED = (
    "This is an automated message. The group and this bot are not watched around the clock, "
    "and I'm not an emergency service."
)
LOCAL_EMERGENCY = "If you are in immediate danger, call your local emergency number."


def describe_reach(reach: Reach) -> str:
    """One way to reach a service, in words: ``call 116 123 (free)``, ``text SHOUT to 85258``."""
    if reach.kind == "phone":
        text = f"call **{reach.value}**"
    elif reach.kind == "text":
        text = (
            f"text **{reach.keyword}** to **{reach.value}**" if reach.keyword else f"text **{reach.value}**"
        )
    elif reach.kind == "chat":
        text = f"chat at <{reach.value}>" if reach.value.startswith("https://") else reach.value
    elif reach.kind == "email":
        text = f"email {reach.value}"
    else:
        text = f"WhatsApp **{reach.value}**"
    return f"{text} ({reach.notes})" if reach.notes else text


def describe_service(service: Service) -> str:
    """``**Samaritans**: call 116 123 (free) · email jo@… · 24/7``."""
    ways = " · ".join(describe_reach(r) for r in service.reach)
    return f"**{service.name}**: {ways} · {service.hours}"


def emergency_line(res: CountryResources) -> str:
    """The emergency number for the country when it was checked, else the general advice."""
    if res.emergency is None:
        return LOCAL_EMERGENCY
    numbers = " or ".join(f"**{n}**" for n in res.emergency.numbers)
    return f"If you are in immediate danger, call {numbers}."


def directory_lines(res: CountryResources) -> list[str]:
    return [f"**{d.name}**: <{d.url}> ({d.description})" for d in res.international]


def helpline_lines(res: CountryResources) -> list[str]:
    """The country's helplines, or the international directories when there are none."""
    if res.is_fallback:
        return [
            "I don't have helplines for your country in my list yet. "
            "These directories can find one near you:",
            *directory_lines(res),
        ]
    return [describe_service(s) for s in res.services]


def _where(res: CountryResources) -> str:
    return f" ({res.name})" if res.name else ""


def crisis_message(res: CountryResources, level: ReplyLevel) -> str:
    """The private reply after a concern or urgent verdict. Short: hard to read a wall of text."""
    lines = [
        "Hi. I noticed your message and wanted to check in with you. You matter, and you're not "
        "alone in this. Talking to someone can really help, right now if you need it.",
        "",
    ]
    if level == "urgent":
        lines += [emergency_line(res), ""]
    lines += [f"**People you can reach any time{_where(res)}**", *helpline_lines(res), ""]
    lines += [
        "You could also tell a facilitator or someone you trust how you're doing. "
        "The buttons below open your safety plan or a short grounding exercise.",
        "",
        f"-# {NOT_MONITORED} `/resources` shows these lines again whenever you need them.",
    ]
    return "\n".join(lines)[:2000]


def resources_message(res: CountryResources) -> str:
    """``/resources``: the helplines, the emergency number, the directories, the statement."""
    lines = [f"**Support lines{_where(res)}**", *helpline_lines(res), "", emergency_line(res)]
    if not res.is_fallback:
        lines += ["", "**Anywhere in the world**", *directory_lines(res)]
    lines += ["", NOT_MONITORED]
    if not res.is_fallback:
        checked = max(s.verified for s in res.services)
        lines += [f"-# Numbers checked {checked.isoformat()}. Other countries: `/resources country:`"]
    return "\n".join(lines)[:2000]


def channel_pointer(mention: str) -> str:
    """The public fallback when a DM can't be delivered: only a mention and a private command."""
    return (
        f"{mention}, I couldn't send you a private message. If you'd like some support, "
        "`/resources` shows helplines that only you can see. You're not alone. 💙"
    )


def alert_message(
    *,
    level: ReplyLevel,
    member_id: int,
    channel_id: int,
    jump_url: str,
    at_unix: int,
    status: str,
) -> str:
    """The facilitator alert: who, where, when, how serious; never the member's words."""
    head = "🔴 **Urgent**" if level == "urgent" else "🟠 **Concern**"
    return "\n".join(
        [
            f"{head}: <@{member_id}> may need support.",
            f"Where: <#{channel_id}> · [jump to the message]({jump_url}) · <t:{at_unix}:F>",
            "The bot offers helplines privately (not if they turned that off or had one in the "
            "last 6 hours). Please reach out privately and don't quote their words.",
            f"**Status:** {status}",
        ]
    )


def alert_dm_note(*, channel_missing: bool) -> str:
    """Above an alert sent to each facilitator by DM, when the alerts channel could not have it."""
    why = (
        "Your group has no alerts channel set up"
        if channel_missing
        else "I couldn't post this alert in your group's alerts channel"
    )
    return (
        f"{why}, so I'm sending it to each facilitator directly. The buttons work here too, and "
        "whoever reaches out first is shown to the others. A server admin can fix this with "
        "`/setup channel` (purpose: alerts), and by checking I can post there."
    )


def alert_status(state: str, *, claimed_by: int | None, closed_by: int | None, at_unix: int) -> str:
    if state == "claimed" and claimed_by:
        return f"<@{claimed_by}> is reaching out (<t:{at_unix}:R>)."
    if state == "resolved":
        return f"Resolved by <@{closed_by}> <t:{at_unix}:R>."
    if state == "false_alarm":
        return f"Marked a false alarm by <@{closed_by}> <t:{at_unix}:R>."
    return "Open: nobody has claimed this yet."


# -- grounding ---------------------------------------------------------------------------------

GROUNDING_STEPS: tuple[str, ...] = (
    "**Grounding: 5-4-3-2-1**\nLet's slow things down together. Sit or stand however is "
    "comfortable and take one slow breath in, and a longer breath out. Press **Next** when you're ready.",
    "**5 things you can see.** Look around and name them, quietly or out loud. A colour, a shape, "
    "something small you hadn't noticed.",
    "**4 things you can feel.** Your feet on the floor, the chair under you, the air on your skin, "
    "the fabric of your clothes.",
    "**3 things you can hear.** Near or far: traffic, a fan, your own breathing.",
    "**2 things you can smell.** If nothing comes, think of two smells you like.",
    "**1 thing you can taste,** or one kind thing you can say to yourself right now.",
    "**Well done.** Take one more slow breath. If things still feel like too much, reaching out to "
    "someone can help: `/resources` shows helplines, and your facilitator is there too.",
)


def grounding_step(index: int) -> str:
    """Step ``index`` (0-based) of the exercise, clamped to the steps that exist."""
    return GROUNDING_STEPS[max(0, min(index, len(GROUNDING_STEPS) - 1))]
