"""A 2,000-DM fan-out through the outbox against the loopback's real global bucket: no 429s.

The loopback counts each request when it arrives, in fixed windows of ``global_period`` that open
at the first request after the last one closed (Discord's own fixed-window semantics, per token).
The window is shortened to 0.1 s, and the pacer's period with it, so 4,000 requests take
seconds; what is asserted is counts, never time.
"""

from __future__ import annotations

from pathlib import Path

import discord
from yarl import URL

from bot.core.clock import FakeClock
from bot.core.members import MemberRepository
from bot.core.outbox import PRIORITY_DM, Outbox, OutboxConfig
from bot.core.pacing import RateLimitWatch
from bot.db import SqliteDatabase
from tests.support.loopback import MESSAGE_CREATE_ROUTE, LoopbackDiscord, running

MEMBERS = 2000
FIRST_USER = 800_000_000_000_000_000
DM_ROUTE = "POST /users/@me/channels"


async def test_a_2000_dm_fan_out_stays_under_the_global_limit(
    tmp_path: Path, make_bot, clock: FakeClock
) -> None:
    db = SqliteDatabase(tmp_path / "fanout.db")
    await db.connect()
    await db.migrate()
    watch = RateLimitWatch()
    async with LoopbackDiscord(global_limit=50, global_period=0.1) as fake:
        fake.add_guild(name="Group", channels=["general"], members=2, admins=1)
        bot = make_bot(http_trace=watch.trace_config)
        outbox = Outbox(
            transport=bot,
            db=db,
            clock=clock,
            members=MemberRepository(db),
            config=OutboxConfig(global_rate=50, period=0.1, concurrency=16),
            inline=True,
            rate_limits=watch,
        )
        try:
            async with running(bot):
                await outbox.start()
                payload = outbox.payload("Time to check in.")
                async with db.transaction() as tx:
                    for n in range(MEMBERS):
                        key = f"test:dm:1:u{FIRST_USER + n}"
                        await outbox.repo.add(
                            tx,
                            guild_id=1,
                            kind="test:dm",
                            dedupe_key=key,
                            nonce=f"n{n}",
                            priority=PRIORITY_DM,
                            channel_id=None,
                            user_id=FIRST_USER + n,
                            payload=payload,
                            ref="",
                            due_at=clock.now(),
                            now=clock.now(),
                        )
                report = await outbox.drain()
                await outbox.stop()
        finally:
            await db.close()

    assert len(report.sent) == MEMBERS
    assert fake.stats.requests[DM_ROUTE] == MEMBERS
    assert fake.stats.requests[MESSAGE_CREATE_ROUTE] == MEMBERS
    assert fake.stats.messages_created == MEMBERS
    assert fake.stats.rate_limited == 0
    assert fake.stats.invalid_requests == 0
    assert outbox.pacer.granted - outbox.pacer.unpaced == 2 * MEMBERS  # login's requests too
    assert outbox.pacer.rate_limits_seen == 0


def test_the_trace_counts_only_requests_under_the_global_limit() -> None:
    url = discord.http.Route.BASE
    assert RateLimitWatch._counted(URL(f"{url}/channels/1/messages"))
    assert not RateLimitWatch._counted(URL(f"{url}/interactions/1/tok/callback"))
    assert not RateLimitWatch._counted(URL("wss://gateway.discord.gg/?v=10"))
