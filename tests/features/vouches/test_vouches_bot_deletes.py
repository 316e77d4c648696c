"""A vouch whose message is deleted (alone or in a bulk delete) within the window is taken back:
its points as ``vouch_reversal`` rows naming it, the provider's count; once, even when Discord
says it twice or the bot restarted in between. Vouches outlive a lost vouchy.db."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio
from features.vouches.vouches_bot import Vouching, rows, snapshot_of, vouch_fake, vouch_rows
from support.bot import started_bot

from vouchy.store.durability.files import sqlite_files

pytestmark = pytest.mark.asyncio(loop_scope="module")

PEOPLE = tuple(f"d{i}" for i in range(10))


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def v(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Vouching]:
    fake = vouch_fake(PEOPLE)
    await fake.start()
    try:
        async with started_bot(tmp_path_factory.mktemp("vouch-deletes"), fake=fake) as h:
            vouching = Vouching(h)
            await vouching.configure(channels=[vouching.channel])
            yield vouching
    finally:
        await fake.close()


@pytest.fixture(autouse=True)
def no_api_violations(v: Vouching) -> Iterator[None]:
    yield
    found, v.fake.violations[:] = list(v.fake.violations), []
    assert found == [], "Discord API violations:\n" + "\n".join(found)


def reversal_rows(db: Path, message_id: int) -> list[tuple]:
    return rows(
        db,
        "SELECT user_id, delta, kind FROM ledger WHERE reference = ? ORDER BY id",
        (f"vouch_reversal:vouch:{message_id}",),
    )


def state_of(db: Path, message_id: int) -> str:
    [(state,)] = rows(db, "SELECT state FROM vouches WHERE reference = ?", (f"vouch:{message_id}",))
    return state


async def test_a_deleted_vouch_is_taken_back_points_and_count(v: Vouching) -> None:
    db = v.h.app.config.db_path
    await v.configure(provider_points=3)
    try:
        message_id, outcome = await v.vouch("d0", "d1")
    finally:
        await v.configure(provider_points=None)
    assert outcome.result == "accepted"
    assert await v.h.balance(v.who("d0")) == 35 and await v.h.balance(v.who("d1")) == 28
    [reversed_] = await v.delete(message_id)
    assert reversed_.result == "reversed"
    assert reversal_rows(db, message_id) == [
        (v.who("d0").id, -10, "vouch_reversal"),
        (v.who("d1").id, -3, "vouch_reversal"),
    ]
    assert state_of(db, message_id) == "reversed"
    assert await v.service.count(v.guild.id, v.who("d1").id) == 0
    assert await v.h.balance(v.who("d0")) == 25 and await v.h.balance(v.who("d1")) == 25
    before = snapshot_of(db, v.guild.id)
    [again] = await v.delete(message_id)  # Discord said it twice
    assert again.result == "unchanged"
    assert snapshot_of(db, v.guild.id) == before
    assert (await v.h.app.audit()).clean


async def test_a_bulk_delete_takes_back_each_vouch_it_lists(v: Vouching) -> None:
    db = v.h.app.config.db_path
    first, _ = await v.vouch("d2", "seller")
    second, _ = await v.vouch("d3", "seller")
    kept, _ = await v.vouch("d4", "seller")
    assert await v.service.count(v.guild.id, v.who("seller").id) == 3
    unrelated = 1234567890123456789  # a message Vouchy knows nothing of
    outcomes = await v.delete(first, second, unrelated)
    assert sorted(o.result for o in outcomes) == ["reversed", "reversed"]
    assert [state_of(db, m) for m in (first, second, kept)] == ["reversed", "reversed", "accepted"]
    assert reversal_rows(db, first) == [(v.who("d2").id, -10, "vouch_reversal")]
    assert await v.service.count(v.guild.id, v.who("seller").id) == 1
    assert (await v.h.app.audit()).clean


async def test_a_vouch_deleted_after_the_window_is_kept(v: Vouching) -> None:
    db = v.h.app.config.db_path
    message_id, _ = await v.vouch("d5", "seller2")
    await v.configure(reversal_window_days=0)
    try:
        before = snapshot_of(db, v.guild.id)
        [kept] = await v.delete(message_id)
    finally:
        await v.configure(reversal_window_days=None)
    assert kept.result == "kept"
    assert snapshot_of(db, v.guild.id) == before and state_of(db, message_id) == "accepted"


async def test_points_already_spent_are_taken_back_only_as_far_as_the_balance_goes(
    v: Vouching,
) -> None:
    db = v.h.app.config.db_path
    message_id, _ = await v.vouch("d6", "seller2")
    await v.h.app.points.member(v.guild.id, v.who("d6").id).spend(30, "shop-d6")
    assert await v.h.balance(v.who("d6")) == 5
    [outcome] = await v.delete(message_id)
    assert outcome.result == "reversed"
    assert reversal_rows(db, message_id) == [(v.who("d6").id, -5, "vouch_reversal")]
    assert await v.h.balance(v.who("d6")) == 0
    assert (await v.h.app.audit()).clean


async def test_a_vouch_is_reversed_after_a_restart_between_it_and_its_deletion(
    tmp_path: Path,
) -> None:
    fake = vouch_fake(["r0"])
    await fake.start()
    try:
        async with started_bot(tmp_path, fake=fake) as h:
            v = Vouching(h)
            await v.configure(channels=[v.channel])
            message_id, outcome = await v.vouch("r0", "seller")
            assert outcome.result == "accepted"
        async with started_bot(tmp_path, fake=fake) as h:  # a new process: nothing in memory
            v = Vouching(h)
            [reversed_] = await v.delete(message_id)
            assert reversed_.result == "reversed"
            assert await v.h.balance(v.who("r0")) == 25
            assert await v.service.count(v.guild.id, v.who("seller").id) == 0
            assert (await h.app.audit()).clean
    finally:
        await fake.close()


async def test_vouches_acknowledged_after_the_last_snapshot_survive_a_lost_database(
    tmp_path: Path,
) -> None:
    fake = vouch_fake(["l0", "l1", "l2"])
    await fake.start()
    data, image = tmp_path / "data", tmp_path / "image"
    try:
        async with started_bot(data, fake=fake) as h:
            v = Vouching(h)
            await v.configure(channels=[v.channel])
            await v.vouch("l0", "seller")
            await h.app.snapshot_now()
            # After the last snapshot: an accepted vouch, a refused one, a reversed one.
            accepted, refused_message = v.message("l1", "seller"), v.message("l2", "l2")
            await v.post(accepted)
            refused = await v.post(refused_message)
            reversed_id, _ = await v.vouch("l2", "seller2")
            await v.delete(reversed_id)
            assert refused.result == "refused"
            await v.settled()
            before = snapshot_of(h.app.config.db_path, v.guild.id)
            # The data directory as a crash would leave it, before the final snapshot.
            shutil.copytree(data, image)
        shutil.rmtree(data)
        shutil.copytree(image, data)
        for path in sqlite_files(data / "vouchy.db"):
            path.unlink(missing_ok=True)
        async with started_bot(data, fake=fake) as h:
            assert h.app.recovery is not None and h.app.recovery.action == "recovered"
            v = Vouching(h)
            assert snapshot_of(h.app.config.db_path, v.guild.id) == before
            assert [r[3] for r in vouch_rows(h.app.config.db_path, v.guild.id)] == [
                "accepted",
                "accepted",
                "reversed",
            ]
            assert await v.service.count(v.guild.id, v.who("seller").id) == 2
            # Discord redelivering the acknowledged messages still changes nothing.
            replies = len(v.replies_to(int(refused_message["id"])))
            for payload in (accepted, refused_message):
                assert (await v.post(payload)).result == "duplicate"
            await v.settled()
            assert len(v.replies_to(int(refused_message["id"]))) == replies == 1
            assert snapshot_of(h.app.config.db_path, v.guild.id) == before
            again = await v.post(v.message("l1", "seller"))
            assert again.code == "vouch_cooldown"  # the cooldown came back with the rows
            assert (await h.app.audit()).clean
    finally:
        await fake.close()


async def test_a_message_deleted_while_it_is_being_judged_is_judged_then_taken_back(
    v: Vouching,
) -> None:
    payload = v.message("d7", "seller")
    message_id = int(payload["id"])
    deletion = {"id": str(message_id), "channel_id": str(v.channel), "guild_id": str(v.guild.id)}
    await v.fake.dispatch("MESSAGE_CREATE", payload)
    await v.fake.dispatch("MESSAGE_DELETE", deletion)  # before the screenshot was even read
    judged = await v.outcomes.of(message_id)
    [deleted] = await v.outcomes.deletion(message_id)
    assert (judged.result, deleted.result) == ("accepted", "reversed")
    assert state_of(v.h.app.config.db_path, message_id) == "reversed"
    assert await v.h.balance(v.who("d7")) == 25
