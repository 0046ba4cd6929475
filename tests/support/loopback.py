"""A loopback Discord: REST under ``/api/v10`` and the gateway websocket, on 127.0.0.1 only.

The real, unmodified discord.py client talks to it over real sockets, so transport behaviour —
rate-limit headers, 429 retries, 5xx retries, gateway drops and RESUME, ``enforce_nonce`` — is
exercised exactly as it is against Discord. It models what the bot needs to log in, connect,
sync commands, answer interactions and send messages; everything else answers 404 and is
recorded in ``stats.unknown_routes`` so a test can see what the bot asked for.

Sharding works as on Discord: a session that identified as shard ``[id, count]`` is told only
about the guilds with ``(guild_id >> 22) % count == id`` and receives only their events;
events without a guild (DMs) go to shard 0. A session that sent no shard receives everything.
``add_guild(shard=(k, count))`` places a guild on shard ``k``.

Typical use::

    async with LoopbackDiscord(global_limit=50) as fake:  # also points discord.py at it
        guild = fake.add_guild(name="Group", channels=["general"], members=6, admins=1)
        bot = commands.Bot(command_prefix="!", intents=discord.Intents.default(),
                           guild_ready_timeout=0.05)
        async with running(bot):
            iid = await fake.inject_slash(guild, guild.admins[0], "setup show")
            await fake.wait_for_callbacks([iid])
        assert fake.stats.rate_limited == 0
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import json
import re
import secrets
import time
from collections import Counter, deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import discord
import discord.gateway
import discord.http
import yarl
from aiohttp import WSMsgType, web

__all__ = [
    "MESSAGE_CREATE_ROUTE",
    "FakeChannel",
    "FakeGuild",
    "FakeMember",
    "FakeUser",
    "InteractionRecord",
    "LoopbackDiscord",
    "LoopbackStats",
    "WithheldAnswers",
    "pointed_at",
    "running",
    "shard_of",
]

DISCORD_EPOCH_MS = 1_420_070_400_000
MESSAGE_CREATE_ROUTE = "POST /channels/{channel_id}/messages"

# What @everyone may do in the fake guilds: talk, not manage anything.
EVERYONE_PERMISSIONS = discord.Permissions(
    view_channel=True,
    send_messages=True,
    send_messages_in_threads=True,
    create_public_threads=True,
    read_message_history=True,
    embed_links=True,
    attach_files=True,
    add_reactions=True,
    use_application_commands=True,
).value
ALL_PERMISSIONS = discord.Permissions.all().value
ADMINISTRATOR = discord.Permissions(administrator=True).value

# Gateway opcodes (https://discord.com/developers/docs/topics/opcodes-and-status-codes).
OP_DISPATCH, OP_HEARTBEAT, OP_IDENTIFY, OP_RESUME, OP_RECONNECT = 0, 1, 2, 6, 7
OP_REQUEST_MEMBERS, OP_INVALID_SESSION, OP_HELLO, OP_HEARTBEAT_ACK = 8, 9, 10, 11

# Discord sends a large guild (more members than this) without its members; 250 is the most a
# client may ask for, and what discord.py asks for. Member chunks carry at most 1,000 each.
LARGE_THRESHOLD = 250
MEMBER_CHUNK = 1_000
EPHEMERAL_FLAG = 1 << 6
LOADING_FLAG = 1 << 7


def shard_of(guild_id: int, shard_count: int) -> int:
    """The shard Discord puts a guild on."""
    return (guild_id >> 22) % shard_count


def _iso(moment: dt.datetime) -> str:
    return moment.isoformat()


def _json(status: int, body: Any, headers: Mapping[str, str] | None = None) -> web.Response:
    # Built by hand: aiohttp's json_response appends "; charset=utf-8", and discord.py only
    # parses a body whose content type is exactly application/json.
    return web.Response(
        status=status,
        body=json.dumps(body).encode(),
        headers=dict(headers or {}),
        content_type="application/json",
    )


def _error(status: int, code: int, message: str) -> web.Response:
    return _json(status, {"message": message, "code": code})


# --------------------------------------------------------------------------- the fake world


@dataclass
class FakeUser:
    id: int
    name: str
    bot: bool = False

    def payload(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "username": self.name,
            "global_name": self.name,
            "discriminator": "0",
            "avatar": None,
            "bot": self.bot,
            "public_flags": 0,
        }


@dataclass
class FakeRole:
    id: int
    name: str
    permissions: int
    position: int

    def payload(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "name": self.name,
            "permissions": str(self.permissions),
            "position": self.position,
            "color": 0,
            "hoist": False,
            "managed": False,
            "mentionable": False,
            "flags": 0,
        }


@dataclass
class FakeChannel:
    id: int
    name: str
    type: int = 0  # 0 guild text, 1 DM
    guild_id: int | None = None
    position: int = 0
    recipient: FakeUser | None = None
    # Permission overwrites as Discord sends them: {"id", "type" (0 role, 1 member), "allow", "deny"}.
    overwrites: list[dict[str, Any]] = field(default_factory=list)

    def overwrite(self, target_id: int, *, allow: int = 0, deny: int = 0, member: bool = False) -> None:
        """Allow or deny permissions to a role (or a member) in this channel."""
        entry = {"id": str(target_id), "type": 1 if member else 0, "allow": str(allow), "deny": str(deny)}
        self.overwrites = [o for o in self.overwrites if o["id"] != str(target_id)] + [entry]

    def payload(self) -> dict[str, Any]:
        if self.type == 1:
            assert self.recipient is not None
            return {
                "id": str(self.id),
                "type": 1,
                "last_message_id": None,
                "recipients": [self.recipient.payload()],
            }
        return {
            "id": str(self.id),
            "type": self.type,
            "guild_id": str(self.guild_id),
            "name": self.name,
            "position": self.position,
            "permission_overwrites": self.overwrites,
            "nsfw": False,
            "parent_id": None,
            "topic": None,
            "last_message_id": None,
            "rate_limit_per_user": 0,
        }


@dataclass
class FakeMember:
    user: FakeUser
    role_ids: list[int]
    joined_at: dt.datetime

    @property
    def id(self) -> int:
        return self.user.id

    def payload(self) -> dict[str, Any]:
        return {
            "user": self.user.payload(),
            "roles": [str(r) for r in self.role_ids],
            "joined_at": _iso(self.joined_at),
            "nick": None,
            "avatar": None,
            "premium_since": None,
            "communication_disabled_until": None,
            "deaf": False,
            "mute": False,
            "pending": False,
            "flags": 0,
        }


@dataclass
class FakeGuild:
    id: int
    name: str
    owner_id: int
    roles: list[FakeRole]
    channels: list[FakeChannel]
    members: list[FakeMember]
    admin_role: FakeRole

    @property
    def admins(self) -> list[FakeMember]:
        """Members holding the administrator role (the bot excluded)."""
        return [m for m in self.members if self.admin_role.id in m.role_ids and not m.user.bot]

    @property
    def regular_members(self) -> list[FakeMember]:
        return [m for m in self.members if self.admin_role.id not in m.role_ids and not m.user.bot]

    @property
    def large(self) -> bool:
        return len(self.members) > LARGE_THRESHOLD

    def channel(self, name: str) -> FakeChannel:
        return next(c for c in self.channels if c.name == name)

    def member(self, user_id: int) -> FakeMember | None:
        return next((m for m in self.members if m.id == user_id), None)

    def permissions_of(self, member: FakeMember) -> int:
        value = 0
        for role in self.roles:
            if role.id == self.id or role.id in member.role_ids:
                value |= role.permissions
        if value & ADMINISTRATOR or member.id == self.owner_id:
            return ALL_PERMISSIONS
        return value

    def payload(self, joined_at: dt.datetime) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "name": self.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": str(self.owner_id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "preferred_locale": "en-US",
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "vanity_url_code": None,
            "application_id": None,
            "features": [],
            "roles": [r.payload() for r in self.roles],
            "emojis": [],
            "stickers": [],
            "joined_at": _iso(joined_at),
            # Like Discord: above the large threshold (without presences) only the bot's own member
            # comes in GUILD_CREATE; the rest arrive when the client asks for chunks.
            "large": self.large,
            "unavailable": False,
            # Equal to the members sent unless large: then discord.py chunks (if it is set to).
            "member_count": len(self.members),
            "members": [m.payload() for m in self.members if not self.large or m.user.bot],
            "channels": [c.payload() for c in self.channels],
            "threads": [],
            "presences": [],
            "voice_states": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
        }


# --------------------------------------------------------------------------- bookkeeping


@dataclass
class LoopbackStats:
    """Counters a test or benchmark reads; ``reset()`` zeroes them between phases."""

    requests: Counter[str] = field(default_factory=Counter)  # "POST /channels/{channel_id}/messages"
    statuses: Counter[int] = field(default_factory=Counter)
    rate_limited: int = 0  # every 429 answered
    global_rate_limited: int = 0
    invalid_requests: int = 0  # 401, 403 and 429: Discord bans an IP at 10,000 per 10 minutes
    messages_by_channel: Counter[int] = field(default_factory=Counter)
    nonce_duplicates: int = 0  # repeats answered with the original message
    faults_injected: int = 0
    unknown_routes: Counter[str] = field(default_factory=Counter)
    gateway_connections: int = 0
    identifies: int = 0
    resumes: int = 0
    invalid_sessions: int = 0

    @property
    def messages_created(self) -> int:
        return sum(self.messages_by_channel.values())

    def reset(self) -> None:
        fresh = LoopbackStats()
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(fresh, name))


@dataclass
class InteractionRecord:
    id: int
    token: str
    payload: dict[str, Any]
    injected_at: float | None = None
    callback_at: float | None = None
    callback: dict[str, Any] | None = None
    message: dict[str, Any] | None = None  # the response message, if the callback made one
    followups: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ack_latency(self) -> float | None:
        if self.injected_at is None or self.callback_at is None:
            return None
        return self.callback_at - self.injected_at


@dataclass
class _Fault:
    status: int
    remaining: int | None  # None: until ``until``
    until: float | None
    route: str | None
    retry_after: float = 0.0
    is_global: bool = False


@dataclass
class _Window:
    remaining: int
    reset_at: float


@dataclass
class WithheldAnswers:
    """Requests Discord serves but whose answers never reach the client, until :meth:`release`.

    As when a process dies with sends in flight: the message exists, the sender never learns
    it. Made by :meth:`LoopbackDiscord.withhold_answers`; the loopback releases it on stop.
    """

    route: str | None  # "METHOD /template", or None for every route
    user_agent: str | None  # only requests whose User-Agent contains this
    after: int  # this many matching answers go through first
    passed: int = 0
    held: int = 0
    released: asyncio.Event = field(default_factory=asyncio.Event)
    _changed: asyncio.Event = field(default_factory=asyncio.Event)

    def matches(self, route_key: str, user_agent: str) -> bool:
        if self.released.is_set() or (self.route is not None and self.route != route_key):
            return False
        return self.user_agent is None or self.user_agent in user_agent

    async def hold(self) -> None:
        """Let the first ``after`` through; keep every later answer back until released."""
        if self.passed < self.after:
            self.passed += 1
            return
        self.held += 1
        self._changed.set()
        await self.released.wait()

    async def wait_held(self, count: int, *, within: float = 10.0) -> None:
        """Wait until ``count`` answers are being held (TimeoutError otherwise)."""
        async with asyncio.timeout(within):
            while self.held < count:
                self._changed.clear()
                await self._changed.wait()

    def release(self) -> None:
        """Send the held answers (to whoever is still listening) and hold no more."""
        self.released.set()


@dataclass
class _Session:
    id: str
    intents: int
    shard: tuple[int, int] | None = None  # [id, count] from IDENTIFY; None: every guild
    seq: int = 0
    ws: web.WebSocketResponse | None = None
    buffer: deque[tuple[int, str]] = field(default_factory=lambda: deque(maxlen=10_000))
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


_Handler = Callable[[web.Request, dict[str, str]], Awaitable[web.Response]]


@dataclass(frozen=True)
class _Route:
    method: str
    template: str
    pattern: re.Pattern[str]
    handler: _Handler
    authorised: bool = True  # interaction callbacks and webhooks carry no bot token
    global_limited: bool = True  # interaction callbacks are exempt from the global limit

    @property
    def key(self) -> str:
        return f"{self.method} {self.template}"


def _compile(template: str) -> re.Pattern[str]:
    escaped = re.escape(template).replace(r"\{", "{").replace(r"\}", "}")
    regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", escaped)
    return re.compile(f"^{regex}$")


# --------------------------------------------------------------------------- the server


class LoopbackDiscord:
    """An aiohttp Discord on 127.0.0.1 (ephemeral port) for transport tests and benchmarks.

    Limits are per token: ``global_limit`` requests per ``global_period`` seconds, and per route
    and major parameter (channel, guild, webhook) the buckets in ``route_limits``, by default
    message creation at 5 per 5 s per channel. ``clock`` drives windows and fault periods.
    ``shard_count`` is what ``GET /gateway/bot`` recommends; clients choose their own shards.
    """

    def __init__(
        self,
        *,
        global_limit: int = 50,
        global_period: float = 1.0,
        route_limits: Mapping[str, tuple[int, float]] | None = None,
        nonce_window: float = 300.0,
        heartbeat_interval: float = 41.25,
        shard_count: int = 1,
        token: str | None = None,
        point_discord: bool = True,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.global_limit = global_limit
        self.global_period = global_period
        self.route_limits: dict[str, tuple[int, float]] = (
            {MESSAGE_CREATE_ROUTE: (5, 5.0)} if route_limits is None else dict(route_limits)
        )
        self.nonce_window = nonce_window
        self.heartbeat_interval = heartbeat_interval
        self.shard_count = shard_count
        self.token = token  # when set, any other token gets 401 / gateway close 4004
        # The application's flags (discord.ApplicationFlags): which privileged intents are on.
        self.application_flags = discord.ApplicationFlags(
            gateway_guild_members=True, gateway_message_content=True
        ).value
        self.clock = clock
        self.stats = LoopbackStats()

        self._next_id = ((int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22) + 1
        self.started_at = dt.datetime.now(dt.UTC)
        self.bot_user = FakeUser(self.new_id(), "Resilience Loopback", bot=True)
        self.owner = FakeUser(self.new_id(), "owner")
        self.application_id = self.bot_user.id
        self.users: dict[int, FakeUser] = {self.bot_user.id: self.bot_user, self.owner.id: self.owner}
        self.guilds: dict[int, FakeGuild] = {}
        self.channels: dict[int, FakeChannel] = {}
        self.dm_channels: dict[int, FakeChannel] = {}  # recipient id -> channel
        self.closed_dms: set[int] = set()  # users whose DMs answer 403 / 50007
        self.messages: list[dict[str, Any]] = []
        self.user_agents: dict[str, str] = {}  # message id -> User-Agent of the request that made it
        self.uploads: dict[str, list[tuple[str, bytes]]] = {}  # message id -> files uploaded with it
        self.global_commands: list[dict[str, Any]] = []
        self.guild_commands: dict[int, list[dict[str, Any]]] = {}
        self.interactions: dict[int, InteractionRecord] = {}

        self._nonces: dict[tuple[int, int, str], tuple[float, dict[str, Any]]] = {}
        self._windows: dict[tuple[str, ...], _Window] = {}
        self._faults: list[_Fault] = []
        self._withheld: list[WithheldAnswers] = []
        self._sessions: dict[str, _Session] = {}
        self._sockets: set[web.WebSocketResponse] = set()
        self._callback_event = asyncio.Event()
        self._message_event = asyncio.Event()
        self._point_discord = point_discord
        self._pointing: contextlib.ExitStack | None = None
        self._runner: web.AppRunner | None = None
        self.port = 0
        self._routes = self._build_routes()

    # ------------------------------------------------------------------ lifecycle

    async def __aenter__(self) -> LoopbackDiscord:
        await self.start()
        if self._point_discord:
            self._pointing = contextlib.ExitStack()
            self._pointing.enter_context(self.pointed())
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._pointing is not None:
            self._pointing.close()
            self._pointing = None
        await self.stop()

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        for withheld in self._withheld:
            withheld.release()  # or the server waits for those handlers on shutdown
        for ws in list(self._sockets):
            await ws.close(code=1001, message=b"loopback shutting down")
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    def pointed(self) -> contextlib.AbstractContextManager[None]:
        """Point discord.py's REST base and gateway at this fake; restored on exit."""
        return pointed_at(self.api_base, self.gateway_url)

    def new_id(self) -> int:
        """A fresh snowflake: unique, and dated about now."""
        value = self._next_id
        self._next_id += 1
        return value

    def _new_id_on_shard(self, shard_id: int, shard_count: int) -> int:
        """A fresh snowflake on ``shard_id``: the next one whose timestamp part is on that shard.

        That moves the counter at most ``shard_count - 1`` milliseconds ahead, so every later id
        is still unique and ``created_at`` stays about now.
        """
        if not 0 <= shard_id < shard_count:
            raise ValueError(f"shard {shard_id} is not one of {shard_count}")
        value = self._next_id
        while shard_of(value, shard_count) != shard_id:
            value = ((value >> 22) + 1) << 22
        self._next_id = value + 1
        return value

    # ------------------------------------------------------------------ arranging the world

    def add_guild(
        self,
        *,
        name: str = "Resilience Group",
        channels: Sequence[str] = ("general",),
        members: int = 6,
        admins: int = 1,
        shard: tuple[int, int] | None = None,
    ) -> FakeGuild:
        """A guild with text channels, ``admins`` administrators and ``members`` other members.

        The bot is a member too. Call before the client connects (or the guild arrives as a join).
        ``shard=(k, count)`` gives it an id on shard ``k`` of ``count``.
        """
        guild_id = self._new_id_on_shard(*shard) if shard is not None else self.new_id()
        everyone = FakeRole(guild_id, "@everyone", EVERYONE_PERMISSIONS, 0)
        admin_role = FakeRole(self.new_id(), "Admin", ADMINISTRATOR, 1)
        now = self.started_at
        fake_channels = [
            FakeChannel(self.new_id(), channel_name, 0, guild_id, position)
            for position, channel_name in enumerate(channels)
        ]
        people: list[FakeMember] = [FakeMember(self.bot_user, [], now)]
        for index in range(admins):
            user = self._new_user(f"admin{index + 1}")
            people.append(FakeMember(user, [admin_role.id], now))
        for index in range(members):
            user = self._new_user(f"member{index + 1}")
            people.append(FakeMember(user, [], now))
        guild = FakeGuild(
            id=guild_id,
            name=name,
            owner_id=self.owner.id,
            roles=[everyone, admin_role],
            channels=fake_channels,
            members=people,
            admin_role=admin_role,
        )
        self.guilds[guild_id] = guild
        for channel in fake_channels:
            self.channels[channel.id] = channel
        if self._sessions:
            # Already connected: Discord announces a new guild as a GUILD_CREATE.
            task = asyncio.get_running_loop().create_task(
                self.dispatch("GUILD_CREATE", guild.payload(self.started_at))
            )
            task.add_done_callback(lambda t: t.exception())
        return guild

    def add_role(
        self, guild: FakeGuild, name: str, permissions: int, *, holders: Iterable[FakeMember] = ()
    ) -> FakeRole:
        """A new role in ``guild`` (above the others), given to ``holders``. Before connecting."""
        role = FakeRole(self.new_id(), name, permissions, len(guild.roles))
        guild.roles.append(role)
        for member in holders:
            member.role_ids.append(role.id)
        return role

    def _new_user(self, name: str) -> FakeUser:
        user = FakeUser(self.new_id(), name)
        self.users[user.id] = user
        return user

    # ------------------------------------------------------------------ faults

    def fail_next(self, count: int, *, status: int = 500, route: str | None = None) -> None:
        """Answer the next ``count`` requests (optionally only ``"METHOD /template"``) with ``status``."""
        self._faults.append(_Fault(status, count, None, route))

    def fail_for(self, seconds: float, *, status: int = 503, route: str | None = None) -> None:
        """Answer every request (or those to ``route``) with ``status`` for ``seconds`` of ``clock``."""
        self._faults.append(_Fault(status, None, self.clock() + seconds, route))

    def rate_limit_next(
        self, count: int, *, retry_after: float = 0.05, is_global: bool = False, route: str | None = None
    ) -> None:
        """Answer the next ``count`` requests with a well-formed 429 (``Via`` header, JSON body)."""
        self._faults.append(_Fault(429, count, None, route, retry_after, is_global))

    def clear_faults(self) -> None:
        self._faults.clear()

    def withhold_answers(
        self, *, route: str | None = None, user_agent: str | None = None, after: int = 0
    ) -> WithheldAnswers:
        """Serve matching requests but keep their answers back (see :class:`WithheldAnswers`).

        ``route`` is ``"METHOD /template"``; ``user_agent`` picks one client by a part of its
        User-Agent; the first ``after`` matching answers go through as usual.
        """
        withheld = WithheldAnswers(route, user_agent, after)
        self._withheld.append(withheld)
        return withheld

    async def drop_gateway(self, *, code: int = 4000, resumable: bool = True) -> None:
        """Close every gateway connection from the server side.

        With ``resumable`` the sessions survive and a RESUME replays what was missed; without,
        the sessions are forgotten and a RESUME is answered with INVALID_SESSION.
        """
        if not resumable:
            self._sessions.clear()
        for ws in list(self._sockets):
            await ws.close(code=code, message=b"dropped by the loopback Discord")

    async def request_reconnect(self) -> None:
        """Send op 7 RECONNECT on every connection, as Discord does before maintenance."""
        for ws in list(self._sockets):
            await ws.send_str(json.dumps({"op": OP_RECONNECT, "d": None, "s": None, "t": None}))

    def _take_fault(self, route_key: str) -> _Fault | None:
        now = self.clock()
        for fault in list(self._faults):
            if fault.until is not None and now >= fault.until:
                self._faults.remove(fault)
                continue
            if fault.route is not None and fault.route != route_key:
                continue
            if fault.remaining is not None:
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._faults.remove(fault)
            return fault
        return None

    # ------------------------------------------------------------------ rate limits

    def _take(self, key: tuple[str, ...], limit: int, period: float) -> tuple[bool, int, float]:
        """Fixed window: returns (allowed, remaining, seconds until the window resets)."""
        now = self.clock()
        window = self._windows.get(key)
        if window is None or now >= window.reset_at:
            window = _Window(limit, now + period)
            self._windows[key] = window
        reset_after = max(window.reset_at - now, 0.0)
        if window.remaining <= 0:
            return False, 0, reset_after
        window.remaining -= 1
        return True, window.remaining, reset_after

    def _rate_limited(self, retry_after: float, *, is_global: bool, headers: dict[str, str]) -> web.Response:
        self.stats.rate_limited += 1
        if is_global:
            self.stats.global_rate_limited += 1
        # discord.py retries a 429 only when a Via header is present (otherwise it assumes a
        # Cloudflare ban), and takes the global lock from the body's "global", not a header.
        headers = {
            **headers,
            "Via": "1.1 google",
            "Retry-After": str(max(1, int(retry_after + 0.999))),
            "X-RateLimit-Scope": "global" if is_global else "user",
        }
        if is_global:
            headers["X-RateLimit-Global"] = "true"
        body = {
            "message": "You are being rate limited.",
            "retry_after": round(retry_after, 3),
            "global": is_global,
        }
        return _json(429, body, headers)

    # ------------------------------------------------------------------ REST

    def _build_routes(self) -> list[_Route]:
        table: list[tuple[str, str, _Handler, bool]] = [
            ("GET", "/users/@me", self._get_me, True),
            ("GET", "/oauth2/applications/@me", self._get_application, True),
            ("GET", "/gateway", self._get_gateway, True),
            ("GET", "/gateway/bot", self._get_gateway_bot, True),
            ("GET", "/applications/{application_id}/commands", self._get_commands, True),
            ("PUT", "/applications/{application_id}/commands", self._put_commands, True),
            ("GET", "/applications/{application_id}/guilds/{guild_id}/commands", self._get_commands, True),
            ("PUT", "/applications/{application_id}/guilds/{guild_id}/commands", self._put_commands, True),
            ("POST", "/users/@me/channels", self._create_dm, True),
            ("GET", "/channels/{channel_id}", self._get_channel, True),
            ("GET", "/users/@me/guilds", self._get_my_guilds, True),
            ("GET", "/guilds/{guild_id}", self._get_guild, True),
            ("GET", "/guilds/{guild_id}/channels", self._get_guild_channels, True),
            ("GET", "/guilds/{guild_id}/members/{user_id}", self._get_guild_member, True),
            ("POST", "/channels/{channel_id}/messages", self._create_message, True),
            ("POST", "/interactions/{interaction_id}/{interaction_token}/callback", self._callback, False),
            ("POST", "/webhooks/{application_id}/{interaction_token}", self._followup, False),
            (
                "PATCH",
                "/webhooks/{application_id}/{interaction_token}/messages/{message_id}",
                self._edit_response,
                False,
            ),
        ]
        return [
            _Route(method, template, _compile(template), handler, authorised, global_limited=authorised)
            for method, template, handler, authorised in table
        ]

    def _match(self, method: str, path: str) -> tuple[_Route, dict[str, str]] | None:
        for route in self._routes:
            if route.method == method:
                found = route.pattern.match(path)
                if found:
                    return route, found.groupdict()
        return None

    async def _rest(self, request: web.Request) -> web.Response:
        response = await self._serve(request)
        self.stats.statuses[response.status] += 1
        if response.status in (401, 403, 429):
            self.stats.invalid_requests += 1
        return response

    async def _serve(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["tail"]
        matched = self._match(request.method, path)
        if matched is None:
            self.stats.unknown_routes[f"{request.method} {path}"] += 1
            return _error(404, 0, "404: Not Found")
        route, params = matched
        self.stats.requests[route.key] += 1

        token = ""
        if route.authorised:
            header = request.headers.get("Authorization", "")
            token = header.removeprefix("Bot ")
            if not header.startswith("Bot ") or (self.token is not None and token != self.token):
                return _error(401, 0, "401: Unauthorized")

        fault = self._take_fault(route.key)
        if fault is not None:
            self.stats.faults_injected += 1
            if fault.status == 429:
                return self._rate_limited(fault.retry_after, is_global=fault.is_global, headers={})
            return _error(fault.status, 0, f"{fault.status}: injected by the loopback Discord")

        if route.global_limited and self.global_limit > 0:
            allowed, _, reset_after = self._take(("global", token), self.global_limit, self.global_period)
            if not allowed:
                return self._rate_limited(reset_after, is_global=True, headers={})

        bucket_headers: dict[str, str] = {}
        limits = self.route_limits.get(route.key)
        if limits is not None:
            limit, period = limits
            major = params.get("channel_id") or params.get("guild_id") or params.get("application_id") or ""
            allowed, remaining, reset_after = self._take(("route", token, route.key, major), limit, period)
            bucket_headers = {
                "X-RateLimit-Limit": str(limit),
                "X-RateLimit-Remaining": str(remaining),
                "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
                "X-RateLimit-Reset-After": f"{reset_after:.3f}",
                "X-RateLimit-Bucket": hashlib.sha1(route.key.encode()).hexdigest()[
                    :16
                ],  # a label, not security
            }
            if not allowed:
                return self._rate_limited(reset_after, is_global=False, headers=bucket_headers)

        response = await route.handler(request, params)
        response.headers.update(bucket_headers)
        agent = request.headers.get("User-Agent", "")
        withheld = next((w for w in self._withheld if w.matches(route.key, agent)), None)
        if withheld is not None:
            await withheld.hold()
        return response

    async def _body(self, request: web.Request) -> Any:
        if request.content_type.startswith("multipart/"):
            form = await request.post()
            raw = form.get("payload_json")
            body = json.loads(str(raw)) if raw is not None else {}
            # The uploaded files themselves, as (filename, bytes), for tests that check attachments.
            body["_uploads"] = [
                (value.filename, value.file.read())
                for name, value in form.items()
                if name.startswith("files[") and isinstance(value, web.FileField)
            ]
            return body
        if not request.can_read_body:
            return {}
        return await request.json()

    async def _get_me(self, request: web.Request, params: dict[str, str]) -> web.Response:
        return _json(200, {**self.bot_user.payload(), "verified": True, "mfa_enabled": False, "flags": 0})

    async def _get_application(self, request: web.Request, params: dict[str, str]) -> web.Response:
        return _json(
            200,
            {
                "id": str(self.application_id),
                "name": self.bot_user.name,
                "description": "",
                "icon": None,
                "rpc_origins": [],
                "bot_public": False,
                "bot_require_code_grant": False,
                "owner": self.owner.payload(),
                "team": None,
                "verify_key": "0" * 64,
                "flags": self.application_flags,
                "summary": "",
                "bot": self.bot_user.payload(),
                "interactions_endpoint_url": None,
            },
        )

    # What `resilience-bot doctor` reads over HTTP, without the gateway.

    def _guild_or_none(self, params: dict[str, str]) -> FakeGuild | None:
        return self.guilds.get(int(params["guild_id"])) if params["guild_id"].isdigit() else None

    async def _get_my_guilds(self, request: web.Request, params: dict[str, str]) -> web.Response:
        found = [
            {
                "id": str(g.id),
                "name": g.name,
                "icon": None,
                "owner": False,
                "permissions": "0",
                "features": [],
            }
            for g in self.guilds.values()
        ]
        return _json(200, found)

    async def _get_guild(self, request: web.Request, params: dict[str, str]) -> web.Response:
        guild = self._guild_or_none(params)
        if guild is None:
            return _error(404, 10004, "Unknown Guild")
        body = guild.payload(self.started_at)
        for live_only in ("members", "channels", "threads", "presences", "voice_states", "joined_at"):
            body.pop(live_only)  # the REST guild object has none of the gateway's extras
        return _json(200, body)

    async def _get_guild_channels(self, request: web.Request, params: dict[str, str]) -> web.Response:
        guild = self._guild_or_none(params)
        if guild is None:
            return _error(404, 10004, "Unknown Guild")
        return _json(200, [c.payload() for c in guild.channels])

    async def _get_guild_member(self, request: web.Request, params: dict[str, str]) -> web.Response:
        guild = self._guild_or_none(params)
        member = guild.member(int(params["user_id"])) if guild and params["user_id"].isdigit() else None
        if member is None:
            return _error(404, 10007, "Unknown Member")
        return _json(200, member.payload())

    async def _get_gateway(self, request: web.Request, params: dict[str, str]) -> web.Response:
        return _json(200, {"url": self.gateway_url})

    async def _get_gateway_bot(self, request: web.Request, params: dict[str, str]) -> web.Response:
        limit = {"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1}
        body = {"url": self.gateway_url, "shards": self.shard_count, "session_start_limit": limit}
        return _json(200, body)

    def _commands_for(self, params: dict[str, str]) -> list[dict[str, Any]]:
        if "guild_id" in params:
            return self.guild_commands.setdefault(int(params["guild_id"]), [])
        return self.global_commands

    async def _get_commands(self, request: web.Request, params: dict[str, str]) -> web.Response:
        return _json(200, self._commands_for(params))

    async def _put_commands(self, request: web.Request, params: dict[str, str]) -> web.Response:
        body = await self._body(request)
        existing = {c["name"]: c for c in self._commands_for(params)}
        stored = []
        for command in body:
            previous = existing.get(command["name"])
            stored.append(
                {
                    "type": 1,
                    "description": "",
                    "options": [],
                    **command,
                    "id": previous["id"] if previous else str(self.new_id()),
                    "application_id": str(self.application_id),
                    "version": str(self.new_id()),
                    **({"guild_id": params["guild_id"]} if "guild_id" in params else {}),
                }
            )
        if "guild_id" in params:
            self.guild_commands[int(params["guild_id"])] = stored
        else:
            self.global_commands = stored
        return _json(200, stored)

    async def _create_dm(self, request: web.Request, params: dict[str, str]) -> web.Response:
        body = await self._body(request)
        recipient_id = int(body["recipient_id"])
        channel = self.dm_channels.get(recipient_id)
        if channel is None:
            user = self.users.get(recipient_id) or FakeUser(recipient_id, f"user{recipient_id}")
            self.users.setdefault(recipient_id, user)
            channel = FakeChannel(self.new_id(), "", 1, None, 0, user)
            self.dm_channels[recipient_id] = channel
            self.channels[channel.id] = channel
        return _json(200, channel.payload())

    async def _get_channel(self, request: web.Request, params: dict[str, str]) -> web.Response:
        channel = self.channels.get(int(params["channel_id"]))
        if channel is None:
            return _error(404, 10003, "Unknown Channel")
        return _json(200, channel.payload())

    def _message_payload(
        self, channel_id: int, guild_id: int | None, body: Mapping[str, Any]
    ) -> dict[str, Any]:
        message = {
            "id": str(self.new_id()),
            "type": 0,
            "channel_id": str(channel_id),
            "author": self.bot_user.payload(),
            "content": body.get("content") or "",
            "timestamp": _iso(dt.datetime.now(dt.UTC)),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": body.get("embeds") or [],
            "components": body.get("components") or [],
            "pinned": False,
            "flags": int(body.get("flags") or 0),
        }
        if body.get("nonce") is not None:
            message["nonce"] = body["nonce"]
        if guild_id is not None:
            message["guild_id"] = str(guild_id)
        return message

    async def _create_message(self, request: web.Request, params: dict[str, str]) -> web.Response:
        channel = self.channels.get(int(params["channel_id"]))
        if channel is None:
            return _error(404, 10003, "Unknown Channel")
        if channel.recipient is not None and channel.recipient.id in self.closed_dms:
            return _error(403, 50007, "Cannot send messages to this user")
        body = await self._body(request)

        # enforce_nonce, as Discord documents it: the same nonce from the same author in the same
        # channel within a few minutes returns the original message and creates nothing.
        nonce = body.get("nonce")
        key = (channel.id, self.bot_user.id, str(nonce))
        if nonce is not None and body.get("enforce_nonce"):
            seen = self._nonces.get(key)
            if seen is not None and self.clock() - seen[0] < self.nonce_window:
                self.stats.nonce_duplicates += 1
                return _json(200, seen[1])

        message = self._message_payload(channel.id, channel.guild_id, body)
        if nonce is not None:
            self._nonces[key] = (self.clock(), message)
        self.messages.append(message)
        self.uploads[message["id"]] = list(body.get("_uploads") or [])
        self.user_agents[message["id"]] = request.headers.get("User-Agent", "")
        self._message_event.set()
        self.stats.messages_by_channel[channel.id] += 1
        intents = discord.Intents
        intent = intents.dm_messages.flag if channel.type == 1 else intents.guild_messages.flag
        await self.dispatch("MESSAGE_CREATE", message, intent=intent)
        return _json(200, message)

    def messages_in(self, channel_id: int) -> list[dict[str, Any]]:
        return [m for m in self.messages if m["channel_id"] == str(channel_id)]

    async def wait_for_messages(self, condition: Callable[[], bool], *, within: float = 10.0) -> None:
        """Wait until ``condition()`` holds, checked again after each message created."""
        try:
            async with asyncio.timeout(within):
                while not condition():
                    self._message_event.clear()
                    await self._message_event.wait()
        except TimeoutError:
            raise TimeoutError(f"messages not as expected within {within} s") from None

    def user_agent_of(self, message: Mapping[str, Any]) -> str:
        """The User-Agent of the request that created ``message``: which client sent it."""
        return self.user_agents[str(message["id"])]

    # ------------------------------------------------------------------ interactions

    async def _callback(self, request: web.Request, params: dict[str, str]) -> web.Response:
        arrived = time.perf_counter()
        record = self.interactions.get(int(params["interaction_id"]))
        if record is None or record.token != params["interaction_token"]:
            return _error(404, 10062, "Unknown interaction")
        if record.callback is not None:
            return _error(400, 40060, "Interaction has already been acknowledged.")
        body = await self._body(request)
        record.callback_at = arrived
        record.callback = body
        kind = int(body.get("type", 0))
        data = body.get("data") or {}
        message: dict[str, Any] | None = None
        if kind in (4, 5):  # CHANNEL_MESSAGE_WITH_SOURCE, DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE
            channel_id = int(record.payload["channel_id"])
            guild_id = record.payload.get("guild_id")
            message = self._message_payload(channel_id, int(guild_id) if guild_id else None, data)
            if kind == 5:
                message["flags"] |= LOADING_FLAG
            record.message = message
        self._callback_event.set()
        if request.query.get("with_response") not in ("1", "true"):
            return web.Response(status=204)
        flags = int(data.get("flags") or 0)
        interaction = {
            "id": str(record.id),
            "type": record.payload["type"],
            "activity_instance_id": None,
            "response_message_id": message["id"] if message else None,
            "response_message_loading": kind == 5,
            "response_message_ephemeral": bool(flags & EPHEMERAL_FLAG),
        }
        resource: dict[str, Any] = {"type": kind}
        if message is not None:
            resource["message"] = message
        return _json(200, {"interaction": interaction, "resource": resource})

    def _record_for_token(self, token: str) -> InteractionRecord | None:
        return next((r for r in self.interactions.values() if r.token == token), None)

    async def _followup(self, request: web.Request, params: dict[str, str]) -> web.Response:
        record = self._record_for_token(params["interaction_token"])
        if record is None:
            return _error(404, 10015, "Unknown Webhook")
        body = await self._body(request)
        guild_id = record.payload.get("guild_id")
        message = self._message_payload(
            int(record.payload["channel_id"]), int(guild_id) if guild_id else None, body
        )
        record.followups.append(message)
        return _json(200, message)

    async def _edit_response(self, request: web.Request, params: dict[str, str]) -> web.Response:
        record = self._record_for_token(params["interaction_token"])
        if record is None or record.message is None:
            return _error(404, 10008, "Unknown Message")
        body = await self._body(request)
        record.message.update({k: v for k, v in body.items() if k in ("content", "embeds", "components")})
        record.message["flags"] = int(record.message.get("flags", 0)) & ~LOADING_FLAG
        return _json(200, record.message)

    def slash_payload(
        self,
        guild: FakeGuild,
        member: FakeMember,
        command: str,
        options: Mapping[str, Any] | None = None,
        *,
        channel: FakeChannel | None = None,
    ) -> dict[str, Any]:
        """An INTERACTION_CREATE payload for ``/command [sub ...]`` invoked by ``member``.

        ``command`` is the full path, e.g. ``"setup show"``. Option types are inferred from the
        Python values (str, int, bool, float; a FakeChannel or FakeRole is sent as a channel or
        role option with its resolved data). ``data.guild_id`` is set when the command was
        synced to this guild, as Discord does for guild commands.
        """
        interaction_id = self.new_id()
        token = secrets.token_urlsafe(24)
        channel = channel or guild.channels[0]
        root, *subcommands = command.split()
        leaf_options = [_option(name, value) for name, value in (options or {}).items()]
        nested: list[dict[str, Any]] = leaf_options
        for depth, name in reversed(list(enumerate(subcommands))):
            option_type = 2 if depth < len(subcommands) - 1 else 1  # group, then subcommand
            nested = [{"type": option_type, "name": name, "options": nested}]
        guild_synced = {c["name"]: c for c in self.guild_commands.get(guild.id, [])}
        synced = guild_synced.get(root) or next((c for c in self.global_commands if c["name"] == root), None)
        data: dict[str, Any] = {
            "id": synced["id"] if synced else str(self.new_id()),
            "name": root,
            "type": 1,
            "options": nested,
        }
        if root in guild_synced:
            data["guild_id"] = str(guild.id)
        resolved = _resolved((options or {}).values(), guild.permissions_of(member))
        if resolved:
            data["resolved"] = resolved
        bot_member = guild.member(self.bot_user.id)
        assert bot_member is not None
        payload = {
            "id": str(interaction_id),
            "application_id": str(self.application_id),
            "type": 2,
            "token": token,
            "version": 1,
            "guild_id": str(guild.id),
            "guild": {"id": str(guild.id), "locale": "en-US", "features": []},
            "channel_id": str(channel.id),
            "channel": channel.payload(),
            "member": {**member.payload(), "permissions": str(guild.permissions_of(member))},
            "data": data,
            "locale": "en-US",
            "guild_locale": "en-US",
            "app_permissions": str(guild.permissions_of(bot_member)),
            "entitlements": [],
            "authorizing_integration_owners": {"0": str(guild.id)},
            "context": 0,
            "attachment_size_limit": 10 * 1024 * 1024,
        }
        self.interactions[interaction_id] = InteractionRecord(interaction_id, token, payload)
        return payload

    def message_payload(self, channel: FakeChannel, body: Mapping[str, Any]) -> dict[str, Any]:
        """A message by the bot in ``channel`` as Discord would send it (not stored): e.g. a post
        carrying a button, to attach to :meth:`component_payload`."""
        return self._message_payload(channel.id, channel.guild_id, body)

    def _interaction_payload(
        self, guild: FakeGuild, member: FakeMember, channel: FakeChannel, kind: int, data: dict[str, Any]
    ) -> dict[str, Any]:
        """The INTERACTION_CREATE envelope shared by components and modal submits; records it."""
        interaction_id = self.new_id()
        token = secrets.token_urlsafe(24)
        bot_member = guild.member(self.bot_user.id)
        assert bot_member is not None
        payload = {
            "id": str(interaction_id),
            "application_id": str(self.application_id),
            "type": kind,
            "token": token,
            "version": 1,
            "guild_id": str(guild.id),
            "guild": {"id": str(guild.id), "locale": "en-US", "features": []},
            "channel_id": str(channel.id),
            "channel": channel.payload(),
            "member": {**member.payload(), "permissions": str(guild.permissions_of(member))},
            "data": data,
            "locale": "en-US",
            "guild_locale": "en-US",
            "app_permissions": str(guild.permissions_of(bot_member)),
            "entitlements": [],
            "authorizing_integration_owners": {"0": str(guild.id)},
            "context": 0,
            "attachment_size_limit": 10 * 1024 * 1024,
        }
        self.interactions[interaction_id] = InteractionRecord(interaction_id, token, payload)
        return payload

    def component_payload(
        self,
        guild: FakeGuild,
        member: FakeMember,
        message: Mapping[str, Any],
        custom_id: str,
        *,
        component_type: int = 2,
        values: Sequence[str] | None = None,
    ) -> dict[str, Any]:
        """An INTERACTION_CREATE (MESSAGE_COMPONENT) for ``member`` using a component of ``message``.

        A button press by default; pass ``component_type=3`` and ``values`` for a string select.
        ``message`` is the message carrying the component (see :meth:`message_payload`).
        """
        channel = self.channels[int(message["channel_id"])]
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": component_type}
        if values is not None:
            data["values"] = list(values)
        payload = self._interaction_payload(guild, member, channel, 3, data)
        payload["message"] = dict(message)
        return payload

    def modal_submit_payload(
        self,
        guild: FakeGuild,
        member: FakeMember,
        modal: Mapping[str, Any],
        values: Mapping[str, Any],
        *,
        channel: FakeChannel | None = None,
    ) -> dict[str, Any]:
        """An INTERACTION_CREATE (MODAL_SUBMIT) for the modal a callback showed.

        ``modal`` is the data of a MODAL (type 9) callback, e.g. ``record.callback["data"]``;
        ``values`` are keyed by custom_id: str for text inputs and radio groups, a list of str
        for selects and checkbox groups, bool for checkboxes. Omitted controls submit empty.
        """
        components = [_submitted(node, values) for node in modal.get("components") or []]
        data = {"custom_id": modal["custom_id"], "components": components}
        return self._interaction_payload(guild, member, channel or guild.channels[0], 5, data)

    async def inject_interactions(self, payloads: Iterable[Mapping[str, Any]]) -> list[int]:
        """Dispatch INTERACTION_CREATE for each payload back to back; returns the interaction ids.

        Each record's ``injected_at`` is taken just before its frame is written.
        """
        ids = []
        for payload in payloads:
            record = self.interactions[int(payload["id"])]
            record.injected_at = time.perf_counter()
            await self.dispatch("INTERACTION_CREATE", dict(payload))
            ids.append(record.id)
        return ids

    async def inject_slash(
        self,
        guild: FakeGuild,
        member: FakeMember,
        command: str,
        options: Mapping[str, Any] | None = None,
        *,
        channel: FakeChannel | None = None,
    ) -> int:
        """Build and dispatch one slash command; returns its interaction id."""
        payload = self.slash_payload(guild, member, command, options, channel=channel)
        (interaction_id,) = await self.inject_interactions([payload])
        return interaction_id

    async def wait_for_callbacks(
        self, ids: Iterable[int], *, within: float = 10.0
    ) -> list[InteractionRecord]:
        """Wait until every interaction in ``ids`` has been acknowledged (TimeoutError otherwise)."""
        wanted = [self.interactions[i] for i in ids]
        try:
            async with asyncio.timeout(within):
                while any(r.callback is None for r in wanted):
                    self._callback_event.clear()
                    await self._callback_event.wait()
        except TimeoutError:
            missing = sum(1 for r in wanted if r.callback is None)
            raise TimeoutError(
                f"{missing} of {len(wanted)} interactions not acknowledged in {within} s"
            ) from None
        return wanted

    # ------------------------------------------------------------------ gateway

    async def dispatch(self, event: str, data: Mapping[str, Any], *, intent: int | None = None) -> None:
        """Send a DISPATCH to every identified session (buffered for RESUME if disconnected).

        With ``intent``, only sessions that identified with that intent bit receive it. A sharded
        session receives it only if the event's guild is on its shard (no guild: shard 0).
        """
        guild_id = _guild_of(event, data)
        for session in list(self._sessions.values()):
            if (intent is None or session.intents & intent) and _serves(session, guild_id):
                await self._send_dispatch(session, event, data)

    async def _send_dispatch(self, session: _Session, event: str, data: Mapping[str, Any]) -> None:
        async with session.lock:
            session.seq += 1
            frame = json.dumps({"op": OP_DISPATCH, "t": event, "s": session.seq, "d": data})
            session.buffer.append((session.seq, frame))
            ws = session.ws
            if ws is not None and not ws.closed:
                with contextlib.suppress(ConnectionError):
                    await ws.send_str(frame)

    @property
    def connected_sessions(self) -> int:
        return sum(1 for s in self._sessions.values() if s.ws is not None and not s.ws.closed)

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        self._sockets.add(ws)
        self.stats.gateway_connections += 1
        session: _Session | None = None
        try:
            # Plain text frames: discord.py accepts them even when it asked for zlib-stream.
            hello = {"heartbeat_interval": int(self.heartbeat_interval * 1000)}
            await ws.send_str(json.dumps({"op": OP_HELLO, "d": hello, "s": None, "t": None}))
            async for msg in ws:
                if msg.type is not WSMsgType.TEXT:
                    continue
                frame = json.loads(msg.data)
                op, data = frame.get("op"), frame.get("d")
                if op == OP_HEARTBEAT:
                    await ws.send_str(json.dumps({"op": OP_HEARTBEAT_ACK, "d": None, "s": None, "t": None}))
                elif op == OP_IDENTIFY:
                    session = await self._identify(ws, data)
                elif op == OP_RESUME:
                    session = await self._resume(ws, data)
                elif op == OP_REQUEST_MEMBERS:
                    await self._send_member_chunk(ws, data)
        except ConnectionError:
            pass
        finally:
            self._sockets.discard(ws)
            if session is not None and session.ws is ws:
                session.ws = None
        return ws

    async def _identify(self, ws: web.WebSocketResponse, data: Mapping[str, Any]) -> _Session | None:
        self.stats.identifies += 1
        if self.token is not None and data.get("token") != self.token:
            await ws.close(code=4004, message=b"Authentication failed.")
            return None
        shard = data.get("shard")
        session = _Session(
            id=secrets.token_hex(16),
            intents=int(data.get("intents", 0)),
            shard=(int(shard[0]), int(shard[1])) if shard else None,
        )
        self._sessions[session.id] = session
        session.ws = ws
        guilds = [g for g in list(self.guilds.values()) if _serves(session, g.id)]
        ready: dict[str, Any] = {
            "v": 10,
            "user": {**self.bot_user.payload(), "verified": True, "mfa_enabled": False, "flags": 0},
            "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
            "session_id": session.id,
            "session_type": "normal",
            "resume_gateway_url": self.gateway_url,  # or a reconnect goes to the real Discord
            "application": {"id": str(self.application_id), "flags": 0},
            "private_channels": [],
            "relationships": [],
        }
        if shard:
            ready["shard"] = shard
        await self._send_dispatch(session, "READY", ready)
        for guild in guilds:
            await self._send_dispatch(session, "GUILD_CREATE", guild.payload(self.started_at))
        return session

    async def _resume(self, ws: web.WebSocketResponse, data: Mapping[str, Any]) -> _Session | None:
        session = self._sessions.get(str(data.get("session_id")))
        seq = data.get("seq") or 0
        if session is None or (session.buffer and session.buffer[0][0] > seq + 1):
            self.stats.invalid_sessions += 1
            await ws.send_str(json.dumps({"op": OP_INVALID_SESSION, "d": False, "s": None, "t": None}))
            return None
        self.stats.resumes += 1
        async with session.lock:
            for frame_seq, frame in list(session.buffer):
                if frame_seq > seq:
                    await ws.send_str(frame)
            session.ws = ws
        await self._send_dispatch(session, "RESUMED", {})
        return session

    async def _send_member_chunk(self, ws: web.WebSocketResponse, data: Mapping[str, Any]) -> None:
        guild = self.guilds.get(int(data["guild_id"]))
        if guild is None:
            return
        # Discord's matching: by user ids, else by a name prefix ("" is everyone); 1,000 a chunk.
        wanted = {int(u) for u in data.get("user_ids") or []}
        query = str(data.get("query") or "").lower()
        members = [
            m for m in guild.members if (m.id in wanted if wanted else m.user.name.lower().startswith(query))
        ]
        limit = int(data.get("limit") or 0)
        if limit:
            members = members[:limit]
        chunks = [members[i : i + MEMBER_CHUNK] for i in range(0, len(members), MEMBER_CHUNK)] or [[]]
        for index, part in enumerate(chunks):
            chunk = {
                "guild_id": str(guild.id),
                "members": [m.payload() for m in part],
                "chunk_index": index,
                "chunk_count": len(chunks),
                "nonce": data.get("nonce"),
            }
            frame = {"op": OP_DISPATCH, "t": "GUILD_MEMBERS_CHUNK", "s": None, "d": chunk}
            await ws.send_str(json.dumps(frame))


_GUILD_EVENTS = frozenset({"GUILD_CREATE", "GUILD_UPDATE", "GUILD_DELETE"})


def _guild_of(event: str, data: Mapping[str, Any]) -> int | None:
    """The guild an event belongs to: ``id`` of a guild event, else its ``guild_id``, if any."""
    raw = data.get("id") if event in _GUILD_EVENTS else data.get("guild_id")
    return int(raw) if raw is not None else None


def _serves(session: _Session, guild_id: int | None) -> bool:
    """Whether Discord sends this guild's events (None: no guild) to ``session``."""
    if session.shard is None:
        return True
    shard_id, shard_count = session.shard
    return (0 if guild_id is None else shard_of(guild_id, shard_count)) == shard_id


def _option(name: str, value: Any) -> dict[str, Any]:
    if isinstance(value, FakeChannel):
        return {"type": 7, "name": name, "value": str(value.id)}
    if isinstance(value, FakeRole):
        return {"type": 8, "name": name, "value": str(value.id)}
    if isinstance(value, bool):
        kind = 5
    elif isinstance(value, int):
        kind = 4
    elif isinstance(value, float):
        kind = 10
    else:
        kind, value = 3, str(value)
    return {"type": kind, "name": name, "value": value}


def _resolved(values: Iterable[Any], permissions: int) -> dict[str, Any]:
    """``data.resolved`` for the channel and role options among ``values``, as Discord sends it."""
    resolved: dict[str, Any] = {}
    for value in values:
        if isinstance(value, FakeChannel):
            channel = {**value.payload(), "permissions": str(permissions)}
            resolved.setdefault("channels", {})[str(value.id)] = channel
        elif isinstance(value, FakeRole):
            resolved.setdefault("roles", {})[str(value.id)] = value.payload()
    return resolved


def _submitted(node: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
    """One modal component as a MODAL_SUBMIT carries it back, filled from ``values``."""
    kind = int(node["type"])
    out: dict[str, Any] = {"type": kind}
    if "id" in node:
        out["id"] = node["id"]
    if kind == 1:  # action row
        out["components"] = [_submitted(child, values) for child in node.get("components") or []]
    elif kind == 18:  # label
        out["component"] = _submitted(node["component"], values)
    elif "custom_id" in node:
        custom_id = node["custom_id"]
        out["custom_id"] = custom_id
        given = values.get(custom_id)
        if kind == 4:  # text input
            out["value"] = "" if given is None else str(given)
        elif kind == 21:  # radio group
            out["value"] = given
        elif kind == 23:  # checkbox
            out["value"] = bool(given)
        else:  # selects and checkbox groups
            out["values"] = list(given or [])
    return out


# --------------------------------------------------------------------------- client helpers


@contextlib.contextmanager
def pointed_at(api_base: str, gateway_url: str) -> Iterator[None]:
    """Set ``Route.BASE`` and ``DiscordWebSocket.DEFAULT_GATEWAY``; restore both on exit."""
    old_base = discord.http.Route.BASE
    old_gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    discord.http.Route.BASE = api_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)
    try:
        yield
    finally:
        discord.http.Route.BASE = old_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_gateway


@contextlib.asynccontextmanager
async def running(
    client: discord.Client, token: str = "loopback-token", *, ready_within: float = 10.0
) -> AsyncIterator[None]:
    """Start ``client`` (login + connect), wait for on_ready, and close it on exit.

    Raises whatever ``client.start`` raised if it stops before becoming ready.
    """
    async with client:
        task = asyncio.create_task(client.start(token))
        ready = asyncio.create_task(client.wait_until_ready())
        try:
            done, _ = await asyncio.wait(
                {task, ready}, timeout=ready_within, return_when=asyncio.FIRST_COMPLETED
            )
            if ready not in done:
                if task in done:
                    task.result()
                    raise RuntimeError("client stopped before it became ready")
                raise TimeoutError(f"client not ready within {ready_within} s")
            yield
        finally:
            ready.cancel()
            await client.close()
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(task, ready_within)
