"""The browser preview: the demo's simulated server, served as a page by simcord's Preview.

The real bot runs against the same simulated server as the demo, set up the same way (the
demo's :meth:`Stage.build`), then its morning runs: the daily check-in and the skill of the day
are posted at 09:00. simcord serves one channel on 127.0.0.1 (first ``#check-ins``): its
history, a composer for messages and slash commands, and buttons and forms that call the bot's
real callbacks. Nothing leaves the machine.

simcord's Preview presents one channel per session, and an Env holds one session at a time, so
the whole server is reached one channel at a time: ``/preview channel`` (a command that exists
only here) closes the session and opens the chosen channel under the same address and key.
``/preview next-hour`` and ``/preview next-day`` move the simulated clock, sending what the
scheduler has due on the way, each post at its own time.
"""

from __future__ import annotations

import asyncio
import io
import sys
import tempfile
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import discord
import simcord
from discord import app_commands

from bot.app import create_bot
from bot.core.bot import ResilienceBot
from bot.core.clock import FakeClock
from bot.core.guilds import CHANNEL_PURPOSES
from bot.core.schedule_rules import local_instant
from bot.core.wording import long_date, plural
from bot.demo import DEMO_START, demo_settings
from bot.demo.stage import Group, Stage

BOT_NAME = "Resilience Bot"
ZONE = "Europe/London"
# Discord's British English: the page writes "23 November 2026", not "November 23, 2026".
LOCALE = "en-GB"
MORNING = "09:00"
FIRST_CHANNEL = "checkins"
# Waiting for the page's own action to finish before the clock moves (see PreviewWorld.quiet).
QUIET_TIMEOUT = 30.0


@dataclass(frozen=True)
class MoveClock:
    """A viewer asked for the clock to move to ``when``."""

    when: datetime


@dataclass(frozen=True)
class ShowChannel:
    """A viewer asked for the page to show another channel."""

    channel: simcord.ChannelHandle


Request = MoveClock | ShowChannel


class PreviewWorld:
    """The running bot and its simulated server, and what a viewer asks of the preview.

    The ``/preview`` commands run as bot work, which simcord does not let drive the simulation
    (move its clock, close a Preview): they queue a request, and :meth:`PreviewSession.serve` carries it out.
    """

    def __init__(self, env: simcord.Env, bot: ResilienceBot, clock: FakeClock, group: Group) -> None:
        self.env = env
        self.bot = bot
        self.clock = clock
        self.group = group
        self.zone = ZoneInfo(ZONE)
        self.requests: asyncio.Queue[Request] = asyncio.Queue()

    @property
    def viewers(self) -> list[simcord.MemberActor]:
        """Who the page can be viewed as; the first is who it opens as: a member, not the admin."""
        group = self.group
        return [group.members[0], group.facilitator, group.admin, *group.members[1:]]

    def local(self, when: datetime | None = None) -> str:
        """ "Monday 23 November, 09:00" in the group's zone."""
        moment = (when or self.clock.now()).astimezone(self.zone)
        return f"{long_date(moment.date())}, {moment:%H:%M}"

    def channel(self, name: str) -> simcord.ChannelHandle | None:
        return next((c for c in self.group.channels.values() if c.name == name), None)

    async def channel_names(self) -> list[str]:
        """The channels the admin configured, in ``/setup``'s order, as the server names them."""
        config = await self.bot.guilds_repo.get(self.group.guild.id)
        by_id = {c.id: c.name for c in self.group.channels.values() if c.name}
        ids = [config.channels.get(purpose) for purpose in CHANNEL_PURPOSES]
        return list(dict.fromkeys(by_id[i] for i in ids if i in by_id))

    # -- the clock ------------------------------------------------------------------------------

    def next_hour(self) -> datetime:
        return self.clock.now() + timedelta(hours=1)

    def next_day(self) -> datetime:
        """The same wall-clock time tomorrow in the group's zone (23 or 25 hours across DST)."""
        local = self.clock.now().astimezone(self.zone)
        return local_instant(local.date() + timedelta(days=1), local.time(), self.zone)

    async def advance_to(self, when: datetime) -> None:
        """Move Discord's clock and the bot's to ``when``, each scheduled send at its own time."""
        when = max(when, self.clock.now())  # a request queued behind another may be in the past
        # Bounded: each run moves every due schedule past the instant it ran at.
        for _ in range(1000):
            due = await self.bot.scheduler.repo.earliest_due()
            if due is None or due > when:
                break
            await self._move(max(due, self.clock.now()))
        await self._move(when)

    async def _move(self, instant: datetime) -> None:
        seconds = (instant - self.env.now()).total_seconds()
        if seconds > 0:
            await self.env.advance_time(seconds)
        self.clock.set(instant)
        await self.bot.scheduler.run_due(instant)
        await self.env.settle()

    async def quiet(self) -> None:
        """Wait until simcord has finished the operation that queued a request.

        The request comes from inside a page action (or an actor's slash in a test), which holds
        simcord's one-operation-at-a-time guard until the bot's reply has settled.
        """
        async with asyncio.timeout(QUIET_TIMEOUT):
            while True:
                try:
                    await self.env.settle()
                    return
                except simcord.SetupError:
                    await asyncio.sleep(0.02)

    def seen(self) -> dict[str, set[int]]:
        """Message ids so far, by place: ``#channel`` (threads with their channel) or ``DMs``."""
        places: dict[str, set[int]] = {}
        for channel in self.group.channels.values():
            ids = places.setdefault(f"#{channel.name}", set())
            for place in [channel, *channel.threads]:
                ids.update(m.id for m in place.history() if not m.flags.ephemeral)
        dms = places.setdefault("DMs", set())
        for person in self.viewers:
            dms.update(m.id for m in person.user.dm_channel.history())
        return places

    # -- the /preview commands ------------------------------------------------------------------

    def commands(self, channel_names: Sequence[str]) -> app_commands.Group:
        """``/preview``: commands that exist only in the preview, for whoever is viewing."""
        world = self
        group = app_commands.Group(
            name="preview", description="This browser preview only: move the clock, show another channel"
        )

        async def clock_reply(interaction: discord.Interaction[Any], when: datetime) -> None:
            await world.requests.put(MoveClock(when))
            await interaction.response.send_message(
                f"The simulated clock moves to **{world.local(when)}** ({ZONE}): what the bot has "
                "scheduled until then is posted at its own time. DMs are sent too, but this page "
                "shows one channel, not DMs.",
                ephemeral=True,
            )

        @group.command(name="next-hour", description="Move the simulated clock on an hour")
        async def next_hour(interaction: discord.Interaction[Any]) -> None:
            await clock_reply(interaction, world.next_hour())

        @group.command(name="next-day", description="Move the simulated clock to this time tomorrow")
        async def next_day(interaction: discord.Interaction[Any]) -> None:
            await clock_reply(interaction, world.next_day())

        @group.command(name="channel", description="Show another of the server's channels on this page")
        @app_commands.describe(name="The channel to show")
        @app_commands.choices(name=[app_commands.Choice(name=f"#{n}", value=n) for n in channel_names])
        async def channel(interaction: discord.Interaction[Any], name: str) -> None:
            target = world.channel(name)
            if target is None:
                await interaction.response.send_message(f"There is no #{name} here.", ephemeral=True)
                return
            await world.requests.put(ShowChannel(target))
            await interaction.response.send_message(
                f"This page switches to #{name}: reload it in a moment (same address).", ephemeral=True
            )

        return group


@asynccontextmanager
async def open_world(*, content_path: Path | None = None) -> AsyncIterator[PreviewWorld]:
    """The demo's server, set up by its admin, on the morning of the demo's Monday.

    On exit the simulated Discord shuts down and the bot is released with its database.
    """
    with tempfile.TemporaryDirectory(prefix="resilience-preview-") as tmp:
        settings = demo_settings(Path(tmp), content_path)
        clock = FakeClock(DEMO_START)
        bot = create_bot(settings, clock=clock, guild_ready_timeout=0.05)
        try:
            # A person exploring meets refusals on purpose (a member trying a facilitator command);
            # the bot answers those itself, so they are not errors to re-raise on the way out.
            async with simcord.run(bot, check_errors=False) as env:
                # Discord's side of the clock (message times on the page) to the demo's Monday too.
                await env.advance_time(max(0.0, (DEMO_START - env.now()).total_seconds()))
                # simcord names every bot "TestBot"; a bot may rename itself, as on Discord.
                assert bot.user is not None
                await bot.user.edit(username=BOT_NAME)
                # The demo's setup, without its transcript: the page shows what happened.
                stage = Stage(env, bot, clock, io.StringIO())
                await stage.build()
                group = stage.group
                await stage.slash(group.admin, group.general, "setup time", purpose="checkin", time=MORNING)
                await stage.slash(group.facilitator, group.general, "skill schedule", time=MORNING)
                world = PreviewWorld(env, bot, clock, group)
                guild = discord.Object(group.guild.id)
                bot.tree.add_command(world.commands(await world.channel_names()), guild=guild)
                await bot.tree.sync(guild=guild)
                # The page opens after the morning's posts, not on the admin's /setup replies.
                today = clock.now().astimezone(world.zone).date()
                morning = local_instant(today, time.fromisoformat(MORNING), world.zone)
                await world.advance_to(morning)
                yield world
        finally:
            await bot.release()


class PreviewSession:
    """The page being served: which channel, at which address, and the loop that serves it."""

    def __init__(self, world: PreviewWorld, port: int) -> None:
        self.world = world
        self.port = port
        self.channel = world.group.channels[FIRST_CHANNEL]
        self.preview: simcord.Preview | None = None
        self._capability: str | None = None
        self.ready = asyncio.Event()
        self.closed = asyncio.Event()
        # What serve() prints as it goes (the CLI passes stdout).
        self.out: TextIO = io.StringIO()

    @property
    def url(self) -> str:
        assert self.preview is not None
        return self.preview.url

    async def done(self) -> None:
        """Return once every request queued so far has been carried out."""
        await self.world.requests.join()

    async def serve(self) -> None:
        """Serve the page until *End preview session*; switch channels and move the clock."""
        world = self.world
        try:
            while True:
                preview = world.env.preview(
                    self.channel,
                    viewers=world.viewers,
                    layout="channel",
                    locale=LOCALE,
                    timezone=ZONE,
                    port=self.port,
                )
                if self._capability is not None:
                    # The same key for the next channel, so reloading the open page shows it.
                    # simcord draws a fresh key per session and takes none as a parameter; its
                    # ``capability`` attribute is read on each request (a test checks this holds).
                    preview.capability = self._capability
                async with preview:
                    self.preview = preview
                    self.port = urlsplit(preview.url).port or self.port
                    if self._capability is None:
                        self._capability = preview.capability
                        self.ready.set()
                    else:
                        print(f"The page now shows #{self.channel.name}.", file=self.out, flush=True)
                        world.requests.task_done()  # the ShowChannel that led here
                    if not await self._until_switch(preview):
                        return
        finally:
            self.closed.set()

    async def _until_switch(self, preview: simcord.Preview) -> bool:
        """Carry out requests; True when the page should switch channels, False once closed."""
        world = self.world
        closed = asyncio.ensure_future(preview.wait_closed())
        try:
            while True:
                asked = asyncio.ensure_future(world.requests.get())
                await asyncio.wait({closed, asked}, return_when=asyncio.FIRST_COMPLETED)
                if not asked.done():
                    asked.cancel()
                    return False
                request = asked.result()
                switching = False
                try:
                    await world.quiet()
                    if isinstance(request, ShowChannel):
                        # Done once the next channel is served (serve() marks it).
                        self.channel = request.channel
                        switching = True
                        return True
                    before = world.seen()
                    await world.advance_to(request.when)
                    await preview.refresh()
                    print(self._moved(before), file=self.out, flush=True)
                except (simcord.SetupError, TimeoutError) as error:
                    # A page action started while the clock was moving (simcord runs one at a
                    # time): what was sent stays sent, and the next request carries on from there.
                    print(f"Could not carry out that /preview request ({error}); try again.", file=self.out)
                finally:
                    if not switching:
                        world.requests.task_done()
        finally:
            closed.cancel()
            with suppress(asyncio.CancelledError):
                await closed

    def _moved(self, before: dict[str, set[int]]) -> str:
        after = self.world.seen()
        new = {place: len(ids - before.get(place, set())) for place, ids in after.items()}
        parts = [plural(n, "DM") if place == "DMs" else f"{place} {n}" for place, n in new.items() if n]
        what = "new: " + ", ".join(parts) if parts else "nothing new was due"
        return f"Clock: {self.world.local()} in London; {what}."


@asynccontextmanager
async def preview_session(
    port: int = 0, *, content_path: Path | None = None
) -> AsyncIterator[PreviewSession]:
    """The demo's server served on 127.0.0.1:``port`` (0 picks a free one; ``session.url`` names it).

    On exit the page stops answering, the simulated Discord shuts down and the bot is released.
    """
    async with open_world(content_path=content_path) as world:
        session = PreviewSession(world, port)
        task = asyncio.ensure_future(session.serve())
        try:
            ready = asyncio.ensure_future(session.ready.wait())
            await asyncio.wait({ready, task}, return_when=asyncio.FIRST_COMPLETED)
            if not ready.done():
                ready.cancel()
                task.result()  # raises what stopped it (a taken port)
            yield session
        finally:
            if session.preview is not None:
                await session.preview.close()
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task


async def run_preview(port: int = 0, out: TextIO | None = None, *, content_path: Path | None = None) -> int:
    """Serve the preview until the page's *End preview session* or Ctrl-C. Returns 0."""
    out = out or sys.stdout
    async with preview_session(port, content_path=content_path) as session:
        session.out = out
        world = session.world
        names = await world.channel_names()
        first, facilitator, admin = (v.name for v in world.viewers[:3])
        lines = [
            "Resilience Bot — browser preview",
            "The real bot runs against the demo's simulated server, set up by its admin; it is",
            f"{world.local()} in London, just after the morning's check-in and skill posts.",
            "",
            f"Open this whole address in a browser on this machine (port {session.port}). The part after",
            "# is the page's key: without it the page stays empty (“Unavailable channel”, nobody",
            "under Viewing as), and it is not redirected, since the key is what keeps the page yours.",
            "",
            f"    {session.url}",
            "",
            f"The page opens on #{session.channel.name} as {first}. 'Viewing as' switches to {facilitator},",
            f"{admin} or another member; type a message or a /command to use the bot as them.",
            "simcord shows one channel at a time; these commands exist only in this preview:",
            "    /preview channel    show another channel, then reload the page:",
            "                        " + ", ".join(f"#{n}" for n in names),
            "    /preview next-hour  move the simulated clock on an hour; what was due is posted",
            "    /preview next-day   move it to this time tomorrow",
            "Press Ctrl-C here to stop.",
        ]
        print("\n".join(lines), file=out, flush=True)
        await session.closed.wait()
    print("Preview stopped.", file=out, flush=True)
    return 0
