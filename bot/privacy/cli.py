"""``resilience-bot keys generate|rotate``, ``backup`` and ``restore <file>``."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from bot.core.crypto import Cipher, EncryptionKeyError, check_keys, generate_key, split_keys
from bot.core.settings import Settings
from bot.privacy import backup as backups

EXIT_OK = 0
EXIT_FAILED = 1


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    keys = sub.add_parser("keys", help="encryption keys for free text at rest")
    keys_sub = keys.add_subparsers(dest="keys_command", required=True)
    keys_sub.add_parser("generate", help="print a new key for ENCRYPTION_KEY")
    rotate = keys_sub.add_parser("rotate", help="re-encrypt every encrypted column under a new key")
    rotate.add_argument("--new-key", default=None, help="the new key (default: generate one)")
    sub.add_parser("backup", help="copy the database into BACKUP_DIR now (safe while the bot runs)")
    restore = sub.add_parser("restore", help="replace the database with a backup (stop the bot first)")
    restore.add_argument("file", type=Path, help="a backup file, e.g. data/backups/resilience-....db")


def run(
    args: argparse.Namespace, settings: Settings, out: TextIO = sys.stdout, err: TextIO = sys.stderr
) -> int:
    try:
        if args.command == "keys" and args.keys_command == "generate":
            print(generate_key(), file=out)
            return EXIT_OK
        if args.command == "keys":
            return asyncio.run(_rotate(settings, args.new_key, out))
        now = datetime.now(UTC)  # the CLI has no bot clock; this only names the file
        if args.command == "backup":
            path = backups.backup_file(settings.database_path, settings.backup_dir, settings.backup_keep, now)
            print(f"backed up to {path}", file=out)
            return EXIT_OK
        if args.command == "restore":
            safety = backups.restore_file(
                args.file, settings.database_path, settings.backup_dir, settings.backup_keep, now
            )
            print(f"restored {settings.database_path} from {args.file}", file=out)
            if safety is not None:
                print(f"the database as it was is saved in {safety}", file=out)
            return EXIT_OK
    except (backups.BackupError, EncryptionKeyError) as error:
        print(f"error: {error}", file=err)
        return EXIT_FAILED
    raise AssertionError(f"unknown command {args.command}")


async def rotate_database(database_path: Path, old_value: str, new_key: str) -> dict[str, int]:
    """Re-encrypt every registered column under ``new_key``; the bot must not be running."""
    from bot.db import SqliteDatabase
    from bot.privacy.store import PrivacyRepository

    check_keys(new_key)
    old = Cipher.from_value(old_value)
    both = Cipher([new_key, *split_keys(old_value)])
    with backups.holding(database_path):
        db = SqliteDatabase(database_path)
        await db.connect()
        try:
            await db.migrate()
            repo = PrivacyRepository(db)
            check = await repo.key_check()
            if check is not None:
                old.verify(check)
            return await repo.reencrypt(both.rotate, Cipher([new_key]).key_check_token())
        finally:
            await db.close()


async def _rotate(settings: Settings, new_key: str | None, out: TextIO) -> int:
    if settings.encryption_key is None:
        raise EncryptionKeyError("ENCRYPTION_KEY: set the current key first; rotation needs it to read")
    key = new_key or generate_key()
    try:
        counts = await rotate_database(
            settings.database_path, settings.encryption_key.get_secret_value(), key
        )
    except ValueError as error:
        raise EncryptionKeyError(f"--new-key: {error}") from None
    total = sum(counts.values())
    print(f"re-encrypted {total} values under the new key.", file=out)
    print("Put this in ENCRYPTION_KEY now (the old key no longer reads anything):", file=out)
    print(key, file=out)
    return EXIT_OK
