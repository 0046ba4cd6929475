"""A stand-in detector for the crisis cog's behaviour tests: chosen verdicts for chosen texts.

The real detector is being retrained; these tests are about what the cog does with a verdict
(who it is about, how serious, at which sensitivity), so they say the verdict themselves.
"""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from bot.core.bot import ResilienceBot
from bot.crisis.detect import NONE, Verdict
from cogs.crisis.commands import Crisis
from tests.conftest import restart

# Texts the fake knows. Plain words, so nothing here depends on the real detector's phrases.
SELF_CONCERN = "fake text one about me zebra"
SELF_URGENT = "fake text two about me zebra"
OTHER_CONCERN = "fake text about my friend zebra"
OTHER_URGENT = "fake urgent text about my friend zebra"
HARASSMENT = "fake text aimed at you zebra"
# Answered only at the cautious sensitivity.
CAUTIOUS_ONLY = "fake borderline text zebra"
# A word every fake text carries: it must never turn up in an alert, the database or a log.
MARKER = "zebra"

VERDICTS: Mapping[str, Verdict] = {
    SELF_CONCERN: Verdict("concern", ("fake",), "self"),
    SELF_URGENT: Verdict("urgent", ("fake",), "self"),
    OTHER_CONCERN: Verdict("concern", ("fake",), "other"),
    OTHER_URGENT: Verdict("urgent", ("fake",), "other"),
    HARASSMENT: Verdict("urgent", ("fake",), "harassment"),
}


class FakeDetector:
    """``detect(text, *, sensitivity)`` like the real one; remembers the sensitivity of each call."""

    def __init__(self, verdicts: Mapping[str, Verdict] = VERDICTS) -> None:
        self.verdicts = dict(verdicts)
        self.calls: list[tuple[str, str]] = []

    def detect(self, text: str, *, sensitivity: str = "standard") -> Verdict:
        self.calls.append((text, sensitivity))
        if text == CAUTIOUS_ONLY:
            return Verdict("concern", ("fake",), "self") if sensitivity == "cautious" else NONE
        return self.verdicts.get(text, NONE)


def install(bot: ResilienceBot, fake: FakeDetector) -> FakeDetector:
    """Put ``fake`` in the loaded crisis cog of ``bot`` (again after every restart)."""
    # By name, not isinstance: closing a bot unloads its extensions and drops cogs.crisis.* from
    # sys.modules, so the next bot's cog is an instance of a freshly imported class.
    cog = bot.get_cog("Crisis")
    assert cog is not None and type(cog).__name__ == Crisis.__name__
    cog.detector = fake  # type: ignore[assignment]
    return fake


async def restart_with(group, fake: FakeDetector) -> ResilienceBot:  # type: ignore[no-untyped-def]
    """A restart, with the fake detector in the new bot's cog."""
    bot = await restart(group)
    install(bot, fake)
    return bot


@pytest.fixture
def fake(group) -> FakeDetector:  # type: ignore[no-untyped-def]
    """The group's bot, reading messages with the fake detector."""
    return install(group.bot, FakeDetector())
