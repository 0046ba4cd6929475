"""PostgreSQL-only tests run where the server answers (``--backend=postgres|both``), else say so."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import selected_backends
from tests.support.pg import PG_URL, fresh_schema

_NOT_RUN: list[int] = []


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if "postgres" in selected_backends(config):
        return
    needs = [i for i in items if "pg_url" in getattr(i, "fixturenames", ())]
    if needs:
        items[:] = [i for i in items if i not in needs]
        config.hook.pytest_deselected(items=needs)
        _NOT_RUN.append(len(needs))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _NOT_RUN:
        terminalreporter.write_line(
            f"PostgreSQL tests did NOT run ({sum(_NOT_RUN)} deselected): pass --backend=both with "
            f"PostgreSQL at {PG_URL} (or RESILIENCE_TEST_PG_URL).",
            yellow=True,
            bold=True,
        )


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A DATABASE_URL for a fresh, empty PostgreSQL schema."""
    with fresh_schema() as url:
        yield url
