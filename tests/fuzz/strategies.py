"""Hypothesis strategies for what a person could really type into a slash command or a form."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from hypothesis import strategies as st

# Discord accepts at most 6,000 characters in a string option without a declared max_length.
STRING_OPTION_LIMIT = 6000
# Integer options are limited to +-(2^53 - 1) by Discord.
INTEGER_LIMIT = 2**53 - 1

NASTY_FRAGMENTS = [
    "@everyone",
    "@here",
    "<@&{role}>",
    "<@{user}>",
    "<@!{user}>",
    "<#{channel}>",
    "'; DROP TABLE members; --",
    '" OR 1=1 --',
    "%s %d {0} {name}",
    "**bold** __under__ ~~strike~~ ||spoiler|| `code` ```py\nx\n```",
    "> quote",
    "# heading",
    "[link](https://example.com)",
    "\u200b",  # zero-width space
    "\u200d",  # zero-width joiner
    "\u202e",  # right-to-left override
    "\u200f",  # right-to-left mark
    "\ufeff",
    "مرحبا بالعالم",
    "שלום",
    "漢字かなカナ",
    "👩‍👩‍👧‍👦🏳️‍🌈",
    "Z̸̢̛a̶l̷g̵o̴",
    "0001-01-01",
    "9999-12-31",
    "1970-01-01",
    "2026-02-29",
    "2026-11-23",
    "tomorrow",
    "yesterday",
    "in 999999 days",
    "-1",
    "0",
    "99999999999999999999",
    "-9223372036854775808",
    "1e308",
    "NaN",
    "25:61",
    "24:00",
    "00:00",
    "09:00",
    "9am",
    "12:30pm",
    "Monday",
    "Europe/London",
    "Etc/GMT+14",
    "../../etc/passwd",
    "null",
    "None",
    " ",
]

# Values a command may well accept, so fuzzing reaches past the first validation too.
PLAUSIBLE = [
    "09:00",
    "8:30pm",
    "2026-12-24",
    "2027-01-01",
    "Europe/London",
    "America/New_York",
    "GB",
    "US",
    "monday",
    "mon,wed",
    "24",
    "24,2",
    "1",
    "breathing",
    "I walked for ten minutes @everyone",
    "Room 2 <@&{role}>",
]

_CHARS = st.characters(blacklist_categories=("Cs", "Cc"))


def nasty_text(ids: dict[str, int]) -> st.SearchStrategy[str]:
    """Mention and SQL injection, markdown, RTL and zero-width characters, odd dates and numbers."""

    def fill(template: str) -> str:
        for key, value in ids.items():
            template = template.replace("{" + key + "}", str(value))
        return template

    fragment = st.sampled_from(NASTY_FRAGMENTS).map(fill)
    return st.one_of(
        st.sampled_from(PLAUSIBLE).map(fill),
        fragment,
        st.lists(st.one_of(fragment, st.text(_CHARS, max_size=40)), min_size=1, max_size=8).map(" ".join),
        st.text(_CHARS, min_size=1, max_size=200),
        st.builds(lambda piece, n: piece * n, fragment, st.integers(1, 600)),
        st.sampled_from(["x" * STRING_OPTION_LIMIT, "@everyone " * 600, "\u200b" * STRING_OPTION_LIMIT]),
    )


def fit(text: str, low: int, high: int, *, multiline: bool = False) -> str:
    """What the client would send: trimmed, within the declared lengths, never empty."""
    if not multiline:
        text = text.replace("\n", " ")
    text = text.strip()[:high].strip()
    if len(text) < max(low, 1):
        text = (text + "x" * max(low, 1))[: max(high, 1)]
    return text


def string_value(param: app_commands.Parameter, ids: dict[str, int]) -> st.SearchStrategy[str]:
    if param.choices:
        return st.sampled_from([str(c.value) for c in param.choices])
    low = int(param.min_value or 0)
    high = int(param.max_value or STRING_OPTION_LIMIT)
    return nasty_text(ids).map(lambda t: fit(t, low, high))


def integer_value(param: app_commands.Parameter) -> st.SearchStrategy[int]:
    if param.choices:
        return st.sampled_from([int(c.value) for c in param.choices])
    low = int(param.min_value) if param.min_value is not None else -INTEGER_LIMIT
    high = int(param.max_value) if param.max_value is not None else INTEGER_LIMIT
    edges = [v for v in (low, high, 0, 1, -1, 2**31, -(2**31), 2**63 - 1) if low <= v <= high]
    return st.one_of(st.sampled_from(edges), st.integers(low, high))


def number_value(param: app_commands.Parameter) -> st.SearchStrategy[float]:
    if param.choices:
        return st.sampled_from([float(c.value) for c in param.choices])
    low = float(param.min_value) if param.min_value is not None else -1e15
    high = float(param.max_value) if param.max_value is not None else 1e15
    return st.floats(low, high, allow_nan=False, allow_infinity=False)


def option_value(
    param: app_commands.Parameter,
    ids: dict[str, int],
    handles: dict[discord.AppCommandOptionType, list[Any]],
) -> st.SearchStrategy[Any] | None:
    """A value the Discord client could send for ``param`` (None: we cannot make one)."""
    kind = param.type
    if kind is discord.AppCommandOptionType.string:
        return string_value(param, ids)
    if kind is discord.AppCommandOptionType.integer:
        return integer_value(param)
    if kind is discord.AppCommandOptionType.number:
        return number_value(param)
    if kind is discord.AppCommandOptionType.boolean:
        return st.booleans()
    choices = handles.get(kind)
    if choices:
        return st.sampled_from(choices)
    return None


def text_input_value(component: dict[str, Any], ids: dict[str, int]) -> st.SearchStrategy[str]:
    """A value for a modal text input within its declared lengths."""
    low = int(component.get("min_length") or 0)
    high = int(component.get("max_length") or 4000)
    required = bool(component.get("required", True))
    text = nasty_text(ids).map(lambda t: fit(t, low, high, multiline=True))
    if required:
        return text
    return st.one_of(st.just(""), text)
