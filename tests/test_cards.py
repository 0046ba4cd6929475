"""Components V2 cards stay inside Discord's limits: words are shortened, never refused.

simcord's validator (the shapes Discord accepts) is the judge of every fitted card.
"""

from __future__ import annotations

import discord
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from simcord.components import COMPONENTS_V2_FLAG, validate_components

from bot.core.cards import (
    ELLIPSIS,
    MAX_COMPONENTS,
    MAX_TEXT,
    Buttons,
    Card,
    Divider,
    Gallery,
    Media,
    Section,
    Text,
    Thumb,
    card,
    component_count,
    fit,
    shorten,
)


def _button(n: int) -> discord.ui.Button[discord.ui.LayoutView]:
    return discord.ui.Button(custom_id=f"test:b:{n}", label=f"B{n}")


def _accepted(fitted: Card) -> list[dict]:
    """The card drawn and checked as Discord would check it; returns its JSON."""
    components = fitted.view().to_components()
    validate_components(components, flags=COMPONENTS_V2_FLAG)
    return components


def _ids(components: list[dict]) -> list[str]:
    found = []
    for c in components:
        if c.get("type") == 2:
            found.append(c["custom_id"])
        found.extend(_ids(c.get("components") or []))
        if isinstance(c.get("accessory"), dict):
            found.extend(_ids([c["accessory"]]))
    return found


def test_a_card_inside_the_limits_is_left_as_it_is() -> None:
    built = card(Text("**Hello**"), Divider(), Section(("a line",), accessory=_button(1)), accent=0x123456)
    assert fit(built) == built
    components = _accepted(built)
    assert components[0]["type"] == 17 and components[0]["accent_color"] == 0x123456


def test_one_long_text_is_cut_to_the_total_and_short_lines_stay_whole() -> None:
    long = "word " * 2000  # 10,000 characters
    built = card(Text("Heading"), Text(long), Section(("3 people practised this.",), accessory=_button(1)))
    fitted = fit(built)
    texts = fitted.texts()
    assert texts[0] == "Heading" and texts[2] == "3 people practised this."
    assert texts[1].endswith(ELLIPSIS) and long.startswith(texts[1][: -len(ELLIPSIS)])
    assert sum(map(len, texts)) <= MAX_TEXT
    _accepted(fitted)


def test_two_long_texts_share_the_room_evenly() -> None:
    fitted = fit(card(Text("a" * 3000), Text("b" * 3000), Text("c" * 10)))
    first, second, third = fitted.texts()
    assert len(first) == len(second) and third == "c" * 10
    assert len(first) + len(second) + len(third) == MAX_TEXT


def test_too_many_parts_lose_dividers_first_then_texts_are_joined() -> None:
    blocks = []
    for n in range(30):
        blocks += [Text(f"line {n}"), Divider()]
    fitted = fit(card(*blocks))
    assert component_count(fitted.blocks) <= MAX_COMPONENTS
    joined = "\n".join(fitted.texts())
    assert all(f"line {n}" in joined for n in range(30))  # nothing was lost, only joined
    _accepted(fitted)


def test_parts_that_cannot_be_joined_are_left_off_with_an_ellipsis_and_buttons_stay() -> None:
    blocks = []
    for n in range(25):
        blocks += [Section((f"part {n}",), accessory=Thumb("https://example.com/a.png")), Text(f"t{n}")]
    blocks.append(Buttons((_button(1), _button(2))))
    fitted = fit(card(*blocks))
    components = _accepted(fitted)
    assert component_count(fitted.blocks) <= MAX_COMPONENTS
    assert _ids(components) == ["test:b:1", "test:b:2"]
    assert fitted.texts()[-1].endswith(ELLIPSIS)


def test_more_buttons_than_a_card_holds_is_a_bug_not_words_to_shorten() -> None:
    rows = [Buttons(tuple(_button(r * 5 + i) for i in range(5))) for r in range(8)]
    with pytest.raises(ValueError, match="40 components"):
        fit(card(*rows))


def test_what_discord_refuses_outright_is_tidied() -> None:
    fitted = fit(
        card(
            Text("   "),
            Section(("", ""), accessory=_button(1)),
            Section(("1", "2", "3", "4"), accessory=_button(2)),
            Gallery((Media("attachment://chart.png", "x" * 2000),)),
            Section(("with a picture",), accessory=Thumb("https://example.com/a.png", "y" * 1500)),
        )
    )
    components = _accepted(fitted)
    assert _ids(components) == ["test:b:1", "test:b:2"]
    gallery = next(b for b in fitted.blocks if isinstance(b, Gallery))
    assert gallery.items[0].description is not None and len(gallery.items[0].description) == 1024
    assert gallery.items[0].description.endswith(ELLIPSIS)
    section = fitted.blocks[1]
    assert isinstance(section, Section) and section.texts == ("1", "2", "3\n4")


@given(st.text(max_size=300), st.integers(min_value=1, max_value=400))
def test_shorten_keeps_what_fits_and_marks_what_was_cut(text: str, limit: int) -> None:
    short = shorten(text, limit)
    assert len(short) <= limit
    if len(text) <= limit:
        assert short == text
    else:
        assert short.endswith(ELLIPSIS) and text.startswith(short[: -len(ELLIPSIS)])


_words = st.builds(
    lambda n, ch: ch * n,
    st.integers(min_value=0, max_value=5000),
    st.sampled_from(["a", "é", "🙂", "ab ", "\n"]),
)
_counter = iter(range(10**9))


def _block() -> st.SearchStrategy:
    def button(_: int) -> discord.ui.Button[discord.ui.LayoutView]:
        return _button(next(_counter))

    return st.one_of(
        st.builds(Text, _words),
        st.builds(Divider, st.booleans(), st.booleans()),
        st.builds(
            Section,
            st.lists(_words, min_size=0, max_size=5).map(tuple),
            st.one_of(
                st.integers().map(button), st.builds(Thumb, st.just("https://example.com/t.png"), _words)
            ),
        ),
        st.builds(
            Gallery, st.lists(st.builds(Media, st.just("attachment://c.png"), _words), max_size=12).map(tuple)
        ),
        st.lists(st.integers(), min_size=1, max_size=3).map(lambda xs: Buttons(tuple(button(x) for x in xs))),
    )


@settings(max_examples=150, deadline=None)
@given(st.lists(_block(), max_size=45))
def test_any_card_is_fitted_into_a_shape_discord_accepts(blocks: list) -> None:
    built = card(*blocks)
    buttons = sum(1 + len(b.items) for b in blocks if isinstance(b, Buttons))
    buttons += sum(
        2 + min(3, len([t for t in b.texts if t.strip()]))
        for b in blocks
        if isinstance(b, Section) and not isinstance(b.accessory, Thumb)
    )
    if 1 + buttons > MAX_COMPONENTS:
        with pytest.raises(ValueError):
            fit(built)
        return
    fitted = fit(built)
    components = _accepted(fitted)
    assert component_count(fitted.blocks) <= MAX_COMPONENTS
    assert sum(map(len, fitted.texts())) <= MAX_TEXT
    # Every button survives, in order.
    before = [
        item.custom_id
        for b in blocks
        for item in (b.items if isinstance(b, Buttons) else (b.accessory,) if isinstance(b, Section) else ())
        if isinstance(item, discord.ui.Button)
    ]
    assert _ids(components) == before
    # Each text is one of the card's words, whole or cut with an ellipsis (or joined from several).
    originals = "\n".join(t for t in built.texts())
    for text in fitted.texts():
        kept = text.removesuffix(ELLIPSIS).removesuffix("\n")
        assert all(part in originals for part in kept.split("\n"))
