"""Every slash command, as a member and as a facilitator, with random values a person could send.

Each Hypothesis example runs every command in the tree once (and fills any form it opens), so a
new command is fuzzed without touching this file. For each invocation:

- nothing but a kind refusal (UserError / CheckFailure) may go wrong, and nothing is logged as an
  error (the autouse check in tests/conftest.py);
- every message, reply and form the bot sends fits Discord's limits;
- nothing it sends can ping @everyone, @here or a role;
- a refused invocation leaves every table exactly as it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import discord
import simcord
from discord import app_commands
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from simcord.enums import ComponentType

from bot.core.errors import UserError
from tests.conftest import Group
from tests.fuzz.strategies import fit, nasty_text, option_value, text_input_value
from tests.fuzz.support import limit_problems, mention_problems, payload_messages, snapshot

EXAMPLES = 8
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    # No shrinking: a failure's message already names the command and the values sent.
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


@dataclass
class Invocation:
    """One command (or form) and the values sent, for a readable failure message."""

    actor: str
    command: str
    values: dict[str, Any]

    def __str__(self) -> str:
        shown = {
            k: (v[:80] + f"...({len(v)} chars)" if isinstance(v, str) and len(v) > 80 else v)
            for k, v in self.values.items()
        }
        return f"{self.actor}: /{self.command} {shown!r}"


def leaf_commands(group: Group) -> list[app_commands.Command[Any, ..., Any]]:
    return sorted(
        (c for c in group.bot.tree.walk_commands() if isinstance(c, app_commands.Command)),
        key=lambda c: c.qualified_name,
    )


def handles(group: Group, actor: simcord.MemberActor) -> dict[discord.AppCommandOptionType, list[Any]]:
    people = [group.members[1], group.members[2], group.facilitator, group.admin, actor]
    return {
        discord.AppCommandOptionType.user: people,
        discord.AppCommandOptionType.channel: list(group.channels.values()),
        # Only the group's own facilitator role: another role would hand out facilitator rights.
        discord.AppCommandOptionType.role: [group.facilitator_role],
        discord.AppCommandOptionType.mentionable: [*people, group.facilitator_role],
    }


def mention_ids(group: Group) -> dict[str, int]:
    return {"role": group.facilitator_role.id, "user": group.members[1].id, "channel": group.general.id}


async def ensure_consent(group: Group, actor: simcord.MemberActor) -> None:
    """Agree for the actor (idempotent), so commands reach their real work rather than the prompt."""
    config = await group.bot.guilds_repo.get(group.guild.id)
    member = await group.bot.members.get(group.guild.id, actor.id)
    if member is None or member.left or member.consented_version < config.agreement_version:
        await group.bot.members.consent(group.guild.id, actor.id, config.agreement_version, group.clock.now())


def refusals(group: Group, cursor: int, invocation: Invocation) -> bool:
    """True when the bot refused kindly; fails on anything else it raised."""
    refused = False
    for error in group.env.errors_since(cursor):
        original = getattr(error, "original", error)
        if not isinstance(original, UserError | app_commands.CheckFailure):
            raise AssertionError(f"{invocation}: unexpected error {original!r}") from original
        refused = True
    group.env.errors  # noqa: B018 - reading acknowledges what was checked
    return refused


def check_sent(group: Group, since: int, invocation: Invocation) -> None:
    alerts = group.channels["alerts"].id
    for entry in group.env.http_requests[since:]:
        role_pings = entry.path == f"/channels/{alerts}/messages"
        for message in payload_messages(entry):
            problems = limit_problems(message) + mention_problems(message, role_pings_allowed=role_pings)
            assert not problems, f"{invocation}: {entry.method} {entry.path}: {problems}"


def form_values(modal: dict[str, Any], data: st.DataObject, ids: dict[str, int]) -> dict[str, Any]:
    """Random values for every control of a form, within what each control declares."""
    values: dict[str, Any] = {}
    for component in _controls(modal):
        custom_id = component["custom_id"]
        kind = component.get("type")
        options = [o["value"] for o in component.get("options") or []]
        required = bool(
            component.get("required", kind in (ComponentType.TEXT_INPUT, ComponentType.STRING_SELECT))
        )
        if kind == ComponentType.TEXT_INPUT:
            values[custom_id] = data.draw(text_input_value(component, ids), label=custom_id)
        elif kind == ComponentType.STRING_SELECT and options:
            low = max(int(component.get("min_values", 1) or 0), 1 if required else 0)
            high = min(int(component.get("max_values", 1) or 1), len(options))
            chosen = data.draw(st.lists(st.sampled_from(options), min_size=low, max_size=high, unique=True))
            if chosen:
                values[custom_id] = chosen
        elif kind == ComponentType.RADIO_GROUP and options:
            if required or data.draw(st.booleans()):
                values[custom_id] = data.draw(st.sampled_from(options))
        elif kind == ComponentType.CHECKBOX_GROUP and options:
            low = int(component.get("min_values", 1 if required else 0) or 0)
            high = min(int(component.get("max_values", len(options)) or len(options)), len(options))
            chosen = data.draw(st.lists(st.sampled_from(options), min_size=low, max_size=high, unique=True))
            if chosen:
                values[custom_id] = chosen
        elif kind == ComponentType.CHECKBOX:
            values[custom_id] = data.draw(st.booleans())
    return values


def _controls(modal: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for component in modal.get("components") or []:
        if component.get("type") == ComponentType.ACTION_ROW:
            found.extend(component.get("components") or [])
        elif component.get("type") == ComponentType.LABEL and component.get("component"):
            found.append(component["component"])
        elif component.get("custom_id"):
            found.append(component)
    return [c for c in found if c.get("custom_id")]


async def step(group: Group, invocation: Invocation, action: Any) -> simcord.InteractionResult:
    """Run one interaction and check everything it did."""
    since, cursor = len(group.env.http_requests), group.env.error_cursor
    before = await snapshot(group.bot)
    result: simcord.InteractionResult = await action()
    if refusals(group, cursor, invocation):
        after = await snapshot(group.bot)
        changed = {t for t in before.keys() | after.keys() if before.get(t) != after.get(t)}
        assert not changed, f"{invocation}: refused, yet these tables changed: {sorted(changed)}"
    check_sent(group, since, invocation)
    return result


async def type_into(
    group: Group,
    actor: simcord.MemberActor,
    role: str,
    command: str,
    param: app_commands.Parameter,
    data: st.DataObject,
    ids: dict[str, int],
) -> list[Any]:
    """Type random text into an autocomplete option; the suggestions must fit Discord's limits."""
    typed = data.draw(nasty_text(ids).map(lambda t: fit(t, 0, 100)), label=f"typed into {param.display_name}")
    invocation = Invocation(role, f"{command} (typing into {param.display_name})", {"typed": typed})
    cursor = group.env.error_cursor
    choices = await actor.autocomplete(group.general, command, param.display_name, typed)
    for error in group.env.errors_since(cursor):
        raise AssertionError(f"{invocation}: autocomplete failed: {error!r}") from error
    assert len(choices) <= 25, f"{invocation}: {len(choices)} suggestions"
    for choice in choices:
        assert 1 <= len(choice["name"]) <= 100, f"{invocation}: suggestion name {choice['name']!r}"
        assert not isinstance(choice["value"], str) or len(choice["value"]) <= 100, (
            f"{invocation}: {choice!r}"
        )
    return [c["value"] for c in choices]


async def fuzz_every_command(
    group: Group, actor: simcord.MemberActor, role: str, data: st.DataObject
) -> None:
    ids = mention_ids(group)
    visible = set(actor.available_commands(group.general))
    for command in leaf_commands(group):
        if command.qualified_name not in visible:
            continue
        options: dict[str, Any] = {}
        for param in command.parameters:
            strategy = option_value(param, ids, handles(group, actor))
            if strategy is None:
                assert not param.required, f"/{command.qualified_name}: cannot fuzz {param.type}"
                continue
            if param.required or data.draw(st.booleans(), label=f"send {param.display_name}"):
                options[param.display_name] = data.draw(
                    strategy, label=f"{command.qualified_name} {param.display_name}"
                )
        for param in command.parameters:
            if param.autocomplete and data.draw(st.booleans(), label=f"type into {param.display_name}"):
                offered = await type_into(group, actor, role, command.qualified_name, param, data, ids)
                if offered and data.draw(st.booleans(), label=f"pick a suggestion for {param.display_name}"):
                    options[param.display_name] = data.draw(st.sampled_from(offered))
        await ensure_consent(group, actor)
        invocation = Invocation(role, command.qualified_name, options)

        async def run(name: str = command.qualified_name, values: dict[str, Any] = options) -> Any:
            return await actor.slash(group.general, name, **values)

        shown = await step(group, invocation, run)
        if shown.modal is not None:
            values = form_values(shown.modal, data, ids)
            form = Invocation(role, f"{command.qualified_name} (form)", values)

            async def submit(
                shown: simcord.InteractionResult = shown, values: dict[str, Any] = values
            ) -> Any:
                return await actor.submit_modal(shown, values)

            await step(group, form, submit)


@FUZZ_SETTINGS
@given(data=st.data())
async def test_every_command_as_a_member(group: Group, data: st.DataObject) -> None:
    await fuzz_every_command(group, group.member, "member", data)


@FUZZ_SETTINGS
@given(data=st.data())
async def test_every_command_as_a_facilitator(group: Group, data: st.DataObject) -> None:
    await fuzz_every_command(group, group.facilitator, "facilitator", data)


async def test_the_fuzz_reaches_every_command(group: Group) -> None:
    """The walk finds subcommands too, and every parameter type is one we can fill."""
    names = {c.qualified_name for c in leaf_commands(group)}
    assert "setup show" in names and "checkin now" in names
    ids = mention_ids(group)
    for command in leaf_commands(group):
        for param in command.parameters:
            if param.required:
                assert option_value(param, ids, handles(group, group.member)) is not None, (
                    f"/{command.qualified_name} {param.name}: {param.type} cannot be fuzzed"
                )


@settings(FUZZ_SETTINGS, max_examples=4)
@given(data=st.data())
async def test_every_command_as_a_server_admin(group: Group, data: st.DataObject) -> None:
    """The admin reaches /setup and the other Manage Server commands past their checks."""
    await fuzz_every_command(group, group.admin, "admin", data)
