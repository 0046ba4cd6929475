"""The numbers and the chart of a session's facilitator digest, from members who share."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.community.digest import DigestData, daily_means, top_counts
from bot.community.sessions import SessionPlan, is_first_session, previous_session
from bot.core.charts import group_pulse_alt, group_pulse_png
from bot.core.outbox_payload import Attachment
from cogs.community.events import SessionEvents


class SessionDigest(SessionEvents):
    """Gathers what a pre-session digest shows (the base of the ``Sessions`` jobs)."""

    async def digest_data(
        self, guild_id: int, plan: SessionPlan, tz: ZoneInfo, session_at: datetime
    ) -> tuple[DigestData, Attachment | None, bool]:
        """Counts since the last session, only from members who chose to share; a chart when
        there are shared check-ins; and whether the check-ins feature is installed at all."""
        since = previous_session(plan, tz, session_at)
        first_session = is_first_session(plan, tz, session_at)
        members = await self.bot.members.list_active(guild_id)
        sharing = {m.user_id for m in members if m.share_checkins in ("aggregate", "named")}
        first_day, last_day = since.astimezone(tz).date(), session_at.astimezone(tz).date()
        rows = await self.repo.checkin_moods(guild_id, first_day, last_day, sharing)
        day = date.fromisoformat(session_at.astimezone(tz).date().isoformat())
        rsvps = await self.rsvp_totals(guild_id, day)
        goals_done = await self.repo.goals_done_count(guild_id, since, session_at, sharing)
        practised = await self.repo.skills_practised(guild_id, since, session_at, sharing)
        answers = await self.repo.pair_answers_since(guild_id, since, session_at, sharing)
        per_day = daily_means((d, mood) for _u, d, mood in rows or [])
        contributors = len({u for u, _d, _m in rows or []})
        mood_first = mood_last = None
        # An average of one person's moods would point at them: show the trend from two people up.
        if per_day and contributors >= 2:
            half = max(1, len(per_day) // 2)
            early, late = per_day[:half], per_day[-half:]
            mood_first = sum(m for _d, _c, m in early) / len(early)
            mood_last = sum(m for _d, _c, m in late) / len(late)
        data = DigestData(
            session_at=session_at,
            since=since,
            sharing_members=len(sharing),
            checkin_members=contributors,
            checkins=len(rows or []),
            mood_first=mood_first,
            mood_last=mood_last,
            goals_done=goals_done,
            going=rsvps.going,
            not_going=rsvps.not_going,
            going_with_event=rsvps.with_event,
            skill_practices=None if practised is None else len(practised),
            skill_members=len({u for u, _s in practised or []}),
            top_skills=tuple(
                (self._skill_title(s), n) for s, n in top_counts(s for _u, s in practised or [])
            ),
            pair_answers=None if answers is None else len(answers),
            pair_connected=sum(1 for _u, a in answers or [] if a == "connected"),
            first_session=first_session,
        )
        chart = None
        if rows:
            by_day = {d: (c, m) for d, c, m in per_day}
            days = [first_day + timedelta(days=i) for i in range((last_day - first_day).days + 1)]
            counts = [by_day.get(d, (0, 0.0))[0] for d in days]
            moods: list[float | None] = [
                by_day[d][1] if d in by_day and contributors >= 2 else None for d in days
            ]
            title = (
                "Group pulse before the first session"
                if first_session
                else "Group pulse since the last session"
            )
            png = group_pulse_png(days, counts, moods, title=title)
            chart = Attachment("group-pulse.png", png, group_pulse_alt(days, counts, moods, title=title))
        return data, chart, rows is not None

    def _skill_title(self, skill_id: str) -> str:
        skill = self.bot.content.skills.get(skill_id)
        return skill.title if skill is not None else skill_id.replace("-", " ").capitalize()
