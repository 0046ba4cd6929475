"""Discord's 429s are read from its responses (the http_trace hook), not from discord.py's logs."""

from __future__ import annotations

from bot.core.pacing import RateLimitWatch


def test_a_global_429_is_heard_with_its_wait_and_scope() -> None:
    watch = RateLimitWatch()
    heard: list[tuple[float, bool]] = []
    watch.subscribe(lambda retry_after, is_global: heard.append((retry_after, is_global)))

    watch.heard(200, {"X-RateLimit-Remaining": "4"})
    watch.heard(429, {"Retry-After": "2", "X-RateLimit-Global": "true", "X-RateLimit-Scope": "global"})
    watch.heard(429, {"Retry-After": "1", "X-RateLimit-Reset-After": "0.25", "X-RateLimit-Scope": "user"})
    watch.heard(429, {"Retry-After": "soon"})

    assert heard == [(2.0, True), (0.25, False), (1.0, False)]
    assert watch.seen == 3


def test_a_listener_that_left_hears_nothing() -> None:
    watch = RateLimitWatch()
    heard: list[float] = []

    def listener(retry_after: float, _is_global: bool) -> None:
        heard.append(retry_after)

    watch.subscribe(listener)
    watch.unsubscribe(listener)
    watch.heard(429, {"Retry-After": "1"})
    assert heard == []
