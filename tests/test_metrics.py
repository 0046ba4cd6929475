"""Metrics an operator can watch (METRICS_PORT) and the health check, scraped over real HTTP."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

from bot.app import create_bot
from bot.core.clock import FakeClock
from bot.core.metrics import Metrics, interaction_label
from bot.core.settings import Settings
from tests.support.loopback import MESSAGE_CREATE_ROUTE, LoopbackDiscord, running

URGENT = "i have the pills ready"


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of an exposition, by name and labels."""
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def value(text: str, name: str, **labels: str) -> float:
    return samples(text).get((name, tuple(sorted(labels.items()))), 0.0)


async def test_metrics_and_health_are_served_over_http_from_a_real_connection(tmp_path: Path) -> None:
    async with LoopbackDiscord() as fake:
        guild = fake.add_guild(name="Group", channels=["general"], members=2, admins=1)
        member = guild.regular_members[0]
        clock = FakeClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
        settings = Settings(database_path=tmp_path / "bot.db", metrics_port=0)
        bot = create_bot(settings, clock=clock, guild_ready_timeout=0.05)
        allow_identify = asyncio.Event()

        async def identify(shard_id: int | None, *, initial: bool = False) -> None:
            if not initial:
                await allow_identify.wait()  # keeps the bot off the gateway while the test looks

        bot.before_identify_hook = identify  # type: ignore[method-assign]
        async with running(bot), aiohttp.ClientSession() as http:
            assert bot.metrics_server is not None and bot.metrics_server.port
            base = f"http://127.0.0.1:{bot.metrics_server.port}"
            async with http.get(f"{base}/healthz") as health:
                assert health.status == 200 and (await health.text()).strip() == "ok"

            iid = await fake.inject_slash(guild, member, "resources")
            await fake.wait_for_callbacks([iid], within=10)
            fake.rate_limit_next(1, retry_after=0.05, route=MESSAGE_CREATE_ROUTE)
            await bot.get_partial_messageable(guild.channel("general").id).send("after one 429")

            async with http.get(f"{base}/metrics") as scraped:
                assert scraped.status == 200
                assert scraped.headers["Content-Type"].startswith("text/plain")
                text = await scraped.text()
            assert value(text, "resilience_interaction_ack_seconds_count", command="/resources") == 1
            assert value(text, "resilience_discord_rate_limited_total", scope="user") == 1
            assert value(text, "resilience_discord_invalid_requests_total") == 1
            assert value(text, "resilience_gateway_connected") == 1
            assert value(text, "resilience_outbox_depth") == 0
            assert ("resilience_outbox_oldest_waiting_seconds", ()) in samples(text)
            assert str(member.id) not in text and str(guild.id) not in text

            # The gateway drops and the bot cannot get back yet: unhealthy, and it says why.
            disconnected = asyncio.ensure_future(bot.wait_for("disconnect"))
            await fake.drop_gateway(resumable=False)
            await asyncio.wait_for(disconnected, 10)
            async with http.get(f"{base}/healthz") as health:
                assert health.status == 503 and "gateway" in await health.text()
            connected = asyncio.ensure_future(bot.wait_for("connect"))
            allow_identify.set()
            await asyncio.wait_for(connected, 10)
            async with http.get(f"{base}/healthz") as health:
                assert health.status == 200
            async with http.get(f"{base}/metrics") as scraped:
                assert value(await scraped.text(), "resilience_gateway_reconnects_total") == 1

            # The database stops answering: unhealthy, and it says why.
            await bot.db.close()
            async with http.get(f"{base}/healthz") as health:
                assert health.status == 503 and "database" in await health.text()


async def test_without_metrics_port_nothing_listens(tmp_path: Path) -> None:
    async with LoopbackDiscord() as fake:
        fake.add_guild(name="Group", channels=["general"], members=1, admins=1)
        bot = create_bot(Settings(database_path=tmp_path / "bot.db"), guild_ready_timeout=0.05)
        async with running(bot):
            assert bot.metrics_server is None


async def test_sends_scheduler_lag_and_crisis_alerts_are_counted_without_anyones_id(group) -> None:
    await group.admin.slash(group.general, "setup time", purpose="checkin", time="09:00")
    group.clock.set(datetime(2026, 11, 23, 9, 3, tzinfo=UTC))
    await group.bot.scheduler.run_due()
    await group.member.send(group.general, URGENT)
    group.clock.advance(timedelta(minutes=5))
    await group.facilitator.click(group.channels["alerts"].last_message, label="I'm reaching out")
    await group.bot.refresh_metrics()
    text = group.bot.metrics.exposition().decode()

    assert value(text, "resilience_outbox_sends_total", kind="checkin:post", outcome="sent") == 1
    assert value(text, "resilience_scheduler_lag_seconds_count", kind="checkin:post") == 1
    assert value(text, "resilience_scheduler_lag_seconds_sum", kind="checkin:post") == 180
    assert value(text, "resilience_crisis_alerts_raised_total", level="urgent", reader="self") == 1
    assert value(text, "resilience_crisis_alert_actions_total", action="claimed") == 1
    assert value(text, "resilience_crisis_time_to_claim_seconds_sum") == 300
    assert value(text, "resilience_outbox_sends_total", kind="crisis:alert", outcome="sent") == 1
    people = [group.admin, group.facilitator, *group.members]
    for identifier in (group.guild.id, *(p.id for p in people)):
        assert str(identifier) not in text
    assert "pills" not in text


def test_a_guild_label_only_when_the_operator_asks_for_it() -> None:
    quiet, per_guild = Metrics(), Metrics(per_guild=True)
    for metrics in (quiet, per_guild):
        metrics.alert_raised(123456789, "concern", "self", folded=True)
        metrics.sent("checkin:post", "sent", 123456789, 2.0)
    assert "123456789" not in quiet.exposition().decode()
    text = per_guild.exposition().decode()
    labels = {"level": "concern", "reader": "self", "guild": "123456789"}
    assert value(text, "resilience_crisis_alerts_raised_total", **labels) == 1
    assert value(text, "resilience_crisis_alerts_folded_total", guild="123456789") == 1


def test_database_errors_are_counted_and_other_errors_are_not() -> None:
    import sqlite3

    metrics = Metrics()
    metrics.error(sqlite3.OperationalError("database is locked"), "scheduler")
    metrics.error(ValueError("not a database error"), "scheduler")
    assert value(metrics.exposition().decode(), "resilience_database_errors_total", where="scheduler") == 1


async def test_a_buttons_label_is_the_fixed_words_of_its_custom_id(group) -> None:
    """A label never carries the ids inside a custom id (dates, alert or member ids)."""
    await group.member.send(group.general, URGENT)
    alert = group.channels["alerts"].last_message
    seen: list[str] = []

    async def record(interaction) -> None:
        seen.append(interaction_label(interaction))

    group.bot.add_listener(record, "on_interaction")
    await group.facilitator.click(alert, label="I'm reaching out")
    await asyncio.sleep(0)
    assert seen == ["crisis:alert"]


def test_the_dashboard_and_alert_rules_use_only_metrics_the_bot_has() -> None:
    """Renaming a metric without the dashboard and the rules would leave an operator blind."""
    import json
    import re

    root = Path(__file__).resolve().parent.parent / "ops"
    families = text_string_to_metric_families(Metrics().exposition().decode())
    known = {f.name for f in families if not f.name.endswith("_created")}  # the client's own timestamps
    suffixes = ("_total", "_bucket", "_count", "_sum", "_created")

    def base(name: str) -> str:
        for suffix in suffixes:
            if name.endswith(suffix) and name.removesuffix(suffix) in known:
                return name.removesuffix(suffix)
        return name

    dashboard = json.loads((root / "grafana-dashboard.json").read_text())
    exprs = [t["expr"] for panel in dashboard["panels"] for t in panel["targets"]]
    rules = re.findall(r"^\s+expr: (.+)$", (root / "prometheus-alerts.yml").read_text(), re.MULTILINE)
    used = {base(n) for text in (*exprs, *rules) for n in re.findall(r"resilience_[a-z_]+", text)}
    assert used and used <= known, used - known
    assert known <= used, f"not on the dashboard or in a rule: {known - used}"
    for required in ("resilience_outbox_oldest_waiting_seconds", "resilience_discord_rate_limited"):
        assert any(required in rule for rule in rules), required
    assert any('outcome="failed"' in rule and "crisis:alert" in rule for rule in rules)
