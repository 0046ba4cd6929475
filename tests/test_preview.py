"""``make preview``: the demo's group served as a page by simcord's browser preview."""

from __future__ import annotations

import asyncio
import io
import json
import os
import re
import signal
import sys
from typing import Any

import aiohttp
import pytest

from bot.demo.preview import preview_session, run_preview
from tests.support.cards import visible_text

# The address run_preview prints: the page, then its key after the #.
ADDRESS = re.compile(r"(http://127\.0\.0\.1:(\d+)/)#([\w-]+)")
CHANNELS = {"check-ins", "skill-of-the-day", "wins", "partners", "facilitators", "group"}


async def printed_address(out: io.StringIO, task: asyncio.Task[int]) -> re.Match[str]:
    """Poll what the preview printed until its address shows up (or the preview has stopped)."""
    async with asyncio.timeout(120):
        while (found := ADDRESS.search(out.getvalue())) is None:
            if task.done():
                task.result()  # raises whatever stopped it
                pytest.fail(f"the preview stopped before serving:\n{out.getvalue()}")
            await asyncio.sleep(0.05)
    return found


async def open_page(
    http: aiohttp.ClientSession, url: str, viewer: int | None = None
) -> tuple[str, dict[str, str], dict[str, Any]]:
    """What the page's script does first: open a page (as ``viewer``, default the first)."""
    page, key = url.split("#")
    body = {} if viewer is None else {"viewer_id": str(viewer)}
    async with http.post(page + "api/pages", json=body, headers={"X-Simcord-Capability": key}) as response:
        assert response.status == 200, await response.text()
        state = await response.json()
    return page, {"X-Simcord-Capability": key, "X-Simcord-Context": state["context"]["id"]}, state


def posts(state: dict[str, Any]) -> list[dict[str, Any]]:
    """The page's messages in the order it shows them."""
    return [state["messages"][i] for i in state["timeline"]]


def by_bot(state: dict[str, Any]) -> list[dict[str, Any]]:
    """The bot's posts in the channel, leaving out private replies to the viewer."""
    return [m for m in posts(state) if m["author"]["bot"] and not m["ephemeral"]]


async def test_preview_opens_on_the_mornings_check_in_post_then_stops_cleanly():
    out = io.StringIO()
    task = asyncio.ensure_future(run_preview(port=0, out=out))
    try:
        found = await printed_address(out, task)
        page, port, _key = found.groups()
        printed = out.getvalue()
        async with aiohttp.ClientSession() as http:
            async with http.get(page) as response:
                assert response.status == 200
                assert "SimCord Preview" in await response.text()
            _, _, state = await open_page(http, found.group(0))
            # Without the key the page's data is refused: the bare address shows an empty page.
            async with http.post(page + "api/pages", json={}) as response:
                assert response.status == 401
    finally:
        # What Ctrl-C does to `make preview`: asyncio.run cancels the task.
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    # The printed address says why the bare one shows an empty page.
    assert f"port {port})" in printed
    assert "without it the page stays empty" in printed
    # The first screen: #check-ins as a member, just after the morning's post, not the admin's setup.
    assert state["channel"]["name"] == "check-ins"
    assert state["status"] == "current"
    assert state["viewerId"] == state["viewers"][0]["id"]
    assert state["viewers"][0]["name"] == "Asha"
    post = by_bot(state)[-1]
    assert "Daily check-in" in visible_text(post)
    assert "Check in" in str(post["components"])
    assert post["timestamp"] == "2026-11-23T09:00:00+00:00"  # 09:00 in London (GMT in November)
    # The bot has its own name, and the page writes dates the British way in London's time.
    assert post["author"]["name"] == "Resilience Bot"
    assert "TestBot" not in str(state)
    assert state["profile"]["locale"] == "en-GB"
    assert state["profile"]["timezone"] == "Europe/London"
    # Stopped: nothing answers on that port any more (and the bot's database is closed, which
    # the suite's own check on leaked connections verifies).
    async with aiohttp.ClientSession() as http:
        with pytest.raises(aiohttp.ClientConnectionError):
            await http.get(page)


async def run_command(
    http: aiohttp.ClientSession,
    page: str,
    headers: dict[str, str],
    state: dict[str, Any],
    invocation: str,
    **options: str,
) -> dict[str, Any]:
    """Run a slash command from the page's message box, as its script does."""
    async with http.get(page + "api/commands", headers=headers) as response:
        catalog = await response.json()
    entry = next(e for e in catalog["entries"] if e["invocation"] == invocation)
    body = {
        "protocol_version": 3,
        "sequence": 1,
        "request_id": "test-1",
        "generation": state["context"]["generation"],
        "bot_generation": state["botGeneration"],
        "published_revision": state["publishedRevision"],
        "kind": "run_command",
        "command_id": entry["commandId"],
        "path": entry["path"],
        "schema_fingerprint": entry["schemaFingerprint"],
        "options": options,
    }
    async with http.post(page + "api/action", json=body, headers=headers) as response:
        assert response.status == 200, await response.text()
        receipt: dict[str, Any] = await response.json()
    assert receipt["settlement"] == "settled", json.dumps(receipt)[:3000]
    return receipt


async def test_every_configured_channel_can_be_shown_under_the_same_address():
    async with preview_session() as session, aiohttp.ClientSession() as http:
        url = session.url
        page, headers, state = await open_page(http, url)
        async with http.get(page + "api/commands", headers=headers) as response:
            catalog = await response.json()
        (entry,) = [e for e in catalog["entries"] if e["invocation"] == "preview channel"]
        offered = {choice["value"] for choice in entry["options"][0]["choices"]}
        assert offered == CHANNELS  # every channel the admin configured

        # From the page: show #skill-of-the-day; reloading the same address shows it.
        receipt = await run_command(http, page, headers, state, "preview channel", name="skill-of-the-day")
        await session.done()
        async with http.get(page + "api/state", headers=headers) as response:
            stale = response.status, await response.json()
        assert [o["kind"] for o in receipt["outcomes"]] == ["response"]
        assert session.url == url
        _, _, state = await open_page(http, url)
        # A member asking for another channel is told, privately, to reload the same address.
        member = session.world.group.members[1]
        result = await member.slash(session.channel, "preview channel", name="wins")
        await session.done()
        assert result.response is not None and result.response.ephemeral
        told = result.response.content
    # The page still open is told its channel is gone (simcord shows "unavailable, reload"), and
    # the private reply to the command said beforehand to reload the same address.
    assert stale[0] == 410
    assert stale[1]["error"]["code"] == "context-unavailable"
    assert "#wins: reload it in a moment (same address)" in told
    # Reloaded: the new channel, current, with everyone under Viewing as.
    assert state["status"] == "current"
    assert [v["name"] for v in state["viewers"]][:3] == ["Asha", "Sam (facilitator)", "Olu (server admin)"]
    assert state["channel"]["name"] == "skill-of-the-day"
    assert "I practised this" in str(by_bot(state)[-1]["components"])
    assert by_bot(state)[-1]["timestamp"] == "2026-11-23T09:00:00+00:00"


async def test_moving_the_clock_posts_what_was_scheduled_at_its_own_time():
    async with preview_session() as session, aiohttp.ClientSession() as http:
        page, headers, state = await open_page(http, session.url)
        before = [m["id"] for m in by_bot(state)]
        receipt = await run_command(http, page, headers, state, "preview next-hour")
        await session.done()
        # What the page polls: the viewer's private reply names the new time.
        async with http.get(page + "api/state", headers=headers) as response:
            state = await response.json()
        (reply,) = [o["messageId"] for o in receipt["outcomes"] if o["kind"] == "response"]
        assert "Monday 23 November, 10:00" in state["messages"][reply]["content"]
        # An hour on, nothing new was due in #check-ins, and the page's clock reads 10:00.
        _, _, state = await open_page(http, session.url)
        assert [m["id"] for m in by_bot(state)] == before
        assert state["profile"]["presentationTime"] == "2026-11-23T10:00:00+00:00"

        member = session.world.group.members[1]
        result = await member.slash(session.channel, "preview next-day")
        await session.done()
        assert result.response is not None
        assert "Tuesday 24 November, 10:00" in result.response.content
        _, _, state = await open_page(http, session.url)
    # Tuesday's check-in went out at 09:00, its own time, on the way to 10:00.
    new = [m for m in by_bot(state) if m["id"] not in before and "Daily check-in" in visible_text(m)]
    assert [m["timestamp"] for m in new] == ["2026-11-24T09:00:00+00:00"]
    assert state["profile"]["presentationTime"] == "2026-11-24T10:00:00+00:00"
    assert "Clock: Tuesday 24 November, 10:00 in London; new: #check-ins 1" in session.out.getvalue()


@pytest.mark.slow
async def test_ctrl_c_stops_the_preview_command_with_exit_code_0(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DISCORD_TOKEN", "LOG_LEVEL", "DATABASE_PATH"}}
    # A shell may start background jobs with Ctrl-C ignored; a terminal delivers it to the command.
    script = (
        "import signal; signal.signal(signal.SIGINT, signal.default_int_handler); "
        "from bot.cli import main; raise SystemExit(main(['preview']))"
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        script,
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        printed = ""
        async with asyncio.timeout(120):
            while "Ctrl-C" not in printed:
                line = await process.stdout.readline()
                assert line, f"the preview exited early: {printed}"
                printed += line.decode()
        found = ADDRESS.search(printed)
        assert found is not None, printed
        async with aiohttp.ClientSession() as http, http.get(found.group(1)) as response:
            assert response.status == 200
        process.send_signal(signal.SIGINT)
        async with asyncio.timeout(60):
            rest, errors = await process.communicate()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode == 0, errors.decode()
    assert "Preview stopped." in rest.decode()
    assert errors.decode() == ""
