"""A message as it waits in the outbox: stored as Discord's own JSON, sent through ``send``.

A queued message may go out after a restart, so it is kept as data, not as Python objects. The
stored shape is the body Discord receives (``content``, ``embeds``, ``components``,
``allowed_mentions``) plus the attachments' bytes, and it is built and read only through
discord.py's public API (``Embed.to_dict``/``from_dict``, ``View.to_components``,
``AllowedMentions.to_dict``, ``discord.File``), so the send itself is an ordinary
``Messageable.send`` with a ``nonce``. Rows written by earlier versions have the same shape.

A Components V2 card (``bot/core/cards.py``) is stored the same way: its layout as
``components`` with the ``IS_COMPONENTS_V2`` bit in ``flags`` and no ``content`` or embeds, and
rebuilt from that JSON into a ``LayoutView`` when it is sent, after a restart too.
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
_V2_FLAG = discord.MessageFlags(components_v2=True).value
# What a queued V2 card may hold: rows of buttons, sections, texts, thumbnails, galleries,
# separators, containers (no selects: their choices would not survive a restart).
_SECTION, _TEXT, _THUMBNAIL, _GALLERY, _SEPARATOR, _CONTAINER = 9, 10, 11, 12, 14, 17
_LAYOUT_TYPES = {_ACTION_ROW, _BUTTON, _SECTION, _TEXT, _THUMBNAIL, _GALLERY, _SEPARATOR, _CONTAINER}


class Attachment(NamedTuple):
    """A file to send with a queued message; ``description`` is its alt text (a chart's words)."""

    filename: str
    data: bytes
    description: str | None = None


def stored_payload(
    content: str | None,
    *,
    embeds: list[discord.Embed],
    view: discord.ui.View | discord.ui.LayoutView | None,
    allowed_mentions: discord.AllowedMentions,
    files: Sequence[Attachment | tuple[str, bytes]],
) -> dict[str, Any]:
    """The row's JSON for one message.

    Views must be persistent (``timeout=None``, every item with a ``custom_id`` handled by a
    registered ``DynamicItem``): the message may go out after a restart. Only buttons can wait,
    as they are all the bot's queued messages carry; anything else is refused here, not at send.
    A ``LayoutView`` (a fitted card) is stored with the V2 flag and may not come with content
    or embeds.
    """
    body: dict[str, Any] = {"allowed_mentions": allowed_mentions.to_dict()}
    if isinstance(view, discord.ui.LayoutView):
        if content is not None or embeds:
            raise ValueError("a Components V2 card carries no content or embeds")
        if not view.is_persistent():
            raise ValueError("only persistent views can wait in the outbox")
        # discord.py leaves LayoutView.to_components unannotated; it returns the layout's JSON.
        components: list[dict[str, Any]] = view.to_components()  # type: ignore[no-untyped-call]
        if any(item.get("type") not in _LAYOUT_TYPES for item in walk_components(components)):
            raise ValueError("only layout parts and buttons can wait in the outbox")
        body["components"] = components
        body["flags"] = _V2_FLAG
    elif view is not None:
        if not view.is_persistent():
            raise ValueError("only persistent views can wait in the outbox")
        components = view.to_components()
        for row in components:
            if any(item.get("type") != _BUTTON for item in row.get("components", [])):
                raise ValueError("only buttons can wait in the outbox")
        body["components"] = components
    if content is not None:
        body["content"] = content
    if embeds:
        body["embeds"] = [embed.to_dict() for embed in embeds]
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
            view.add_item(_button_from(item, row=min(row_index, 4)))
    # Stopped before sending: discord.py then keeps no copy of it per message (thousands a day);
    # the dynamic items, registered once, handle every click.
    view.stop()
    return view


def is_layout(body: dict[str, Any]) -> bool:
    """Whether a stored row is a Components V2 card."""
    return bool(int(body.get("flags") or 0) & _V2_FLAG)


def walk_components(components: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every component of a layout, nested ones too (as Discord counts them)."""
    found: list[dict[str, Any]] = []
    for component in components:
        found.append(component)
        found.extend(walk_components(component.get("components") or []))
        if isinstance(component.get("accessory"), dict):
            found.extend(walk_components([component["accessory"]]))
    return found


def _button_from(item: dict[str, Any], row: int | None = None) -> discord.ui.Button[Any]:
    emoji = item.get("emoji")
    return discord.ui.Button(
        style=discord.ButtonStyle(int(item.get("style", 2))),
        label=item.get("label"),
        custom_id=item.get("custom_id"),
        url=item.get("url"),
        emoji=discord.PartialEmoji.from_dict(emoji) if emoji else None,
        disabled=bool(item.get("disabled", False)),
        row=row,
    )


def _layout_item(data: dict[str, Any]) -> discord.ui.Item[Any]:
    kind = int(data["type"])
    children = [_layout_item(c) for c in data.get("components") or []]
    if kind == _CONTAINER:
        return discord.ui.Container(
            *children, accent_colour=data.get("accent_color"), spoiler=bool(data.get("spoiler", False))
        )
    if kind == _SECTION:
        return discord.ui.Section(*children, accessory=_layout_item(data["accessory"]))
    if kind == _TEXT:
        return discord.ui.TextDisplay(str(data["content"]))
    if kind == _THUMBNAIL:
        return discord.ui.Thumbnail(
            data["media"]["url"],
            description=data.get("description"),
            spoiler=bool(data.get("spoiler", False)),
        )
    if kind == _GALLERY:
        return discord.ui.MediaGallery(
            *(
                discord.MediaGalleryItem(
                    i["media"]["url"], description=i.get("description"), spoiler=bool(i.get("spoiler", False))
                )
                for i in data.get("items") or []
            )
        )
    if kind == _SEPARATOR:
        return discord.ui.Separator(
            visible=bool(data.get("divider", True)),
            spacing=discord.SeparatorSpacing(int(data.get("spacing", 1))),
        )
    if kind == _ACTION_ROW:
        return discord.ui.ActionRow(*children)
    if kind == _BUTTON:
        return _button_from(data)
    raise ValueError(f"component type {kind} cannot wait in the outbox")


def layout_from(components: list[dict[str, Any]]) -> discord.ui.LayoutView:
    """A stored card's layout with its custom ids: the registered dynamic items answer its clicks."""
    view = discord.ui.LayoutView(timeout=None)
    for component in components:
        view.add_item(_layout_item(component))
    view.stop()  # as for buttons below: no copy kept per sent message
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
    view: discord.ui.View | discord.ui.LayoutView | None = None
    files: list[discord.File] = field(default_factory=list)
    allowed_mentions: discord.AllowedMentions | None = None

    def as_kwargs(self) -> dict[str, Any]:
        # A V2 card sends no content at all (discord.py sets the flag from the LayoutView).
        kwargs: dict[str, Any] = (
            {} if isinstance(self.view, discord.ui.LayoutView) else {"content": self.content}
        )
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
    view: discord.ui.View | discord.ui.LayoutView | None = None
    if components:
        view = layout_from(components) if is_layout(body) else _view_from(components)
    return SendArguments(
        content=body.get("content"),
        embeds=[discord.Embed.from_dict(e) for e in body.get("embeds", [])],
        view=view,
        files=files,
        allowed_mentions=_mentions_from(mentions) if mentions is not None else None,
    )
