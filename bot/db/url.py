"""``DATABASE_URL``: which backend, and where. Passwords never leave this module unredacted."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit, urlunsplit

SQLITE_EXAMPLE = "sqlite:///data/resilience.db"
POSTGRES_EXAMPLE = "postgresql://resilience@127.0.0.1:5432/resilience"


class DatabaseUrlError(ValueError):
    """A ``DATABASE_URL`` that cannot be used; the message never includes a password."""


@dataclass(frozen=True, slots=True)
class DatabaseUrl:
    """A parsed ``DATABASE_URL``: ``sqlite`` with a file path, or ``postgresql`` with a DSN."""

    backend: Literal["sqlite", "postgresql"]
    path: Path | None = None
    dsn: str | None = None

    def redacted(self) -> str:
        """The URL as it can be shown in logs and error messages."""
        if self.backend == "sqlite":
            return f"sqlite:///{self.path}"
        return redact(self.dsn or "")

    def __str__(self) -> str:
        return self.redacted()


def redact(url: str) -> str:
    """Replace the password in a URL with ``***``."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparseable URL>"
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    try:
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        port = ""
    return urlunsplit((parts.scheme, f"{user}:***@{host}{port}", parts.path, parts.query, parts.fragment))


def sqlite_url(path: Path | str) -> DatabaseUrl:
    return DatabaseUrl("sqlite", path=Path(path))


def parse_database_url(text: str) -> DatabaseUrl:
    """Parse ``sqlite:///relative/or//absolute/path`` or ``postgresql://user@host:port/db``."""
    value = text.strip()
    scheme, sep, rest = value.partition("://")
    scheme = scheme.lower()
    if not sep:
        raise DatabaseUrlError(f"must start with sqlite:/// or postgresql://, e.g. {SQLITE_EXAMPLE}")
    if scheme == "sqlite":
        if not rest.startswith("/") or rest == "/":
            raise DatabaseUrlError(
                f"a SQLite URL has three slashes then the file path, e.g. {SQLITE_EXAMPLE}"
            )
        path = rest[1:]
        return DatabaseUrl("sqlite", path=Path(path))
    if scheme in {"postgresql", "postgres"}:
        try:
            parts = urlsplit(value)
            _ = parts.port  # raises ValueError on a bad port
        except ValueError:
            raise DatabaseUrlError(
                f"{redact(value)} is not a valid PostgreSQL URL, e.g. {POSTGRES_EXAMPLE}"
            ) from None
        if not parts.hostname and "host=" not in parts.query:
            raise DatabaseUrlError(f"a PostgreSQL URL needs a host, e.g. {POSTGRES_EXAMPLE}")
        if not parts.path.strip("/"):
            raise DatabaseUrlError(f"a PostgreSQL URL needs a database name, e.g. {POSTGRES_EXAMPLE}")
        return DatabaseUrl("postgresql", dsn="postgresql://" + value.partition("://")[2])
    raise DatabaseUrlError(
        f"unknown database {scheme!r}: use sqlite:/// (e.g. {SQLITE_EXAMPLE}) or postgresql:// "
        f"(e.g. {POSTGRES_EXAMPLE})"
    )
