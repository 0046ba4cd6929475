"""What waits in the outbox is Discord's JSON, and it goes out through the public ``send``."""

from __future__ import annotations

import json

import discord
import pytest

from bot.core.cards import Buttons, Card, Divider, Section, Text, card
from bot.core.outbox_payload import Attachment, send_arguments, stored_payload
from bot.core.outbox_store import OutboxRow
from bot.core.ui import IdButton
from tests.outbox.conftest import Loop
from tests.support.cards import button_ids, card_texts, is_card


class _Open(IdButton, prefix="test:open"):
    label = "Open"
    style = discord.ButtonStyle.primary
    emoji = "📝"


async def test_a_card_with_an_embed_buttons_and_a_file_arrives_whole(loop: Loop) -> None:
    channel = loop.guild.channel("general")
    view = discord.ui.View(timeout=None)
    view.add_item(_Open(7))
    view.add_item(_Open(8, label="Other"))
    embed = discord.Embed(title="Skill of the day", description="Box breathing")
    await loop.bot.outbox.enqueue(
        guild_id=loop.guild.id,
        kind="test:card",
        key="1",
        channel_id=channel.id,
        content="Good morning",
        embed=embed,
        view=view,
        files=[("pulse.png", b"\x89PNG fake")],
    )
    report = await loop.bot.outbox.drain()
    assert len(report.sent) == 1

    (message,) = loop.fake.messages_in(channel.id)
    assert message["content"] == "Good morning"
    assert [e["title"] for e in message["embeds"]] == ["Skill of the day"]
    buttons = [b for row in message["components"] for b in row["components"]]
    assert [(b["custom_id"], b["label"]) for b in buttons] == [
        ("test:open:7", "Open"),
        ("test:open:8", "Other"),
    ]
    assert buttons[0]["emoji"]["name"] == "📝"
    assert loop.fake.uploads[message["id"]] == [("pulse.png", b"\x89PNG fake")]
    # The view went out stopped: discord.py keeps no copy of it per sent message.
    assert not [v for v in loop.bot.persistent_views if any(i.custom_id == "test:open:7" for i in v.children)]


async def test_a_row_stored_by_the_previous_version_still_sends(loop: Loop) -> None:
    """Rows queued before an upgrade keep Discord's body shape: the new sender reads them as they are."""
    channel = loop.guild.channel("general")
    old_body = {
        "content": "queued before the upgrade",
        "components": [
            {
                "type": 1,
                "components": [{"type": 2, "style": 1, "label": "Check in", "custom_id": "checkin:open:5"}],
            }
        ],
        "allowed_mentions": {"parse": ["users"]},
    }
    async with loop.bot.db.transaction() as tx:
        await loop.bot.outbox.repo.add(
            tx,
            guild_id=loop.guild.id,
            kind="test:old",
            dedupe_key="test:old:1:c1",
            nonce="o" + "1" * 24,
            priority=50,
            channel_id=channel.id,
            user_id=None,
            payload=old_body,
            ref="",
            due_at=loop.clock.now(),
            now=loop.clock.now(),
        )
    assert len((await loop.bot.outbox.drain()).sent) == 1
    (message,) = loop.fake.messages_in(channel.id)
    assert message["content"] == "queued before the upgrade"
    assert message["components"][0]["components"][0]["custom_id"] == "checkin:open:5"


async def test_every_callback_for_a_kind_runs(loop: Loop) -> None:
    channel = loop.guild.channel("general")
    heard: list[str] = []

    async def first(row: OutboxRow, message_id: int | None) -> None:
        heard.append(f"first {row.kind} {message_id is not None}")

    async def second(row: OutboxRow, message_id: int | None) -> None:
        heard.append(f"second {row.kind}")

    loop.bot.outbox.on_delivered("test:post", first)
    loop.bot.outbox.on_delivered("test:post", second)
    await loop.bot.outbox.enqueue(
        guild_id=loop.guild.id, kind="test:post", key="1", channel_id=channel.id, content="hello"
    )
    await loop.bot.outbox.drain()
    assert heard == ["first test:post True", "second test:post"]


async def test_only_buttons_can_wait(loop: Loop) -> None:
    view = discord.ui.View(timeout=None)
    view.add_item(discord.ui.Select(custom_id="test:pick", options=[discord.SelectOption(label="a")]))
    with pytest.raises(ValueError, match="only buttons"):
        await loop.bot.outbox.enqueue(
            guild_id=loop.guild.id, kind="test:post", key="1", channel_id=1, view=view
        )


def test_an_attachment_keeps_its_alt_text_through_the_stored_row() -> None:
    body = stored_payload(
        "Before the session",
        embeds=[],
        view=None,
        allowed_mentions=discord.AllowedMentions.none(),
        files=[Attachment("pulse.png", b"\x89PNG fake", "Bar chart of check-ins per day"), ("old.png", b"x")],
    )
    stored = json.loads(json.dumps(body))  # as the database keeps it
    assert stored["attachments"] == [
        {"id": 0, "filename": "pulse.png", "description": "Bar chart of check-ins per day"},
        {"id": 1, "filename": "old.png"},
    ]
    chart, plain = send_arguments(stored).files
    assert chart.description == "Bar chart of check-ins per day" and chart.fp.read() == b"\x89PNG fake"
    assert plain.description is None and plain.filename == "old.png"


def _card(n: int) -> Card:
    return card(
        Text("**Daily check-in.** How are you, really?"),
        Section(("Press the button when you're ready.",), accessory=_Open(n)),
        Divider(),
        Buttons((_Open(n + 1, label="Other"),)),
        accent=0x5B8DEF,
    )


async def test_a_v2_card_waits_with_its_flag_and_goes_out_without_content(loop: Loop) -> None:
    channel = loop.guild.channel("general")
    await loop.bot.outbox.enqueue(
        guild_id=loop.guild.id, kind="test:card", key="v2", channel_id=channel.id, card=_card(7)
    )
    (row,) = await loop.bot.outbox.repo.all()
    assert row.payload["flags"] == discord.MessageFlags(components_v2=True).value
    assert "content" not in row.payload and "embeds" not in row.payload
    assert len((await loop.bot.outbox.drain()).sent) == 1
    (message,) = loop.fake.messages_in(channel.id)
    assert is_card(message)
    assert card_texts(message) == [
        "**Daily check-in.** How are you, really?",
        "Press the button when you're ready.",
    ]
    assert button_ids(message) == ["test:open:7", "test:open:8"]
    assert message["components"][0]["accent_color"] == 0x5B8DEF


async def test_a_stored_v2_row_is_rebuilt_from_its_json_after_a_restart(loop: Loop) -> None:
    """What a restart sees is only the row's JSON: it must send the same layout."""
    channel = loop.guild.channel("general")
    body = json.loads(json.dumps(loop.bot.outbox.payload(card=_card(3))))
    async with loop.bot.db.transaction() as tx:
        await loop.bot.outbox.repo.add(
            tx,
            guild_id=loop.guild.id,
            kind="test:v2",
            dedupe_key="test:v2:1:c1",
            nonce="o" + "2" * 24,
            priority=50,
            channel_id=channel.id,
            user_id=None,
            payload=body,
            ref="",
            due_at=loop.clock.now(),
            now=loop.clock.now(),
        )
    assert len((await loop.bot.outbox.drain()).sent) == 1
    (message,) = loop.fake.messages_in(channel.id)
    assert message["components"] == body["components"]
    assert is_card(message)
    # Sent stopped: discord.py keeps no copy of the layout per message.
    assert not [
        v for v in loop.bot.persistent_views if any(i.custom_id == "test:open:3" for i in v.walk_children())
    ]


async def test_an_overlong_card_is_shortened_on_its_way_into_the_outbox(loop: Loop) -> None:
    channel = loop.guild.channel("general")
    long = card(Text("x" * 9000), Text("kept whole"))
    await loop.bot.outbox.enqueue(
        guild_id=loop.guild.id, kind="test:long", key="1", channel_id=channel.id, card=long
    )
    await loop.bot.outbox.drain()
    (message,) = loop.fake.messages_in(channel.id)
    first, second = card_texts(message)
    assert second == "kept whole" and first.endswith("…") and len(first) + len(second) <= 4000


async def test_a_card_is_queued_only_as_a_card_and_alone(loop: Loop) -> None:
    with pytest.raises(TypeError, match="card="):
        await loop.bot.outbox.enqueue(
            guild_id=loop.guild.id, kind="test:post", key="1", channel_id=1, view=_card(1).view()
        )
    with pytest.raises(ValueError, match="no content"):
        await loop.bot.outbox.enqueue(
            guild_id=loop.guild.id, kind="test:post", key="2", channel_id=1, content="hi", card=_card(1)
        )
    picker = discord.ui.LayoutView(timeout=None)
    picker.add_item(
        discord.ui.ActionRow(
            discord.ui.Select(custom_id="test:pick", options=[discord.SelectOption(label="a")])
        )
    )
    with pytest.raises(ValueError, match="only layout parts and buttons"):
        stored_payload(
            None, embeds=[], view=picker, allowed_mentions=discord.AllowedMentions.none(), files=[]
        )
    assert await loop.bot.outbox.repo.all() == []
