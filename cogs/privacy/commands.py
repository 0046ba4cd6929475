"""Privacy and data rights: ``/privacy``, ``/mydata``, ``/agreement``, ``/retention``, ``/audit``.

At start-up the cog installs the cipher every feature encrypts its free text with and takes the
instance lock; the daily clean-up and backup are in ``jobs``, the views and forms in ``views``.
"""

from __future__ import annotations

import io
import logging
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.bot import ResilienceBot
from bot.core.checks import facilitator_only
from bot.core.consent import GroupAgreement, agreement_embed, answer_privately
from bot.core.crypto import cipher_for_settings, install
from bot.core.errors import UserError
from bot.core.member_groups import DM_CONTEXTS, GROUP_OPTION, GUILD_INSTALL, group_autocomplete
from bot.core.members import Member
from bot.core.schedule_rules import Rule
from bot.db import SqliteDatabase
from bot.privacy import backup as backups
from bot.privacy.erase import summarise
from bot.privacy.export import export_document, export_json, export_summary, reveal_rows
from bot.privacy.retention import BACKUP_KIND, PURGE_KIND, Retention, validate_days
from bot.privacy.store import PrivacyRepository
from cogs.privacy.jobs import BACKUP_AT, INSTANCE, PrivacyUpkeep
from cogs.privacy.views import AgreementModal, DeleteView, PrivacyView, privacy_embed

log = logging.getLogger(__name__)


# /mydata in a DM from someone in no group: there is nothing to show or delete.
NOTHING_STORED = (
    "I don't have you in any group, so I store nothing about you there. (A safety plan you wrote "
    "is yours alone: `/safetyplan` shows it.)"
)


def _here(interaction: discord.Interaction[Any], name: str) -> str:
    """ "in this group" in its server; in a DM, the group's name (the member may have several)."""
    return "in this group" if interaction.guild is not None else f"in **{name}**"


def _guild_id(interaction: discord.Interaction[Any]) -> int:
    if interaction.guild is None:
        raise UserError("This works inside your group's server. Try it there.")
    return interaction.guild.id


class Privacy(PrivacyUpkeep, commands.Cog):
    """A member's privacy choices and data rights; a group's agreement, retention and audit log."""

    mydata = app_commands.Group(
        name="mydata",
        description="See or delete what the bot stores about you",
        allowed_contexts=DM_CONTEXTS,
        allowed_installs=GUILD_INSTALL,
    )
    agreement = app_commands.Group(name="agreement", description="The group agreement", guild_only=True)
    retention = app_commands.Group(
        name="retention",
        description="How long the group's data is kept (facilitators)",
        guild_only=True,
        default_permissions=discord.Permissions(manage_guild=True),
    )

    def __init__(self, bot: ResilienceBot) -> None:
        self.bot = bot
        self.repo = PrivacyRepository(bot.db)
        self.lock = backups.InstanceLock(bot.settings.database_path)

    # -- start-up -----------------------------------------------------------------------------

    async def cog_load(self) -> None:
        settings = self.bot.settings
        key = settings.encryption_key.get_secret_value() if settings.encryption_key else None
        cipher = cipher_for_settings(
            key, demo_mode=settings.demo_mode, database_path=str(settings.database_path)
        )
        check = await self.repo.key_check()
        if check is None:
            await self.repo.set_key_check(cipher.key_check_token())
        else:
            cipher.verify(check)
        install(self.bot.db, cipher)
        self.cipher = cipher
        # PostgreSQL serves several processes at once and is backed up with pg_dump: the
        # single-instance file lock and the daily file backup are for SQLite only.
        file_db = isinstance(self.bot.db, SqliteDatabase)
        if file_db:
            try:
                self.lock.acquire()
            except backups.InstanceRunning:
                if not settings.demo_mode:
                    raise
                log.warning("another instance holds the database lock (fine in the demo and tests)")
        self.bot.scheduler.register(PURGE_KIND, self.purge)
        self.bot.scheduler.register(BACKUP_KIND, self.scheduled_backup)
        self.bot.on_config_change(self.ensure_schedule)
        existing_backup = await self.bot.scheduler.get(INSTANCE, BACKUP_KIND)
        if file_db and existing_backup is None:
            await self.bot.scheduler.set(INSTANCE, BACKUP_KIND, Rule.daily(BACKUP_AT, ZoneInfo("UTC")))
        elif not file_db and existing_backup is not None:  # e.g. copied over by migrate-db
            await self.bot.scheduler.remove(INSTANCE, BACKUP_KIND)
        for guild_id in await self.repo.guild_ids():
            await self.ensure_schedule(guild_id)

    async def cog_unload(self) -> None:
        self.bot.scheduler.unregister(PURGE_KIND)
        self.bot.scheduler.unregister(BACKUP_KIND)
        self.bot.remove_config_listener(self.ensure_schedule)
        self.lock.release()

    # -- /privacy -----------------------------------------------------------------------------

    @app_commands.command(name="privacy", description="See and change who sees what about you")
    @app_commands.guild_only()
    async def privacy(self, interaction: discord.Interaction[Any]) -> None:
        guild_id = _guild_id(interaction)

        async def show(inter: discord.Interaction[Any], member: Member) -> None:
            retention = await self.repo.retention(guild_id)
            view = PrivacyView(self.bot, member, retention)
            embed = privacy_embed(member, retention)
            await answer_privately(interaction, inter, embed=embed, view=view)

        await self.bot.consent.require(interaction, guild_id, show)

    # -- /mydata ------------------------------------------------------------------------------

    async def _mydata_group(
        self, interaction: discord.Interaction[Any], group: str | None
    ) -> tuple[int, str]:
        """The group ``/mydata`` is about, and its name."""
        guild_id = await self.bot.member_groups.resolve(interaction, group, not_in_a_group=NOTHING_STORED)
        return guild_id, getattr(self.bot.get_guild(guild_id), "name", None) or "your group"

    @mydata.command(name="export", description="Get a copy of everything the bot stores about you here")
    @app_commands.describe(group=GROUP_OPTION)
    @app_commands.autocomplete(group=group_autocomplete)
    async def export(self, interaction: discord.Interaction[Any], group: str | None = None) -> None:
        guild_id, name = await self._mydata_group(interaction, group)
        rows = await self.repo.rows_about(guild_id, interaction.user.id, personal=True)
        tables = reveal_rows(rows, self.cipher.reveal)
        now = self.bot.clock.now()
        document = export_document(guild_id, name, interaction.user.id, tables, now)
        files = [
            discord.File(io.BytesIO(export_json(document).encode("utf-8")), filename="my-data.json"),
            discord.File(
                io.BytesIO(export_summary(name, tables, now).encode("utf-8")), filename="my-data.txt"
            ),
        ]
        count = sum(len(r) for r in tables.values())
        here = _here(interaction, name)
        text = (
            f"Here is everything I store about you {here} ({count} records): "
            "`my-data.json` for other tools and `my-data.txt` to read. Only you can see this."
            if count
            else f"I don't store anything about you {here}. The files say so too."
        )
        await interaction.response.send_message(text, files=files, ephemeral=True)

    @mydata.command(name="delete", description="Delete everything the bot stores about you here")
    @app_commands.describe(group=GROUP_OPTION)
    @app_commands.autocomplete(group=group_autocomplete)
    async def delete(self, interaction: discord.Interaction[Any], group: str | None = None) -> None:
        guild_id, name = await self._mydata_group(interaction, group)
        rows = await self.repo.rows_about(guild_id, interaction.user.id, personal=True)
        has_plan = "safety_plans" in rows
        plan_note = (
            "\n\nYour **safety plan** is yours across groups, so it stays unless you choose "
            "**Also delete my safety plan**."
            if has_plan
            else ""
        )
        await interaction.response.send_message(
            "This deletes your check-ins, notes, goals, settings and everything else I store about "
            f"you {_here(interaction, name)}. It can't be undone. Messages you posted in channels "
            "stay: you can delete those yourself in Discord. If you use the bot again, you'll be "
            f"asked to agree to the group agreement first.{plan_note}",
            view=DeleteView(self, guild_id, interaction.user.id, has_plan),
            ephemeral=True,
        )

    async def delete_now(
        self, interaction: discord.Interaction[Any], guild_id: int, *, personal: bool
    ) -> None:
        user_id = interaction.user.id
        counts = await self.repo.erase_member(guild_id, user_id, personal=personal)
        total = sum(counts.values())
        await self.bot.audit.record(guild_id, user_id, "mydata:deleted", f"{total} records")
        lines = summarise(counts)
        if lines:
            text = "Done. I deleted:\n" + "\n".join(f"- {line}" for line in lines)
        else:
            text = "Done. There was nothing stored about you in this group."
        await interaction.response.edit_message(content=text, view=None)

    # -- /agreement ---------------------------------------------------------------------------

    @agreement.command(name="show", description="Read the group agreement")
    async def agreement_show(self, interaction: discord.Interaction[Any]) -> None:
        guild_id = _guild_id(interaction)
        current = await self.bot.consent.agreement_for(guild_id)
        config = await self.bot.guilds_repo.get(guild_id)
        name = interaction.guild.name if interaction.guild else "your group"
        embed = agreement_embed(current, name)
        embed.set_footer(
            text=f"Version {config.agreement_version}. Your choices: /privacy. Your data: /mydata."
        )
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @agreement.command(name="edit", description="Rewrite the group agreement (facilitators)")
    @facilitator_only()
    async def agreement_edit(self, interaction: discord.Interaction[Any]) -> None:
        guild_id = _guild_id(interaction)
        current = await self.bot.consent.agreement_for(guild_id)
        await interaction.response.send_modal(AgreementModal(self, guild_id, current.title, current.body))

    @agreement.command(name="reset", description="Go back to the default agreement (facilitators)")
    @facilitator_only()
    async def agreement_reset(self, interaction: discord.Interaction[Any]) -> None:
        await self.save_agreement(interaction, _guild_id(interaction), None)

    async def save_agreement(
        self, interaction: discord.Interaction[Any], guild_id: int, agreement: GroupAgreement | None
    ) -> None:
        now = self.bot.clock.now()
        await self.bot.consent.set_own_agreement(guild_id, agreement, interaction.user.id, now)
        version = await self.bot.guilds_repo.bump_agreement(guild_id, now)
        action = "agreement:edited" if agreement else "agreement:reset"
        await self.bot.audit.record(guild_id, interaction.user.id, action, f"version {version}")
        await interaction.response.send_message(
            f"Saved as version {version}. Members will be asked to read and agree again the next "
            "time they use the bot. Anyone can read it with `/agreement show`.",
            ephemeral=True,
        )

    # -- /retention ---------------------------------------------------------------------------

    @retention.command(name="show", description="How long the group's data is kept")
    @facilitator_only()
    async def retention_show(self, interaction: discord.Interaction[Any]) -> None:
        current = await self.repo.retention(_guild_id(interaction))
        await interaction.response.send_message(self._retention_text(current), ephemeral=True)

    @retention.command(name="set", description="Change how long the group's data is kept")
    @app_commands.describe(
        leave_days="Days after someone leaves the server before their data is deleted (0 = at once)",
        notes_days="Days check-in notes and other free text are kept",
    )
    @facilitator_only()
    async def retention_set(
        self,
        interaction: discord.Interaction[Any],
        leave_days: app_commands.Range[int, 0, 3650] | None = None,
        notes_days: app_commands.Range[int, 1, 3650] | None = None,
    ) -> None:
        guild_id = _guild_id(interaction)
        if leave_days is None and notes_days is None:
            raise UserError("Give at least one, e.g. `/retention set leave_days:30 notes_days:180`.")
        current = await self.repo.retention(guild_id)
        try:
            new = Retention(
                leave_days=validate_days(
                    "leave_days", current.leave_days if leave_days is None else leave_days, minimum=0
                ),
                notes_days=validate_days(
                    "notes_days", current.notes_days if notes_days is None else notes_days, minimum=1
                ),
            )
        except ValueError as error:
            raise UserError(f"{error}, e.g. `/retention set leave_days:30 notes_days:180`.") from None
        await self.repo.set_retention(guild_id, new, interaction.user.id, self.bot.clock.now())
        await self.bot.audit.record(
            guild_id,
            interaction.user.id,
            "retention:changed",
            f"leave {current.leave_days}→{new.leave_days} days, "
            f"notes {current.notes_days}→{new.notes_days} days",
        )
        await interaction.response.send_message(
            "Saved. " + self._retention_text(new) + " The daily clean-up applies it from tonight.",
            ephemeral=True,
        )

    @staticmethod
    def _retention_text(retention: Retention) -> str:
        leave = "at once" if retention.leave_days == 0 else f"after {retention.leave_days} days"
        return (
            f"When someone leaves the server, their data is deleted {leave}. Check-in notes and "
            f"other free text are kept for {retention.notes_days} days."
        )

    # -- /audit -------------------------------------------------------------------------------

    @app_commands.command(name="audit", description="What facilitators and admins changed (admins)")
    @app_commands.describe(days="How many days back (default 30)")
    @app_commands.guild_only()
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.checks.has_permissions(manage_guild=True)
    async def audit(
        self, interaction: discord.Interaction[Any], days: app_commands.Range[int, 1, 365] = 30
    ) -> None:
        guild_id = _guild_id(interaction)
        since = self.bot.clock.now() - timedelta(days=days)
        entries = await self.bot.audit.since(guild_id, since)
        if not entries:
            await interaction.response.send_message(
                f"Nothing recorded in the last {days} days.", ephemeral=True
            )
            return
        lines: list[str] = []
        size = 0
        for entry in entries:
            line = entry.line()
            if size + len(line) + 1 > 3900:
                lines.append(f"…and {len(entries) - len(lines)} older entries.")
                break
            lines.append(line)
            size += len(line) + 1
        embed = discord.Embed(title=f"Audit log: last {days} days", description="\n".join(lines))
        await interaction.response.send_message(embed=embed, ephemeral=True)
