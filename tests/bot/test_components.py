"""Components that outlive the process (invariant 10): a button is routed by its custom id to
its feature's handler, which reads its state from the database; so a click after a restart
works, a redelivered click is answered once, and another member's click changes nothing."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.bot import description, started_bot

from vouchy.bot import bot as bot_module
from vouchy.bot.components import Codec
from vouchy.testing.fake_discord import FakeDiscord, Member, User, next_snowflake, payloads


@pytest.fixture(autouse=True)
def tally_feature(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    modules = [*bot_module.extension_modules(), "support.components_ext"]
    monkeypatch.setattr(bot_module, "extension_modules", lambda: modules)
    yield


def counters(db: Path) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT stock, note FROM widgets").fetchall()
    finally:
        conn.close()


def new_fake() -> FakeDiscord:
    fake = FakeDiscord()
    fake.guild.members.append(Member(User(next_snowflake(), "friend")))
    return fake


async def test_a_click_after_the_bot_restarted_is_handled_from_the_database(tmp_path: Path) -> None:
    fake = new_fake()
    await fake.start()
    try:
        async with started_bot(tmp_path, fake=fake) as h:
            posted = await h.fake.interaction_reply(await h.fake.slash("tally", user=h.member))
            message_id = int(posted["message"]["id"])
            [[button]] = [row["components"] for row in posted["components"]]
            assert button["custom_id"].startswith("tally:bump:")
        async with started_bot(tmp_path, fake=fake) as h:  # a new process, nothing in memory
            reply = await h.fake.interaction_reply(
                await h.fake.click(button["custom_id"], user=h.member, message=message_id)
            )
            assert reply["kind"] == "callback" and "Count: 1" in description(reply)
        assert counters(tmp_path / "vouchy.db") == [(1, str(h.member.id))]
    finally:
        await fake.close()


async def test_a_redelivered_click_is_answered_once_and_counted_once(tmp_path: Path) -> None:
    async with started_bot(tmp_path) as h:
        posted = await h.fake.interaction_reply(await h.fake.slash("tally", user=h.member))
        custom_id = posted["components"][0]["components"][0]["custom_id"]
        payload = payloads.button_interaction(
            application_id=h.fake.application_id,
            guild=h.guild,
            invoker=h.member,
            custom_id=custom_id,
            message=posted["message"],
            channel_id=int(posted["message"]["channel_id"]),
        )
        first = await h.fake.dispatch_interaction(payload)
        await h.fake.dispatch_interaction(payload)  # Discord redelivered it on a resume
        reply = await h.fake.interaction_reply(first)
        assert "Count: 1" in description(reply)
        assert len(h.fake.interaction_replies(first)) == 1
        assert h.bot.gate.duplicates == 1
        assert counters(h.app.config.db_path)[0][0] == 1


async def test_another_members_click_changes_nothing_and_says_why(tmp_path: Path) -> None:
    async with started_bot(tmp_path) as h:
        posted = await h.fake.interaction_reply(await h.fake.slash("tally", user=h.member))
        custom_id = posted["components"][0]["components"][0]["custom_id"]
        reply = await h.fake.interaction_reply(
            await h.fake.click(
                custom_id, user=h.friend, message=int(posted["message"]["id"]), locale="fr"
            )
        )
        assert reply["ephemeral"]
        assert "Ce bouton appartient à quelqu'un d'autre" in description(reply)
        assert counters(h.app.config.db_path)[0][0] == 0


async def test_a_click_on_a_row_that_is_gone_changes_nothing(tmp_path: Path) -> None:
    async with started_bot(tmp_path) as h:
        reply = await h.fake.interaction_reply(
            await h.fake.click(Codec("tally").encode("bump", 404), user=h.member)
        )
        assert reply["ephemeral"] and "has moved on" in description(reply)
        assert counters(h.app.config.db_path) == []


def test_a_codec_reads_only_its_own_feature_ids() -> None:
    codec = Codec("shop")
    assert codec.decode(codec.encode("use", 42)) == ("use", "42")
    assert codec.decode("games:hit:1") is None and codec.decode("shop") is None
    with pytest.raises(ValueError):
        codec.encode("use", "x" * 200)
