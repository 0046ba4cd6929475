"""Installs by purpose: a server gets the runtime lock only, no test tool, no simulated Discord.

The last test builds that install in a fresh virtual environment and starts the bot from it
against the loopback Discord: the runtime dependencies alone are enough to log in, connect and
sync, and the offline demo says what it is missing instead of failing with a traceback.
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from bot.cli import NO_SIMULATOR
from bot.core.crypto import generate_key
from tests.support.loopback import LoopbackDiscord

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
# The tools a server must never get: simcord (and its PyAV), the test runners, linters, the locker.
NOT_ON_A_SERVER = {"simcord", "av", "pytest", "pytest-asyncio", "hypothesis", "ruff", "mypy", "import-linter"}


def _name(requirement: str) -> str:
    """The normalised project name of a requirement line or specifier."""
    name = re.split(r"[\s\[<>=!~;@]", requirement.strip(), maxsplit=1)[0]
    return re.sub(r"[-_.]+", "-", name).lower()


def _pins(lock: str) -> dict[str, str]:
    pins = {}
    for line in (ROOT / lock).read_text().splitlines():
        found = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;]+)", line)
        if found:
            pins[_name(found[1])] = found[2]
    return pins


def test_runtime_dependencies_name_no_dev_or_demo_tool():
    runtime = {_name(r) for r in PYPROJECT["project"]["dependencies"]}
    extras = PYPROJECT["project"]["optional-dependencies"]
    assert runtime.isdisjoint(NOT_ON_A_SERVER)
    assert {_name(r) for r in extras["demo"]} == {"simcord"}
    assert {"pytest", "hypothesis", "mypy", "ruff", "import-linter"} <= {_name(r) for r in extras["dev"]}


def test_runtime_lock_holds_no_dev_package_and_agrees_with_the_dev_lock():
    runtime, dev = _pins("requirements.lock"), _pins("requirements-dev.lock")
    assert runtime, "requirements.lock pins nothing"
    assert not NOT_ON_A_SERVER & runtime.keys()
    assert dev.keys() >= NOT_ON_A_SERVER
    # Every runtime dependency is pinned, at the same version in both locks.
    assert {_name(r) for r in PYPROJECT["project"]["dependencies"]} <= runtime.keys()
    assert {name: dev.get(name) for name in runtime} == runtime


@pytest.mark.parametrize("lock", ["requirements.lock", "requirements-dev.lock"])
def test_every_pin_carries_hashes(lock):
    text = (ROOT / lock).read_text()
    blocks = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 2)[2])
    assert blocks
    for block in blocks:
        assert "--hash=sha256:" in block, block.splitlines()[0]


def _pip(venv: Path, *args: str) -> None:
    # The test venv's pip installs into the fresh one: no ensurepip, no download of pip itself.
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "--quiet", *args],
        check=True,
        cwd=ROOT,
        timeout=480,
    )


@pytest.fixture(scope="module")
def server_install(tmp_path_factory) -> Path:
    """A fresh venv with exactly what the README's server install puts there."""
    venv = tmp_path_factory.mktemp("server") / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    _pip(venv, "-r", "requirements.lock")
    _pip(venv, "--no-deps", "-e", ".")
    return venv


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    keep = {"PATH", "HOME", "LANG", "TMPDIR", "SYSTEMROOT"}
    env = {k: v for k, v in os.environ.items() if k in keep}
    env.update({"DATABASE_PATH": str(tmp_path / "bot.db"), "BACKUP_DIR": str(tmp_path / "backups")})
    env.update(extra)
    return env


@pytest.mark.slow
def test_the_server_install_has_no_dev_tool_and_answers_help(server_install, tmp_path):
    python = server_install / "bin" / "python"
    found = subprocess.run(
        [str(python), "-c", "import importlib.util as u; print([m for m in "
         "('simcord', 'av', 'pytest', 'hypothesis', 'mypy', 'ruff', 'importlinter') if u.find_spec(m)])"],
        capture_output=True, text=True, check=True, cwd=tmp_path,
    )  # fmt: skip
    assert found.stdout.strip() == "[]"
    helped = subprocess.run(
        [str(server_install / "bin" / "resilience-bot"), "--help"],
        capture_output=True, text=True, cwd=tmp_path, env=_env(tmp_path), check=False,
    )  # fmt: skip
    assert helped.returncode == 0, helped.stderr
    assert "doctor" in helped.stdout
    # Without a token `run` would play the demo: it names what is missing, without a traceback.
    demo = subprocess.run(
        [str(server_install / "bin" / "resilience-bot"), "run"],
        capture_output=True, text=True, cwd=tmp_path, env=_env(tmp_path), check=False,
    )  # fmt: skip
    assert demo.returncode == 2
    assert demo.stderr.strip() == f"error: {NO_SIMULATOR}"


# Run inside the server install: point discord.py at the loopback, then `resilience-bot sync`
# (log in, connect, register the commands, exit).
POINT_AND_SYNC = """
import sys, discord.gateway, discord.http, yarl
discord.http.Route.BASE = sys.argv[1]
discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(sys.argv[2])
from bot.cli import main
raise SystemExit(main(["sync"]))
"""


@pytest.mark.slow
async def test_the_server_install_connects_and_syncs_without_simcord(server_install, tmp_path):
    async with LoopbackDiscord(token="server-token", point_discord=False) as fake:
        fake.add_guild(name="Group", channels=["general"], members=2, admins=1)
        process = await asyncio.create_subprocess_exec(
            str(server_install / "bin" / "python"), "-c", POINT_AND_SYNC, fake.api_base, fake.gateway_url,
            cwd=tmp_path,
            env=_env(tmp_path, DISCORD_TOKEN="server-token", ENCRYPTION_KEY=generate_key()),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        _, err = await asyncio.wait_for(process.communicate(), timeout=120)
        assert process.returncode == 0, err.decode()
        assert fake.stats.identifies == 1
        names = {command["name"] for command in fake.global_commands}
        assert {"checkin", "setup", "skill"} <= names
        assert "Traceback" not in err.decode()
