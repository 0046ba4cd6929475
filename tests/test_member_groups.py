"""Member commands in DMs (issue 18, item 3): which group a command is about, driven through simcord.

A member of one group is never asked; a member of several picks one in ``group:`` from an
autocomplete that lists only their own groups; a group they are not in can't be acted on by
typing its id or name; ``/resources`` and the crisis reply need no group at all.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import simcord
from discord import app_commands

from bot.core.checks import facilitator_predicate
from bot.core.member_groups import NOT_YOURS, OTHER_SERVER
from bot.demo.stage import Group
from bot.skills.store import SkillRepository
from tests.conftest import agree, build_group, configure, expected_errors

# The eight member commands that work in the bot's DMs (the list), by their root name.
MEMBER_COMMANDS = (
    "checkin",
    "resources",
    "grounding",
    "safetyplan",
    "toolkit",
    "mydata",
    "timezone",
    "country",
)
# Every command (leaf) that acts on one group and so takes ``group:``.
WITH_GROUP = ("checkin now", "toolkit", "mydata export", "mydata delete", "timezone", "country")
GUILD, BOT_DM, PRIVATE_CHANNEL = 0, 1, 2
GUILD_INSTALL = 0


async def join(group: Group, actor: simcord.MemberActor) -> None:
    """Agree to the group's agreement the way a member does: ``/privacy`` in the server, I agree."""
    await agree(actor, await actor.slash(group.general, "privacy"))
    assert await group.bot.members.get_if_agreed(group.guild.id, actor.id) is not None


async def second_group(group: Group, name: str, *, with_member: bool) -> Group:
    """Another server (another group) on the same bot; with ``with_member``, group.member is in it."""
    other = build_group(group.env, group.bot, group.clock, name=name, members=1)
    await configure(other, country="US")
    if with_member:
        other.members.insert(0, other.guild.add_member(group.member.user))
        await join(other, other.member)
    return other


async def save_to_toolkit(group: Group, user_id: int, index: int) -> str:
    """Put one shipped skill in the member's toolkit in that group; its title."""
    skill_id = sorted(group.bot.content.skills)[index]
    await SkillRepository(group.bot.db).save(group.guild.id, user_id, skill_id, group.clock.now())
    return group.bot.content.skills[skill_id].title


def _names(choices: list[dict[str, Any]]) -> set[str]:
    return {c["name"] for c in choices}


async def _stored_zone(group: Group, user_id: int) -> str | None:
    member = await group.bot.members.get(group.guild.id, user_id)
    assert member is not None
    return member.timezone


async def _stored_country(group: Group, user_id: int) -> str | None:
    member = await group.bot.members.get(group.guild.id, user_id)
    assert member is not None
    return member.country


# -- what Discord is told ------------------------------------------------------------------------


def _reaches_dms(payload: dict[str, Any]) -> bool:
    """What Discord does with a command's payload: offered in the bot's DMs or not."""
    contexts = payload.get("contexts")
    if contexts is not None:
        return BOT_DM in contexts
    return bool(payload.get("dm_permission", True))


def _facilitator_roots(tree: app_commands.CommandTree[Any]) -> set[str]:
    """Roots hidden behind Manage Server, or holding a command behind the facilitator check."""
    roots = {c.name for c in tree.get_commands() if c.default_permissions is not None}
    for command in tree.walk_commands():
        if isinstance(command, app_commands.Command) and facilitator_predicate in command.checks:
            roots.add(command.qualified_name.split()[0])
    return roots


async def test_the_eight_member_commands_carry_the_dm_context_and_facilitator_commands_do_not(group) -> None:
    tree = group.bot.tree
    payloads = {c.name: c.to_dict(tree) for c in tree.get_commands()}
    for name in MEMBER_COMMANDS:
        assert sorted(payloads[name]["contexts"]) == [GUILD, BOT_DM], name
        assert payloads[name]["integration_types"] == [GUILD_INSTALL], name
    facilitator = _facilitator_roots(tree)
    assert {"crisis", "setup", "group", "retention", "session", "skill", "prompt"} <= facilitator
    for name in facilitator:
        assert not _reaches_dms(payloads[name]), name
    # The eight, and the owner's /status (it checks the owner itself), are all a DM offers.
    in_dms = {n for n, p in payloads.items() if _reaches_dms(p)}
    assert in_dms == {*MEMBER_COMMANDS, "status"}


async def test_a_person_sees_the_eight_in_their_dm_with_the_bot_and_no_facilitator_command(group) -> None:
    offered = set(group.member.user.available_commands())
    assert {"checkin now", "resources", "grounding", "safetyplan", "toolkit"} <= offered
    assert {"mydata export", "mydata delete", "timezone", "country"} <= offered
    assert {name.split()[0] for name in offered} == {*MEMBER_COMMANDS, "status"}
    synced = group.env.backend.find_command("toolkit", None)
    assert synced is not None and sorted(synced["contexts"]) == [GUILD, BOT_DM]


async def test_every_group_option_has_the_shared_autocomplete(group) -> None:
    by_path = {c.qualified_name: c for c in group.bot.tree.walk_commands()}
    for path in WITH_GROUP:
        command = by_path.get(path)
        assert isinstance(command, app_commands.Command), path
        (option,) = [p for p in command.parameters if p.name == "group"]
        assert option.autocomplete and not option.required, path


# -- a member of one group is never asked ----------------------------------------------------------


async def test_a_one_group_member_uses_each_of_the_eight_in_a_dm_without_being_asked(group) -> None:
    member, user = group.member, group.member.user
    await join(group, member)
    title = await save_to_toolkit(group, member.id, 0)

    shown = await user.slash("checkin now")
    assert shown.modal is not None
    done = await user.submit_modal(shown, {"checkin:mood": "4", "checkin:share": False})
    assert "Saved your check-in for today" in done.response.content
    saved = await group.bot.db.fetch_all("SELECT guild_id FROM checkins WHERE user_id = ?", (member.id,))
    assert [r["guild_id"] for r in saved] == [group.guild.id]

    resources = await user.slash("resources")
    assert resources.ephemeral and "Samaritans" in resources.response.content  # the group's GB
    grounding = await user.slash("grounding")
    assert grounding.ephemeral and "5" in grounding.response.content
    plan = await user.slash("safetyplan")
    assert plan.ephemeral and plan.response.embeds

    kit = await user.slash("toolkit")
    assert title in kit.response.embeds[0].description
    assert kit.response.embeds[0].title == "Your toolkit in Resilience Group"

    export = await user.slash("mydata export")
    assert "in **Resilience Group**" in export.response.content
    files = {a.filename: await a.read() for a in export.response.attachments}
    assert json.loads(files["my-data.json"])["group"] == {
        "id": str(group.guild.id),
        "name": "Resilience Group",
    }

    zone = await user.slash("timezone", zone="Asia/Tokyo")
    assert "Asia/Tokyo" in zone.response.content
    assert await _stored_zone(group, member.id) == "Asia/Tokyo"
    country = await user.slash("country", code="FR")
    assert "France" in country.response.content
    stored = await group.bot.members.get(group.guild.id, member.id)
    assert stored is not None and stored.country == "FR"

    delete = await user.slash("mydata delete")
    assert "in **Resilience Group**" in delete.response.content
    gone = await user.click(delete.response.message, label="Delete my data in this group")
    assert gone.response.content.startswith("Done.")
    assert await group.bot.members.get(group.guild.id, member.id) is None

    for reply in (resources, grounding, plan, kit, export, zone, country, delete):
        assert "more than one group" not in (reply.response.content or "")
    assert expected_errors(group.env) == []


# -- a member of several groups picks one, from their own groups only ---------------------------


async def test_a_two_group_member_is_offered_exactly_their_groups(group) -> None:
    await join(group, group.member)
    await second_group(group, "Tuesday Circle", with_member=True)
    await second_group(group, "Secret Server", with_member=False)
    user = group.member.user
    for path in WITH_GROUP:
        choices = await user.autocomplete(path, "group", "")
        assert _names(choices) == {"Resilience Group", "Tuesday Circle"}, path
    typed = await user.autocomplete("toolkit", "group", "tues")
    assert _names(typed) == {"Tuesday Circle"}
    assert await user.autocomplete("toolkit", "group", "secret") == []
    # In a server the group is that server: nothing else is offered.
    here = await group.member.autocomplete(group.general, "toolkit", "group", "")
    assert _names(here) == {"Resilience Group"}


async def test_a_two_group_member_acts_on_the_group_they_choose(group) -> None:
    member, user = group.member, group.member.user
    await join(group, member)
    tuesday = await second_group(group, "Tuesday Circle", with_member=True)
    first_title = await save_to_toolkit(group, member.id, 0)
    second_title = await save_to_toolkit(tuesday, member.id, 1)
    (choice,) = [c for c in await user.autocomplete("toolkit", "group", "") if c["name"] == "Tuesday Circle"]

    kit = await user.slash("toolkit", group=choice["value"])
    description = kit.response.embeds[0].description
    assert second_title in description and first_title not in description
    assert kit.response.embeds[0].title == "Your toolkit in Tuesday Circle"
    by_name = await user.slash("toolkit", group="resilience group")  # typed by hand, any case
    assert first_title in by_name.response.embeds[0].description

    export = await user.slash("mydata export", group=choice["value"])
    assert "in **Tuesday Circle**" in export.response.content
    files = {a.filename: await a.read() for a in export.response.attachments}
    assert json.loads(files["my-data.json"])["group"] == {
        "id": str(tuesday.guild.id),
        "name": "Tuesday Circle",
    }
    assert str(group.guild.id) not in files["my-data.json"].decode()

    await user.slash("timezone", zone="Asia/Tokyo", group=choice["value"])
    assert await _stored_zone(tuesday, member.id) == "Asia/Tokyo"
    assert await _stored_zone(group, member.id) is None  # the other group is untouched
    await user.slash("country", code="FR", group=choice["value"])
    assert await _stored_country(tuesday, member.id) == "FR"
    assert await _stored_country(group, member.id) is None

    shown = await user.slash("checkin now", group=choice["value"])
    assert shown.modal is not None
    await user.submit_modal(shown, {"checkin:mood": "2", "checkin:share": False})
    rows = await group.bot.db.fetch_all("SELECT guild_id FROM checkins WHERE user_id = ?", (member.id,))
    assert [r["guild_id"] for r in rows] == [tuesday.guild.id]
    assert expected_errors(group.env) == []


async def test_a_two_group_member_who_names_none_is_asked_kindly_and_nothing_happens(group) -> None:
    member, user = group.member, group.member.user
    await join(group, member)
    await second_group(group, "Tuesday Circle", with_member=True)
    await save_to_toolkit(group, member.id, 0)

    asked = await user.slash("toolkit")
    assert asked.ephemeral and not asked.response.embeds
    text = asked.response.content
    assert "more than one group" in text and "`group:`" in text and "/toolkit" in text
    assert "**Resilience Group**" in text and "**Tuesday Circle**" in text
    export = await user.slash("mydata export")
    assert "more than one group" in export.response.content and not export.response.attachments
    # The check-in offers a picker instead, and the pick is the group it is saved in.
    picker = await user.slash("checkin now")
    assert picker.modal is None and "Which group" in picker.response.content
    options = picker.response.message.components[0].children[0].options
    assert {o.label for o in options} == {"Resilience Group", "Tuesday Circle"}
    assert len(expected_errors(group.env)) == 2
    # /timezone and /country without group: apply to every group, and say so.
    zone = await user.slash("timezone", zone="Asia/Tokyo")
    assert "in all your groups" in zone.response.content


# -- a group that is not theirs ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "options"),
    [
        ("toolkit", {}),
        ("mydata export", {}),
        ("mydata delete", {}),
        ("timezone", {"zone": "Asia/Tokyo"}),
        ("country", {"code": "FR"}),
        ("checkin now", {}),
    ],
)
async def test_typing_the_id_of_a_group_they_are_not_in_is_refused_without_naming_it(
    group, path: str, options: dict[str, str]
) -> None:
    member, user = group.member, group.member.user
    await join(group, member)
    secret = await second_group(group, "Secret Server", with_member=False)
    await save_to_toolkit(secret, secret.member.id, 0)
    for typed in (str(secret.guild.id), "Secret Server"):
        refused = await user.slash(path, group=typed, **options)
        assert refused.ephemeral and refused.response.content == NOT_YOURS
        assert not refused.response.attachments and refused.modal is None
    assert expected_errors(group.env) == [NOT_YOURS, NOT_YOURS]
    assert await group.bot.members.get(secret.guild.id, member.id) is None
    assert await _stored_zone(group, member.id) is None
    rows = await group.bot.db.fetch_all("SELECT * FROM checkins WHERE user_id = ?", (member.id,))
    assert rows == []


async def test_in_a_server_naming_another_group_is_refused(group) -> None:
    await join(group, group.member)
    tuesday = await second_group(group, "Tuesday Circle", with_member=True)
    refused = await group.member.slash(group.general, "toolkit", group=str(tuesday.guild.id))
    assert refused.response.content == OTHER_SERVER
    same = await group.member.slash(group.general, "toolkit", group=str(group.guild.id))
    assert "toolkit is empty" in same.response.content
    assert expected_errors(group.env) == [OTHER_SERVER]


async def test_someone_who_never_agreed_is_not_in_the_group(group) -> None:
    """Being in the server is not being in the group: only an agreed member's groups are offered."""
    user = group.members[1].user  # in the server, never agreed
    assert await user.autocomplete("toolkit", "group", "") == []
    refused = await user.slash("toolkit", group=str(group.guild.id))
    assert "don't have you in any group" in refused.response.content
    assert len(expected_errors(group.env)) == 1


# -- no group at all ------------------------------------------------------------------------------


async def test_resources_and_the_crisis_reply_need_no_server(group) -> None:
    stranger = group.env.create_user("stranger")  # shares no server with the bot
    shown = await stranger.slash("resources")
    assert shown.ephemeral
    assert (
        "findahelpline.com" in shown.response.content and "not an emergency service" in shown.response.content
    )
    us = await stranger.slash("resources", country="US")
    assert "988" in us.response.content
    await stranger.send_dm("honestly I want to die")
    replies = [m for m in stranger.dm_channel.history() if m.author.id == group.bot.user.id]
    assert len(replies) == 1 and "not alone" in replies[0].content
    assert group.channels["alerts"].history() == []
    assert expected_errors(group.env) == []


async def test_the_group_commands_in_a_dm_without_a_group_answer_kindly(group) -> None:
    stranger = group.env.create_user("stranger")
    for path, options in [("toolkit", {}), ("mydata export", {}), ("checkin now", {}), ("timezone", {})]:
        answer = await stranger.slash(path, **options)
        assert answer.ephemeral and "don't have you in any group" in answer.response.content, path
    grounding = await stranger.slash("grounding")
    assert grounding.ephemeral and "5" in grounding.response.content  # help needs no group
    assert len(expected_errors(group.env)) == 3  # toolkit, mydata, checkin (timezone just answers)
