"""Pacing under Discord's global limit, and hearing Discord's 429s as they happen.

discord.py paces each route's bucket from the response headers itself. The global limit
(50 requests/s per bot) is never announced until Discord answers 429, so the outbox spaces its
sends with a :class:`Pacer`; :class:`RateLimitWatch` reads every response through discord.py's
public ``Client(http_trace=...)`` hook (an aiohttp ``TraceConfig``) and tells the pacer about each
429, including the ones discord.py then absorbs by sleeping and retrying.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from types import SimpleNamespace

import aiohttp

RateLimitListener = Callable[[float, bool], None]
# Every response: its status, headers and path (the metrics count 401/403/429 and time acks).
ResponseListener = Callable[[int, Mapping[str, str], str], None]


class Pacer:
    """Spaces requests evenly at ``rate`` per ``period`` (GCRA without burst).

    Even spacing, not a window of ``rate`` at once, because Discord's window and ours never line
    up: a burst at the end of our window plus one at the start of the next would land in one of
    Discord's. ``rate_limited`` (fed by :class:`RateLimitWatch` with every 429 Discord answers,
    and by a 429 that reached us) lowers the rate and pauses; each clean ``period`` of traffic
    raises it back towards the configured ceiling.
    """

    def __init__(
        self,
        rate: float,
        period: float = 1.0,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.ceiling = rate
        self.rate = rate
        self.period = period
        self.rate_limits_seen = 0
        self._monotonic = monotonic
        self._sleep = sleep
        self._next = 0.0
        self._paused_until = 0.0
        self._clean = 0
        self._lock = asyncio.Lock()

    @property
    def interval(self) -> float:
        return self.period / self.rate

    async def acquire(self) -> None:
        """Wait for this request's slot."""
        async with self._lock:
            while True:
                now = self._monotonic()
                slot = max(now, self._next, self._paused_until)
                if slot <= now:
                    break
                await self._sleep(slot - now)
            self._next = max(now, self._next) + self.interval
            self._clean += 1
            if self._clean >= self.ceiling and self.rate < self.ceiling:
                self.rate = min(self.ceiling, self.rate + self.ceiling * 0.02)
                self._clean = 0

    def rate_limited(self, retry_after: float) -> None:
        """Discord said 429: slow down by a tenth (never below half) and pause ``retry_after``."""
        self.rate_limits_seen += 1
        self.rate = max(self.ceiling * 0.5, self.rate * 0.9)
        self._clean = 0
        self._paused_until = max(self._paused_until, self._monotonic() + max(retry_after, 0.0))


async def real_sleep(seconds: float) -> None:
    await asyncio.to_thread(time.sleep, seconds)


class RateLimitWatch:
    """Every 429 Discord answers, from the response itself: ``(retry_after, is_global)`` to listeners.

    Pass :attr:`trace_config` as ``http_trace`` when the client is built.
    """

    def __init__(self) -> None:
        self.trace_config = aiohttp.TraceConfig()
        self.trace_config.on_request_end.append(self._on_request_end)
        self._listeners: list[RateLimitListener] = []
        self._responses: list[ResponseListener] = []
        self.seen = 0

    def on_response(self, listener: ResponseListener) -> None:
        self._responses.append(listener)

    def subscribe(self, listener: RateLimitListener) -> None:
        self._listeners.append(listener)

    def unsubscribe(self, listener: RateLimitListener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def heard(self, status: int, headers: Mapping[str, str]) -> None:
        """One response's status and headers (the trace calls this; tests may too)."""
        if status != 429:
            return
        wait = headers.get("X-RateLimit-Reset-After") or headers.get("Retry-After") or "1"
        try:
            retry_after = float(wait)
        except ValueError:
            retry_after = 1.0
        is_global = (
            headers.get("X-RateLimit-Global", "").lower() == "true"
            or headers.get("X-RateLimit-Scope") == "global"
        )
        self.seen += 1
        for listener in list(self._listeners):
            listener(retry_after, is_global)

    async def _on_request_end(
        self,
        _session: aiohttp.ClientSession,
        _context: SimpleNamespace,
        params: aiohttp.TraceRequestEndParams,
    ) -> None:
        status, headers = params.response.status, params.response.headers
        for listener in self._responses:
            listener(status, headers, params.url.path)
        self.heard(status, headers)
