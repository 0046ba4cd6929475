"""``resilience-bot doctor`` against the loopback Discord: each problem is reported by name."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import discord
import pytest

from bot.cli import LOGIN_REFUSED
from bot.core.crypto import generate_key
from bot.core.guilds import GuildRepository
from bot.core.settings import load_settings
from bot.db import SqliteDatabase
from bot.doctor import expected_commands, run_doctor
from tests.support.loopback import FakeGuild, LoopbackDiscord

ROOT = Path(__file__).resolve().parent.parent
# What the README's invite URL grants the bot's role.
INVITE_PERMISSIONS = int(re.findall(r"permissions=(\d+)", (ROOT / "README.md").read_text())[0])
VIEW = discord.Permissions(view_channel=True).value
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
CHANNELS = {
    "checkins": "check-ins",
    "skills": "skill-of-the-day",
    "wins": "wins",
    "pairs": "partners",
    "alerts": "facilitators",
    "group": "group",
}


@pytest.fixture(scope="module")
def commands_of_this_version() -> set[str]:
    import asyncio

    settings = load_settings(discord_token="x", encryption_key=generate_key())
    names = asyncio.run(expected_commands(settings))
    assert names is not None
    return names


class World:
    """A server set up as the README says, and the bot's database configured for it."""

    def __init__(self, fake: LoopbackDiscord, tmp_path: Path, commands: set[str]) -> None:
        self.fake = fake
        self.settings = load_settings(
            discord_token="loopback-token",
            encryption_key=generate_key(),
            database_path=tmp_path / "bot.db",
            content_path=ROOT / "content",
        )
        self.guild: FakeGuild = fake.add_guild(name="Group", channels=list(CHANNELS.values()), members=3)
        bot_member = self.guild.member(fake.bot_user.id)
        assert bot_member is not None
        self.bot_role = fake.add_role(self.guild, "Resilience Bot", INVITE_PERMISSIONS, holders=[bot_member])
        self.facilitators = fake.add_role(self.guild, "Facilitator", 0, holders=self.guild.admins)
        alerts = self.guild.channel("facilitators")
        alerts.overwrite(self.guild.id, deny=VIEW)
        alerts.overwrite(self.facilitators.id, allow=VIEW)
        alerts.overwrite(self.bot_role.id, allow=VIEW)
        fake.global_commands = [{"id": str(fake.new_id()), "name": name} for name in sorted(commands)]

    async def configure(self, *, complete: bool = True) -> None:
        db = SqliteDatabase(self.settings.database_path)
        await db.connect()
        await db.migrate()
        if complete:
            repo = GuildRepository(db)
            for purpose, name in CHANNELS.items():
                await repo.set_channel(self.guild.id, purpose, self.guild.channel(name).id, NOW)
            await repo.set_field(self.guild.id, "facilitator_role_id", self.facilitators.id, NOW)
            await repo.set_field(self.guild.id, "timezone", "Europe/London", NOW)
            await repo.set_field(self.guild.id, "country", "GB", NOW)
        await db.close()

    async def doctor(self) -> tuple[int, str]:
        out = io.StringIO()
        code = await run_doctor(self.settings, out)
        return code, out.getvalue()


@pytest.fixture
async def world(tmp_path, commands_of_this_version):
    async with LoopbackDiscord() as fake:
        yield World(fake, tmp_path, commands_of_this_version)


async def test_a_server_set_up_as_the_readme_says_passes(world):
    await world.configure()
    code, out = await world.doctor()
    assert code == 0, out
    assert "[!!]" not in out
    assert "Server Members intent is on" in out
    assert "#facilitators (alerts): the bot can view" in out
    assert "the facilitators' channel #facilitators is hidden from @everyone" in out
    assert "Everything checked is in order." in out
    # HTTP only: the doctor never opened the gateway.
    assert world.fake.stats.gateway_connections == 0
    assert world.fake.stats.unknown_routes == {}


async def test_a_missing_permission_is_named_with_its_channel_and_fix(world):
    world.guild.channel("wins").overwrite(
        world.bot_role.id, deny=discord.Permissions(attach_files=True, embed_links=True).value
    )
    await world.configure()
    code, out = await world.doctor()
    assert code == 1
    assert "[!!] #wins (wins): the bot lacks Embed Links, Attach Files" in out
    assert (
        "fix: in #wins → Edit Channel → Permissions, allow the bot's role: Embed Links, Attach Files" in out
    )
    assert "1 to fix." in out


async def test_a_facilitators_channel_everyone_can_see_is_reported(world):
    world.guild.channel("facilitators").overwrites.clear()
    await world.configure()
    code, out = await world.doctor()
    assert code == 1
    assert "[!!] the facilitators' channel #facilitators is visible to @everyone" in out
    assert "deny View Channel to @everyone" in out


async def test_a_missing_privileged_intent_is_reported_with_where_to_switch_it_on(world):
    world.fake.application_flags = discord.ApplicationFlags(gateway_guild_members=True).value
    await world.configure()
    code, out = await world.doctor()
    assert code == 1
    assert "[!!] Message Content intent is off for the application" in out
    assert "fix: switch on Message Content Intent in the Developer Portal" in out
    assert "[ok] Server Members intent is on" in out


async def test_a_server_not_set_up_yet_lists_every_setup_step(world):
    world.fake.global_commands = world.fake.global_commands[:-2]
    await world.configure(complete=False)
    code, out = await world.doctor()
    assert code == 1
    for purpose in CHANNELS:
        assert f"[!!] no channel is set for {purpose}" in out
        assert f"/setup channel purpose:{purpose} channel:#a-channel" in out
    assert "[!!] no facilitator role is set" in out
    assert "[!!] no timezone is set" in out
    assert "[!!] no country is set for helplines" in out
    assert "[!!] 2 slash commands are not registered here" in out
    assert "resilience-bot sync" in out


async def test_a_channel_deleted_after_setup_and_no_database_yet(world, tmp_path):
    await world.configure()
    gone = world.guild.channel("partners")
    world.guild.channels.remove(gone)
    _, out = await world.doctor()
    assert f"[!!] the pairs channel (id {gone.id}) no longer exists" in out
    world.settings = load_settings(
        discord_token="loopback-token", encryption_key=generate_key(), database_path=tmp_path / "none.db"
    )
    code, out = await world.doctor()
    assert code == 1
    assert f"[!!] there is no database at {tmp_path / 'none.db'} yet" in out
    assert not (tmp_path / "none.db").exists()  # the doctor reads; it never creates


def test_without_a_token_doctor_names_discord_token(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DISCORD_TOKEN", "ENCRYPTION_KEY"}}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "doctor"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.strip().startswith("error: DISCORD_TOKEN: doctor logs in to Discord as the bot")


# The command as an operator runs it, in its own process pointed at the loopback Discord.
POINT_AND_DOCTOR = """
import sys, discord.http
discord.http.Route.BASE = sys.argv[1]
from bot.cli import main
raise SystemExit(main(["doctor"]))
"""


async def _doctor_process(world: World, token: str) -> tuple[int, str, str]:
    import asyncio

    env = {k: v for k, v in os.environ.items() if k not in {"DISCORD_TOKEN", "ENCRYPTION_KEY", "LOG_LEVEL"}}
    env.update(
        DISCORD_TOKEN=token,
        ENCRYPTION_KEY=world.settings.encryption_key.get_secret_value(),
        DATABASE_PATH=str(world.settings.database_path),
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", POINT_AND_DOCTOR, world.fake.api_base,
        cwd=world.settings.database_path.parent, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_the_command_prints_the_checklist_and_exits_by_it(world):
    await world.configure()
    code, out, err = await _doctor_process(world, "loopback-token")
    assert code == 0, err
    assert "Everything checked is in order." in out
    world.guild.channel("facilitators").overwrites.clear()
    code, out, _ = await _doctor_process(world, "loopback-token")
    assert code == 1
    assert "[!!] the facilitators' channel #facilitators is visible to @everyone" in out


async def test_a_refused_token_is_one_line_naming_what_to_do(tmp_path, commands_of_this_version):
    async with LoopbackDiscord(token="the-right-token") as strict:
        world = World(strict, tmp_path, commands_of_this_version)
        await world.configure()
        code, out, err = await _doctor_process(world, "a-wrong-token")
    assert code == 2
    assert out == ""
    assert err.strip().splitlines() == [f"error: {LOGIN_REFUSED}"]
