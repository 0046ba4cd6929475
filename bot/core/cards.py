"""Components V2 cards: a card is plain blocks, fitted to Discord's limits in one place, then
drawn as a ``discord.ui.LayoutView`` (one ``Container`` holding the blocks).

A V2 message carries the ``IS_COMPONENTS_V2`` flag and no ``content`` or embeds. Discord allows
at most 40 components in it (nested ones count: the container, each section, text, accessory,
row and button) and 4000 characters of text across its ``TextDisplay``\\ s; an empty text, more
than three texts in a section or an alt text over 1024 characters is refused. :func:`fit` is
where every card is brought inside those limits, so no card is ever refused for its words:

- too much text: the longest texts are shortened (each to the same cap, ending in an ellipsis),
  so short lines such as a count or a heading stay whole;
- too many components: dividers go first, then neighbouring texts are joined, then trailing
  texts, galleries and thumbnails are left off (the last text left ends in an ellipsis). Buttons
  are never dropped: a card with more buttons than fit is a bug, and raises.

Every card goes through :meth:`Card.view`, and the outbox takes only a :class:`Card` for a V2
message, so nothing reaches Discord unfitted. Features build their cards in
``cogs/<feature>/`` (``card.py`` or ``views.py``) from these blocks.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import discord

MAX_COMPONENTS = 40
MAX_TEXT = 4000
MAX_SECTION_TEXTS = 3
MAX_ALT_TEXT = 1024
MAX_GALLERY_ITEMS = 10
MAX_ROW_BUTTONS = 5
ELLIPSIS = "…"


@dataclass(frozen=True)
class Text:
    """A ``TextDisplay``: markdown, as in a message."""

    content: str


@dataclass(frozen=True)
class Thumb:
    """A ``Thumbnail``: a small image beside a section's text (``attachment://name`` or a URL)."""

    url: str
    description: str | None = None


@dataclass(frozen=True)
class Section:
    """One to three texts with a button or a thumbnail beside them."""

    texts: tuple[str, ...]
    accessory: discord.ui.Item[Any] | Thumb


@dataclass(frozen=True)
class Media:
    url: str
    description: str | None = None


@dataclass(frozen=True)
class Gallery:
    """A ``MediaGallery``: images (a chart), each with its alt text."""

    items: tuple[Media, ...]


@dataclass(frozen=True)
class Divider:
    """A ``Separator``: a line (or just space) between parts of a card."""

    visible: bool = True
    large: bool = False


@dataclass(frozen=True)
class Buttons:
    """An ``ActionRow`` of up to five buttons (persistent ``DynamicItem``\\ s or link buttons)."""

    items: tuple[discord.ui.Item[Any], ...]


Block = Text | Section | Gallery | Divider | Buttons


@dataclass(frozen=True)
class Card:
    """A card: its blocks in order and the container's accent colour."""

    blocks: tuple[Block, ...] = field(default_factory=tuple)
    accent: int | None = None

    def view(self) -> discord.ui.LayoutView:
        """The fitted card as a ``LayoutView`` ready to send or edit with (no ``content``)."""
        return _draw(fit(self))

    def texts(self) -> list[str]:
        """Every text of the card in reading order (what a person sees)."""
        return list(_texts(self.blocks))


def card(*blocks: Block | None, accent: int | discord.Colour | None = None) -> Card:
    """Build a card, leaving out ``None`` blocks (the optional parts a caller did not need)."""
    colour = accent.value if isinstance(accent, discord.Colour) else accent
    return Card(tuple(b for b in blocks if b is not None), colour)


# -- the limits -------------------------------------------------------------------------------


def component_count(blocks: Iterable[Block]) -> int:
    """Discord's count for a card: the container, and each block with what it holds."""
    total = 1
    for block in blocks:
        if isinstance(block, Section):
            total += 2 + len(block.texts)  # the section, its texts, its accessory
        elif isinstance(block, Buttons):
            total += 1 + len(block.items)
        else:
            total += 1
    return total


def shorten(text: str, limit: int) -> str:
    """``text`` as it is if it fits in ``limit`` characters, else cut to fit, ending in an ellipsis."""
    if len(text) <= limit:
        return text
    if limit <= len(ELLIPSIS):
        return ELLIPSIS[:limit]
    return text[: limit - len(ELLIPSIS)].rstrip() + ELLIPSIS


def text_cap(lengths: Sequence[int], budget: int = MAX_TEXT) -> int | None:
    """The largest cap with ``sum(min(length, cap)) <= budget``; None if everything fits already."""
    if sum(lengths) <= budget:
        return None
    low, high = 1, max(lengths)  # sum(min(l, 1)) = len(lengths) <= budget (at most 40 texts)
    while low < high:
        middle = (low + high + 1) // 2
        if sum(min(n, middle) for n in lengths) <= budget:
            low = middle
        else:
            high = middle - 1
    return low


def fit(card: Card) -> Card:
    """The card inside Discord's limits (see the module's docstring). Never refuses words."""
    blocks = [b for b in (_clean(b) for b in card.blocks) if b is not None]
    blocks = _fit_count(blocks)
    cap = text_cap([len(t) for t in _texts(blocks)])
    if cap is not None:
        blocks = [_map_texts(b, lambda t: shorten(t, cap)) for b in blocks]
    return Card(tuple(blocks), card.accent)


def _texts(blocks: Iterable[Block]) -> Iterable[str]:
    for block in blocks:
        if isinstance(block, Text):
            yield block.content
        elif isinstance(block, Section):
            yield from block.texts


def _map_texts(block: Block, change: Any) -> Block:
    if isinstance(block, Text):
        return Text(change(block.content))
    if isinstance(block, Section):
        return replace(block, texts=tuple(change(t) for t in block.texts))
    return block


def _alt(description: str | None) -> str | None:
    return shorten(description, MAX_ALT_TEXT) if description else None


def _clean(block: Block) -> Block | None:
    """Drop what Discord refuses outright: empty texts, a fourth text in a section, long alt text."""
    if isinstance(block, Text):
        return block if block.content.strip() else None
    if isinstance(block, Section):
        texts = [t for t in block.texts if t.strip()]
        if len(texts) > MAX_SECTION_TEXTS:
            texts = [*texts[: MAX_SECTION_TEXTS - 1], "\n".join(texts[MAX_SECTION_TEXTS - 1 :])]
        accessory = block.accessory
        if isinstance(accessory, Thumb):
            accessory = Thumb(accessory.url, _alt(accessory.description))
        if not texts:
            return Buttons((accessory,)) if not isinstance(accessory, Thumb) else None
        return Section(tuple(texts), accessory)
    if isinstance(block, Gallery):
        items = tuple(Media(m.url, _alt(m.description)) for m in block.items[:MAX_GALLERY_ITEMS])
        return Gallery(items) if items else None
    if isinstance(block, Buttons):
        if not block.items:
            return None
        if len(block.items) > MAX_ROW_BUTTONS:
            raise ValueError("an action row holds at most five buttons")
    return block


def _fit_count(blocks: list[Block]) -> list[Block]:
    # 1. Dividers are only space: they go first, the last ones first.
    while component_count(blocks) > MAX_COMPONENTS and any(isinstance(b, Divider) for b in blocks):
        index = max(i for i, b in enumerate(blocks) if isinstance(b, Divider))
        del blocks[index]
    # 2. Neighbouring texts read the same as one text.
    if component_count(blocks) > MAX_COMPONENTS:
        joined: list[Block] = []
        for block in blocks:
            previous = joined[-1] if joined else None
            if isinstance(block, Text) and isinstance(previous, Text):
                joined[-1] = Text(f"{previous.content}\n\n{block.content}")
            else:
                joined.append(block)
        blocks = joined
    # 3. Leave off trailing parts without buttons; say so with an ellipsis on the last text left.
    dropped = False
    while component_count(blocks) > MAX_COMPONENTS:
        passive = [i for i, b in enumerate(blocks) if _passive(b)]
        if not passive:
            raise ValueError("a card holds at most 40 components, and its buttons alone are more")
        del blocks[passive[-1]]
        dropped = True
    if dropped:
        last = max((i for i, b in enumerate(blocks) if isinstance(b, Text | Section)), default=None)
        if last is not None:
            blocks[last] = _map_texts_last(blocks[last])
    return blocks


def _passive(block: Block) -> bool:
    """A block a person only reads (no button in it)."""
    if isinstance(block, Section):
        return isinstance(block.accessory, Thumb)
    return not isinstance(block, Buttons)


def _map_texts_last(block: Block) -> Block:
    if isinstance(block, Text):
        return Text(f"{block.content}\n{ELLIPSIS}")
    assert isinstance(block, Section)
    return replace(block, texts=(*block.texts[:-1], f"{block.texts[-1]}\n{ELLIPSIS}"))


# -- drawing ----------------------------------------------------------------------------------


def _draw(card: Card) -> discord.ui.LayoutView:
    container: discord.ui.Container[Any] = discord.ui.Container(accent_colour=card.accent)
    for block in card.blocks:
        container.add_item(_item(block))
    view = discord.ui.LayoutView(timeout=None)
    view.add_item(container)
    # Stopped before sending: discord.py keeps no copy per message; the registered dynamic
    # items answer every click, after restarts too.
    view.stop()
    return view


def _item(block: Block) -> discord.ui.Item[Any]:
    if isinstance(block, Text):
        return discord.ui.TextDisplay(block.content)
    if isinstance(block, Section):
        accessory = block.accessory
        if isinstance(accessory, Thumb):
            accessory = discord.ui.Thumbnail(accessory.url, description=accessory.description)
        return discord.ui.Section(*(discord.ui.TextDisplay(t) for t in block.texts), accessory=accessory)
    if isinstance(block, Gallery):
        return discord.ui.MediaGallery(
            *(discord.MediaGalleryItem(m.url, description=m.description) for m in block.items)
        )
    if isinstance(block, Divider):
        spacing = discord.SeparatorSpacing.large if block.large else discord.SeparatorSpacing.small
        return discord.ui.Separator(visible=block.visible, spacing=spacing)
    return discord.ui.ActionRow(*block.items)


__all__ = [
    "ELLIPSIS",
    "MAX_COMPONENTS",
    "MAX_TEXT",
    "Block",
    "Buttons",
    "Card",
    "Divider",
    "Gallery",
    "Media",
    "Section",
    "Text",
    "Thumb",
    "card",
    "component_count",
    "fit",
    "shorten",
    "text_cap",
]
