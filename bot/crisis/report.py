"""``/crisis report``: how a group's alerts went over the last 90 days. Pure, from counts and times.

Median time to claim (from the alert to the first facilitator who took it, or closed it without
claiming), the false-alarm rate among closed alerts, and counts by reader. Never a name or a word.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta

from bot.crisis.store import ReportRow

REPORT_WINDOW = timedelta(days=90)
READERS = (("self", "about themselves"), ("other", "about someone else"), ("harassment", "harassment"))


@dataclass(frozen=True, slots=True)
class Report:
    """A group's alerts in the window, as numbers."""

    total: int
    by_reader: Mapping[str, int]
    open: int
    claimed: int
    median_to_claim: timedelta | None
    closed: int
    false_alarms: int
    followups: Mapping[str, int]

    @property
    def false_alarm_rate(self) -> float | None:
        """False alarms among the alerts a facilitator closed; None before any was closed."""
        return self.false_alarms / self.closed if self.closed else None


def build_report(rows: Sequence[ReportRow], followups: Mapping[str, int]) -> Report:
    """Count and time the alerts in ``rows`` (already limited to the window)."""
    waits = [r.claimed_at - r.created_at for r in rows if r.claimed_at is not None]
    median = timedelta(seconds=statistics.median(w.total_seconds() for w in waits)) if waits else None
    closed = [r for r in rows if r.state in ("resolved", "false_alarm")]
    return Report(
        total=len(rows),
        by_reader={key: sum(1 for r in rows if r.reader == key) for key, _ in READERS},
        open=sum(1 for r in rows if r.state == "open"),
        claimed=len(waits),
        median_to_claim=median,
        closed=len(closed),
        false_alarms=sum(1 for r in closed if r.state == "false_alarm"),
        followups=followups,
    )


def describe_wait(wait: timedelta) -> str:
    """``under a minute``, ``12 minutes``, ``3 h 5 min``, ``2 days 4 h``."""
    minutes = int(wait.total_seconds() // 60)
    if minutes < 1:
        return "under a minute"
    if minutes < 60:
        return "1 minute" if minutes == 1 else f"{minutes} minutes"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    day_word = "1 day" if days == 1 else f"{days} days"
    return f"{day_word} {hours} h" if hours else day_word


def report_text(report: Report) -> str:
    """The facilitators' private reply."""
    days = REPORT_WINDOW.days
    if report.total == 0:
        lines = [f"**Crisis alerts in the last {days} days:** none."]
    else:
        readers = " · ".join(f"{label}: {report.by_reader.get(key, 0)}" for key, label in READERS)
        if report.median_to_claim is None:
            claim = "- median time to claim: none claimed yet"
        else:
            claim = (
                f"- median time to claim: {describe_wait(report.median_to_claim)} "
                f"({report.claimed} of {report.total} taken; {report.open} still open)"
            )
        rate = report.false_alarm_rate
        false = (
            "- false-alarm rate: no alert closed yet"
            if rate is None
            else f"- false-alarm rate: {rate:.0%} ({report.false_alarms} of {report.closed} closed alerts)"
        )
        lines = [f"**Crisis alerts in the last {days} days:** {report.total}", f"- {readers}", claim, false]
    sent = sum(report.followups.get(s, 0) for s in ("sent", "ok", "talk"))
    if sent or report.followups.get("pending"):
        lines.append(
            f"- follow-up check-ins: {sent} sent, {report.followups.get('ok', 0)} answered "
            f'"I\'m OK", {report.followups.get("talk", 0)} asked to talk, '
            f"{report.followups.get('pending', 0)} waiting"
        )
    lines.append("-# Counts and times only, never anyone's words. `/crisis stats` shows every alert's state.")
    return "\n".join(lines)
