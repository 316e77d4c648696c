"""Vouches end to end through the real bot and the fake Discord: a screenshot mentioning a
provider in a vouch channel counts once (points, count, reaction), and each rule that refuses a
vouch says why in a reply that removes itself, changing nothing else."""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import features.vouches.vouches_screens as screens
import pytest
import pytest_asyncio
from features.vouches.vouches_bot import (
    Vouching,
    rows,
    shot,
    snapshot_of,
    vouch_fake,
    vouch_rows,
)
from PIL import Image
from support.bot import started_bot

from vouchy.features.vouches.model import message_link

pytestmark = pytest.mark.asyncio(loop_scope="module")

PEOPLE = tuple(f"v{i}" for i in range(20))


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def v(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Vouching]:
    fake = vouch_fake(PEOPLE)
    await fake.start()
    try:
        async with started_bot(tmp_path_factory.mktemp("vouch-rules"), fake=fake) as h:
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


def db(v: Vouching) -> Path:
    return v.h.app.config.db_path


async def balance(v: Vouching, name: str) -> int:
    return await v.h.balance(v.who(name))


async def refused_with(v: Vouching, message_id: int, *needles: str) -> None:
    """The vouch got one reply under it that says why, removing itself after a minute."""
    await v.settled()
    [reply] = v.replies_to(message_id)
    text = reply["content"]
    assert "your vouch was not counted" in text
    for needle in needles:
        assert needle in text, text
    [(payload, delay)] = rows(
        db(v),
        "SELECT payload, next_at - created_at FROM outbox WHERE kind = 'discord.delete'"
        " AND json_extract(payload, '$.message_id') = ?",
        (int(reply["id"]),),
    )
    assert delay == 60_000 and json.loads(payload)["channel_id"] == v.channel
    assert v.reactions(message_id) == []


async def test_a_vouch_gives_its_points_counts_once_and_is_reacted_to(v: Vouching) -> None:
    seller = v.who("seller")
    payload = v.message("v0", "seller")
    message_id = int(payload["id"])
    outcome = await v.post(payload)
    assert outcome.result == "accepted" and outcome.reference == f"vouch:{message_id}"
    await v.settled()
    assert v.reactions(message_id) == ["✅"]
    assert await balance(v, "v0") == 25 + 10
    assert await v.service.count(v.guild.id, seller.id) == 1
    [ledger] = rows(
        db(v),
        "SELECT user_id, delta, kind FROM ledger WHERE reference = ? AND kind != 'start'",
        (f"vouch:{message_id}",),
    )
    assert ledger == (v.who("v0").id, 10, "vouch")
    assert v.fake.cdn_fetches.count(int(payload["attachments"][0]["id"])) == 1
    assert (await v.h.app.audit()).clean


async def test_the_screenshot_is_fetched_once_and_a_redelivered_message_changes_nothing(
    v: Vouching,
) -> None:
    payload = v.message("v1", "seller2")
    attachment_id = int(payload["attachments"][0]["id"])
    first = await v.post(payload)
    before = snapshot_of(db(v), v.guild.id)
    again = await v.post(payload)  # Discord redelivered it on a resume
    assert (first.result, again.result) == ("accepted", "duplicate")
    await v.settled()
    assert v.fake.cdn_fetches.count(attachment_id) == 1
    assert v.reactions(int(payload["id"])) == ["✅"]
    assert snapshot_of(db(v), v.guild.id) == before
    assert await balance(v, "v1") == 35


async def test_the_provider_earns_their_points_in_the_same_operation(v: Vouching) -> None:
    await v.configure(provider_points=4)
    try:
        message_id, outcome = await v.vouch("v2", "v3")
        assert outcome.result == "accepted"
        moves = rows(
            db(v),
            "SELECT user_id, delta FROM ledger WHERE reference = ? AND kind = 'vouch' ORDER BY id",
            (f"vouch:{message_id}",),
        )
        assert moves == [(v.who("v2").id, 10), (v.who("v3").id, 4)]
        assert await balance(v, "v3") == 29
    finally:
        await v.configure(provider_points=None)


async def test_a_self_vouch_is_refused_and_changes_nothing(v: Vouching) -> None:
    before = snapshot_of(db(v), v.guild.id)
    message_id, outcome = await v.vouch("v4", "v4")
    assert (outcome.result, outcome.code) == ("refused", "vouch_self")
    await refused_with(v, message_id, "you can't vouch for yourself")
    assert snapshot_of(db(v), v.guild.id) == before


async def test_a_bot_as_provider_is_refused(v: Vouching) -> None:
    before = snapshot_of(db(v), v.guild.id)
    message_id, outcome = await v.vouch("v4", "otherbot")
    assert outcome.code == "vouch_bot_provider"
    await refused_with(v, message_id, "is a bot")
    assert snapshot_of(db(v), v.guild.id) == before


async def test_a_second_vouch_for_the_same_provider_within_the_cooldown_is_refused(
    v: Vouching,
) -> None:
    first_id, first = await v.vouch("v5", "seller")
    assert first.result == "accepted"
    before = snapshot_of(db(v), v.guild.id)
    message_id, outcome = await v.vouch("v5", "seller")
    assert outcome.code == "vouch_cooldown"
    await refused_with(v, message_id, "already vouched for", "24 hours", "again in 24h")
    assert snapshot_of(db(v), v.guild.id) == before
    # Another provider is fine.
    _, other = await v.vouch("v5", "seller2")
    assert other.result == "accepted"


async def test_an_account_younger_than_the_minimum_age_is_refused(v: Vouching) -> None:
    before = snapshot_of(db(v), v.guild.id)
    message_id, outcome = await v.vouch("newbie", "seller")
    assert outcome.code == "vouch_account_too_new"
    await refused_with(v, message_id, "at least 7 days old")
    assert snapshot_of(db(v), v.guild.id) == before


async def test_a_member_who_joined_too_recently_is_refused(v: Vouching) -> None:
    await v.configure(min_member_age_hours=48, min_account_age_days=0)
    try:
        # "member" (the fake's own) has an account made today and joined today.
        before = snapshot_of(db(v), v.guild.id)
        message_id, outcome = await v.vouch("member", "seller")
        assert outcome.code == "vouch_member_too_new"
        await refused_with(v, message_id, "at least 48 hours")
        assert snapshot_of(db(v), v.guild.id) == before
    finally:
        await v.configure(min_member_age_hours=None, min_account_age_days=None)


async def test_a_provider_without_the_provider_role_is_refused(v: Vouching) -> None:
    role = v.guild.role("Seller").id
    await v.configure(provider_role=role)
    try:
        before = snapshot_of(db(v), v.guild.id)
        message_id, outcome = await v.vouch("v6", "v7")
        assert outcome.code == "vouch_provider_without_role"
        await refused_with(v, message_id, f"<@&{role}>")
        assert snapshot_of(db(v), v.guild.id) == before
        # "@v7 thanks @seller2": the member who holds the role is the provider.
        _, outcome = await v.vouch("v6", "v7", "seller2")
        assert outcome.result == "accepted"
        assert vouch_rows(db(v), v.guild.id)[-1][2] == v.who("seller2").id
    finally:
        await v.configure(provider_role=None)


async def test_more_vouches_in_a_day_than_the_limit_are_refused(v: Vouching) -> None:
    await v.configure(max_per_day=2)
    try:
        for provider in ("v9", "v10"):
            _, outcome = await v.vouch("v8", provider)
            assert outcome.result == "accepted"
        before = snapshot_of(db(v), v.guild.id)
        message_id, outcome = await v.vouch("v8", "v11")
        assert outcome.code == "vouch_daily_limit"
        await refused_with(v, message_id, "given 2 vouches in the last 24 hours")
        assert snapshot_of(db(v), v.guild.id) == before
    finally:
        await v.configure(max_per_day=None)


def _jpeg(image: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    image.convert("RGB").save(out, "JPEG", quality=quality)
    return out.getvalue()


async def test_a_resized_or_re_encoded_copy_of_an_earlier_proof_is_refused(v: Vouching) -> None:
    original = shot(4242)
    first_id, first = await v.vouch("v12", "seller", image=screens.png(original))
    assert first.result == "accepted"
    link = message_link(v.guild.id, v.channel, first_id)
    smaller = original.resize((270, 480), Image.Resampling.BILINEAR)
    copies = {
        "resized": screens.png(smaller),
        "re-encoded": _jpeg(original, 70),
        "resized and re-encoded": _jpeg(smaller, 80),
    }
    for author, (what, data) in zip(("v13", "v14", "v15"), copies.items(), strict=True):
        before = snapshot_of(db(v), v.guild.id)
        filename = "proof.jpg" if what != "resized" else "proof.png"
        kind = "image/jpeg" if what != "resized" else "image/png"
        message_id, outcome = await v.vouch(
            author, "seller2", image=data, filename=filename, content_type=kind
        )
        assert outcome.code == "vouch_proof_reused", what
        await refused_with(v, message_id, "already used as proof", link)
        assert snapshot_of(db(v), v.guild.id) == before


async def test_two_copies_posted_at_the_same_moment_count_once(v: Vouching) -> None:
    image = screens.png(shot(5151))
    one, two = v.message("v16", "seller", image=image), v.message("v17", "seller", image=image)
    outcomes = await asyncio.gather(v.post(one), v.post(two))
    assert sorted(o.result for o in outcomes) == ["accepted", "refused"]
    assert {o.code for o in outcomes} == {"", "vouch_proof_reused"}


async def test_an_image_that_cannot_be_read_is_refused_with_a_way_forward(v: Vouching) -> None:
    before = snapshot_of(db(v), v.guild.id)
    message_id, outcome = await v.vouch("v18", "seller", image=b"not a picture at all")
    assert outcome.code == "vouch_proof_unreadable"
    await refused_with(v, message_id, "couldn't read your screenshot")
    assert snapshot_of(db(v), v.guild.id) == before


async def test_messages_that_are_not_vouches_are_ignored_without_a_word(v: Vouching) -> None:
    before = snapshot_of(db(v), v.guild.id)
    general = v.guild.text_channel.id
    quiet = [
        v.message("v19", "seller", channel_id=general),  # another channel
        v.message("v19", "seller", image=b""),  # no image
        v.message("v19", content="great service, thanks!"),  # nobody mentioned
        v.message("otherbot", "seller"),  # a bot
    ]
    for payload in quiet:
        await v.fake.dispatch("MESSAGE_CREATE", payload)
    no_provider = await v.outcomes.of(int(quiet[2]["id"]))
    assert (no_provider.result, no_provider.code) == ("ignored", "no_provider")
    # A vouch dispatched after them is judged after them: by then they were all passed over.
    sentinel_id, sentinel = await v.vouch("v19", "seller")
    assert sentinel.result == "accepted"
    await v.settled()
    for payload in quiet:
        assert v.replies_to(int(payload["id"])) == [] and v.reactions(int(payload["id"])) == []
    assert [int(p["id"]) for p in quiet if int(p["id"]) in v.outcomes.by_message] == [
        int(quiet[2]["id"])
    ]
    counted = (f"vouch:{sentinel_id}", v.who("v19").id, v.who("seller").id, "accepted", 10, 0)
    assert vouch_rows(db(v), v.guild.id) == [*before[0], counted]


async def test_a_posted_image_link_is_a_proof_read_through_discords_proxy(v: Vouching) -> None:
    image = screens.png(shot(9090))
    served = v.fake.attachment(image, "link.png")  # the fake's CDN stands for Discord's proxy
    payload = v.message("v19", "seller2", image=b"")
    payload["embeds"] = [
        {
            "type": "image",
            "url": "https://imgur.example/proof.png",
            "thumbnail": {
                "url": "https://imgur.example/proof.png",
                "proxy_url": served["url"],
                "width": 360,
                "height": 640,
            },
        }
    ]
    outcome = await v.post(payload)
    assert outcome.result == "accepted"
    assert v.fake.cdn_fetches.count(int(served["id"])) == 1
