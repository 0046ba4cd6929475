"""ISO 3166-1 alpha-2 country codes, from the tz database's own table (the tzdata package)."""

from __future__ import annotations

from functools import cache
from importlib import resources

from bot.core.errors import UserError


@cache
def countries() -> dict[str, str]:
    """Code → English name, e.g. ``{"GB": "Britain (UK)", ...}``."""
    text = (resources.files("tzdata.zoneinfo") / "iso3166.tab").read_text(encoding="utf-8")
    table: dict[str, str] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            code, name = line.split("\t", 1)
            table[code.strip()] = name.strip()
    return table


def validate_country(code: str) -> str:
    """An upper-case alpha-2 code, or a kind error with an example."""
    cleaned = code.strip().upper()
    if cleaned == "UK":
        cleaned = "GB"
    if cleaned not in countries():
        shown = code.strip().replace("`", "'")[:20] or "an empty answer"
        raise UserError(
            f"`{shown}` isn't a two-letter country code I know. Try `GB` for the United Kingdom "
            "or `US` for the United States."
        )
    return cleaned


def search_countries(query: str, limit: int = 25) -> list[tuple[str, str]]:
    """``(code, name)`` pairs whose code or name matches what was typed."""
    q = query.strip().lower()
    table = countries()
    if not q:
        return sorted(table.items(), key=lambda kv: kv[1])[:limit]
    exact = [(c, n) for c, n in table.items() if c.lower() == q]
    starts = [(c, n) for c, n in table.items() if n.lower().startswith(q) and (c, n) not in exact]
    inside = [(c, n) for c, n in table.items() if q in n.lower() and (c, n) not in exact + starts]
    return (exact + sorted(starts, key=lambda kv: kv[1]) + sorted(inside, key=lambda kv: kv[1]))[:limit]
