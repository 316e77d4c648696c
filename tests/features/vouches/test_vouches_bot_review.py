"""The review queue: a vouch waits in the moderators' channel with Approve and Deny before
anything is given; only a moderator decides, once; the buttons work after a restart."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import features.vouches.vouches_screens as screens
import pytest
import pytest_asyncio
from features.vouches.vouches_bot import Vouching, shot, snapshot_of, vouch_fake, vouch_rows
from support.bot import description, started_bot

pytestmark = pytest.mark.asyncio(loop_scope="module")

PEOPLE = tuple(f"q{i}" for i in range(8))


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def v(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Vouching]:
    fake = vouch_fake(PEOPLE)
    await fake.start()
    try:
        async with started_bot(tmp_path_factory.mktemp("vouch-review"), fake=fake) as h:
            vouching = Vouching(h)
            await vouching.configure(
                channels=[vouching.channel], review_queue=True, review_channel=vouching.mods
            )
            yield vouching
    finally:
        await fake.close()


@pytest.fixture(autouse=True)
def no_api_violations(v: Vouching) -> Iterator[None]:
    yield
    found, v.fake.violations[:] = list(v.fake.violations), []
    assert found == [], "Discord API violations:\n" + "\n".join(found)


async def review_message(v: Vouching, message_id: int) -> dict[str, Any]:
    """The moderators' message about a vouch, with its buttons."""
    await v.settled()
    [posted] = [
        m for m in v.fake.channel_messages(v.mods) if f"/{message_id}" in (m["content"] or "")
    ]
    return posted


def buttons(message: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (b["custom_id"], b["label"]) for row in message["components"] for b in row["components"]
    ]


async def click(v: Vouching, custom_id: str, who: str, message: dict[str, Any]) -> dict[str, Any]:
    interaction = await v.fake.click(custom_id, user=v.who(who), message=int(message["id"]))
    return await v.fake.interaction_reply(interaction)


async def test_a_vouch_waits_for_review_and_counts_only_when_a_moderator_approves(
    v: Vouching,
) -> None:
    db = v.h.app.config.db_path
    message_id, outcome = await v.vouch("q0", "seller")
    assert outcome.result == "pending"
    posted = await review_message(v, message_id)
    assert buttons(posted) == [
        (f"vouches:approve:{message_id}", "Approve"),
        (f"vouches:deny:{message_id}", "Deny"),
    ]
    assert f"<@{v.who('q0').id}> for <@{v.who('seller').id}>" in posted["content"]
    assert v.reactions(message_id) == []
    assert await v.service.count(v.guild.id, v.who("seller").id) == 0
    assert await v.h.balance(v.who("q0")) == 25

    before = snapshot_of(db, v.guild.id)
    refused = await click(v, f"vouches:approve:{message_id}", "friend", posted)
    assert refused["ephemeral"] and "Only moderators" in description(refused)
    assert snapshot_of(db, v.guild.id) == before

    approved = await click(v, f"vouches:approve:{message_id}", "admin", posted)
    assert approved["type"] == 7 and f"Approved by <@{v.who('admin').id}>" in description(approved)
    assert approved["components"] == []
    await v.settled()
    assert v.reactions(message_id) == ["✅"]
    assert await v.service.count(v.guild.id, v.who("seller").id) == 1
    assert await v.h.balance(v.who("q0")) == 35

    again = await click(v, f"vouches:deny:{message_id}", "owner", posted)
    assert again["ephemeral"] and "already accepted" in description(again)
    assert await v.service.count(v.guild.id, v.who("seller").id) == 1
    assert (await v.h.app.audit()).clean


async def test_a_denied_vouch_gives_nothing_and_its_screenshot_may_be_posted_again(
    v: Vouching,
) -> None:
    db = v.h.app.config.db_path
    image = screens.png(shot(777))
    message_id, _ = await v.vouch("q1", "seller2", image=image)
    posted = await review_message(v, message_id)
    denied = await click(v, f"vouches:deny:{message_id}", "admin", posted)
    assert f"Denied by <@{v.who('admin').id}>" in description(denied)
    assert vouch_rows(db, v.guild.id)[-1][3] == "denied"
    assert await v.h.balance(v.who("q1")) == 25
    # Not a live proof any more: the same screenshot, posted again, waits for review again.
    _, again = await v.vouch("q2", "seller2", image=image)
    assert again.result == "pending"


async def test_a_vouch_deleted_while_waiting_is_withdrawn_and_its_buttons_say_so(
    v: Vouching,
) -> None:
    message_id, _ = await v.vouch("q3", "seller")
    posted = await review_message(v, message_id)
    [withdrawn] = await v.delete(message_id)
    assert withdrawn.result == "withdrawn"
    reply = await click(v, f"vouches:approve:{message_id}", "admin", posted)
    assert reply["ephemeral"] and "already reversed" in description(reply)
    assert await v.h.balance(v.who("q3")) == 25


async def test_a_review_queue_without_its_channel_is_refused_by_config(v: Vouching) -> None:
    await v.configure(review_queue=False)
    try:
        reply = await v.h.run("config vouches reset", v.who("admin"), setting="review_channel")
        assert "Settings: vouches" in description(reply)
        before = await v.h.app.settings.overrides(v.guild.id, "vouches")
        reply = await v.h.run("config vouches set", v.who("admin"), review_queue=True)
        assert reply["ephemeral"] and "moderators' channel" in description(reply)
        assert await v.h.app.settings.overrides(v.guild.id, "vouches") == before
    finally:
        await v.configure(review_queue=True, review_channel=v.mods)


async def test_the_buttons_work_after_the_bot_restarted(tmp_path: Path) -> None:
    fake = vouch_fake(["p0"])
    await fake.start()
    try:
        async with started_bot(tmp_path, fake=fake) as h:
            v = Vouching(h)
            await v.configure(channels=[v.channel], review_queue=True, review_channel=v.mods)
            message_id, outcome = await v.vouch("p0", "seller")
            assert outcome.result == "pending"
            posted = await review_message(v, message_id)
        async with started_bot(tmp_path, fake=fake) as h:  # a new process: nothing in memory
            v = Vouching(h)
            approved = await click(v, f"vouches:approve:{message_id}", "admin", posted)
            assert "Approved by" in description(approved)
            await v.settled()
            assert v.reactions(message_id) == ["✅"]
            assert await v.h.balance(v.who("p0")) == 35
    finally:
        await fake.close()


async def test_the_review_buttons_ids_are_the_features_codec_ids() -> None:
    from vouchy.features.vouches.discord import CODEC
    from vouchy.features.vouches.review import decode, encode

    assert CODEC.decode(encode("approve", 123)) == ("approve", "123")
    assert decode(CODEC.encode("deny", 456)) == ("deny", 456)
