"""Storage: a small database interface, its SQLite implementation, and numbered migrations.

Repositories (``bot/repos/``) hold all SQL and talk only to the ``Database`` protocol, with
``?`` placeholders and portable SQL (``ON CONFLICT`` upserts, ISO-8601 UTC text timestamps), so
a PostgreSQL implementation of the same protocol can serve them unchanged.
"""

from bot.db.base import Database, Row, Transaction, from_db_time, to_db_time
from bot.db.sqlite import DatabaseStartupError, SqliteDatabase

__all__ = [
    "Database",
    "DatabaseStartupError",
    "Row",
    "SqliteDatabase",
    "Transaction",
    "from_db_time",
    "to_db_time",
]
