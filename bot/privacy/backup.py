"""Backups with SQLite's online backup API, rotation, and restore guarded by an instance lock.

The running bot holds an exclusive advisory lock (``flock``) on ``<database>.lock`` for as
long as it runs; the operating system drops it when the process ends, even after a crash, so
a stale lock file never blocks a restore. ``restore`` takes the same lock, so it refuses while
an instance is running, and no instance can start halfway through a restore.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

NAME = re.compile(r"^resilience-(\d{8}T\d{6}Z)\.db$")
REQUIRED_TABLES = ("guilds", "members", "schedules")


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why and what to do."""


class InstanceRunning(BackupError):
    """Another process (the bot) holds the database's instance lock."""


def lock_path(database_path: Path) -> Path:
    return database_path.with_name(database_path.name + ".lock")


class InstanceLock:
    """An exclusive, non-blocking advisory lock on ``<database>.lock``."""

    def __init__(self, database_path: Path) -> None:
        self.path = lock_path(database_path)
        self._file: IO[str] | None = None

    @property
    def held(self) -> bool:
        return self._file is not None

    def acquire(self) -> None:
        """Take the lock, or raise :class:`InstanceRunning` at once."""
        if self._file is not None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            raise InstanceRunning(
                "the bot is running on this database (it holds "
                f"{self.path.name}); stop it first, then restore"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._file = handle

    def release(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
            self._file.close()
            self._file = None


@contextlib.contextmanager
def holding(database_path: Path) -> Iterator[InstanceLock]:
    lock = InstanceLock(database_path)
    lock.acquire()
    try:
        yield lock
    finally:
        lock.release()


def backup_name(now: datetime) -> str:
    return f"resilience-{now.astimezone(UTC):%Y%m%dT%H%M%SZ}.db"


def list_backups(folder: Path) -> list[Path]:
    """This bot's backups in ``folder``, oldest first (names sort by time)."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if NAME.match(p.name))


def to_prune(names: list[str], keep: int) -> list[str]:
    """Which backup names rotation deletes: all but the newest ``keep``."""
    ordered = sorted(n for n in names if NAME.match(n))
    return ordered[: max(0, len(ordered) - max(keep, 1))]


def prune(folder: Path, keep: int) -> list[Path]:
    removed = []
    for name in to_prune([p.name for p in list_backups(folder)], keep):
        (folder / name).unlink(missing_ok=True)
        removed.append(folder / name)
    return removed


def target_for(folder: Path, now: datetime) -> tuple[Path, Path]:
    """(temporary, final) paths: a backup appears under its final name only when complete."""
    folder.mkdir(parents=True, exist_ok=True)
    final = folder / backup_name(now)
    return final.with_name(final.name + ".partial"), final


def _copy(source_uri: str, target: Path) -> None:
    """SQLite's online backup of ``source_uri`` (a path or ``file:`` URI) into ``target``."""
    source = sqlite3.connect(source_uri, uri=source_uri.startswith("file:"))
    try:
        dest = sqlite3.connect(target)
        try:
            source.backup(dest)
        finally:
            dest.close()
    finally:
        source.close()


def backup_file(database_path: Path, folder: Path, keep: int, now: datetime) -> Path:
    """Copy a database file (live or not) into ``folder`` with the online backup API; rotate."""
    if not database_path.is_file():
        raise BackupError(f"there is no database at {database_path}")
    partial, final = target_for(folder, now)
    _copy(str(database_path), partial)
    partial.replace(final)
    prune(folder, keep)
    return final


def check_backup(path: Path) -> int:
    """Prove ``path`` is a healthy bot database; return its schema version."""
    if not path.is_file():
        raise BackupError(f"there is no file at {path}")
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            verdict = conn.execute("PRAGMA quick_check").fetchone()
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            conn.close()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path.name} is not a usable database: {error}") from None
    if verdict is None or verdict[0] != "ok":
        raise BackupError(f"{path.name} failed its integrity check; pick another backup")
    missing = [t for t in REQUIRED_TABLES if t not in tables]
    if missing:
        raise BackupError(f"{path.name} is not a Resilience Bot database (no {', '.join(missing)} table)")
    return version


def restore_file(backup: Path, database_path: Path, folder: Path, keep: int, now: datetime) -> Path | None:
    """Replace the database with ``backup``; refuses while the bot runs.

    The current database is first saved as a backup itself, so a restore can be undone.
    Returns that safety copy's path (None when there was no database yet).
    """
    check_backup(backup)
    with holding(database_path):
        safety = backup_file(database_path, folder, keep + 1, now) if database_path.is_file() else None
        _copy(f"file:{backup}?mode=ro", database_path)
    return safety
