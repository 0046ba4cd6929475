"""Checking in through simcord: slash and button, share and private, update, backfill, consent."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.core.crypto import cipher_of
from tests.checkins.conftest import check_in, open_form
from tests.conftest import expected_errors


async def rows(group, user_id):
    return await group.bot.db.fetch_all(
        "SELECT * FROM checkins WHERE guild_id = ? AND user_id = ? ORDER BY local_date",
        (group.guild.id, user_id),
    )


async def test_shared_checkin_posts_a_card_without_the_note(group):
    result = await check_in(
        group.member, group.general, mood="4", emotions=["happy", "calm"], note="slept badly", share=True
    )
    assert result.ephemeral
    assert "Saved your check-in for today" in result.response.content
    assert "🙂 Good" in result.response.content
    card = group.channels["checkins"].last_message
    assert "member1" in card.content and "🙂 Good" in card.content and "Happy, Calm" in card.content
    assert "slept badly" not in card.content
    (row,) = await rows(group, group.member.id)
    assert row["local_date"] == "2026-11-23" and row["mood"] == 4
    # The note is stored encrypted: unreadable in the file, readable with the group's key.
    assert "slept" not in row["note"]
    assert cipher_of(group.bot.db).decrypt(row["note"]) == "slept badly"


async def test_private_checkin_posts_nothing(group):
    before = len(group.channels["checkins"].history())
    result = await check_in(group.member, group.general, mood="2", emotions=["tired"])
    assert "Kept private" in result.response.content
    assert len(group.channels["checkins"].history()) == before
    (row,) = await rows(group, group.member.id)
    assert row["shared"] == 0 and row["emotions"] == "tired"


async def test_second_checkin_same_day_updates_and_says_so(group):
    await check_in(group.member, group.general, mood="2")
    again = await check_in(group.member, group.general, mood="5")
    assert "Updated your check-in for today" in again.response.content
    assert "already checked in" in again.response.content
    (row,) = await rows(group, group.member.id)
    assert row["mood"] == 5


async def test_backfill_yesterday_only(group):
    result = await check_in(group.member, group.general, mood="3", day="yesterday")
    assert "for yesterday" in result.response.content
    (row,) = await rows(group, group.member.id)
    assert row["local_date"] == "2026-11-22"


async def test_nothing_stored_before_consent(group):
    shown = await group.member.slash(group.general, "checkin now")
    assert shown.modal is None and shown.ephemeral
    await group.member.click(shown.response.message, label="Not now")
    assert await group.bot.members.get(group.guild.id, group.member.id) is None
    assert await rows(group, group.member.id) == []


async def test_local_day_follows_member_timezone_at_midnight(group):
    group.clock.set(datetime(2026, 11, 22, 12, 0, tzinfo=UTC))
    await check_in(group.member, group.general, mood="2")  # consents; 22 Nov in London
    await group.member.slash(group.general, "timezone", zone="Asia/Tokyo")
    group.clock.set(datetime(2026, 11, 23, 14, 59, tzinfo=UTC))  # 23:59 on 23 Nov in Tokyo
    await check_in(group.member, group.general, mood="3")
    group.clock.set(datetime(2026, 11, 23, 15, 1, tzinfo=UTC))  # 00:01 on 24 Nov in Tokyo
    second = await check_in(group.member, group.general, mood="4")
    assert "Saved your check-in for today" in second.response.content
    got = [r["local_date"] for r in await rows(group, group.member.id)]
    # The timezone change neither created nor erased the London day.
    assert got == ["2026-11-22", "2026-11-23", "2026-11-24"]


async def test_more_words_adds_a_precise_word_and_updates_the_card(group):
    result = await check_in(
        group.member, group.general, mood="2", emotions=["sad"], family="fear", share=True
    )
    assert "more precise" in result.response.content
    fear = next(f for f in group.bot.content.emotions.families if f.id == "fear")
    word = fear.words[-1]
    picked = await group.member.select(result.response.message, [word.value], custom_id="checkin:more")
    assert word.label in picked.response.content
    (row,) = await rows(group, group.member.id)
    assert row["emotions"].split(",") == [word.value, "sad"]
    assert word.label in group.channels["checkins"].last_message.content


async def test_checkin_from_dms_uses_the_members_group(group):
    await check_in(group.member, group.general, mood="3")
    group.clock.set(datetime(2026, 11, 24, 9, 0, tzinfo=UTC))
    shown = await group.member.user.slash("checkin now")
    assert shown.modal is not None
    done = await group.member.user.submit_modal(shown, {"checkin:mood": "5", "checkin:share": False})
    assert "Saved your check-in for today" in done.response.content
    assert [r["local_date"] for r in await rows(group, group.member.id)] == ["2026-11-23", "2026-11-24"]


async def test_checkin_in_dms_without_a_group_is_explained(group):
    outsider = group.env.create_user("stranger")
    result = await outsider.slash("checkin now")
    assert "inside your group's server" in result.response.content
    assert len(expected_errors(group.env)) == 1


async def test_form_has_five_controls_and_words_for_every_mood(group):
    shown = await open_form(group.member, group.general)
    assert len(shown.modal["components"]) == 5
    radio = shown.modal["components"][0]["component"]
    labels = [o["label"] for o in radio["options"]]
    assert labels == ["😄 Great", "🙂 Good", "😐 Okay", "🙁 Low", "😞 Very low"]
    assert date(2026, 11, 23)  # today in London
