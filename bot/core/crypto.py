"""Encryption at rest for free text (notes, goals, safety plans) with Fernet keys from settings.

``ENCRYPTION_KEY`` holds one key, or several separated by commas (newest first) while a rotation
is under way: new text is always encrypted with the first; any of them can decrypt.

Features wrap their free-text columns with the cipher installed for their database::

    from bot.core.crypto import cipher_of
    note = cipher_of(self.db).encrypt(note)          # before INSERT/UPDATE
    note = cipher_of(self.db).decrypt(row["note"])   # after SELECT

and list the column in :data:`ENCRYPTED_COLUMNS` so ``resilience-bot keys rotate``, export and
the encryption tests know about it.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

# Every encrypted (table, column): the one place rotation, export and tests read.
ENCRYPTED_COLUMNS: tuple[tuple[str, str], ...] = (
    ("checkins", "note"),
    ("community_goals", "text"),
    ("community_goals", "note"),
    ("community_wins", "what"),
    ("pair_optins", "goal"),
    ("safety_plans", "sections"),
)

# Fernet tokens are url-safe base64 of a version byte 0x80: they always start like this.
TOKEN_PREFIX = "gAAAAA"  # noqa: S105 (a format marker, not a secret)
KEY_CHECK_TEXT = "resilience-bot key check"


class EncryptionKeyError(Exception):
    """A missing, malformed or wrong ``ENCRYPTION_KEY``; the message names it and says what to do."""


def generate_key() -> str:
    """A new random key, printable, for ``ENCRYPTION_KEY``."""
    return Fernet.generate_key().decode("ascii")


def split_keys(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


# The end of every malformed-key message; `keys rotate` says something else instead.
KEY_HINT = "make one with `resilience-bot keys generate`"


def check_keys(value: str) -> list[str]:
    """Validate an ``ENCRYPTION_KEY`` value without revealing it in the error."""
    keys = split_keys(value)
    if not keys:
        raise ValueError(f"is empty; {KEY_HINT}")
    for number, key in enumerate(keys, start=1):
        try:
            Fernet(key.encode("ascii"))
        except (ValueError, UnicodeEncodeError):
            raise ValueError(
                f"key {number} is not a Fernet key (44 characters of url-safe base64); {KEY_HINT}"
            ) from None
    return keys


def looks_encrypted(value: str) -> bool:
    return value.startswith(TOKEN_PREFIX)


class Cipher:
    """Encrypts with the first key, decrypts with any."""

    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise EncryptionKeyError("ENCRYPTION_KEY: no key given")
        self._fernet = MultiFernet([Fernet(k.encode("ascii")) for k in keys])

    @classmethod
    def from_value(cls, value: str) -> Cipher:
        try:
            return cls(check_keys(value))
        except ValueError as error:
            raise EncryptionKeyError(f"ENCRYPTION_KEY: {error}") from None

    def encrypt(self, text: str) -> str:
        return self._fernet.encrypt(text.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        """Strict: a value that does not decrypt with these keys is an error, never passed through."""
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except (InvalidToken, UnicodeEncodeError):
            raise EncryptionKeyError(
                "ENCRYPTION_KEY: stored text cannot be decrypted with this key (wrong key, or the "
                "old key was dropped before `resilience-bot keys rotate` finished)"
            ) from None

    def encrypt_optional(self, text: str | None) -> str | None:
        return None if text is None else self.encrypt(text)

    def decrypt_optional(self, token: str | None) -> str | None:
        return None if token is None else self.decrypt(token)

    def reveal(self, value: Any) -> Any:
        """For export: decrypt tokens, and pass through values a feature has not encrypted yet."""
        if isinstance(value, str) and looks_encrypted(value):
            return self.decrypt(value)
        return value

    def rotate(self, value: str) -> str:
        """Re-encrypt under the first key; plaintext left from before encryption is encrypted."""
        if looks_encrypted(value):
            return self._fernet.rotate(value.encode("ascii")).decode("ascii")
        return self.encrypt(value)

    def key_check_token(self) -> str:
        return self.encrypt(KEY_CHECK_TEXT)

    def verify(self, token: str) -> None:
        """Raise a clear error when ``token`` (written at an earlier start) is not ours."""
        try:
            ok = self.decrypt(token) == KEY_CHECK_TEXT
        except EncryptionKeyError:
            ok = False
        if not ok:
            raise EncryptionKeyError(
                "ENCRYPTION_KEY: this is not the key this database was encrypted with. Put the "
                "original key back (or 'new,old' during a rotation); nothing was changed."
            )


# The cipher each database uses, so repositories reach it through the ``db`` they already hold.
_INSTALLED: weakref.WeakKeyDictionary[Any, Cipher] = weakref.WeakKeyDictionary()
# Demo and test runs (no token) get a throwaway key, kept per database file for this process so
# a simulated restart can still read what the previous instance wrote.
_EPHEMERAL: dict[str, str] = {}


def install(db: Any, cipher: Cipher) -> None:
    _INSTALLED[db] = cipher


def cipher_of(db: Any) -> Cipher:
    """The cipher installed for ``db`` by the privacy extension at start-up."""
    try:
        return _INSTALLED[db]
    except KeyError:
        raise EncryptionKeyError(
            "ENCRYPTION_KEY: no cipher is installed for this database (the privacy extension "
            "loads it at start-up; storage tests call bot.privacy.crypto.install_ephemeral(db))"
        ) from None


def ephemeral_key(database_path: str) -> str:
    return _EPHEMERAL.setdefault(database_path, generate_key())


def install_ephemeral(db: Any, database_path: str = ":memory:") -> Cipher:
    """For tests and the offline demo: a throwaway key for this database."""
    cipher = Cipher([ephemeral_key(database_path)])
    install(db, cipher)
    return cipher


def cipher_for_settings(encryption_key: str | None, *, demo_mode: bool, database_path: str) -> Cipher:
    """The configured cipher; a missing key is an error unless this is the offline demo or a test."""
    if encryption_key:
        return Cipher.from_value(encryption_key)
    if demo_mode:
        return Cipher([ephemeral_key(database_path)])
    raise EncryptionKeyError(
        "ENCRYPTION_KEY: needed to connect to Discord, so members' notes are encrypted at rest. "
        "Make one with `resilience-bot keys generate`, put it in .env, and keep a copy safe: "
        "without it the stored notes cannot be read."
    )
