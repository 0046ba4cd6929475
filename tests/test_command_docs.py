"""The README's command reference is generated from the command tree and kept in step with it."""

from __future__ import annotations

from bot.command_docs import README, TABLE_END, TABLE_START, command_docs, current_docs, readme_with_table


async def test_the_readme_command_table_matches_the_command_tree():
    docs = await current_docs()
    readme = README.read_text(encoding="utf-8")
    assert readme_with_table(readme, docs) == readme, "run: python -m bot.command_docs"


async def test_the_table_names_who_and_where_from_the_commands_own_checks():
    docs = {d.name: d for d in await current_docs()}
    # A member command usable in DMs, a server-only member command, a facilitator command,
    # an admin command and the owner's.
    assert (docs["/checkin now"].who, docs["/checkin now"].where) == ("member", "server, DMs")
    assert (docs["/goal set"].who, docs["/goal set"].where) == ("member", "server")
    assert docs["/crisis automod"].who == "facilitator"
    assert docs["/setup channel"].who == "admin"
    assert docs["/status"].who == "bot owner"
    # Groups are not rows of their own: each of their subcommands is.
    assert "/setup" not in docs and "/crisis" not in docs


async def test_a_changed_command_makes_the_committed_table_stale(simcord_bot):
    """What the test above would catch: a command added to the tree changes the table."""
    from discord import app_commands

    @app_commands.command(name="brand-new", description="Something just added")
    async def brand_new(interaction) -> None:  # type: ignore[no-untyped-def]
        return None

    simcord_bot.tree.add_command(brand_new)
    docs = command_docs(simcord_bot.tree)
    assert any(d.name == "/brand-new" and d.who == "member" for d in docs)
    readme = f"intro\n{TABLE_START}\n| old |\n{TABLE_END}\nrest\n"
    fresh = readme_with_table(readme, docs)
    assert "| `/brand-new` | member | server | Something just added |" in fresh
    assert fresh.startswith(f"intro\n{TABLE_START}\n") and fresh.endswith(f"{TABLE_END}\nrest\n")
