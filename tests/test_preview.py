"""``make preview``: the demo's group served as a page by simcord's browser preview."""

from __future__ import annotations

import asyncio
import io
import os
import re
import signal
import sys

import aiohttp
import pytest

from bot.demo.preview import run_preview

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


async def test_preview_serves_the_set_up_group_then_stops_cleanly():
    out = io.StringIO()
    task = asyncio.ensure_future(run_preview(port=0, out=out))
    try:
        found = await printed_address(out, task)
        page, port, key = found.groups()
        assert f"port {port}." in out.getvalue()
        async with aiohttp.ClientSession() as http:
            async with http.get(page) as response:
                assert response.status == 200
                assert "SimCord Preview" in await response.text()
            # What the page's script asks first: the channel as its first viewer (the admin) sees it.
            async with http.post(
                page + "api/pages", json={}, headers={"X-Simcord-Capability": key}
            ) as response:
                assert response.status == 200
                state = await response.json()
            # Without the key the page's data is refused.
            async with http.post(page + "api/pages", json={}) as response:
                assert response.status == 401
    finally:
        # What Ctrl-C does to `make preview`: asyncio.run cancels the task.
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    assert state["channel"]["name"] == "group"
    assert state["status"] == "current"
    # The demo's setup ran: the admin's /setup replies name every channel of the group.
    named = set().union(*(m["mention_channel_names"].values() for m in state["messages"].values()))
    assert named == CHANNELS
    text = "\n".join(m["content"] for m in state["messages"].values())
    assert "Group setup" in text
    # Stopped: nothing answers on that port any more (and the bot's database is closed, which
    # the suite's own check on leaked connections verifies).
    async with aiohttp.ClientSession() as http:
        with pytest.raises(aiohttp.ClientConnectionError):
            await http.get(page)


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
