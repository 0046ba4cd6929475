"""PostgreSQL for the test suite: is the server there, and a fresh schema per test."""

from __future__ import annotations

import asyncio
import os
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import asyncpg

PG_URL = os.environ.get("RESILIENCE_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")


def _run(coro: Any) -> Any:
    """Run a coroutine to completion from sync code, even while a loop runs in this thread."""
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = asyncio.run(coro)
        except BaseException as error:  # re-raised in the caller's thread
            box["error"] = error

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box.get("value")


async def _answers(url: str) -> str | None:
    try:
        conn = await asyncpg.connect(url, timeout=3)
    except Exception as error:  # any failure means "not available"
        return f"{type(error).__name__}: {error}"
    await conn.close()
    return None


def unavailable_reason(url: str = PG_URL) -> str | None:
    """None when the test server answers, else why not."""
    result: str | None = _run(_answers(url))
    return result


async def _drop(url: str, schema: str) -> None:
    conn = await asyncpg.connect(url, timeout=10)
    try:
        await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    finally:
        await conn.close()


def schema_url(schema: str, url: str = PG_URL) -> str:
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}schema={schema}"


@contextmanager
def fresh_schema(url: str = PG_URL) -> Iterator[str]:
    """A DATABASE_URL for a brand-new, empty schema, dropped afterwards."""
    schema = f"t_{os.getpid()}_{secrets.token_hex(4)}"
    try:
        yield schema_url(schema, url)
    finally:
        _run(_drop(url, schema))
