"""Owner-only tools. Mention the bot: ``@Resilience Bot sync`` re-registers slash commands."""

from __future__ import annotations

from discord.ext import commands

from bot.core.bot import ResilienceBot


class Admin(commands.Cog):
    """Commands for the bot's operators (``OWNER_IDS``), not for group members."""

    def __init__(self, bot: ResilienceBot) -> None:
        self.bot = bot

    @commands.command(name="sync", hidden=True)
    @commands.is_owner()
    async def sync(self, ctx: commands.Context[ResilienceBot]) -> None:
        """Register the slash commands with Discord now, even if nothing changed."""
        count = await self.bot.sync_commands(force=True)
        await ctx.reply(f"Synced {count} commands.", mention_author=False)


async def setup(bot: ResilienceBot) -> None:
    await bot.add_cog(Admin(bot))
