"""OUTBOX_RATE, OUTBOX_CONCURRENCY and OUTBOX_RETRY_MINUTES reach the outbox built by create_bot."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.app import create_bot, outbox_config_from
from bot.core.clock import FakeClock
from bot.core.settings import Settings, SettingsError, load_settings


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("OUTBOX_RATE", "OUTBOX_CONCURRENCY", "OUTBOX_RETRY_MINUTES"):
        monkeypatch.delenv(name, raising=False)


def test_defaults() -> None:
    config = outbox_config_from(Settings())
    assert config.global_rate == 50.0
    assert config.concurrency == 16
    assert config.retry_for == timedelta(minutes=30)


def test_environment_reaches_the_bot(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, clock: FakeClock
) -> None:
    monkeypatch.setenv("OUTBOX_RATE", "20")
    monkeypatch.setenv("OUTBOX_CONCURRENCY", "4")
    monkeypatch.setenv("OUTBOX_RETRY_MINUTES", "5")
    bot = create_bot(load_settings(database_path=tmp_path / "x.db"), clock=clock)
    assert bot.outbox.config.global_rate == 20.0
    assert bot.outbox.config.concurrency == 4
    assert bot.outbox.config.retry_for == timedelta(minutes=5)
    assert bot.outbox.pacer.ceiling == 20.0


@pytest.mark.parametrize(
    ("variable", "value"),
    [("OUTBOX_RATE", "0"), ("OUTBOX_CONCURRENCY", "none"), ("OUTBOX_RETRY_MINUTES", "-1")],
)
def test_a_bad_value_names_the_variable(monkeypatch: pytest.MonkeyPatch, variable: str, value: str) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError, match=f"^{variable}: "):
        load_settings()
