"""Reading a message as a person sees it, whether it is a Components V2 card or not."""

from __future__ import annotations

from typing import Any

import discord

from bot.core.outbox_payload import walk_components

_TEXT, _BUTTON = 10, 2


def _roots(message: Any) -> list[dict[str, Any]]:
    if isinstance(message, dict):
        components = message.get("components") or []
    else:
        components = getattr(message, "components", None) or []
    return [c if isinstance(c, dict) else c.to_dict() for c in components]


def card_texts(message: Any) -> list[str]:
    """The TextDisplays of a message (a discord.Message, a simcord response or stored JSON), in order."""
    return [str(c["content"]) for c in walk_components(_roots(message)) if c.get("type") == _TEXT]


def visible_text(message: Any) -> str:
    """What a member reads: the message's content and every TextDisplay of its layout, one a line."""
    content = message.get("content") if isinstance(message, dict) else getattr(message, "content", "")
    return "\n".join(t for t in [content or "", *card_texts(message)] if t)


def button_labels(message: Any) -> list[str]:
    """The labels of every button, nested ones too, in reading order."""
    return [str(c.get("label")) for c in walk_components(_roots(message)) if c.get("type") == _BUTTON]


def button_ids(message: Any) -> list[str]:
    return [str(c.get("custom_id")) for c in walk_components(_roots(message)) if c.get("type") == _BUTTON]


def is_card(message: Any) -> bool:
    """A Components V2 message: the flag set, no content, no embeds."""
    if isinstance(message, dict):
        v2 = bool(int(message.get("flags") or 0) & discord.MessageFlags(components_v2=True).value)
        return v2 and not message.get("content") and not message.get("embeds")
    flags = getattr(message, "flags", None)
    return bool(flags and flags.components_v2) and not message.content and not message.embeds


def gallery_items(message: Any) -> list[dict[str, Any]]:
    """Every MediaGallery item of a card (its ``media`` and ``description``, the alt text)."""
    return [
        item for c in walk_components(_roots(message)) if c.get("type") == 12 for item in c.get("items") or []
    ]
