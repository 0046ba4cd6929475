"""Operator settings: keywords, environment and .env; a bad value names its variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.settings import Settings, SettingsError, load_settings


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    for name in [
        "DISCORD_TOKEN",
        "DATABASE_PATH",
        "LOG_LEVEL",
        "DEV_GUILD_ID",
        "DEFAULT_TIMEZONE",
        "OWNER_IDS",
    ]:
        monkeypatch.delenv(name, raising=False)


def test_defaults_mean_demo_mode():
    settings = load_settings()
    assert settings.demo_mode
    assert settings.database_path == Path("data/resilience.db")
    assert settings.default_timezone == "UTC"


def test_every_setting_is_a_keyword():
    settings = Settings(
        discord_token="abc",
        database_path=Path("x.db"),
        log_level="debug",
        dev_guild_id=42,
        default_timezone="Europe/London",
        owner_ids="1, 2",
    )
    assert not settings.demo_mode
    assert settings.log_level == "DEBUG"
    assert settings.owner_ids == frozenset({1, 2})


def test_environment_and_dotenv(monkeypatch, tmp_path):
    (tmp_path / ".env").write_text("DISCORD_TOKEN=from-dotenv\nDEFAULT_TIMEZONE=America/New_York\n")
    monkeypatch.setenv("OWNER_IDS", "7")
    settings = load_settings()
    assert settings.discord_token is not None
    assert settings.discord_token.get_secret_value() == "from-dotenv"
    assert settings.default_timezone == "America/New_York"
    assert settings.owner_ids == frozenset({7})


def test_empty_token_means_demo(monkeypatch):
    monkeypatch.setenv("DISCORD_TOKEN", "  ")
    assert load_settings().demo_mode


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("LOG_LEVEL", "LOUD", "LOG_LEVEL: must be one of"),
        ("DEFAULT_TIMEZONE", "Mars/Base", "DEFAULT_TIMEZONE: 'Mars/Base' is not an IANA timezone"),
        ("OWNER_IDS", "12,abc", "OWNER_IDS: must be Discord user ids"),
        ("DEV_GUILD_ID", "xyz", "DEV_GUILD_ID:"),
        ("CATCHUP_GRACE_MINUTES", "-5", "CATCHUP_GRACE_MINUTES:"),
    ],
)
def test_bad_value_is_one_line_naming_the_variable(monkeypatch, variable, value, expected):
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    message = str(caught.value)
    assert message.startswith(expected)
    assert "\n" not in message


def test_token_never_appears_in_repr_or_errors(monkeypatch):
    secret = "MTIzNDU2Nzg5.secret-token-value"
    settings = Settings(discord_token=secret)
    assert secret not in repr(settings)
    assert secret not in str(settings.model_dump())
    monkeypatch.setenv("DISCORD_TOKEN", secret)
    monkeypatch.setenv("LOG_LEVEL", "LOUD")
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert secret not in str(caught.value)
