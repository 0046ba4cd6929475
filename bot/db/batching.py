"""Group commit: writes of one statement that arrive while one is in flight share a transaction.

After the daily post hundreds of members submit within a second. Each write waits for the write
in flight, then all that arrived meanwhile are committed together (one commit, one fsync), so a
burst costs a few commits instead of hundreds. A lone write is committed at once.
"""

from __future__ import annotations

import asyncio

from bot.db.base import Database, Params

_Waiting = list[tuple[Params, asyncio.Future[None]]]


class GroupCommit:
    """One parameterised statement (an upsert), committed in batches of whatever is waiting.

    Each caller hears its own outcome: if a batch fails, its rows are written one by one, so one
    bad row fails alone. ``name`` labels the writer task and the error callers get if the writer
    is cancelled (at shutdown) before their row was committed.
    """

    def __init__(self, db: Database, statement: str, *, name: str) -> None:
        self.db = db
        self.statement = statement
        self.name = name
        self._waiting: _Waiting = []
        self._writer: asyncio.Task[None] | None = None

    async def write(self, params: Params) -> None:
        """Run the statement with ``params``; returns once committed, raises its own row's error."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((params, done))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_waiting(), name=f"{self.name}:group-commit")
            self._writer.add_done_callback(self._cancelled_before_start)
        # Shielded: a cancelled caller must not cancel the commit that carries other callers' rows.
        await asyncio.shield(done)

    def _cancelled_before_start(self, writer: asyncio.Task[None]) -> None:
        # A writer cancelled before its first step never reaches its own clean-up below.
        if writer.cancelled() and self._writer is writer:
            self._fail_waiting([])

    def _fail_waiting(self, batch: _Waiting) -> None:
        for _, done in [*batch, *self._waiting]:
            if not done.done():
                done.set_exception(RuntimeError(f"the {self.name} write was interrupted"))
        self._waiting = []

    async def _write_waiting(self) -> None:
        batch: _Waiting = []
        try:
            await self._write_batches(batch)
        except BaseException:  # cancelled at shutdown: nobody may wait forever
            self._fail_waiting(batch)
            raise

    async def _write_batches(self, batch: _Waiting) -> None:
        while self._waiting:
            batch[:] = self._waiting
            self._waiting = []
            try:
                async with self.db.transaction() as tx:
                    for params, _ in batch:
                        await tx.execute(self.statement, params)
            except Exception:
                # One bad row must not fail its neighbours: write them one by one.
                for params, done in batch:
                    try:
                        await self.db.execute(self.statement, params)
                    except Exception as error:
                        if not done.done():
                            done.set_exception(error)
                    else:
                        if not done.done():
                            done.set_result(None)
            else:
                for _, done in batch:
                    if not done.done():
                        done.set_result(None)
