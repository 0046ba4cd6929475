"""Every feature loads, and no two features claim the same command name."""

from __future__ import annotations

from collections import Counter

from bot.app import discover_extensions


def test_every_cog_module_is_discovered():
    extensions = discover_extensions()
    assert "cogs.setup" in extensions and "cogs.timezone" in extensions


async def test_all_extensions_load_and_command_names_are_unique(simcord_env, simcord_bot):
    loaded = set(simcord_bot.extensions)
    assert set(discover_extensions()) <= loaded
    names = Counter(command.name for command in simcord_bot.tree.get_commands())
    assert [name for name, count in names.items() if count > 1] == []
    for command in simcord_bot.tree.walk_commands():
        assert 1 <= len(command.name) <= 32 and command.name == command.name.lower()
        assert len(command.description) <= 100


async def test_commands_are_synced_once_and_not_again_when_unchanged(simcord_env, simcord_bot):
    assert simcord_bot.synced_commands
    assert await simcord_bot.sync_commands(force=False) == 0
    assert await simcord_bot.sync_commands(force=True) > 0
