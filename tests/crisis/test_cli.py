"""Tests for the crisis-check stdin/stdout function."""

from __future__ import annotations

import io
import json
import time

from bot.crisis.cli import crisis_check


def test_a_few_lines() -> None:
    stdin = io.StringIO("I want to die\nlovely weather\r\nthis is my goodbye\n\nI'm not going to hurt myself")
    stdout = io.StringIO()
    assert crisis_check(stdin, stdout) == 0
    out = [json.loads(line) for line in stdout.getvalue().splitlines()]
    assert [o["verdict"] for o in out] == ["concern", "none", "urgent", "none", "none"]
    assert out[0]["signals"] == ["passive_ideation"]
    assert out[1] == {"verdict": "none", "signals": [], "about": "self"}
    assert out[4]["signals"] == ["negated:self_harm"]


def test_empty_input() -> None:
    stdout = io.StringIO()
    assert crisis_check(io.StringIO(""), stdout) == 0
    assert stdout.getvalue() == ""


class _OneLineAtATime(io.StringIO):
    """Fails if the function reads everything before writing (it must stream)."""

    def __init__(self, lines: list[str], out: io.StringIO) -> None:
        super().__init__()
        self._lines = lines
        self._out = out

    def __iter__(self) -> _OneLineAtATime:
        return self

    def __next__(self) -> str:
        if not self._lines:
            raise StopIteration
        produced = self._out.getvalue().count("\n")
        consumed = 3 - len(self._lines)
        assert produced == consumed, "output must follow each line"
        return self._lines.pop(0)


def test_streams_line_by_line() -> None:
    out = io.StringIO()
    crisis_check(_OneLineAtATime(["a\n", "I want to die\n", "b\n"], out), out)
    assert out.getvalue().count("\n") == 3


def test_hundred_thousand_lines() -> None:
    sample = [
        "good morning everyone!",
        "I'm dying to see it",
        "I want to die",
        "this homework is killing me",
        "I have the pills ready",
        "had a rough day at work but I'm okay",
        "does anyone have tips for sleeping better?",
        "I made myself dinner for the first time in weeks",
    ]
    lines = "".join(sample[i % len(sample)] + "\n" for i in range(100_000))
    stdout = io.StringIO()
    started = time.perf_counter()
    assert crisis_check(io.StringIO(lines), stdout) == 0
    elapsed = time.perf_counter() - started
    out = stdout.getvalue().splitlines()
    assert len(out) == 100_000
    verdicts = [json.loads(line)["verdict"] for line in out[: len(sample)]]
    assert verdicts == ["none", "none", "concern", "none", "urgent", "none", "none", "none"]
    assert sum(1 for line in out if '"urgent"' in line) == 100_000 // len(sample)
    assert elapsed < 30, f"100,000 lines took {elapsed:.1f}s"
