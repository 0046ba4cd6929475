"""Expected problems a person can fix, shown to them as a short, kind, private message."""

from __future__ import annotations

from discord import app_commands


class UserError(Exception):
    """Something the person asked for cannot be done as asked; ``str(error)`` says why, kindly.

    Raised anywhere below a command; the tree's error handler turns it into an ephemeral reply
    and nothing is changed.
    """


class GuildOnly(UserError, app_commands.CheckFailure):
    """A server-only action tried in a DM."""

    def __init__(self) -> None:
        super().__init__("This works inside your group's server. Try it there.")
