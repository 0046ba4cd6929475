"""The check-in burst over real sockets (loopback Discord): every press gets the form, every
submit is saved and answered privately. No timing assertions: the benchmark measures."""

from __future__ import annotations

from benchmarks.bench_checkins import (
    SUBMIT_VALUES,
    _post,
    _prepare_ours,
    _press_and_submit,
    bare_bot,
    our_bot_factory,
)
from tests.support.loopback import LoopbackDiscord, running


async def test_a_burst_of_presses_and_submits_is_saved_and_answered(tmp_path):
    async with LoopbackDiscord() as fake:
        guild = fake.add_guild(name="Group", channels=["general", "checkins"], members=20, admins=1)
        bot = our_bot_factory(tmp_path / "burst.db")()
        async with running(bot, "bench-token", ready_within=30):
            await _prepare_ours(fake, guild, bot)
            members = guild.regular_members
            pressed, submitted = await _press_and_submit(fake, guild, _post(fake, guild), members)
            assert all(r.callback["type"] == 9 for r in pressed)
            assert all(r.callback["data"]["title"] == "Daily check-in" for r in pressed)
            for record in submitted:
                data = record.callback["data"]
                assert data["content"].startswith("Saved your check-in for today: 🙂 Good · Calm.")
                assert data["flags"] & 64  # ephemeral
            rows = await bot.db.fetch_all("SELECT user_id, mood, emotions, note FROM checkins")
            assert sorted(r["user_id"] for r in rows) == sorted(m.id for m in members)
            assert {(r["mood"], r["emotions"]) for r in rows} == {(4, "calm")}
            assert all(SUBMIT_VALUES["checkin:note"] not in r["note"] for r in rows)  # encrypted


async def test_the_bare_baseline_answers_the_same_burst_shape():
    async with LoopbackDiscord() as fake:
        guild = fake.add_guild(name="Group", channels=["general", "checkins"], members=5, admins=1)
        async with running(bare_bot(), "bench-token", ready_within=30):
            pressed, submitted = await _press_and_submit(
                fake, guild, _post(fake, guild), guild.regular_members
            )
            assert [r.callback["type"] for r in pressed] == [9] * 5
            assert [r.callback["data"]["content"] for r in submitted] == ["ok"] * 5
