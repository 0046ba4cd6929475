"""Logs: LOG_FORMAT=json writes one JSON object per line; no record ever holds what members wrote."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.core.logs import JsonFormatter
from tests.checkins.conftest import check_in
from tests.conftest import agree

ROOT = Path(__file__).resolve().parents[1]
# Words only a member would write: if any log record holds one, text leaked.
CRISIS = "honestly i want to die tonight zebrafinch"
NOTE = "slept badly again quokkanote"
GOAL = "walk to the harbour pelicangoal"
PLAN = "call my sister narwhalplan"


def test_a_json_record_is_one_line_with_its_parts_and_the_error():
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.LogRecord(
            "bot.x", logging.ERROR, __file__, 1, "send %s failed", ("k",), sys.exc_info()
        )
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["level"] == "ERROR" and entry["logger"] == "bot.x" and entry["message"] == "send k failed"
    assert entry["time"].endswith("+00:00") and "ValueError: boom" in entry["error"]


def test_the_bot_logs_json_lines_when_asked(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "LOG_"))}
    env.update(LOG_FORMAT="json", LOG_LEVEL="DEBUG", DATABASE_PATH=str(tmp_path / "bot.db"))
    done = subprocess.run(
        [sys.executable, "-m", "bot", "demo"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert lines, "the demo at DEBUG logged nothing"
    entries = [json.loads(line) for line in lines]  # every line is one JSON object
    assert {"time", "level", "logger", "message"} <= set(entries[0])
    # The demo's own members' words never reach the log.
    assert "better off without me" not in done.stderr and "Cook a proper dinner" not in done.stderr


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        # simcord is the test's fake Discord (it logs the traffic it is sent); everything else,
        # the bot and discord.py, is checked.
        if not record.name.startswith("simcord"):
            self.lines.append(self.format(record))


@pytest.fixture
def captured() -> Iterator[_Capture]:
    handler = _Capture()
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    old = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(old)


async def test_no_log_record_holds_a_crisis_message_note_goal_or_safety_plan(group, captured):
    member = group.members[0]
    await member.send(group.general, CRISIS)
    await member.user.send_dm(CRISIS)
    await check_in(member, group.general, note=NOTE)
    goal = await member.slash(group.general, "goal set", text=GOAL)
    if "Before I save anything" in (goal.response.content or ""):
        await agree(member, goal)
    shown = await member.slash(group.general, "safetyplan")
    modal = await member.click(shown.response.message, label="Edit sections 1–4")
    await member.submit_modal(modal, {"people": PLAN})
    await group.env.settle()
    # The bot's own records were captured (the crisis path logs its verdict, never the words) ...
    assert any("crisis verdict" in line for line in captured.lines), "the capture is not wired"
    for secret in ("zebrafinch", "quokkanote", "pelicangoal", "narwhalplan"):
        leaks = [line[:120] for line in captured.lines if secret in line]
        assert leaks == [], f"{secret!r} reached the log"
    # ... and every scenario really ran, so a leak would have been seen.
    db = group.bot.db
    assert len(await db.fetch_all("SELECT 1 FROM crisis_events")) == 2
    assert await db.fetch_all("SELECT 1 FROM checkins")
    assert await db.fetch_all("SELECT 1 FROM community_goals")
    assert await db.fetch_all("SELECT 1 FROM safety_plans")
