"""A message as it waits in the outbox: stored as Discord's own JSON, sent through ``send``.

A queued message may go out after a restart, so it is kept as data, not as Python objects. The
stored shape is the body Discord receives (``content``, ``embeds``, ``components``,
``allowed_mentions``) plus the attachments' bytes, and it is built and read only through
discord.py's public API (``Embed.to_dict``/``from_dict``, ``View.to_components``,
``AllowedMentions.to_dict``, ``discord.File``), so the send itself is an ordinary
``Messageable.send`` with a ``nonce``. Rows written by earlier versions have the same shape.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import discord

_FILES_KEY = "_files"
_BUTTON = 2
_ACTION_ROW = 1


class Attachment(NamedTuple):
    """A file to send with a queued message; ``description`` is its alt text (a chart's words)."""

    filename: str
    data: bytes
    description: str | None = None


def stored_payload(
    content: str | None,
    *,
    embeds: list[discord.Embed],
    view: discord.ui.View | None,
    allowed_mentions: discord.AllowedMentions,
    files: Sequence[Attachment | tuple[str, bytes]],
) -> dict[str, Any]:
    """The row's JSON for one message.

    Views must be persistent (``timeout=None``, every item with a ``custom_id`` handled by a
    registered ``DynamicItem``): the message may go out after a restart. Only buttons can wait,
    as they are all the bot's queued messages carry; anything else is refused here, not at send.
    """
    body: dict[str, Any] = {"allowed_mentions": allowed_mentions.to_dict()}
    if content is not None:
        body["content"] = content
    if embeds:
        body["embeds"] = [embed.to_dict() for embed in embeds]
    if view is not None:
        if not view.is_persistent():
            raise ValueError("only persistent views can wait in the outbox")
        components = view.to_components()
        for row in components:
            if any(item.get("type") != _BUTTON for item in row.get("components", [])):
                raise ValueError("only buttons can wait in the outbox")
        body["components"] = components
    if files:
        attachments = [Attachment(*file) for file in files]
        body["attachments"] = [_attachment_meta(index, file) for index, file in enumerate(attachments)]
        body[_FILES_KEY] = [
            {**_attachment_meta(None, file), "data": base64.b64encode(file.data).decode("ascii")}
            for file in attachments
        ]
    return body


def _attachment_meta(index: int | None, file: Attachment) -> dict[str, Any]:
    meta: dict[str, Any] = {} if index is None else {"id": index}
    meta["filename"] = file.filename
    if file.description:
        meta["description"] = file.description
    return meta


def _view_from(components: list[dict[str, Any]]) -> discord.ui.View:
    """Buttons with the stored custom ids: the registered dynamic items answer their clicks."""
    view = discord.ui.View(timeout=None)
    for row_index, row in enumerate(components):
        for item in row.get("components", []):
            emoji = item.get("emoji")
            view.add_item(
                discord.ui.Button(
                    style=discord.ButtonStyle(int(item.get("style", 2))),
                    label=item.get("label"),
                    custom_id=item.get("custom_id"),
                    url=item.get("url"),
                    emoji=discord.PartialEmoji.from_dict(emoji) if emoji else None,
                    disabled=bool(item.get("disabled", False)),
                    row=min(row_index, 4),
                )
            )
    # Stopped before sending: discord.py then keeps no copy of it per message (thousands a day);
    # the dynamic items, registered once, handle every click.
    view.stop()
    return view


def _mentions_from(data: dict[str, Any]) -> discord.AllowedMentions:
    parse = set(data.get("parse", []))

    def listed(kind: str) -> bool | list[discord.Object]:
        return kind in parse or [discord.Object(i) for i in data.get(kind, ())]

    return discord.AllowedMentions(
        everyone="everyone" in parse,
        users=listed("users"),
        roles=listed("roles"),
        replied_user=bool(data.get("replied_user", False)),
    )


@dataclass
class SendArguments:
    """What ``Messageable.send`` takes for a stored row."""

    content: str | None = None
    embeds: list[discord.Embed] = field(default_factory=list)
    view: discord.ui.View | None = None
    files: list[discord.File] = field(default_factory=list)
    allowed_mentions: discord.AllowedMentions | None = None

    def as_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"content": self.content}
        if self.embeds:
            kwargs["embeds"] = self.embeds
        if self.view is not None:
            kwargs["view"] = self.view
        if self.files:
            kwargs["files"] = self.files
        if self.allowed_mentions is not None:
            kwargs["allowed_mentions"] = self.allowed_mentions
        return kwargs


def send_arguments(body: dict[str, Any]) -> SendArguments:
    """Rebuild the public objects from a stored row (fresh each try: a File is read once)."""
    files = [
        discord.File(
            io.BytesIO(base64.b64decode(f["data"])), filename=f["filename"], description=f.get("description")
        )
        for f in body.get(_FILES_KEY, [])
    ]
    components = body.get("components")
    mentions = body.get("allowed_mentions")
    return SendArguments(
        content=body.get("content"),
        embeds=[discord.Embed.from_dict(e) for e in body.get("embeds", [])],
        view=_view_from(components) if components else None,
        files=files,
        allowed_mentions=_mentions_from(mentions) if mentions is not None else None,
    )
