"""Operator settings: keywords, environment and .env; a bad value names its variable."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.core.settings import (
    Settings,
    SettingsError,
    closest_variable,
    dotenv_warnings,
    load_settings,
    variable_names,
)
from bot.core.settings_docs import TABLE_END, TABLE_START, env_example, readme_with_table


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    for name in variable_names():
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


# -- a misspelt variable, and the documentation generated from Settings --------------------------

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ("DEFUALT_TIMEZONE", "DEFAULT_TIMEZONE"),
        ("LOGLEVEL", "LOG_LEVEL"),
        ("encryptoin_key", "ENCRYPTION_KEY"),
        ("OWNER_ID", "OWNER_IDS"),
        ("TIMEZONE", "DEFAULT_TIMEZONE"),
        ("DISCORD_BOT_TOKEN", "DISCORD_TOKEN"),
    ],
)
def test_a_near_miss_names_the_setting_it_meant(written, meant):
    assert closest_variable(written) == meant


@pytest.mark.parametrize(
    "name", ["DEFAULT_TIMEZONE", "log_level", "POSTGRES_PASSWORD", "COMPOSE_PROJECT_NAME"]
)
def test_settings_and_other_tools_variables_are_not_near_misses(name):
    assert closest_variable(name) is None


def test_a_misspelt_variable_in_dotenv_is_one_warning_line(tmp_path):
    (tmp_path / ".env").write_text(
        "DEFUALT_TIMEZONE=Europe/Paris\nLOG_LEVEL=INFO\nPOSTGRES_PASSWORD=x\n", encoding="utf-8"
    )
    assert dotenv_warnings() == [
        ".env: DEFUALT_TIMEZONE is not a setting, so it is ignored; did you mean DEFAULT_TIMEZONE?"
    ]
    # ... and it really is ignored: the default stands.
    assert load_settings().default_timezone == "UTC"


def test_no_dotenv_no_warnings():
    assert dotenv_warnings() == []


def test_every_setting_has_a_description():
    assert all(info.description for info in Settings.model_fields.values())


def test_committed_env_example_is_the_generated_one():
    committed = (ROOT / ".env.example").read_text(encoding="utf-8")
    assert committed == env_example(), "run: python -m bot.core.settings_docs"


def test_env_example_names_every_setting_with_the_real_default(tmp_path):
    text = env_example()
    for name in variable_names():
        assert f"{name}=" in text
    # Uncomment every line: what an operator gets is exactly the defaults.
    lines = [line.removeprefix("# ") for line in text.splitlines() if re.match(r"^(# )?[A-Z_]+=", line)]
    (tmp_path / ".env").write_text("\n".join(lines) + "\n", encoding="utf-8")
    from_example = Settings()  # reads ./.env (the autouse fixture chdir'd to tmp_path)
    defaults = Settings(_env_file=None)
    for field in Settings.model_fields:
        got, want = getattr(from_example, field), getattr(defaults, field)
        if field == "content_path":  # written relative to a fresh clone
            assert (ROOT / got).resolve() == want.resolve()
        else:
            assert got == want, field
    assert "# DEFAULT_TIMEZONE=UTC\n" in text


def test_readme_configuration_table_is_the_generated_one():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert TABLE_START in readme and TABLE_END in readme
    assert readme_with_table(readme) == readme, "run: python -m bot.core.settings_docs"
    table = readme.split(TABLE_START, 1)[1].split(TABLE_END, 1)[0]
    named = re.findall(r"^\| `([A-Z_]+)` \|", table, flags=re.MULTILINE)
    assert named == variable_names()
    assert "| `DEFAULT_TIMEZONE` | `UTC` |" in table


def test_the_generator_rewrites_a_stale_table():
    stale = f"intro\n{TABLE_START}\n| `OLD` | x | y |\n{TABLE_END}\nrest\n"
    fresh = readme_with_table(stale)
    assert fresh.startswith(f"intro\n{TABLE_START}\n| Variable |")
    assert fresh.endswith(f"{TABLE_END}\nrest\n")
    assert "`OLD`" not in fresh
    with pytest.raises(ValueError, match="markers"):
        readme_with_table("no markers here")


def test_the_shim_keeps_working():
    import bot.settings

    assert bot.settings.Settings is Settings
    assert bot.settings.load_settings is load_settings
