"""IANA timezone names: validation and a forgiving search for autocomplete."""

from __future__ import annotations

import difflib
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.core.errors import UserError

# Common ways people name a zone that is not a city in its IANA name.
_ALIASES = {
    "uk": "Europe/London",
    "britain": "Europe/London",
    "england": "Europe/London",
    "ireland": "Europe/Dublin",
    "eastern": "America/New_York",
    "central": "America/Chicago",
    "mountain": "America/Denver",
    "pacific": "America/Los_Angeles",
    "india": "Asia/Kolkata",
    "germany": "Europe/Berlin",
    "france": "Europe/Paris",
    "spain": "Europe/Madrid",
    "netherlands": "Europe/Amsterdam",
    "japan": "Asia/Tokyo",
    "singapore": "Asia/Singapore",
    "new zealand": "Pacific/Auckland",
    "philippines": "Asia/Manila",
    "mexico": "America/Mexico_City",
    "brazil": "America/Sao_Paulo",
    "utc": "UTC",
    "gmt": "Etc/GMT",
}


@cache
def all_zones() -> tuple[str, ...]:
    """Every IANA name people would pick: no legacy ``posix/`` or ``right/`` copies."""
    zones = {z for z in available_timezones() if not z.startswith(("posix", "right", "SystemV"))}
    return tuple(sorted(zones))


def _plain(text: str) -> str:
    return text.strip().lower().replace("_", " ").replace("-", " ")


def search_zones(query: str, limit: int = 25) -> list[str]:
    """Zones matching what a person typed: "london", "new york", "Europe/Be"."""
    q = _plain(query)
    if not q:
        popular = ["Europe/London", "America/New_York", "America/Chicago", "America/Los_Angeles"]
        return popular + ["Europe/Berlin", "Asia/Kolkata", "Australia/Sydney", "UTC"][: limit - 4]
    scored: list[tuple[int, str]] = []
    alias = _ALIASES.get(q)
    if alias:
        scored.append((-1, alias))
    for zone in all_zones():
        plain = _plain(zone)
        city = plain.rsplit("/", 1)[-1]
        if city == q:
            scored.append((0, zone))
        elif city.startswith(q):
            scored.append((1, zone))
        elif plain.startswith(q):
            scored.append((2, zone))
        elif q in plain:
            scored.append((3, zone))
    seen: set[str] = set()
    result: list[str] = []
    for _, zone in sorted(scored):
        if zone not in seen:
            seen.add(zone)
            result.append(zone)
    if not result:
        cities = {_plain(z).rsplit("/", 1)[-1]: z for z in all_zones()}
        result = [cities[c] for c in difflib.get_close_matches(q, list(cities), n=limit, cutoff=0.6)]
    return result[:limit]


def validate_zone(name: str) -> ZoneInfo:
    """A ZoneInfo for an exact name (or alias), or a kind error with close matches."""
    cleaned = name.strip()
    resolved = _ALIASES.get(_plain(cleaned), cleaned)
    if resolved in all_zones():
        try:
            return ZoneInfo(resolved)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    exact = [z for z in all_zones() if z.lower() == resolved.lower()]
    if exact:
        return ZoneInfo(exact[0])
    # A city typed without its region ("new york", "London") is unambiguous often enough.
    cities = [z for z in all_zones() if _plain(z).rsplit("/", 1)[-1] == _plain(cleaned)]
    if len(cities) == 1:
        return ZoneInfo(cities[0])
    matches = search_zones(cleaned, limit=3)
    hint = f" Did you mean {', '.join(f'`{m}`' for m in matches)}?" if matches else ""
    shown = cleaned.replace("`", "'")[:40] or "that"
    raise UserError(f"I don't know the timezone `{shown}`.{hint} Names look like `Europe/London`.")
