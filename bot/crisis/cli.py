"""``resilience-bot crisis-check``: classify lines of text from stdin, one JSON object per line."""

from __future__ import annotations

import json
from typing import TextIO

from bot.crisis.detect import Detector, shipped_detector


def crisis_check(stdin: TextIO, stdout: TextIO, detector: Detector | None = None) -> int:
    """Read lines from ``stdin`` and write ``{"verdict": ..., "signals": [...], "about": ...}`` for each.

    ``about`` is ``self`` (the writer), ``other`` (someone they worry about) or ``harassment``
    (telling someone else to harm themselves); tools that read only ``verdict`` keep working.

    Streams: one line in, one line out, nothing held in memory, so any number of lines works.
    Output is flushed every 1,000 lines so a pipe reader sees progress. Returns the exit code (0).
    """
    detector = detector or shipped_detector()
    dumps = json.dumps
    for count, line in enumerate(stdin, start=1):
        verdict = detector.detect(line.rstrip("\r\n"))
        out = {"verdict": verdict.level, "signals": list(verdict.signals), "about": verdict.about}
        stdout.write(dumps(out) + "\n")
        if count % 1000 == 0:
            stdout.flush()
    stdout.flush()
    return 0
