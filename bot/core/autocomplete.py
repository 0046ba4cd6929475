"""Autocomplete callbacks shared by several commands."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands

from bot.core.countries import search_countries
from bot.core.timezones import search_zones


async def zone_autocomplete(
    _interaction: discord.Interaction[Any], current: str
) -> list[app_commands.Choice[str]]:
    """IANA zones matching what was typed ("london", "new york")."""
    return [app_commands.Choice(name=z, value=z) for z in search_zones(current, limit=25)]


async def country_autocomplete(
    _interaction: discord.Interaction[Any], current: str
) -> list[app_commands.Choice[str]]:
    """Countries by name or code, offered as "United States (US)"."""
    return [
        app_commands.Choice(name=f"{name} ({code})"[:100], value=code)
        for code, name in search_countries(current)
    ]
