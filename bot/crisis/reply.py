"""What the bot says around crisis: the private reply (to the writer, or to someone worried about
another person), the note to a member a harassing message was aimed at, /resources, the channel
pointer, the facilitator alert and the grounding steps. Pure text, no I/O. (The follow-up a day
later is in ``bot.crisis.followup``; the safety plan's sections in ``bot.safetyplan.logic``.)

Written from shared/reference/safety.md: warm, short, no judgement, no quoting, never a method or
means; always says it is automated, not watched around the clock and not an emergency service.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.core.wording import long_date
from bot.crisis.resources import CountryResources, Reach, Service

ReplyLevel = Literal["concern", "urgent"]
AlertReader = Literal["self", "other", "harassment"]

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


def emergency_line(res: CountryResources, *, someone_else: bool = False) -> str:
    """The emergency number for the country when it was checked, else the general advice."""
    if res.emergency is None and not someone_else:
        return LOCAL_EMERGENCY
    who = "If they, or you, are" if someone_else else "If you are"
    if res.emergency is None:
        return f"{who} in immediate danger, call your local emergency number."
    numbers = " or ".join(f"**{n}**" for n in res.emergency.numbers)
    return f"{who} in immediate danger, call {numbers}."


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
    """The private reply after a concern or urgent verdict. Short: hard to read a wall of text.

    Both levels name the route for immediate danger (safe-messaging guidance); an urgent reply
    puts it before the helplines, a concern reply after them.
    """
    lines = [
        "Hi. I noticed your message and wanted to check in with you. You matter, and you're not "
        "alone in this. Talking to someone can really help, right now if you need it.",
        "",
    ]
    if level == "urgent":
        lines += [emergency_line(res), ""]
    lines += [f"**People you can reach any time{_where(res)}**", *helpline_lines(res), ""]
    if level == "concern":
        lines += [emergency_line(res), ""]
    lines += [
        "You could also tell a facilitator or someone you trust how you're doing. "
        "The buttons below open your safety plan or a short grounding exercise.",
        "",
        f"-# {NOT_MONITORED} `/resources` shows these lines again whenever you need them.",
    ]
    return "\n".join(lines)[:2000]


def helper_message(res: CountryResources) -> str:
    """The private reply to someone worried that another person is at risk: how to help, the
    same lines and the emergency number, and a reminder to look after themselves."""
    lines = [
        "Hi. I noticed your message: it sounds like you're worried about someone. It's good that "
        "you want to help, and you don't have to do it alone. Some things that help:",
        "- **Listen** without judging, and tell them you care.",
        "- **Ask them directly** whether they're thinking about suicide. Asking doesn't put the "
        "idea in their head, and it can be a relief to be asked.",
        "- **Stay with them**, in person or on the phone, if they might be in danger, and help "
        "them reach one of the lines below.",
        "- **Don't promise to keep it secret.** Their safety comes first: tell someone who can help.",
        "- **Look after yourself too.** A facilitator or someone you trust can support you.",
        "",
        emergency_line(res, someone_else=True),
        "",
        f"**Lines you or they can reach any time{_where(res)}**",
        *helpline_lines(res),
        "",
        f"-# {NOT_MONITORED} `/resources` shows these lines again whenever you need them.",
    ]
    return "\n".join(lines)[:2000]


def target_note(*, facilitators_told: bool) -> str:
    """A kind private note to the member a message told to harm themselves. Never its words."""
    told = (
        "I've let your group's facilitators know so they can deal with it."
        if facilitators_told
        else "You can tell a facilitator about it if you'd like them to deal with it."
    )
    return "\n".join(
        [
            "Hi. A message in your group that seemed aimed at you told you to hurt yourself. That "
            f"is not okay, and it says nothing about your worth. {told}",
            "",
            "If it has left you feeling low, `/resources` shows support lines that only you can "
            "see, and talking to someone you trust can help.",
            "",
            f"-# {NOT_MONITORED}",
        ]
    )


def resources_message(res: CountryResources) -> str:
    """``/resources``: the helplines, the emergency number, the directories, the statement."""
    lines = [f"**Support lines{_where(res)}**", *helpline_lines(res), "", emergency_line(res)]
    if not res.is_fallback:
        lines += ["", "**Anywhere in the world**", *directory_lines(res)]
    lines += ["", NOT_MONITORED]
    if not res.is_fallback:
        checked = max(s.verified for s in res.services)
        lines += [
            f"-# Numbers checked {long_date(checked, year=True, weekday=False)}. "
            "Other countries: `/resources country:`"
        ]
    return "\n".join(lines)[:2000]


def channel_pointer(mention: str) -> str:
    """The public fallback when a DM can't be delivered: only a mention and a private command."""
    return (
        f"{mention}, I couldn't send you a private message. If you'd like some support, "
        "`/resources` shows helplines that only you can see. You're not alone. 💙"
    )


def recent_line(recent_alerts: int) -> str:
    """How many alerts about this member in 30 days: a count, never what they said."""
    if recent_alerts <= 1:
        return "**Last 30 days:** the first alert about this member in this group."
    return f"**Last 30 days:** {recent_alerts} alerts about this member in this group, this one included."


def alert_message(
    *,
    level: ReplyLevel,
    member_id: int,
    channel_id: int,
    jump_url: str,
    at_unix: int,
    status: str,
    reader: AlertReader = "self",
    target_id: int | None = None,
    recent_alerts: int = 1,
) -> str:
    """The facilitator alert: who, where, when, how serious; never the member's words.

    Three readers: the member may be at risk (``self``); they are worried about someone else
    (``other``, marked so); or they told another member to harm themselves (``harassment``, a
    moderation matter with its own wording).
    """
    where = f"Where: <#{channel_id}> · [jump to the message]({jump_url}) · <t:{at_unix}:F>"
    if reader == "harassment":
        aimed = f"<@{target_id}>" if target_id else "another member"
        note = (
            f"The bot sent {aimed} a short private note of support."
            if target_id
            else "The bot could not tell who it was aimed at, so it sent no note."
        )
        lines = [
            f"🛡️ **Moderation**: <@{member_id}> may have told {aimed} to harm themselves.",
            where,
            f"This is a moderation matter, not a crisis alert: the writer got no support message. {note} "
            "Please follow your group's rules on harassment, check in with the person it was aimed "
            "at, and don't quote the message.",
        ]
    else:
        head = "🔴 **Urgent**" if level == "urgent" else "🟠 **Concern**"
        if reader == "other":
            lines = [
                f"{head}, **about someone else**: <@{member_id}> seems worried that someone else may "
                "be at risk.",
                where,
                "The bot sent them privately how to help, with the helplines (not if they turned "
                "that off or had one in the last 6 hours). Please reach out privately and don't "
                "quote their words.",
            ]
        else:
            lines = [
                f"{head}: <@{member_id}> may need support.",
                where,
                "The bot offers helplines privately (not if they turned that off or had one in the "
                "last 6 hours). Please reach out privately and don't quote their words.",
            ]
    return "\n".join([*lines, recent_line(recent_alerts), f"**Status:** {status}"])


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


@dataclass(frozen=True, slots=True)
class FoldedAlert:
    """One alert folded into a summary: who, how serious, where and when (never the words)."""

    alert_id: int
    level: ReplyLevel
    reader: AlertReader
    member_id: int
    channel_id: int
    jump_url: str
    at_unix: int


# A summary lists this many alerts with a button each (four rows of five), the rest as a count.
SUMMARY_LISTED = 20


def alert_summary(alerts: list[FoldedAlert], *, cap: int) -> str:
    """The one message that stands for the alerts over the hourly cap (``alerts`` oldest first)."""
    shown, rest = alerts[:SUMMARY_LISTED], len(alerts) - SUMMARY_LISTED
    urgent = any(a.level == "urgent" and a.reader != "harassment" for a in alerts)
    head = "🔴" if urgent else "🟠"
    more = "1 more alert" if len(alerts) == 1 else f"{len(alerts)} more alerts"
    lines = [
        f"{head} **{more} this hour**, gathered into this one message: this group already had "
        f"{cap} alerts in the last hour, so the channel stays readable. Who, how serious and where "
        "(never their words); press an alert's number to see it in full and claim it.",
    ]
    for a in shown:
        if a.reader == "harassment":
            what = "🛡️ moderation"
        else:
            what = ("🔴 urgent" if a.level == "urgent" else "🟠 concern") + (
                ", about someone else" if a.reader == "other" else ""
            )
        lines.append(
            f"- **#{a.alert_id}** · {what} · <@{a.member_id}> · <#{a.channel_id}> · "
            f"[jump]({a.jump_url}) · <t:{a.at_unix}:t>"
        )
    if rest > 0:
        lines.append(f"…and {rest} more, not listed here for space (`/crisis stats` counts them all).")
    lines.append(
        "-# So many at once can mean a raid or a hard day for the whole group: slowmode or a short "
        "pause in the channel can help while you reach out."
    )
    return "\n".join(lines)


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
