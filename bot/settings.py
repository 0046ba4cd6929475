"""``bot.settings`` is a public import path (outside tools use it): the settings live in core."""

from bot.core.settings import *  # noqa: F403
from bot.core.settings import Settings

__all__ = ["Settings"]
