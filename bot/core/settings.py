"""Operator settings, read from the environment and `.env`, or passed as keywords."""

from __future__ import annotations

import difflib
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

if TYPE_CHECKING:
    from bot.db.url import DatabaseUrl

LOG_LEVELS = ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG")
SHIPPED_CONTENT = Path(__file__).resolve().parents[2] / "content"


class Settings(BaseSettings):
    """Every setting the bot reads. Each can be given as a keyword (tests) or an env variable."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
        validate_default=True,
    )

    # Each field's description is its documentation: `.env.example` and the README's
    # configuration table are generated from them (bot/core/settings_docs.py). Extra keys:
    # ``fill_in`` (left uncommented in .env.example: the operator fills it in), ``example``
    # (the default as written in .env, when the real one is computed) and ``shown`` (the
    # README's default column, when an empty default means something).
    discord_token: SecretStr | None = Field(
        default=None,
        description="The bot's token (Developer Portal → your application → Bot → Reset Token). "
        "Empty: `make run` plays the offline demo instead of connecting. Never logged.",
        json_schema_extra={"fill_in": True},
    )
    encryption_key: SecretStr | None = Field(
        default=None,
        description="Fernet key that encrypts members' notes, goals and safety plans at rest; "
        "required with DISCORD_TOKEN. Make one with `resilience-bot keys generate` and keep a copy "
        "safe: without it the stored notes cannot be read. During a rotation: new,old.",
        json_schema_extra={"fill_in": True, "shown": "*(required with a token)*"},
    )
    database_path: Path = Field(
        default=Path("data/resilience.db"),
        description="The SQLite database file; back it up (it holds members' check-ins). "
        "An unwritable or damaged file is a clear start-up error.",
    )
    default_timezone: str = Field(
        default="UTC", description="IANA timezone for groups that have not run `/setup timezone` yet."
    )
    log_level: str = Field(
        default="INFO",
        description="CRITICAL, ERROR, WARNING, INFO or DEBUG. Message text is never logged at any level.",
    )
    log_format: Literal["text", "json"] = Field(
        default="text",
        description="text (one readable line per record) or json (one JSON object per line, for log "
        "collectors).",
    )
    dev_guild_id: int | None = Field(
        default=None,
        description="While trying the bot out: your server's id, so slash commands appear there at "
        "once. Leave empty in production to register them globally.",
    )
    owner_ids: Annotated[frozenset[int], NoDecode] = Field(
        default=frozenset(),
        description="Comma-separated Discord user ids allowed operator commands such as "
        "`@Resilience Bot sync`.",
        json_schema_extra={"shown": "*(empty: the application's owner)*"},
    )
    content_path: Path = Field(
        default=SHIPPED_CONTENT,
        description="The content folder: skills, prompts, emotions, crisis data and the group agreement.",
        json_schema_extra={"example": "content", "shown": "`content` (the shipped folder)"},
    )
    catchup_grace_minutes: int = Field(
        default=120,
        ge=0,
        le=7 * 24 * 60,
        description="After downtime, a scheduled post or queued message this many minutes late still "
        "goes out (once); older ones are skipped with a log line (crisis replies and alerts never are).",
    )
    backup_dir: Path = Field(
        default=Path("data/backups"), description="Where the nightly online backup of the database goes."
    )
    backup_keep: int = Field(default=7, ge=1, le=365, description="How many backups to keep.")
    database_url: str | None = Field(
        default=None,
        description="sqlite:///path, or at scale postgresql://user@host:5432/db (see *Running at scale*).",
        json_schema_extra={"shown": "*(SQLite at DATABASE_PATH)*"},
    )
    shard_count: int | None = Field(
        default=None,
        ge=1,
        le=10_000,
        description="Total number of gateway shards across all processes.",
        json_schema_extra={"shown": "*(not sharded)*"},
    )
    shard_ids: Annotated[tuple[int, ...] | None, NoDecode] = Field(
        default=None,
        description="Comma-separated shards this process runs, e.g. 0,1 (needs SHARD_COUNT).",
        json_schema_extra={"shown": "*(all of SHARD_COUNT)*"},
    )
    outbox_rate: float = Field(
        default=50.0,
        gt=0,
        le=10_000,
        description="Requests per second the send queue allows itself (Discord's global limit is 50).",
    )
    outbox_concurrency: int = Field(
        default=16, ge=1, le=1_000, description="How many queued sends may be in flight at once."
    )
    outbox_retry_minutes: int = Field(
        default=30,
        ge=1,
        le=7 * 24 * 60,
        description="How long server errors and timeouts are retried before a send is marked failed "
        "(and shown in `/status`).",
    )
    message_content_intent: bool = Field(
        default=True,
        description="false: run without Discord's Message Content intent (apps in 100+ servers must "
        "apply for it). Crisis language is then noticed only in DMs to the bot, in messages that "
        "mention it, and through the AutoMod rule `/crisis automod on` creates.",
    )
    metrics_port: int | None = Field(
        default=None,
        ge=0,
        le=65_535,
        description="Serve Prometheus metrics at /metrics and a health check at /healthz on this port "
        "(0: any free port). Empty: no metrics server.",
        json_schema_extra={"shown": "*(off)*"},
    )
    metrics_host: str = Field(
        default="127.0.0.1",
        description="The address the metrics server listens on (0.0.0.0 exposes it beyond this machine).",
    )
    metrics_per_guild: bool = Field(
        default=False,
        description="Add a guild id label to the per-group metrics (sends, alerts). Never a member id.",
    )

    @field_validator("discord_token", mode="before")
    @classmethod
    def _empty_token_is_none(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("encryption_key", mode="before")
    @classmethod
    def _check_encryption_key(cls, value: Any) -> Any:
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        if isinstance(value, str):
            if not value.strip():
                return None
            from bot.core.crypto import check_keys

            check_keys(value)  # the message never includes the key
        return value

    @field_validator("dev_guild_id", "metrics_port", mode="before")
    @classmethod
    def _empty_guild_is_none(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("log_level")
    @classmethod
    def _check_log_level(cls, value: str) -> str:
        upper = value.strip().upper()
        if upper not in LOG_LEVELS:
            raise ValueError(f"must be one of {', '.join(LOG_LEVELS)}")
        return upper

    @field_validator("default_timezone")
    @classmethod
    def _check_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value.strip())
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not an IANA timezone name, e.g. Europe/London") from None
        return value.strip()

    @field_validator("owner_ids", mode="before")
    @classmethod
    def _split_owner_ids(cls, value: Any) -> Any:
        if isinstance(value, str):
            parts = [p.strip() for p in value.replace(";", ",").split(",") if p.strip()]
            try:
                return frozenset(int(p) for p in parts)
            except ValueError:
                raise ValueError("must be Discord user ids separated by commas, e.g. 1234,5678") from None
        if isinstance(value, int):
            return frozenset({value})
        return value

    @field_validator("database_url", mode="before")
    @classmethod
    def _check_database_url(cls, value: Any) -> Any:
        if isinstance(value, str):
            if not value.strip():
                return None
            from bot.db.url import parse_database_url

            parse_database_url(value)  # the message never includes a password
            return value.strip()
        return value

    @field_validator("shard_count", mode="before")
    @classmethod
    def _empty_shard_count_is_none(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("shard_ids", mode="before")
    @classmethod
    def _split_shard_ids(cls, value: Any) -> Any:
        if isinstance(value, str):
            parts = [p.strip() for p in value.split(",") if p.strip()]
            if not parts:
                return None
            try:
                return tuple(int(p) for p in parts)
            except ValueError:
                raise ValueError("must be shard numbers separated by commas, e.g. 0,1") from None
        if isinstance(value, int):
            return (value,)
        return value

    @model_validator(mode="after")
    def _check_shards(self) -> Settings:
        if self.shard_ids is not None:
            if self.shard_count is None:
                raise ValueError("SHARD_IDS: needs SHARD_COUNT too, e.g. SHARD_COUNT=4 SHARD_IDS=0,1")
            bad = [i for i in self.shard_ids if not 0 <= i < self.shard_count]
            if bad:
                raise ValueError(
                    f"SHARD_IDS: {bad[0]} is not a shard of SHARD_COUNT={self.shard_count} "
                    f"(use 0 to {self.shard_count - 1})"
                )
            if len(set(self.shard_ids)) != len(self.shard_ids):
                raise ValueError("SHARD_IDS: a shard is listed twice")
        return self

    @property
    def database(self) -> DatabaseUrl:
        """The parsed backend choice: DATABASE_URL if set, else SQLite at DATABASE_PATH."""
        from bot.db.url import parse_database_url, sqlite_url

        if self.database_url:
            return parse_database_url(self.database_url)
        return sqlite_url(self.database_path)

    @property
    def owned_shards(self) -> tuple[int, ...] | None:
        """The shards this process runs, or None when not sharded."""
        if self.shard_count is None:
            return None
        return self.shard_ids if self.shard_ids is not None else tuple(range(self.shard_count))

    @property
    def demo_mode(self) -> bool:
        """True when there is no token: the offline demo runs instead of connecting."""
        return self.discord_token is None

    @property
    def log_level_number(self) -> int:
        return logging.getLevelNamesMapping()[self.log_level]


class SettingsError(Exception):
    """A bad setting; the message is one line naming the variable and what is wrong."""


def load_settings(**overrides: Any) -> Settings:
    """Read settings, turning a validation failure into one line that names the variable.

    The message never includes the offending value for the token.
    """
    try:
        return Settings(**overrides)
    except ValidationError as error:
        first = error.errors()[0]
        name = str(first["loc"][0]).upper() if first["loc"] else "SETTINGS"
        message = str(first["msg"]).removeprefix("Value error, ")
        if not first["loc"] and message.startswith("SHARD_IDS: "):
            name, message = message.split(": ", 1)
        if name != "DISCORD_TOKEN" and "input" in first and first["type"].startswith(("int", "bool")):
            message = f"{message} (got {str(first['input'])[:40]!r})"
        raise SettingsError(f"{name}: {message}") from None


def variable_names() -> list[str]:
    """Every setting's environment variable, in the order they are documented."""
    return [name.upper() for name in Settings.model_fields]


def closest_variable(name: str) -> str | None:
    """The setting ``name`` was probably meant to be, or None when it does not look like one."""
    known = variable_names()
    upper = name.strip().upper()
    if not upper or upper in known:
        return None
    # A letter swapped or dropped (DEFUALT_TIMEZONE, LOGLEVEL, OWNER_ID): close as a whole.
    close = difflib.get_close_matches(upper, known, n=1, cutoff=0.7)
    if close:
        return close[0]
    # A name cut short (TIMEZONE, TOKEN): the end of exactly one setting.
    ends = [k for k in known if k.endswith(f"_{upper}")]
    return ends[0] if len(ends) == 1 else None


def dotenv_warnings(path: Path | None = None) -> list[str]:
    """One line per variable in ``.env`` that is not a setting but looks like one.

    Such a line is ignored, so the setting it meant silently keeps its default. Variables that
    look like none of ours (another tool's, sharing the file) pass without a word.
    """
    from dotenv import dotenv_values

    where = path or Path(str(Settings.model_config.get("env_file") or ".env"))
    if not where.is_file():
        return []
    try:
        names = list(dotenv_values(where, encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return []  # reading it for settings reports the problem
    warnings = []
    for name in names:
        meant = closest_variable(name)
        if meant is not None:
            warnings.append(f"{where}: {name} is not a setting, so it is ignored; did you mean {meant}?")
    return warnings
