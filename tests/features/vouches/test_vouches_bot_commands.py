"""``/vouches show|top``, ``/admin vouch add|remove`` and ``/config vouches`` end to end, in
English and French; bad input is refused with a clear message and changes nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
import pytest_asyncio
from features.vouches.vouches_bot import Vouching, rows, snapshot_of, vouch_fake
from support.bot import description, started_bot

from vouchy.features.vouches.model import message_link

pytestmark = pytest.mark.asyncio(loop_scope="module")

PEOPLE = ("c0", "c1", "c2", "c3", "c4", "c5", "c6", "provider3")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def v(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Vouching]:
    fake = vouch_fake(PEOPLE)
    await fake.start()
    try:
        async with started_bot(tmp_path_factory.mktemp("vouch-commands"), fake=fake) as h:
            vouching = Vouching(h)
            await vouching.configure(channels=[vouching.channel])
            # seller: 3 vouches (c0 twice is refused by the cooldown, so c0, c1, c2);
            # seller2: 1; provider3: 3 (a tie with seller).
            for voucher in ("c0", "c1", "c2"):
                await vouching.vouch(voucher, "seller")
                await vouching.vouch(voucher, "provider3")
            await vouching.vouch("c3", "seller2")
            yield vouching
    finally:
        await fake.close()


@pytest.fixture(autouse=True)
def no_api_violations(v: Vouching) -> Iterator[None]:
    yield
    found, v.fake.violations[:] = list(v.fake.violations), []
    assert found == [], "Discord API violations:\n" + "\n".join(found)


async def run(v: Vouching, command: str, who: str, **options: Any) -> dict[str, Any]:
    return await v.h.run(command, v.who(who), **options)


async def test_vouches_show_gives_the_count_the_month_top_vouchers_and_latest_links(
    v: Vouching,
) -> None:
    seller = v.who("seller")
    reply = await run(v, "vouches show", "c4", member=seller)
    text = description(reply)
    assert not reply["ephemeral"]
    assert f"**Vouches for <@{seller.id}>**: 3 vouches (3 this month)" in text
    assert "Top vouchers:" in text and f"<@{v.who('c0').id}> (1)" in text
    [latest] = rows(
        v.h.app.config.db_path,
        "SELECT message_id FROM vouches WHERE provider_id = ? ORDER BY created_at DESC LIMIT 1",
        (seller.id,),
    )
    assert message_link(v.guild.id, v.channel, latest[0]) in text
    assert text.count("• <@") == 3


async def test_vouches_show_without_a_member_is_the_askers_own(v: Vouching) -> None:
    reply = await run(v, "vouches show", "c5")
    assert f"<@{v.who('c5').id}> has no vouches yet." in description(reply)


async def test_vouches_show_on_a_bot_is_a_friendly_refusal(v: Vouching) -> None:
    reply = await run(v, "vouches show", "c5", member=v.who("otherbot"))
    assert reply["ephemeral"] and "Bots" in description(reply)


async def test_vouches_top_ranks_providers_with_ties_and_the_askers_place(v: Vouching) -> None:
    seller, provider3, seller2 = v.who("seller"), v.who("provider3"), v.who("seller2")
    reply = await run(v, "vouches top", "seller2")
    text = description(reply)
    assert "**Top providers** (page 1 of 1)" in text
    first, second = sorted((seller.id, provider3.id))
    assert f"1. <@{first}>: 3 vouches" in text and f"1. <@{second}>: 3 vouches" in text
    assert f"3. <@{seller2.id}>: 1 vouch" in text
    assert "You are #3 with 1 vouch." in text
    empty = await run(v, "vouches top", "c6", page=4)
    assert "There is no page 4: the ranking has 1." in description(empty)
    assert "You haven't been vouched for yet." in description(empty)


async def test_a_french_member_reads_vouches_in_french(v: Vouching) -> None:
    interaction = await v.fake.slash(
        "vouches show", user=v.who("c4"), member=v.who("seller"), locale="fr"
    )
    text = description(await v.fake.interaction_reply(interaction))
    assert f"**Vouchs de <@{v.who('seller').id}>** : 3 vouchs (3 ce mois-ci)" in text
    registered = v.fake.registered_command("vouches", v.guild.id)
    assert registered["name_localizations"]["fr"] == "vouchs"
    show = next(o for o in registered["options"] if o["name"] == "show")
    assert show["name_localizations"]["fr"] == "voir"


async def test_admin_vouch_add_counts_a_vouch_given_elsewhere(v: Vouching) -> None:
    db = v.h.app.config.db_path
    seller2, c5 = v.who("seller2"), v.who("c5")
    interaction = await v.fake.slash(
        "admin vouch add", user=v.who("admin"), provider=seller2, voucher=c5, reason="proof in DM"
    )
    reply = await v.fake.interaction_reply(interaction)
    text = description(reply)
    assert f"Vouch added: <@{c5.id}> for <@{seller2.id}>" in text
    assert f"`/admin vouch remove {interaction}`" in text
    assert await v.service.count(v.guild.id, seller2.id) == 2
    assert await v.h.balance(c5) == 35
    [(reason, actor)] = rows(
        db,
        "SELECT reason, acting_user_id FROM ledger WHERE reference = ? AND kind = 'vouch'",
        (f"vouch:admin:{interaction}",),
    )
    assert (reason, actor) == ("proof in DM", v.who("admin").id)
    # Removed again by the id its reply named.
    removed = await run(v, "admin vouch remove", "admin", message_id=str(interaction))
    assert "Vouch removed" in description(removed)
    assert await v.service.count(v.guild.id, seller2.id) == 1 and await v.h.balance(c5) == 25


@pytest.mark.parametrize(
    ("provider", "voucher", "says"),
    [
        ("c6", "c6", "can't vouch for yourself"),
        ("otherbot", "c6", "is a bot"),
        ("c6", "otherbot", "Bots"),
    ],
)
async def test_admin_vouch_add_refuses_what_could_never_be_a_vouch(
    v: Vouching, provider: str, voucher: str, says: str
) -> None:
    before = snapshot_of(v.h.app.config.db_path, v.guild.id)
    reply = await run(
        v, "admin vouch add", "admin", provider=v.who(provider), voucher=v.who(voucher)
    )
    assert reply["ephemeral"] and says in description(reply)
    assert snapshot_of(v.h.app.config.db_path, v.guild.id) == before


async def test_admin_vouch_remove_takes_a_vouch_back_by_its_message_id_or_link(
    v: Vouching,
) -> None:
    first, _ = await v.vouch("c4", "seller2")
    second, _ = await v.vouch("c5", "provider3")
    by_id = await run(v, "admin vouch remove", "admin", message_id=str(first), reason="fake")
    assert f"Taken back: 10 points from <@{v.who('c4').id}>" in description(by_id)
    link = message_link(v.guild.id, v.channel, second)
    by_link = await run(v, "admin vouch remove", "owner", message_id=link)
    assert "Vouch removed" in description(by_link)
    [(state, by, reason)] = rows(
        v.h.app.config.db_path,
        "SELECT state, decided_by, reason FROM vouches WHERE reference = ?",
        (f"vouch:{first}",),
    )
    assert (state, by, reason) == ("removed", v.who("admin").id, "fake")
    before = snapshot_of(v.h.app.config.db_path, v.guild.id)
    again = await run(v, "admin vouch remove", "admin", message_id=str(first))
    assert again["ephemeral"] and "already removed by an admin" in description(again)
    assert snapshot_of(v.h.app.config.db_path, v.guild.id) == before
    assert (await v.h.app.audit()).clean


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("not an id", "'not an id' is not a message id or a message link"),
        ("123456789012345678", "No vouch has the id 123456789012345678"),
    ],
)
async def test_admin_vouch_remove_refuses_a_bad_or_unknown_id(
    v: Vouching, typed: str, says: str
) -> None:
    before = snapshot_of(v.h.app.config.db_path, v.guild.id)
    reply = await run(v, "admin vouch remove", "admin", message_id=typed)
    assert (
        reply["ephemeral"]
        and says in description(reply)
        and "nothing was changed" in (description(reply))
    )
    assert snapshot_of(v.h.app.config.db_path, v.guild.id) == before


async def test_config_vouches_sets_adds_and_removes_and_the_bot_follows(v: Vouching) -> None:
    general = v.guild.text_channel
    added = await run(v, "config vouches add", "admin", setting="channels", channel=general)
    assert f"<#{v.channel}>, <#{general.id}>" in description(added)
    message_id, outcome = await v.vouch("c6", "seller2", channel_id=general.id)
    assert outcome.result == "accepted"
    removed = await run(v, "config vouches remove", "admin", setting="channels", channel=general)
    assert f"<#{general.id}>" not in description(removed)
    reply = await run(v, "config vouches set", "admin", voucher_points=7, emoji="<:star:42>")
    assert "voucher_points\n7\n" in description(reply) and "emoji\n<:star:42>" in (
        description(reply)
    )
    try:
        message_id, _ = await v.vouch("c6", "provider3")
        await v.settled()
        assert v.reactions(message_id) == ["star:42"]
        assert await v.h.balance(v.who("c6")) == 25 + 10 + 7
    finally:
        await run(v, "config vouches reset", "admin", setting="voucher_points")
        await run(v, "config vouches reset", "admin", setting="emoji")
    assert (await v.service.guild_settings(v.guild.id)).voucher_points == 10
